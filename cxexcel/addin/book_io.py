"""Between an xlwings Book and the core: sheets in as a ValuesSource, values and text out as Excel takes them."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlwings as xw

from cxexcel.read import ValuesSource
from cxexcel.read.container import FormulaCells
from cxexcel.read.normalize import cell_ref, column_letter, normalize_title, parse_cell_ref

# Excel takes a leading apostrophe as "this is text": without it "=A1" becomes a formula,
# "01.09.2021" a date and "007" the number 7, both through Office.js and through COM.
TEXT_PREFIX = "'"
# Excel's width unit is a character of the default font; Office.js wants points
# (7 pixels a character plus 5 of padding, at 0.75 pt a pixel, for Calibri 11).
POINTS_PER_CHARACTER = 5.25
POINTS_PADDING = 3.75


def as_text(value: object) -> str | None:
    """A value written so that Excel keeps it as the text shown, never a formula, date or number."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        text = value.strftime("%d.%m.%Y")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return TEXT_PREFIX + text if text else None


def is_remote(book: xw.Book) -> bool:
    """True for a workbook sent by Office.js (xlwings Server), False for a desktop Excel one."""
    return bool(book.app.engine.name == "remote")


def find_sheet(book: xw.Book, name: str) -> xw.Sheet | None:
    """The sheet called `name`, compared as titles are (case, spaces, ё/е ignored)."""
    wanted = normalize_title(name)
    for sheet in book.sheets:
        if normalize_title(sheet.name) == wanted:
            return sheet
    return None


def _plain(value: Any) -> Any:
    # xlwings gives whole numbers as float and empty cells as None; the reader
    # treats both as given, but NaN (from a broken formula) would pass as a number
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str) and value == "":
        return None
    return value


# What Excel shows in a cell whose formula fails. xlwings turns them into None unless asked for their text, and
# None would read as a cell left empty («обязательное поле не заполнено», or nothing in an optional column).
FORMULA_ERRORS = frozenset({
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!",
    # as a Russian Excel shows them, should a client send the displayed text
    "#ДЕЛ/0!", "#Н/Д", "#ИМЯ?", "#ПУСТО!", "#ЧИСЛО!", "#ССЫЛКА!", "#ЗНАЧ!", "#ПЕРЕНОС!", "#ВЫЧИСЛ!",
    "#ПОЛЕ!", "#ЗАНЯТО!", "#БЛОКИРОВАНО!", "#ПОДКЛЮЧИТЬ!", "#НЕИЗВЕСТНО!",
})


def sheet_rows(sheet: xw.Sheet) -> list[list[Any]]:
    """All values of a sheet as rows anchored at A1 (row 0 is Excel row 1); a formula's error as its text."""
    used = sheet.used_range
    # ndim=2: a one-row or one-cell range would otherwise come back flat or scalar
    values = used.options(ndim=2, err_to_str=True).value or []
    top, left = used.row - 1, used.column - 1
    rows: list[list[Any]] = [[] for _ in range(top)]
    padding = [None] * left
    rows.extend([*padding, *(_plain(v) for v in row)] for row in values)
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def values_source(book: xw.Book, *, skip: Iterable[str] = (), only: Iterable[str] | None = None) -> ValuesSource:
    """The workbook's values as the reader takes them; `skip` and `only` name sheets (compared as titles)."""
    skipped = {normalize_title(n) for n in skip}
    wanted = None if only is None else {normalize_title(n) for n in only}
    sheets: dict[str, list[list[Any]]] = {}
    hidden: set[str] = set()
    formulas: dict[str, FormulaCells] = {}
    for sheet in book.sheets:
        key = normalize_title(sheet.name)
        if key in skipped or (wanted is not None and key not in wanted):
            continue
        rows = sheets[sheet.name] = sheet_rows(sheet)
        errors = _take_formula_errors(rows)
        if errors:
            formulas[sheet.name] = FormulaCells(errors, frozenset())
        if not sheet.visible:
            hidden.add(sheet.name)
    return ValuesSource(book_path(book), sheets, hidden, formulas=formulas)


def _take_formula_errors(rows: list[list[Any]]) -> dict[str, str]:
    """A1 -> error text of the cells showing a formula's error, each left empty in `rows`: the reader puts its
    own marker there, and the checks report «формула дает ошибку …», as for a file read from disk."""
    errors: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value.__class__ is str and value in FORMULA_ERRORS:
                errors[cell_ref(r, c)] = value
                row[c] = None
    return errors


def book_path(book: xw.Book) -> str:
    """The workbook's full name on the desktop, its name in Excel on the web."""
    try:
        return str(book.fullname)
    except Exception:  # some engines know only the name
        return str(book.name)


def book_folder(book: xw.Book) -> Path | None:
    """The folder of a saved desktop workbook; None for a new, remote or cloud workbook."""
    if is_remote(book):
        return None
    path = Path(book_path(book))
    return path.parent if path.is_absolute() and path.parent.is_dir() else None


def write_block(sheet: xw.Sheet, top_left: str, rows: Sequence[Sequence[Any]]) -> None:
    """Write rows of equal length at `top_left` in one operation."""
    if not rows:
        return
    width = max(len(r) for r in rows)
    block = [[*r, *([None] * (width - len(r)))] for r in rows]
    row, col = parse_cell_ref(top_left)
    sheet.range((row + 1, col + 1), (row + len(block), col + width)).value = block


def set_column_widths(book: xw.Book, sheet: xw.Sheet, widths: Sequence[float]) -> None:
    """Column widths in characters, whatever unit the engine takes."""
    remote = is_remote(book)
    for index, width in enumerate(widths):
        letter = column_letter(index)
        value = width * POINTS_PER_CHARACTER + POINTS_PADDING if remote else width
        best_effort(lambda letter=letter, value=value: setattr(
            sheet.range(f"{letter}1"), "column_width", value))


def best_effort(operation: Any) -> None:
    """Cosmetics (bold, widths, frozen panes): an engine that cannot do one must not stop the action."""
    # Office.js raises NotImplementedError, COM its own error types (e.g. frozen panes on a
    # sheet that is not shown): either way the sheet is only less tidy
    with contextlib.suppress(Exception):
        operation()


@dataclass(frozen=True)
class Place:
    """A cell position: the sheet's name and 0-based row and column."""

    sheet: str
    row: int
    col: int

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)


def selection_place(book: xw.Book) -> Place | None:
    """Where the user's selection starts (its top-left cell), if a cell range is selected."""
    try:
        selection = book.selection
    except Exception:  # a shape or chart selected, or no window
        return None
    if selection is None:
        return None
    return Place(selection.sheet.name, selection.row - 1, selection.column - 1)
