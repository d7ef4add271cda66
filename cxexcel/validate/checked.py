"""A workbook after its cells were checked: typed records that remember their cells."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxexcel.forms import Column, FormSheet, WorkbookKind, catalog, title_fields
from cxexcel.issues import Code, Issue, IssueCounts, Severity, make_issue
from cxexcel.read import RawForm, ReadWorkbook
from cxexcel.read.normalize import cell_ref, column_letter, parse_cell_ref
from cxexcel.validate.cells import CellChecker, CellPlace


@dataclass(slots=True)
class Record:
    """One table row: its Excel row number, typed values, and where each column stands; ok when
    error-free. `letters` (column key -> column letters) is shared by every row of a table."""

    row: int
    values: dict[str, Any]
    letters: dict[str, str]
    ok: bool = True

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def cell(self, key: str) -> str | None:
        """The A1 reference of this row's cell in column `key`, if the sheet has that column."""
        letter = self.letters.get(key)
        return None if letter is None else f"{letter}{self.row}"

    @property
    def cells(self) -> dict[str, str]:
        return {key: f"{letter}{self.row}" for key, letter in self.letters.items()}


@dataclass
class CheckedWorkbook(IssueCounts):
    path: Path
    kind: WorkbookKind
    meta: dict[str, str]
    size: int
    title: dict[str, Any] = field(default_factory=dict)
    title_cells: dict[str, str] = field(default_factory=dict)
    # declared sheet name -> records / the name the file actually uses
    tables: dict[str, list[Record]] = field(default_factory=dict)
    sheet_names: dict[str, str] = field(default_factory=dict)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    form_cells: dict[str, dict[str, str]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    @property
    def file(self) -> str:
        return str(self.path)

    @property
    def region(self) -> str | None:
        return self.title.get("region")

    @property
    def czn(self) -> str | None:
        return self.title.get("czn")

    @property
    def report_date(self) -> dt.date | None:
        return self.title.get("report_date")

    def records(self, sheet: str, only_ok: bool = False) -> list[Record]:
        rows = self.tables.get(sheet, [])
        return [r for r in rows if r.ok] if only_ok else rows

    def sheet_name(self, declared: str) -> str:
        return self.sheet_names.get(declared, declared)

    def add(self, code: Code, message: str, *, sheet: str | None = None, cell: str | None = None,
            column: str | None = None, value: Any = None, severity: Severity | None = None) -> None:
        self.issues.append(make_issue(code, self.file, message, sheet=sheet, cell=cell, column=column,
                                      value=value, severity=severity))



def check_cells(read: ReadWorkbook, max_chars: int = 32_767) -> CheckedWorkbook:
    """Type every cell of the tables and forms; rows with an error are kept but marked not ok."""
    checker = CellChecker(str(read.path), read.date1904, max_chars)
    wb = CheckedWorkbook(read.path, read.kind, read.meta, read.size)
    # one list: structural findings first, then the cell issues as the checker finds them
    checker.issues = wb.issues = list(read.issues)
    if read.title is not None:
        decl = FormSheet(catalog.TITLE_SHEET, title_fields(read.kind))
        wb.title, wb.title_cells = _check_form(checker, decl, read.title)
        wb.sheet_names[catalog.TITLE_SHEET] = read.title.sheet_name
    for name, form in read.forms.items():
        wb.forms[name], wb.form_cells[name] = _check_form(checker, form.declaration, form)
        wb.sheet_names[name] = form.sheet_name
    for name, table in read.tables.items():
        wb.sheet_names[name] = table.sheet_name
        keys = table.keys
        declared = {c.key: c for c in table.declaration.columns}
        letters = {key: column_letter(table.columns[key]) for key in keys}
        excel_rows = [raw.excel_row for raw in table.rows]
        # column by column: one check routine per column, fast paths for the common well-typed cell
        raw_columns = list(zip(*(raw.values for raw in table.rows), strict=True)) or [() for _ in keys]
        typed = [
            checker.check_column(declared[key], list(raw_columns[j]), excel_rows, table.sheet_name, letters[key])
            for j, key in enumerate(keys)
        ]
        records = [Record(row, dict(zip(keys, values, strict=True)), letters)
                   for row, values in zip(excel_rows, zip(*typed, strict=True), strict=True)] if keys else []
        wb.tables[name] = records
        if len(records) < table.declaration.min_rows and table.header_row is not None:
            wb.add(Code.EMPTY_TABLE,
                   f"Лист «{table.sheet_name}»: таблица не заполнена — нет ни одной строки.",
                   sheet=table.sheet_name, cell=cell_ref(table.header_row + 1, 0))
    return wb


def _check_form(
    checker: CellChecker, decl: FormSheet, form: RawForm
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    cells: dict[str, str] = {}
    fields: dict[str, Column] = {f.key: f for f in decl.fields}
    for key, found in form.fields.items():
        cells[key] = found.cell
        values[key] = checker.check(fields[key], found.raw, CellPlace(checker.file, form.sheet_name,
                                                                        found.cell, fields[key].title))
    return values, cells


def mark_error_rows(wb: CheckedWorkbook) -> None:
    """A row with an error is not counted as data (FORMS.md §6: a row with an error is not an answer)."""
    bad: set[tuple[str, int]] = set()
    for issue in wb.issues:
        if issue.severity is Severity.ERROR and issue.sheet and issue.cell:
            bad.add((issue.sheet, parse_cell_ref(issue.cell)[0] + 1))
    for name, records in wb.tables.items():
        actual = wb.sheet_name(name)
        for record in records:
            if (actual, record.row) in bad:
                record.ok = False
