"""Dates of the demo, all derived from the programme: report dates, working days, launch windows."""

from __future__ import annotations

import datetime as dt
import random

from cxexcel.forms.kinds import JOURNEY
from cxexcel.programme import Programme
from cxexcel.validate.rules.journey import TOOLS_SHEET

DAY = dt.timedelta(days=1)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def workday(day: dt.date) -> dt.date:
    """The Friday before a weekend day: documents are signed and meetings held on working days."""
    while day.weekday() >= 5:
        day -= DAY
    return day


def between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day from first to last inclusive (first when the range is empty)."""
    span = (last - first).days
    return first + days(rng.randint(0, span)) if span > 0 else first


def report_dates(programme: Programme) -> tuple[dt.date, dt.date]:
    """The interim and the final report date: the first of the pilot's last month (01.10.2021) and its end."""
    final = programme.pilot_end
    interim = (final.replace(day=1) - DAY).replace(day=1)
    if interim <= programme.pilot_start:
        interim = programme.pilot_start + (final - programme.pilot_start) / 2
    return interim, final


def tools_deadline(programme: Programme) -> dt.date:
    """The deadline of the item that introduces tools (2.1.11), or the pilot's end."""
    sheet = JOURNEY.sheet(TOOLS_SHEET)
    for code in sheet.items:
        item = programme.item(code)
        if item is not None and item.final_deadline is not None:
            return item.final_deadline
    return programme.pilot_end


def text_date(day: dt.date, months: tuple[str, ...]) -> str:
    """A date as people type it in words: «1 сентября 2021»."""
    return f"{day.day} {months[day.month - 1]} {day.year}"
