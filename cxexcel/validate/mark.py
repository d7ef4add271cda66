"""`--mark`: a copy of a workbook with problem cells coloured, a note on each, and «Проверка»."""

from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cxexcel.fileio import atomic_output, safe_file_name, xml_text
from cxexcel.forms import KINDS, catalog
from cxexcel.issues import SEVERITY_RU, Issue, Severity
from cxexcel.programme import Programme, default_programme
from cxexcel.read import DEFAULT_LIMITS, Limits, ReadWorkbook, UnreadableWorkbook, read_workbook
from cxexcel.read.container import count, open_container, scan_sheet
from cxexcel.read.normalize import normalize_title, parse_cell_ref
from cxexcel.template.styles import PREFILLED_FILL
from cxexcel.validate.rules.roadmap import code_item

FILLS = {
    Severity.ERROR: PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE"),
    Severity.WARNING: PatternFill("solid", start_color="FFEB9C", end_color="FFEB9C"),
}
CHECK_HEADERS = ("№", "Важность", "Лист", "Ячейка", "Столбец", "Значение", "Сообщение", "Код")
CHECK_WIDTHS = (6, 16, 22, 10, 24, 24, 90, 24)
NOTE_AUTHOR = "cxexcel"


def set_text(cell: Cell, value: Any) -> None:
    """Write user-derived text as text: "=HYPERLINK(…)" must never become a formula, and characters
    XML cannot hold (a control character typed into a cell) must not make the copy unwritable."""
    if value is None:
        cell.value = None
        return
    text = xml_text(value if isinstance(value, str) else str(value))
    cell.value = text
    cell.data_type = "s"


MARK_SUFFIX = " — проверка"
# «Замеры — проверка» or «Замеры — проверка (2)»: a copy marked before, sent back corrected and checked again
_MARKED_STEM = re.compile(re.escape(MARK_SUFFIX) + r"(?: \(\d+\))?$")


def marked_copy_path(source: Path, out_dir: Path, taken: set[Path] | None = None,
                     inputs: frozenset[Path] = frozenset()) -> Path:
    """«Замеры — проверка.xlsx»: a safe name within any disk's limits, numbered when two sources
    share a name (folders of different regions), so that no copy replaces another. A marked copy checked
    again keeps its name rather than growing «— проверка — проверка». No copy replaces its own source, a file
    checked in the same run (`inputs`, resolved), or, for a marked copy checked again, any file already there:
    the other copy may be someone's corrected one."""
    suffix = ".xlsx"  # the copy is saved without macros, whatever the source was
    stem = _MARKED_STEM.sub("", source.stem) or source.stem
    again = stem != source.stem
    source_path = source.resolve()

    def free(target: Path) -> bool:
        where = target.resolve()
        return ((taken is None or where not in taken) and where != source_path and where not in inputs
                and not (again and target.exists()))

    target = out_dir / safe_file_name(stem, MARK_SUFFIX + suffix)
    n = 1
    while not free(target):
        n += 1
        target = out_dir / safe_file_name(stem, f"{MARK_SUFFIX} ({n}){suffix}")
    if taken is not None:
        taken.add(target.resolve())
    return target


# openpyxl keeps an object of several hundred bytes per cell, and one per cell of a merged range:
# a copy is made only of a workbook that fits comfortably in memory
MARK_MAX_CELLS = 300_000


class NotMarkable(Exception):
    """A workbook openpyxl should not open; the message (Russian) says why."""


def check_markable(source: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise NotMarkable when opening `source` with openpyxl could exhaust memory: every sheet's XML
    (also sheets the reader never reads) is scanned first, as the reader scans the sheets it reads."""
    why = "Копия с отметками не создана: "
    try:
        container, archive = open_container(source, limits)
    except UnreadableWorkbook as error:
        raise NotMarkable(why + error.message) from error
    scan_limits = dataclasses.replace(limits, max_rows=1_048_576, max_columns=16_384, max_cells=MARK_MAX_CELLS)
    try:
        # every worksheet part, named by its sheet where the workbook names it
        parts = {n: (n, i) for n, i in container.members.items()
                 if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        for name in container.sheet_targets:
            try:
                info = container.sheet_member(name)
            except UnreadableWorkbook as error:
                raise NotMarkable(why + error.message) from error
            parts[info.filename.replace("\\", "/")] = (name, info)
        values = merged = 0
        for label, info in parts.values():
            try:
                scan = scan_sheet(archive, info, label, scan_limits)
            except UnreadableWorkbook as error:
                raise NotMarkable(why + error.message) from error
            values += scan.values
            merged += scan.merged
            if not scan.complete and scan.values <= MARK_MAX_CELLS:
                raise NotMarkable(why + f"на листе «{label}» адреса ячеек за пределами листа Excel.")
            if values > MARK_MAX_CELLS:
                break
        if values > MARK_MAX_CELLS:
            raise NotMarkable(why + f"в книге больше {count(MARK_MAX_CELLS)} заполненных ячеек — предел для копии. "
                              "Все ошибки перечислены в отчете.")
        if merged > MARK_MAX_CELLS:
            raise NotMarkable(why + f"объединенные ячейки книги покрывают {count(merged)} ячеек, для копии "
                              f"предел {count(MARK_MAX_CELLS)}. Все ошибки перечислены в отчете.")
    finally:
        archive.close()


def write_marked_copy(source: Path, issues: Sequence[Issue], out_dir: Path,
                      taken: set[Path] | None = None, limits: Limits = DEFAULT_LIMITS,
                      inputs: frozenset[Path] = frozenset(), programme: Programme | None = None) -> Path:
    """Write the marked copy into `out_dir`; the source file is only read.

    NotMarkable when the workbook is too big for openpyxl; other exceptions when openpyxl cannot
    open what the fast reader read (the caller reports them, the issues stand in the report).
    """
    check_markable(source, limits)
    target = marked_copy_path(source, out_dir, taken, inputs)
    with atomic_output(target) as tmp, warnings.catch_warnings():
        # openpyxl warns on stderr about what it drops from a user's file (notes on merged cells, …)
        warnings.simplefilter("ignore")
        shutil.copyfile(source, tmp)
        book = openpyxl.load_workbook(tmp)
        if catalog.CHECK_SHEET in book.sheetnames:
            remove_earlier_marks(book, _read_or_none(source, limits), programme)
        mark_book(book, issues)
        book.save(tmp)
    return target


def _read_or_none(source: Path, limits: Limits) -> ReadWorkbook | None:
    try:
        return read_workbook(source, limits)
    except UnreadableWorkbook:
        return None


CellKey = tuple[str, str]  # (sheet name as in the workbook, A1 reference)
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


@functools.cache
def prefilled_columns() -> dict[str, frozenset[str]]:
    """Declared sheet name -> keys of its columns the template fills from the programme (grey), every kind."""
    found: dict[str, set[str]] = {}
    for kind in KINDS.values():
        for declaration in kind.table_sheets:
            keys = {c.key for c in declaration.columns if c.prefilled}
            if keys:
                found.setdefault(declaration.name, set()).update(keys)
    return {name: frozenset(keys) for name, keys in found.items()}


def template_fills(read: ReadWorkbook | None, cells: Iterable[CellKey],
                   programme: Programme | None = None) -> dict[CellKey, str | None]:
    """The fill each cell has in the template: grey in a programme row's prefilled column, else none."""
    fills: dict[CellKey, str | None] = dict.fromkeys(cells)
    if read is None:
        return fills
    prefilled = prefilled_columns()
    programme = programme or default_programme()
    for declared, table in read.tables.items():
        keys = prefilled.get(declared, frozenset())
        grey_columns = {index for key, index in table.columns.items() if key in keys}
        if not grey_columns or "code" not in table.columns:
            continue
        code_at = table.keys.index("code")
        # as the rules read the code: «1,4» and 1.4 typed as a number are item 1.4 too
        programme_rows = {row.row for row in table.rows
                          if code_item(programme, cell_text(row.values[code_at]).rstrip(".")) is not None}
        for sheet, ref in fills:
            if sheet != table.sheet_name:
                continue
            row, col = parse_cell_ref(ref)
            if col in grey_columns and row in programme_rows:
                fills[(sheet, ref)] = PREFILLED_FILL
    return fills


def cell_text(value: object) -> str:
    """A cell's value as the text a user reads in it: whole numbers without «.0», no surrounding spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_our_note(comment: Comment) -> bool:
    """A note this program wrote: authored so by a marked copy, or (the add-in's, authored by the user) made
    only of «Ошибка: …» and «Предупреждение: …» paragraphs."""
    if comment.author == NOTE_AUTHOR:
        return True
    openings = tuple(f"{label.capitalize()}: " for label in SEVERITY_RU.values())
    paragraphs = [p for p in comment.text.split("\n\n") if p.strip()]
    return bool(paragraphs) and all(p.startswith(openings) for p in paragraphs)


def _on_a_sheet(ref: str) -> bool:
    """An A1 reference within Excel's sheet (a hand-edited «Проверка» may hold anything)."""
    try:
        row, col = parse_cell_ref(ref)
    except ValueError:
        return False
    return 0 <= row < EXCEL_ROWS and 0 <= col < EXCEL_COLUMNS


def remove_earlier_marks(book: openpyxl.Workbook, read: ReadWorkbook | None,
                         programme: Programme | None = None) -> int:
    """Undo an earlier check's marks in a marked copy (sent back corrected and checked again): the cells listed
    on its «Проверка» get the template's fill back and lose the notes this program wrote. Returns how many."""
    if catalog.CHECK_SHEET not in book.sheetnames:
        return 0
    check = book[catalog.CHECK_SHEET]
    header = [normalize_title(cell_text(c.value)) for c in next(check.iter_rows(max_row=1), ())]
    try:
        sheet_col = header.index(normalize_title(CHECK_HEADERS[2]))
        cell_col = header.index(normalize_title(CHECK_HEADERS[3]))
    except ValueError:
        return 0
    listed: set[CellKey] = set()
    for values in check.iter_rows(min_row=2, values_only=True):
        width = len(values)
        sheet = cell_text(values[sheet_col]) if sheet_col < width else ""
        ref = cell_text(values[cell_col]).upper() if cell_col < width else ""
        if sheet in book.sheetnames and _on_a_sheet(ref):
            listed.add((sheet, ref))
    ours = {fill.fgColor.rgb[-6:].upper() for fill in FILLS.values()}
    for (sheet, ref), colour in template_fills(read, sorted(listed), programme).items():
        cell = book[sheet][ref]
        # the alpha byte varies with who saved the copy (openpyxl writes 00): the colour is what says it is ours
        if cell.fill is not None and cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb)[-6:].upper() in ours:
            cell.fill = PatternFill("solid", start_color=colour[1:], end_color=colour[1:]) if colour \
                else PatternFill(fill_type=None)
        if cell.comment is not None and _is_our_note(cell.comment):
            cell.comment = None
    return len(listed)


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
        cell.comment = Comment(xml_text(previous + text), NOTE_AUTHOR, width=320, height=140)
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
