"""Checks of a workbook's «Отчетная дата» against the day of checking: run on every check, never cached."""

from __future__ import annotations

import datetime as dt

from cxexcel.forms import catalog, title_fields
from cxexcel.issues import Code
from cxexcel.programme import Programme
from cxexcel.validate.checked import CheckedWorkbook
from cxexcel.validate.rules.base import d

REPORT_DATE_KEY = "report_date"


def plausible_report_date(day: dt.date | None, today: dt.date) -> dt.date | None:
    """The report date, unless it lies after `today`: a mistyped year must not move a summary's date."""
    return day if day is not None and day <= today else None


def check_report_date(wb: CheckedWorkbook, programme: Programme, today: dt.date) -> None:
    """A report date after today or before the pilot began is a typo (most often the year): an error at its
    cell. Depends on the day, so it is added after a cached result is taken, never stored with it."""
    day = wb.report_date
    if day is None:
        return
    sheet = wb.sheet_name(catalog.TITLE_SHEET)
    cell = wb.title_cells.get(REPORT_DATE_KEY)
    title = next(f.title for f in title_fields(wb.kind) if f.key == REPORT_DATE_KEY)
    where = f"Лист «{sheet}»" + (f", ячейка {cell}, «{title}»" if cell else "")
    if day > today:
        wb.add(Code.REPORT_DATE_FUTURE,
               f"{where}: отчетная дата {d(day)} позже сегодняшней ({d(today)}); проверьте год. Пока она не "
               "исправлена, дата свода по умолчанию берется без нее.",
               sheet=sheet, cell=cell, column=title, value=d(day))
    elif day < programme.pilot_start:
        wb.add(Code.REPORT_DATE_BEFORE_PILOT,
               f"{where}: отчетная дата {d(day)} раньше начала апробации ({d(programme.pilot_start)}); "
               "проверьте год.",
               sheet=sheet, cell=cell, column=title, value=d(day))
