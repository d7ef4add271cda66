"""The add-in's marks: coloured cells with notes, the «Проверка» sheet that remembers them, and their removal."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlwings as xw

from cxexcel.addin.book_io import (
    as_text,
    best_effort,
    find_sheet,
    is_remote,
    set_column_widths,
    sheet_rows,
    values_source,
    write_block,
)
from cxexcel.forms import catalog
from cxexcel.issues import SEVERITY_RU, Issue, Severity
from cxexcel.programme import Programme
from cxexcel.read import read_values
from cxexcel.read.normalize import normalize_title, parse_cell_ref
from cxexcel.template.styles import PREFILLED_FILL
from cxexcel.validate.cells import format_value
from cxexcel.validate.mark import (
    CHECK_HEADERS,
    CHECK_WIDTHS,
    FILLS,
    CellKey,
    cell_text,
    prefilled_columns,
    template_fills,
)

CHECK_SHEET = catalog.CHECK_SHEET
# The add-in's own state, one more column of «Проверка»: what it did to the issue's cell,
# so that «Снять отметки» undoes exactly that (Office.js cannot read colours or notes back).
MARK_HEADER = "Отметка"
MARKED_FILL_AND_NOTE = "заливка и примечание"
MARKED_FILL = "заливка"
CHECK_SHEET_HEADERS = (*CHECK_HEADERS, MARK_HEADER)
CHECK_SHEET_WIDTHS = (*CHECK_WIDTHS, 22)
NO_ISSUES_TEXT = "Ошибок и предупреждений нет."
# Excel applies every colour and note of Office.js in its own round trip: past this many
# cells marking would take minutes, and the list on «Проверка» already has them all.
MAX_MARKED_CELLS = 500

SEVERITY_COLOURS = {severity: "#" + fill.fgColor.rgb[-6:] for severity, fill in FILLS.items()}
TEMPLATE_PREFILLED_COLOUR = PREFILLED_FILL



@dataclass(frozen=True)
class CheckRow:
    """One listed issue as «Проверка» holds it: where, and what the add-in did there."""

    sheet: str
    cell: str | None
    mark: str
    row: int  # 0-based row of «Проверка»


@dataclass(frozen=True)
class CheckState:
    """What the last «Проверить книгу» left: the listed issues in the sheet's current row order."""

    rows: tuple[CheckRow, ...]

    def marked(self) -> dict[CellKey, bool]:
        """Marked cells -> whether the add-in put a note there; in list order."""
        cells: dict[CellKey, bool] = {}
        for row in self.rows:
            if row.cell and row.mark:
                key = (row.sheet, row.cell)
                cells[key] = cells.get(key, False) or row.mark == MARKED_FILL_AND_NOTE
        return cells

    def targets(self) -> list[CellKey]:
        """Every listed cell once, in list order."""
        return list(dict.fromkeys((r.sheet, r.cell) for r in self.rows if r.cell))


def _valid_ref(text: str) -> str | None:
    try:
        parse_cell_ref(text)
    except ValueError:
        return None
    return text.replace("$", "").upper()


def read_check_state(book: xw.Book) -> CheckState | None:
    """The state kept on «Проверка», or None when the workbook has no such sheet."""
    sheet = find_sheet(book, CHECK_SHEET)
    if sheet is None:
        return None
    rows = sheet_rows(sheet)
    if not rows:
        return CheckState(())
    columns = {normalize_title(cell_text(v)): i for i, v in enumerate(rows[0]) if cell_text(v)}
    sheet_col = columns.get(normalize_title(CHECK_HEADERS[2]))
    cell_col = columns.get(normalize_title(CHECK_HEADERS[3]))
    mark_col = columns.get(normalize_title(MARK_HEADER))
    if sheet_col is None or cell_col is None:
        return CheckState(())
    found: list[CheckRow] = []
    for index, values in enumerate(rows[1:], start=1):
        def at(col: int | None, values: Sequence[object] = values) -> str:
            return cell_text(values[col]) if col is not None and col < len(values) else ""

        name = at(sheet_col)
        if not name:
            continue
        # a copy marked by `cxexcel validate --mark` has no «Отметка» column: its fills are
        # restored, but notes are left alone, since some of them may be the user's own
        mark = at(mark_col) if mark_col is not None else MARKED_FILL
        found.append(CheckRow(name, _valid_ref(at(cell_col)), mark, index))
    return CheckState(tuple(found))


def template_colours(book: xw.Book, cells: Iterable[CellKey],
                     programme: Programme | None = None) -> dict[CellKey, str | None]:
    """The fill each cell has in the template: grey in a programme row's prefilled column, else none."""
    cells = list(cells)
    names = {normalize_title(n) for n in prefilled_columns()}
    involved = {sheet for sheet, _ in cells if normalize_title(sheet) in names}
    if not involved:
        return dict.fromkeys(cells)
    source = values_source(book, only=[*involved, catalog.META_SHEET])
    try:
        read = read_values(source)
    except Exception:  # not a standard workbook any more: no template to go back to
        read = None
    return template_fills(read, cells, programme)


def paint(book: xw.Book, colours: dict[CellKey, str | None]) -> None:
    """Set each cell's fill; runs of cells down a column with one colour go as one range."""
    by_column: dict[tuple[str, int, str | None], list[int]] = {}
    for (sheet, ref), colour in colours.items():
        row, col = parse_cell_ref(ref)
        by_column.setdefault((sheet, col, colour), []).append(row)
    for (sheet_name, col, colour), rows in by_column.items():
        target = find_sheet(book, sheet_name)
        if target is None:
            continue
        for first, last in _runs(sorted(rows)):
            target.range((first + 1, col + 1), (last + 1, col + 1)).color = colour


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def remove_marks(book: xw.Book) -> int | None:
    """Undo the last check: template fills back, the add-in's notes and «Проверка» removed.

    Returns the number of cells restored, None when there was nothing to remove.
    """
    state = read_check_state(book)
    if state is None:
        return None
    marked = state.marked()
    existing = {key: note for key, note in marked.items() if find_sheet(book, key[0]) is not None}
    paint(book, template_colours(book, existing))
    for (sheet_name, ref), has_note in existing.items():
        sheet = find_sheet(book, sheet_name)
        if has_note and sheet is not None:
            note = sheet.range(ref).note
            if note is not None:
                note.delete()
    check_sheet = find_sheet(book, CHECK_SHEET)
    if check_sheet is not None:
        check_sheet.delete()
    return len(existing)


def _note_line(issue: Issue) -> str:
    # the note stands on the cell: the «Лист …, ячейка …» prefix would only repeat it
    _, _, rest = issue.message.partition(": ")
    return f"{SEVERITY_RU[issue.severity].capitalize()}: {rest or issue.message}"


def _noted_cells(book: xw.Book, sheet: xw.Sheet) -> set[str] | None:
    """A1 references of the sheet's notes, if cheaply known; None when this Excel cannot add notes.

    Office.js sends where the notes are with the workbook (the remote sheet's `api`); asking each
    cell instead would scan that list once per cell. On the desktop the set starts empty and
    `mark_cells` asks each cell, which COM answers directly.
    """
    if not is_remote(book):
        return set()
    data = sheet.api
    if data.get("notes_supported") is False or data.get("notes") is None:
        return None
    return {_valid_ref(note["address"]) or "" for note in data["notes"]}


def mark_cells(book: xw.Book, issues: Sequence[Issue]) -> dict[CellKey, str]:
    """Colour and annotate the cells of the issues, errors first, at most MAX_MARKED_CELLS; what was done."""
    by_cell: dict[CellKey, list[Issue]] = {}
    for issue in issues:
        if issue.sheet and issue.cell and find_sheet(book, issue.sheet) is not None:
            ref = _valid_ref(issue.cell)
            if ref is not None:
                by_cell.setdefault((issue.sheet, ref), []).append(issue)

    def has_error(found: list[Issue]) -> bool:
        return any(i.severity is Severity.ERROR for i in found)

    ordered = sorted(by_cell.items(), key=lambda item: not has_error(item[1]))
    chosen = dict(ordered[:MAX_MARKED_CELLS])
    paint(book, {key: SEVERITY_COLOURS[Severity.ERROR if has_error(found) else Severity.WARNING]
                 for key, found in chosen.items()})
    done: dict[CellKey, str] = {}
    noted: dict[str, set[str] | None] = {}
    remote = is_remote(book)
    for (sheet_name, ref), found in chosen.items():
        sheet = find_sheet(book, sheet_name)
        assert sheet is not None
        if sheet_name not in noted:
            noted[sheet_name] = _noted_cells(book, sheet)
        existing = noted[sheet_name]
        done[(sheet_name, ref)] = MARKED_FILL
        cell = sheet.range(ref)
        # a note already there is the template's or the user's: it is kept, never replaced
        if existing is not None and ref not in existing and (remote or cell.note is None):
            cell.add_note("\n".join(_note_line(i) for i in found))
            existing.add(ref)
            done[(sheet_name, ref)] = MARKED_FILL_AND_NOTE
    return done


def link_formula(sheet: str, ref: str) -> str:
    """=HYPERLINK to a cell of this workbook; the sheet name is quoted, never read as code."""
    target = "#'" + sheet.replace("'", "''") + "'!" + ref
    return '=HYPERLINK("' + target.replace('"', '""') + '","' + ref + '")'


def check_rows(issues: Sequence[Issue], done: dict[CellKey, str], sheet_names: set[str]) -> list[list[object]]:
    """The rows of «Проверка» under its header: user text as text, the cell as a link."""
    rows: list[list[object]] = []
    for n, issue in enumerate(issues, start=1):
        ref = _valid_ref(issue.cell) if issue.cell else None
        linked = issue.sheet in sheet_names and ref is not None
        key = (issue.sheet or "", ref or "")
        rows.append([
            n,
            as_text(SEVERITY_RU[issue.severity]),
            as_text(issue.sheet),
            link_formula(issue.sheet or "", ref or "A1") if linked else as_text(issue.cell or "—"),
            as_text(issue.column),
            as_text(format_value(issue.value)) if issue.value is not None else None,
            as_text(issue.message),
            as_text(issue.code.value),
            done.get(key),
        ])
    return rows


def write_check_sheet(book: xw.Book, issues: Sequence[Issue], done: dict[CellKey, str]) -> xw.Sheet:
    """Add «Проверка» first in the workbook: every issue, a link to its cell, and what was marked."""
    sheet = book.sheets.add(name=CHECK_SHEET, before=book.sheets[0])
    names = {s.name for s in book.sheets}
    body = check_rows(issues, done, names)
    header = [as_text(title) for title in CHECK_SHEET_HEADERS]
    if not body:
        body = [[None] * 6 + [as_text(NO_ISSUES_TEXT)]]
    write_block(sheet, "A1", [header, *body])
    last = len(CHECK_SHEET_HEADERS)
    best_effort(lambda: setattr(sheet.range((1, 1), (1, last)).font, "bold", True))
    set_column_widths(book, sheet, CHECK_SHEET_WIDTHS)
    colours: dict[CellKey, str | None] = {
        (sheet.name, f"B{row}"): SEVERITY_COLOURS[issue.severity]
        for row, issue in enumerate(issues[:MAX_MARKED_CELLS], start=2)
    }
    paint(book, colours)
    best_effort(lambda: sheet.freeze_panes.freeze_at("A2"))
    return sheet
