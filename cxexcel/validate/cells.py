"""Cell rules: turning one raw cell into a typed value, with the issues it deserves."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from cxexcel.forms import Column, ColumnType, ListSource, catalog
from cxexcel.issues import Code, Issue, make_issue
from cxexcel.read import FormulaProblem
from cxexcel.read.normalize import clean_text, normalize_choice


def _month_words() -> dict[str, int]:
    """Every word a month is written with: its name in any case (ё read as е) and the usual abbreviations."""
    words: dict[str, int] = {}
    # soft stems decline as «сентябрь»: -ь, -я, -ю, -ем, -е; hard ones as «март»: -, -а, -у, -ом, -е
    soft = {"январ": 1, "феврал": 2, "апрел": 4, "июн": 6, "июл": 7, "сентябр": 9, "октябр": 10,
            "ноябр": 11, "декабр": 12}
    for stem, month in soft.items():
        words.update(dict.fromkeys((stem + ending for ending in ("ь", "я", "ю", "ем", "е")), month))
    for stem, month in {"март": 3, "август": 8}.items():
        words.update(dict.fromkeys((stem + ending for ending in ("", "а", "у", "ом", "е")), month))
    words.update(dict.fromkeys(("май", "мая", "маю", "маем", "мае"), 5))
    words.update({"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
                  "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12})
    return words


MONTH_WORDS = _month_words()
# a time after a date, as exports write it («01.09.2021 0:00:00» from 1C): hours, minutes, maybe seconds
_TIME = r"(?:\s+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})(?:\s*г\.?)?" + _TIME + "$")
# the text is lower-cased before it is matched: the «T» of ISO 8601 is a «t» here
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?$")
# the day may stand in quotes, as in letters and orders: «01» сентября 2021 г.
_WORD_DATE = re.compile(
    r"^(?:(\d{1,2})\s+|[«\"“„'‘](\d{1,2})[»\"”“'’]\s*)([а-яё]+)\.?\s+(\d{4})(?:\s*(?:г|года)\.?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER_TEXT = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DOUBLE_SPACE = re.compile(r"\s{2,}")
EXCEL_EPOCH_1900 = dt.date(1899, 12, 30)
EXCEL_EPOCH_1904 = dt.date(1904, 1, 1)
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class CellPlace:
    """Where a value stands, for messages and issues."""

    file: str
    sheet: str
    cell: str | None
    column: str


def where(place: CellPlace) -> str:
    at = f", ячейка {place.cell}" if place.cell else ""
    return f"Лист «{place.sheet}»{at}, «{place.column}»"


def format_date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def format_value(value: Any) -> str:
    """A value as a Russian reader writes it: dates ДД.ММ.ГГГГ, whole numbers without «.0», a decimal comma."""
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float) and math.isfinite(value):
        return repr(value).replace(".", ",")
    return str(value)


# a value quoted in a message is shortened: a 32,767-character cell must not become a 32 KB message
QUOTE_CHARS = 200


def shown(value: Any) -> str:
    """A value as a message quotes it: formatted, spaces collapsed, at most QUOTE_CHARS characters."""
    text = clean_text(format_value(value))
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


def _as_float(value: int | float) -> float | None:
    """A finite float, or None for NaN, infinities and integers too large for a float."""
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


@cache
def choice_values(source: ListSource) -> tuple[str, ...]:
    return {ListSource.REGIONS: catalog.REGIONS, ListSource.METRICS: catalog.METRIC_NAMES}[source]


@cache
def _choice_index(values: tuple[str, ...]) -> dict[str, str]:
    return {normalize_choice(v): v for v in values}


def is_percent(col: Column) -> bool:
    """A field of a number of percent, 0–100 («CSAT до, %»), where Excel may leave a fraction."""
    return col.title.rstrip().endswith("%")


def _fraction_text(value: float) -> str:
    """Why a fraction in a «%» field is suspect: a cell formatted as percent keeps «75%» as 0,75."""
    percent = f"{value * 100:g}".replace(".", ",")
    where_typed = "в ячейке с числовым (не процентным) форматом"
    if value == 1:
        return ("1 может означать 1 % или 100 % (так Excel хранит «100%»); если имелось в виду 100 %, "
                f"введите 100 {where_typed}.")
    return (f"{format_value(value)} похоже на долю ({percent} %); введите число процентов: {percent} "
            f"{where_typed}.")


def column_choices(col: Column) -> tuple[str, ...]:
    if col.choice_source is not None:
        return choice_values(col.choice_source)
    return col.choices


def _with_time(date: dt.date, hours: str | None, minutes: str | None,
               seconds: str | None) -> tuple[dt.date, str | None] | None:
    """A date and the time typed after it, as `read_text_date` gives them; None for an impossible time."""
    if hours is None or minutes is None:
        return date, None
    hour, minute, second = int(hours), int(minutes), int(seconds or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    if not hour and not minute and not second:
        return date, None
    return date, f"{hour}:{minute:02d}" + (f":{second:02d}" if seconds else "")


def parse_text_date(text: str) -> dt.date | None:
    """Dates people type as text: 01.09.2021, 1.9.21, 2021-09-01, «1 сентября 2021 г.», 01.09.2021 0:00:00."""
    read = read_text_date(text)
    return None if read is None else read[0]


def read_text_date(text: str) -> tuple[dt.date, str | None] | None:
    """A date typed as text, and the time of day typed after it unless there is none or it is midnight
    (a date column keeps only the date: the caller says the time was dropped)."""
    text = clean_text(text).lower().replace("ё", "е")
    try:
        if m := _NUMERIC_DATE.match(text):
            day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            return _with_time(dt.date(year + 2000 if year < 100 else year, month, day), *m.groups()[3:6])
        if m := _ISO_DATE.match(text):
            return _with_time(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), *m.groups()[3:6])
        if m := _WORD_DATE.match(text):
            named = MONTH_WORDS.get(m.group(3))
            if named is not None:
                return dt.date(int(m.group(4)), named, int(m.group(1) or m.group(2))), None
    except ValueError:
        return None
    return None


def serial_to_date(serial: float, date1904: bool) -> dt.date | None:
    if not 0 < serial < 2_958_466:
        return None
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
    return epoch + dt.timedelta(days=int(serial))


# returned by a fast path that cannot decide a cell: the full check runs
_SLOW = object()
_NUMERIC = frozenset({ColumnType.NUMBER, ColumnType.INTEGER})
_PLAIN_NUMBERS = frozenset({float, type(None)})
_TEXT_OR_BLANK = frozenset({str, type(None)})
# from how many distinct values a text column is judged all at once
_MANY = 64


class CellChecker:
    """Coerces raw cells of one workbook; collects issues in `issues`."""

    def __init__(self, file: str, date1904: bool, max_chars: int = 32_767) -> None:
        self.file = file
        self.date1904 = date1904
        self.max_chars = max_chars
        self.issues: list[Issue] = []

    def issue(self, code: Code, place: CellPlace, value: Any, text: str) -> None:
        self.issues.append(
            make_issue(
                code, self.file, f"{where(place)}: {text}",
                sheet=place.sheet, cell=place.cell, column=place.column, value=value,
            )
        )

    def check_column(self, col: Column, raws: list[Any], rows: list[int], sheet: str, letter: str,
                     distinct: set[Any] | None = None) -> list[Any]:
        """Typed values of one column's cells (`rows` are their Excel rows; `distinct`, if known, the
        set of `raws`); a cell the fast path cannot vouch for gets `check`, in row order, so every
        issue keeps its cell."""
        fast = self._fast_path(col)
        if distinct is None:
            try:
                distinct = set(raws)
            except TypeError:  # an unhashable value (values sent by the add-in may be anything)
                distinct = None
        # A column repeats a few scores, choices and dates: each distinct value is judged once. That
        # holds only if equal values are equally valid: 1, True and 1.0 are equal but are not, so a
        # number column must hold only floats and blanks. A string or a date equals only its kind.
        if distinct is not None and (col.type not in _NUMERIC or set(map(type, raws)) <= _PLAIN_NUMBERS):
            good, bad = self._judge(col, fast, distinct)
            typed = list(raws) if good is None else list(map(good.get, raws))
            if bad:
                for i in [i for i, raw in enumerate(raws) if raw in bad]:
                    typed[i] = self.check(col, raws[i], CellPlace(self.file, sheet, f"{letter}{rows[i]}", col.title))
            return typed
        typed = []
        for raw, row in zip(raws, rows, strict=True):
            value = fast(raw)
            if value is _SLOW:
                value = self.check(col, raw, CellPlace(self.file, sheet, f"{letter}{row}", col.title))
            typed.append(value)
        return typed

    def _judge(self, col: Column, fast: Callable[[Any], Any], distinct: set[Any]
               ) -> tuple[dict[Any, Any] | None, set[Any]]:
        """The fast path's answers for distinct values: the typed value of each good one (None when
        every good value is typed as itself), and the bad ones."""
        if col.type is ColumnType.TEXT and not col.suggestions and len(distinct) > _MANY \
                and set(map(type, distinct)) <= _TEXT_OR_BLANK:
            # IDs and comments rarely repeat: the plain text test, for all of them at once
            texts = list(distinct)
            if None in distinct:
                texts.remove(None)
            stripped = list(map(str.strip, texts))
            if "" not in stripped and max(map(len, texts), default=0) <= self.max_chars:
                bad = {None} if None in distinct and col.required else set()
                # str.strip gives back the very string when there is nothing to strip
                if stripped == texts:
                    return None, bad
                good = dict(zip(texts, stripped, strict=True))
                if None in distinct and not col.required:
                    good[None] = None
                return good, bad
        good = {}
        bad = set()
        for raw in distinct:
            value = fast(raw)
            if value is _SLOW:
                bad.add(raw)
            else:
                good[raw] = value
        # the fast path mostly answers with the cell's own value (a float, a date, a listed choice)
        return (None if all(value is raw for raw, value in good.items()) else good), bad

    def _fast_path(self, col: Column) -> Callable[[Any], Any]:
        """A cheap test for the usual well-formed cell, returning _SLOW for anything else."""
        empty_ok = not col.required
        low = -math.inf if col.minimum is None else col.minimum
        high = math.inf if col.maximum is None else col.maximum
        if col.type is ColumnType.CHOICE:
            allowed = frozenset(column_choices(col))
            return lambda raw: raw if raw.__class__ is str and raw in allowed else (
                None if raw is None and empty_ok else _SLOW)
        if col.type is ColumnType.TEXT and col.suggestions:
            offered = frozenset(col.suggestions)
            return lambda raw: raw if raw.__class__ is str and raw in offered else (
                None if raw is None and empty_ok else _SLOW)
        if col.type is ColumnType.TEXT:
            limit = self.max_chars

            def text(raw: Any) -> Any:
                if raw.__class__ is str and len(raw) <= limit:
                    stripped = raw.strip()
                    if stripped:
                        return stripped
                return None if raw is None and empty_ok else _SLOW

            return text
        if col.type in (ColumnType.NUMBER, ColumnType.INTEGER):
            integer = col.type is ColumnType.INTEGER
            # a fraction in a «%» column deserves a warning: the full check gives it
            fraction_high = 1 if is_percent(col) else -math.inf

            isfinite = math.isfinite

            def number(raw: Any) -> Any:
                # readers give numbers as floats; ints, NaN, infinities and the rest take the full check
                if raw.__class__ is float and isfinite(raw) and low <= raw <= high \
                        and (not integer or raw.is_integer()) and not 0 < raw <= fraction_high:
                    return int(raw) if integer else raw
                return None if raw is None and empty_ok else _SLOW

            return number
        if col.type is ColumnType.DATE:
            def date(raw: Any) -> Any:
                if raw.__class__ is dt.date and DATE_MIN <= raw <= DATE_MAX:
                    return raw
                return None if raw is None and empty_ok else _SLOW

            return date
        return lambda raw: None if raw is None and empty_ok else _SLOW

    def check(self, col: Column, raw: Any, place: CellPlace) -> Any:
        """The typed value of a cell, or None when it is empty or wrong (an issue says which)."""
        if isinstance(raw, FormulaProblem):
            if raw.error:
                self.issue(Code.FORMULA_ERROR, place, raw.error,
                           f"формула дает ошибку {raw.error}; исправьте формулу или введите значение.")
            else:
                self.issue(Code.FORMULA_NO_VALUE, place, None,
                           "формула сохранена без вычисленного значения; откройте книгу в Excel "
                           "или LibreOffice, пересчитайте и сохраните.")
            return None
        if isinstance(raw, str):
            if len(raw) > self.max_chars:
                self.issue(Code.TEXT_TOO_LONG, place, raw[:50] + "…",
                           f"текст длиннее {self.max_chars} символов ({len(raw)}).")
                return None
            if not raw.strip():
                raw = None
        if raw is None:
            if col.required:
                self.issue(Code.REQUIRED, place, None, "обязательное поле не заполнено.")
            return None
        return _CONVERTERS[col.type](self, col, raw, place)

    def _date(self, col: Column, raw: Any, place: CellPlace) -> dt.date | None:
        value: dt.date | None
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, bool):
            value = None
        elif isinstance(raw, int | float):
            serial = _as_float(raw)
            value = serial_to_date(serial, self.date1904) if serial is not None else None
        elif isinstance(raw, str):
            read = read_text_date(raw)
            value = None if read is None else read[0]
            if read is not None and DATE_MIN <= read[0] <= DATE_MAX:
                # the time is not kept: the column holds dates, and a time of day must not go unnoticed
                dropped = f"; время {read[1]} отброшено: в этом столбце указывается только дата" if read[1] else ""
                self.issue(Code.DATE_AS_TEXT, place, raw,
                           f"дата «{clean_text(raw)}» записана текстом; прочитана как {format_date(read[0])}"
                           f"{dropped}. Введите ее как дату, чтобы работали фильтры и формулы.")
        else:
            value = None
        if value is None or not DATE_MIN <= value <= DATE_MAX:
            self.issue(Code.TYPE_DATE, place, format_value(raw),
                       f"«{shown(raw)}» — не дата; введите дату в виде ДД.ММ.ГГГГ.")
            return None
        return value

    def _number(self, col: Column, raw: Any, place: CellPlace) -> float | int | None:
        value: float | None = None
        if isinstance(raw, bool | dt.date | dt.time | dt.timedelta):
            value = None
        elif isinstance(raw, int | float):
            value = _as_float(raw)
        elif isinstance(raw, str):
            text = clean_text(raw).replace(" ", "").replace("−", "-")
            with_sign = text.endswith("%") and _NUMBER_TEXT.match(text[:-1]) is not None
            if with_sign and is_percent(col):
                # «75%» typed as text into a «%» field: the number of percent is meant
                value = float(text[:-1].replace(",", "."))
                self.issue(Code.NUMBER_AS_TEXT, place, raw,
                           f"число «{shown(raw)}» записано текстом; прочитано как {format_value(value)}. "
                           "Введите его как число без знака «%», чтобы его учитывали формулы.")
            elif _NUMBER_TEXT.match(text):
                value = float(text.replace(",", "."))
                self.issue(Code.NUMBER_AS_TEXT, place, raw,
                           f"число «{shown(raw)}» записано текстом; прочитано как "
                           f"{format_value(value)}. Введите его как число, чтобы его учитывали формулы.")
            elif with_sign:
                number = format_value(float(text[:-1].replace(",", ".")))
                self.issue(Code.TYPE_NUMBER, place, format_value(raw),
                           f"«{shown(raw)}» — не число; введите число {number} без знака «%».")
                return None
        if value is None or not math.isfinite(value):
            expected = "целое число" if col.type is ColumnType.INTEGER else "число"
            self.issue(Code.TYPE_NUMBER, place, format_value(raw),
                       f"«{shown(raw)}» — не число; ожидается {expected}.")
            return None
        if col.type is ColumnType.INTEGER and not value.is_integer():
            self.issue(Code.TYPE_INTEGER, place, value, f"{format_value(value)} — ожидается целое число.")
            return None
        if (col.minimum is not None and value < col.minimum) or (
            col.maximum is not None and value > col.maximum
        ):
            self.issue(Code.OUT_OF_RANGE, place, value,
                       f"значение {format_value(value)} вне допустимого диапазона {range_text(col)}.")
            return None
        # «0,5%» typed with its sign is half a percent, as read: only a bare fraction may be a lost «50%»
        typed_sign = isinstance(raw, str) and raw.strip().endswith("%")
        if is_percent(col) and 0 < value <= 1 and not typed_sign:
            self.issue(Code.PERCENT_AS_FRACTION, place, value, _fraction_text(value))
        return int(value) if col.type is ColumnType.INTEGER else value

    def _choice(self, col: Column, raw: Any, place: CellPlace) -> str | None:
        text = format_value(raw) if not isinstance(raw, str) else raw
        allowed = column_choices(col)
        if text in allowed:
            return text
        index = _choice_index(allowed)
        typed = normalize_choice(text)
        canonical = index.get(typed)
        if canonical is not None:
            if clean_text(text) == canonical:
                # quoting the text would show the same words twice: say what was wrong with it
                said = f"значение записано с {_whitespace_fixed(text)}; прочитано как «{canonical}»."
            else:
                said = f"«{shown(text)}» прочитано как «{canonical}»."
            self.issue(Code.CHOICE_CORRECTED, place, text, f"{said} Выберите значение из списка.")
            return canonical
        full = _full_name(typed, index)
        if full is not None:
            self.issue(Code.CHOICE_CORRECTED, place, text,
                       f"«{shown(text)}» прочитано как «{full}» (полное наименование из списка). "
                       "Выберите значение из списка.")
            return full
        hint = _clear_match(typed, index)
        listed = ", ".join(allowed) if len(allowed) <= 12 else "раскрывающийся список ячейки"
        maybe = f" Возможно, имелось в виду «{hint}»." if hint else ""
        self.issue(Code.CHOICE, place, text,
                   f"значения «{shown(text)}» нет в списке; выберите из списка: {listed}.{maybe}")
        return None

    def _text(self, col: Column, raw: Any, place: CellPlace) -> str:
        if not isinstance(raw, str):
            return format_value(raw)
        text = raw.strip()
        if col.suggestions:
            canonical = _choice_index(col.suggestions).get(normalize_choice(text))
            return canonical or text
        return text

    def _email(self, col: Column, raw: Any, place: CellPlace) -> str:
        text = self._text(col, raw, place)
        if not _EMAIL.match(text):
            self.issue(Code.EMAIL, place, text, f"«{shown(text)}» не похоже на адрес электронной почты.")
        return text

    def _phone(self, col: Column, raw: Any, place: CellPlace) -> str:
        text = self._text(col, raw, place)
        digits = sum(ch.isdigit() for ch in text)
        if not 5 <= digits <= 15:
            self.issue(Code.PHONE, place, text, f"«{shown(text)}» не похоже на номер телефона.")
        return text


# a typed beginning shorter than this is no name («Не» is not «Не начато»)
_SHORTEST_PREFIX = 4
# a hint is given only when one option is clearly closer than any other: regions differ by a few
# letters («Кемеровская» and «Кировская»), and a hint of the wrong one misleads
_HINT_CUTOFF = 0.75
_HINT_MARGIN = 0.08


def _full_name(typed: str, index: dict[str, str]) -> str | None:
    """The one option `typed` (normalised) begins with whole words: «Республика Саха» is «Республика
    Саха (Якутия)», «Кемеровская область» is «Кемеровская область — Кузбасс»."""
    if len(typed) < _SHORTEST_PREFIX:
        return None
    found = [option for normalized, option in index.items()
             if len(normalized) > len(typed) and normalized.startswith(typed)
             and not normalized[len(typed)].isalnum()]
    return found[0] if len(found) == 1 else None


def _clear_match(typed: str, index: dict[str, str]) -> str | None:
    """The option `typed` (normalised) is most likely a misspelling of, if one is clearly the closest."""
    matcher = difflib.SequenceMatcher(b=typed)
    ratios = []
    for normalized, option in index.items():
        matcher.set_seq1(normalized)
        if matcher.real_quick_ratio() >= _HINT_CUTOFF - _HINT_MARGIN \
                and matcher.quick_ratio() >= _HINT_CUTOFF - _HINT_MARGIN:
            ratios.append((matcher.ratio(), option))
    ratios.sort(reverse=True)
    if not ratios or ratios[0][0] < _HINT_CUTOFF:
        return None
    if len(ratios) > 1 and ratios[0][0] - ratios[1][0] < _HINT_MARGIN:
        return None
    # «Не выполнено» is close to «Выполнено» in letters and its opposite in meaning: no hint across a «не»
    if _negated(typed) != _negated(normalize_choice(ratios[0][1])):
        return None
    return ratios[0][1]


def _negated(normalized: str) -> bool:
    return normalized.startswith("не")


def _whitespace_fixed(text: str) -> str:
    """The white space a correction removed, in words («с пробелом в конце и неразрывным пробелом»)."""
    found = []
    leading, trailing = len(text) - len(text.lstrip()), len(text) - len(text.rstrip())
    if leading and trailing:
        found.append("пробелами в начале и в конце")
    elif leading or trailing:
        found.append(f"{'пробелом' if max(leading, trailing) == 1 else 'пробелами'} "
                     f"{'в начале' if leading else 'в конце'}")
    if _DOUBLE_SPACE.search(text.strip()):
        found.append("лишними пробелами между словами")
    if any(ch.isspace() and ch not in " \t\r\n" for ch in text):
        found.append("неразрывным пробелом")
    if "\t" in text:
        found.append("табуляцией")
    if "\n" in text or "\r" in text:
        found.append("переносом строки")
    if not found:
        return "лишними пробелами"
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " и " + found[-1]


def range_text(col: Column) -> str:
    low = "" if col.minimum is None else f"от {format_value(col.minimum)}"
    high = "" if col.maximum is None else f"до {format_value(col.maximum)}"
    return " ".join(p for p in (low, high) if p).replace("-", "−")


_CONVERTERS: dict[ColumnType, Callable[[CellChecker, Column, Any, CellPlace], Any]] = {
    ColumnType.TEXT: CellChecker._text,
    ColumnType.DATE: CellChecker._date,
    ColumnType.NUMBER: CellChecker._number,
    ColumnType.INTEGER: CellChecker._number,
    ColumnType.CHOICE: CellChecker._choice,
    ColumnType.EMAIL: CellChecker._email,
    ColumnType.PHONE: CellChecker._phone,
}
