"""Pydantic model of a programme file and its loader."""

from __future__ import annotations

import datetime as dt
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cxexcel.fileio import os_error_reason

DEFAULT_PROGRAMME_FILE = "programme_2021.json"


class ProgrammeError(Exception):
    """A programme file that cannot be used; the message is for the user (Russian)."""


class ProgrammeItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^\d+(\.\d+)+$")
    section: str
    title: str
    deadlines: tuple[dt.date, ...] = ()
    throughout: bool = False
    responsible: str
    result: str
    materials: str = ""
    # strict: JSON's true would otherwise pass for a cadence of 1 day
    cadence_days: int | None = Field(default=None, gt=0, strict=True)
    # codes under which the item may appear in a filled workbook (source typos)
    aliases: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _deadline_or_throughout(self) -> ProgrammeItem:
        if self.throughout and self.deadlines:
            raise ValueError(f"пункт {self.code}: «на протяжении всего периода» не имеет сроков")
        if not self.throughout and not self.deadlines:
            raise ValueError(f"пункт {self.code}: не указан срок")
        if list(self.deadlines) != sorted(self.deadlines):
            raise ValueError(f"пункт {self.code}: сроки должны идти по возрастанию")
        return self

    @property
    def final_deadline(self) -> dt.date | None:
        """The last deadline: an item is overdue only after it."""
        return self.deadlines[-1] if self.deadlines else None

    @property
    def deadline_text(self) -> str:
        """The deadline as the regulation words it, for workbooks."""
        if self.throughout:
            return "на протяжении всего периода"
        return "; ".join(d.strftime("%d.%m.%Y") for d in self.deadlines)


class Programme(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    title: str
    pilot_start: dt.date
    pilot_end: dt.date
    items: tuple[ProgrammeItem, ...]

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        if self.pilot_end <= self.pilot_start:
            raise ValueError("окончание пилота должно быть позже начала")
        seen: set[str] = set()
        for item in self.items:
            for code in (item.code, *item.aliases):
                if code in seen:
                    raise ValueError(f"код пункта {code} повторяется")
                seen.add(code)
        return self

    def item(self, code: str) -> ProgrammeItem | None:
        """The item with this code or alias (e.g. "2.2.2" is 2.1.2), or None."""
        return self._by_code().get(code.strip())

    def _by_code(self) -> dict[str, ProgrammeItem]:
        return {code: item for item in self.items for code in (item.code, *item.aliases)}

    @property
    def meeting_item(self) -> ProgrammeItem | None:
        """The item with a meeting cadence (2.1.9 in 2021)."""
        return next((i for i in self.items if i.cadence_days), None)


def load_programme(path: str | Path) -> Programme:
    """Load and validate a programme JSON file; raises ProgrammeError with a Russian message."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProgrammeError(f"Не удалось прочитать файл программы {path}: {os_error_reason(exc)}") from exc
    except json.JSONDecodeError as exc:
        raise ProgrammeError(f"Файл программы {path} не является корректным JSON: ошибка в строке {exc.lineno}, "
                             f"позиция {exc.colno}. Исправьте файл или возьмите программу по умолчанию.") from exc
    except UnicodeDecodeError as exc:
        raise ProgrammeError(f"Файл программы {path} не в кодировке UTF-8; сохраните его в UTF-8.") from exc
    try:
        return Programme.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_problem(err) for err in exc.errors())
        raise ProgrammeError(f"Файл программы {path} содержит ошибки: {problems}. Образец формата — встроенная "
                             f"программа {DEFAULT_PROGRAMME_FILE} в папке cxexcel/programme.") from exc


# pydantic's error types, as a coordinator editing the JSON should read them (its own texts are English)
_PROBLEMS = {
    "missing": "нет обязательного поля",
    "extra_forbidden": "лишнее поле, такого в программе нет",
    "date_parsing": "не дата; нужна дата в кавычках вида \"2021-07-26\"",
    "date_from_datetime_parsing": "не дата; нужна дата в кавычках вида \"2021-07-26\"",
    # a number is read as seconds since 1970: 20210731 is no date anyone meant
    "date_from_datetime_inexact": "не дата; нужна дата в кавычках вида \"2021-07-26\"",
    "date_type": "не дата; нужна дата в кавычках вида \"2021-07-26\"",
    "string_pattern_mismatch": "номер пункта пишется цифрами через точку, в кавычках, например \"2.1.9\"",
    "greater_than": "нужно число больше нуля",
    "greater_than_equal": "нужно число не меньше нуля",
    "int_parsing": "не целое число",
    "int_type": "не целое число",
    "int_from_float": "не целое число",
    "string_type": "не текст; нужен текст в кавычках",
    "bool_parsing": "нужно true или false",
    "bool_type": "нужно true или false",
    "list_type": "нужен список в квадратных скобках",
    "tuple_type": "нужен список в квадратных скобках",
    "dict_type": "нужен объект в фигурных скобках",
    "model_type": "нужен объект в фигурных скобках",
    "model_attributes_type": "нужен объект в фигурных скобках",
}


def _problem(err: Any) -> str:
    """One validation error: where (items.0.title reads «items» № 1 «title») and what is wrong, in Russian."""
    where: list[str] = []
    for part in err["loc"]:
        if isinstance(part, int):
            where.append(f"№ {part + 1}")
        else:
            where.append(f"«{part}»")
    what = _PROBLEMS.get(err["type"])
    if what is None:
        # our own validators raise ValueError with Russian text; anything else keeps pydantic's words
        what = str(err["msg"]).removeprefix("Value error, ")
    place = " ".join(where)
    return f"{place}: {what}" if place else what


@functools.cache
def default_programme() -> Programme:
    """The built-in programme of 26.07.2021."""
    text = resources.files("cxexcel.programme").joinpath(DEFAULT_PROGRAMME_FILE).read_text("utf-8")
    return Programme.model_validate(json.loads(text))
