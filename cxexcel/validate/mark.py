"""`--mark`: a copy of a workbook with problem cells coloured, a note on each, and «Проверка»."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cxexcel.fileio import atomic_output
from cxexcel.forms import catalog
from cxexcel.issues import SEVERITY_RU, Issue, Severity

FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
}
CHECK_HEADERS = ("№", "Важность", "Лист", "Ячейка", "Столбец", "Значение", "Сообщение", "Код")
CHECK_WIDTHS = (6, 16, 22, 10, 24, 24, 90, 24)
NOTE_AUTHOR = "cxexcel"


def set_text(cell: Cell, value: Any) -> None:
    """Write user-derived text as text: "=HYPERLINK(…)" must never become a formula."""
    if value is None:
        cell.value = None
        return
    text = value if isinstance(value, str) else str(value)
    cell.value = text
    cell.data_type = "s"


def marked_copy_path(source: Path, out_dir: Path) -> Path:
    return out_dir / f"{source.stem} — проверка{source.suffix}"


def write_marked_copy(source: Path, issues: Sequence[Issue], out_dir: Path) -> Path:
    """Write the marked copy into `out_dir`; the source file is only read."""
    target = marked_copy_path(source, out_dir)
    with atomic_output(target) as tmp:
        shutil.copyfile(source, tmp)
        book = openpyxl.load_workbook(tmp)
        mark_book(book, issues)
        book.save(tmp)
    return target


def mark_book(book: openpyxl.Workbook, issues: Sequence[Issue]) -> None:
    """Colour and annotate every issue's cell, worst severity winning, and list them all."""
    by_cell: dict[tuple[str, str], list[Issue]] = {}
    for issue in issues:
        if issue.sheet is not None and issue.sheet in book.sheetnames and issue.cell:
            by_cell.setdefault((issue.sheet, issue.cell), []).append(issue)
    for (sheet, ref), found in by_cell.items():
        cell = book[sheet][ref]
        worst = Severity.ERROR if any(i.severity is Severity.ERROR for i in found) else Severity.WARNING
        cell.fill = FILLS[worst]
        text = "\n".join(f"{SEVERITY_RU[i.severity].capitalize()}: {_short(i)}" for i in found)
        previous = cell.comment.text + "\n\n" if cell.comment is not None else ""
        cell.comment = Comment(previous + text, NOTE_AUTHOR, width=320, height=140)
    write_check_sheet(book, issues)


def write_check_sheet(book: openpyxl.Workbook, issues: Sequence[Issue]) -> None:
    if catalog.CHECK_SHEET in book.sheetnames:
        del book[catalog.CHECK_SHEET]
    ws = book.create_sheet(catalog.CHECK_SHEET, 0)
    ws.sheet_properties.tabColor = "C00000" if any(i.severity is Severity.ERROR for i in issues) else "70AD47"
    for col, (title, width) in enumerate(zip(CHECK_HEADERS, CHECK_WIDTHS, strict=True), start=1):
        cell = ws.cell(row=1, column=col)
        set_text(cell, title)
        cell.font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    if not issues:
        set_text(ws.cell(row=2, column=7), "Ошибок и предупреждений нет.")
    for n, issue in enumerate(issues, start=1):
        row = n + 1
        ws.cell(row=row, column=1, value=n)
        set_text(ws.cell(row=row, column=2), SEVERITY_RU[issue.severity])
        ws.cell(row=row, column=2).fill = FILLS[issue.severity]
        set_text(ws.cell(row=row, column=3), issue.sheet)
        link_cell = ws.cell(row=row, column=4)
        set_text(link_cell, issue.cell or "—")
        if issue.sheet is not None and issue.sheet in book.sheetnames:
            sheet_ref = "'" + issue.sheet.replace("'", "''") + "'"
            link_cell.hyperlink = f"#{sheet_ref}!{issue.cell or 'A1'}"
            link_cell.font = Font(color="0563C1", underline="single")
        set_text(ws.cell(row=row, column=5), issue.column)
        set_text(ws.cell(row=row, column=6), issue.value)
        set_text(ws.cell(row=row, column=7), issue.message)
        set_text(ws.cell(row=row, column=8), issue.code.value)
    ws.auto_filter.ref = f"A1:H{max(len(issues) + 1, 2)}"
    book.active = 0


def _short(issue: Issue) -> str:
    _, _, rest = issue.message.partition(": ")
    return rest or issue.message
