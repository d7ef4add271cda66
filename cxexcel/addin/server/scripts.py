"""xlwings Server's custom scripts: one per server action, each a thin call into the shared action table."""

from __future__ import annotations

import xlwings as xw
from xlwings.pro import _xlremote
from xlwings.server import script

from cxexcel.addin.actions import perform
from cxexcel.addin.marks import CHECK_SHEET


def run_action(action_id: str, book: xw.Book) -> None:
    """Run an action on the workbook Office.js sent; nothing of the workbook outlives the request."""
    try:
        perform(action_id, book, desktop=False)
    finally:
        # xlwings memoises range values of the workbook in a process-wide cache
        _xlremote.get_range_api.cache_clear()


@script
def check_workbook(book: xw.Book) -> None:
    run_action("check_workbook", book)


@script
def clear_marks(book: xw.Book) -> None:
    run_action("clear_marks", book)


# only «Проверка» is needed: Excel sends the other sheets' names but not their values
@script(include=[CHECK_SHEET])
def next_issue(book: xw.Book) -> None:
    run_action("next_issue", book)


@script
def refresh_lists(book: xw.Book) -> None:
    run_action("refresh_lists", book)


@script
def dashboard(book: xw.Book) -> None:
    run_action("dashboard", book)
