"""What a column accepts, told to the user three ways: data validation, input message, header note."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxexcel.forms import Column, ColumnType, ListSource, catalog

# Validations cover far more rows than a template shows: users type below the table.
INPUT_ROWS = 2000
# one row per answer: a centre's survey easily runs to thousands of rows
MEASUREMENT_INPUT_ROWS = 20000

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
DATE_HINT = "ДД.ММ.ГГГГ"
# Excel's integer validation needs bounds; these admit any sensible count
_INT_LIMIT = 2_147_483_647
_NUMBER_LIMIT = 10**15

# Excel refuses (and XlsxWriter drops) validations whose texts exceed these lengths
_TITLE_LIMIT = 32
_MESSAGE_LIMIT = 255
# a note lists a closed list's values only when they fit on a screen
_NOTE_LIST_LIMIT = 400

_PICK_FROM_LIST = "Выберите значение из раскрывающегося списка."
_OPEN_LIST = "Выберите из списка или введите свое значение."

_SOURCE_VALUES: dict[ListSource, tuple[str, ...]] = {
    ListSource.REGIONS: catalog.REGIONS,
    ListSource.METRICS: catalog.METRIC_NAMES,
}


def clip(text: str, limit: int) -> str:
    """Shorten text to limit characters (UTF-16 units, as Excel counts), ending with "…"."""
    if len(text.encode("utf-16-le")) // 2 <= limit:
        return text
    while len((text + "…").encode("utf-16-le")) // 2 > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def list_values(column: Column) -> tuple[str, ...]:
    """The values a column's drop-down offers: its closed list or its suggestions."""
    if column.choice_source is not None:
        return _SOURCE_VALUES[column.choice_source]
    return column.choices or column.suggestions


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def rule_text(column: Column) -> str:
    """The accepted values in words, e.g. «Целое число от 1 до 5.»; empty for free text."""
    if column.type is ColumnType.DATE:
        return f"Дата в формате {DATE_HINT}."
    if column.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        noun = "Целое число" if column.type is ColumnType.INTEGER else "Число"
        low, high = column.minimum, column.maximum
        if low is not None and high is not None:
            return f"{noun} от {_number(low)} до {_number(high)}."
        if low is not None:
            return f"{noun} не меньше {_number(low)}."
        if high is not None:
            return f"{noun} не больше {_number(high)}."
        return f"{noun}."
    if column.type is ColumnType.EMAIL:
        return "Адрес электронной почты, например ivanov@czn.ru."
    if column.is_closed_list:
        values = list_values(column)
        listed = "; ".join(values)
        if len(listed) > _NOTE_LIST_LIMIT:
            return _PICK_FROM_LIST
        return f"Выберите из списка: {listed}."
    if column.suggestions:
        return _OPEN_LIST
    return ""


def column_note(column: Column) -> str:
    """The note on a header or label: what the column is for and what it accepts."""
    parts = [column.help, rule_text(column)]
    if column.required:
        parts.append("Обязательно для заполнения.")
    return "\n".join(p for p in parts if p)


def data_validation(column: Column, first_cell: str, list_name: str | None) -> dict[str, Any] | None:
    """XlsxWriter data_validation options for a column, or None when any text is accepted.

    first_cell is the top-left cell of the validated range; a custom formula is
    written relative to it. list_name is the defined name of the column's list.
    """
    options = _criteria(column, first_cell, list_name)
    if options is None:
        return None
    error = rule = rule_text(column)
    if column.type is ColumnType.DATE:
        rule = "" if DATE_HINT in column.help else f"{DATE_HINT}."
    elif rule in (_PICK_FROM_LIST, _OPEN_LIST) and column.help:
        rule = ""  # the help already says how to use the list
    message = f"{rule} {column.help}".strip()
    options.setdefault("error_type", "stop")
    options.update(
        input_title=clip(column.title, _TITLE_LIMIT),
        input_message=clip(message, _MESSAGE_LIMIT),
        error_title=clip(column.title, _TITLE_LIMIT),
    )
    options.setdefault("error_message", clip(error or "Недопустимое значение.", _MESSAGE_LIMIT))
    return options


def _criteria(column: Column, first_cell: str, list_name: str | None) -> dict[str, Any] | None:
    if (column.is_closed_list or column.suggestions) and list_name:
        options: dict[str, Any] = {"validate": "list", "source": f"={list_name}"}
        if not column.is_closed_list:
            # an open list: Excel offers the values but, after a question, keeps any other
            options["error_type"] = "information"
            options["error_message"] = (
                "Значения нет в списке. Нажмите «ОК», чтобы оставить его, "
                "или «Отмена», чтобы выбрать из списка."
            )
        return options
    if column.type is ColumnType.DATE:
        return {"validate": "date", "criteria": "between", "minimum": DATE_MIN, "maximum": DATE_MAX,
                "error_message": f"Введите дату в формате {DATE_HINT} "
                                 f"(годы с {DATE_MIN.year} по {DATE_MAX.year})."}
    if column.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        integer = column.type is ColumnType.INTEGER
        limit = _INT_LIMIT if integer else _NUMBER_LIMIT
        low = column.minimum if column.minimum is not None else -limit
        high = column.maximum if column.maximum is not None else limit
        return {"validate": "integer" if integer else "decimal", "criteria": "between",
                "minimum": low, "maximum": high}
    if column.type is ColumnType.EMAIL:
        # a warning only: Excel cannot check an address properly, so the user may insist
        has_at = f'=ISNUMBER(SEARCH("@",{first_cell}))'
        return {"validate": "custom", "value": has_at, "error_type": "warning"}
    return None
