"""The Excel add-in: actions over the xlwings Book API for the desktop add-in and xlwings Server.

xlwings is imported only when an action runs, so `cxexcel addin build` and the core work without it.
"""

from __future__ import annotations


def run(action_id: str, workbook_fullname: str | None = None) -> None:
    """Desktop entry point, called by the ribbon through RunPython with the button's id.

    The workbook is the one that called (`Book.caller()`), or the one named by its full path.
    """
    import xlwings as xw

    from cxexcel.addin.actions import perform

    book = xw.Book(workbook_fullname) if workbook_fullname else xw.Book.caller()
    perform(action_id, book, desktop=True)


__all__ = ["run"]
