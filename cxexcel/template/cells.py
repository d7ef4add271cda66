"""Writing one value with its true type: dates as dates, numbers as numbers, text never as a formula."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cxexcel.fileio import xlsxwriter_text
from cxexcel.forms import Column
from cxexcel.template.styles import Styles, ValueKind, value_kind


def write_value(
    sheet: Worksheet,
    row: int,
    col: int,
    value: object,
    column: Column,
    styles: Styles,
    *,
    prefilled: bool = False,
    border: bool = False,
) -> None:
    """Write value as the type it has in Python; an empty value leaves a formatted blank cell.

    The column's declared type is not forced on the value: a test may write the text
    "1 сентября 2021" into a date column to see what the validator says about it.
    """
    def fmt(kind: ValueKind) -> Format:
        return styles.value(column, kind, prefilled=prefilled, border=border)

    if value is None or value == "":
        # an unstyled blank needs no cell: the column's own format applies
        if prefilled or border:
            sheet.write_blank(row, col, None, fmt(value_kind(column)))
        return
    if isinstance(value, bool):
        sheet.write_number(row, col, int(value), fmt("number"))
    elif isinstance(value, int | float | Decimal) and math.isfinite(value):
        sheet.write_number(row, col, float(value), fmt("number"))
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, fmt("date"))
    else:
        # write_string, never write(): text such as "=1+1" or "@ЦЗН" must stay text (and "<r>…</r>" too)
        sheet.write_string(row, col, xlsxwriter_text(str(value)), fmt("text"))

