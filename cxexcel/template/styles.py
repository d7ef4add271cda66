"""Cell formats of the generated workbooks, created once per workbook and shared."""

from __future__ import annotations

import textwrap
from typing import Literal

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from cxexcel.forms import Column, ColumnType

DATE_FORMAT = "dd.mm.yyyy"
# "@" keeps what is typed as text: "1.2" stays a code, not the 1st of February,
# and "+7 342 …" or "007" keep their leading characters
TEXT_FORMAT = "@"
GENERAL_FORMAT = "General"
PREFILLED_FILL = "#D9D9D9"
HEADER_FILL = "#DDEBF7"
# long free text wraps instead of running over the next columns
WRAP_FROM_WIDTH = 30

ValueKind = Literal["text", "number", "date"]

_NUMBER_FORMATS: dict[ValueKind, str] = {"text": TEXT_FORMAT, "number": GENERAL_FORMAT, "date": DATE_FORMAT}


def value_kind(column: Column) -> ValueKind:
    """How a column's cells are formatted when the user types into them."""
    if column.type is ColumnType.DATE:
        return "date"
    if column.type in (ColumnType.INTEGER, ColumnType.NUMBER):
        return "number"
    return "text"


def wraps(column: Column, *, prefilled: bool = False) -> bool:
    """Whether a column's text wraps: long free text, and the programme's wording in narrow columns."""
    return column.width >= WRAP_FROM_WIDTH or prefilled


class Styles:
    """Formats cached by their properties: XlsxWriter would otherwise write duplicates."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[object, ...], Format] = {}

    def get(
        self,
        *,
        num_format: str = GENERAL_FORMAT,
        bold: bool = False,
        wrap: bool = False,
        fill: str | None = None,
        size: int | None = None,
        border: bool = False,
        unlocked: bool = False,
        align: str | None = None,
    ) -> Format:
        key = (num_format, bold, wrap, fill, size, border, unlocked, align)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        props: dict[str, object] = {"valign": "top"}
        if num_format != GENERAL_FORMAT:
            props["num_format"] = num_format
        if bold:
            props["bold"] = True
        if wrap:
            props["text_wrap"] = True
        if fill:
            props["bg_color"] = fill
            props["pattern"] = 1
        if size:
            props["font_size"] = size
        if border:
            props["border"] = 1
            props["border_color"] = "#A6A6A6"
        if unlocked:
            props["locked"] = False
        if align:
            props["align"] = align
        fmt = self._workbook.add_format(props)
        self._cache[key] = fmt
        return fmt

    def column(self, column: Column) -> Format:
        """The format of a column's empty cells: text stays text, dates show as ДД.ММ.ГГГГ."""
        return self.value(column, value_kind(column))

    def value(
        self, column: Column, kind: ValueKind, *, prefilled: bool = False, border: bool = False
    ) -> Format:
        """The format of one written value of a column."""
        return self.get(
            num_format=_NUMBER_FORMATS[kind],
            wrap=kind == "text" and wraps(column, prefilled=prefilled),
            fill=PREFILLED_FILL if prefilled else None,
            # prefilled cells look read-only but stay editable, even if a user protects the sheet
            unlocked=prefilled,
            border=border,
        )

    def header(self) -> Format:
        return self.get(bold=True, wrap=True, fill=HEADER_FILL, border=True)


LINE_HEIGHT = 15.0
# a width unit is one "0" of Calibri 11; Cyrillic text with its spaces fits about one
# character per unit (measured in LibreOffice's PDF output with Carlito, Calibri's twin)
_CHARS_PER_WIDTH_UNIT = 1.0


def wrapped_lines(text: str, width: float) -> int:
    """Roughly how many lines text wraps to, word by word, in a column of this width."""
    per_line = max(int(width * _CHARS_PER_WIDTH_UNIT), 1)
    return sum(max(len(textwrap.wrap(part, per_line)), 1) for part in text.split("\n"))


def fit_row(sheet: Worksheet, row: int, lines: int) -> None:
    """Make a row tall enough for lines of wrapped text; a one-line row is left alone.

    Neither LibreOffice nor Excel grows a row for wrapped text written by XlsxWriter,
    so a long cell would print cut off.
    """
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * lines + 2)
