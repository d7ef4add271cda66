"""A workbook after its cells were checked: typed records that remember their cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, MutableMapping
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
class TableColumns:
    """One table's typed values column by column, and its rows with an error. The rules and the
    answer digest read a measurements table this way; its records are made only if asked for."""

    # Excel row number of each data row
    rows: list[int]
    # column key -> column letters, shared by the records
    letters: dict[str, str]
    # column key -> typed values aligned with `rows`, in the order of the sheet's columns
    values: dict[str, list[Any]]
    # Excel rows marked not ok
    not_ok: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.rows) if self.values else 0

    def record(self, index: int) -> Record:
        """The record of the `index`-th data row."""
        row = self.rows[index]
        return Record(row, {key: column[index] for key, column in self.values.items()}, self.letters,
                      row not in self.not_ok)

    def records(self) -> list[Record]:
        if not self.values:
            return []
        keys, letters, not_ok = list(self.values), self.letters, self.not_ok
        return [Record(row, dict(zip(keys, values, strict=True)), letters, row not in not_ok)
                for row, values in zip(self.rows, zip(*self.values.values(), strict=True), strict=True)]

    @classmethod
    def of_records(cls, records: list[Record]) -> TableColumns:
        if not records:
            return cls([], {}, {})
        keys = list(records[0].values)
        return cls([r.row for r in records], records[0].letters,
                   {key: [r.values.get(key) for r in records] for key in keys},
                   {r.row for r in records if not r.ok})


class TableRecords(MutableMapping[str, list[Record]]):
    """Declared sheet name -> the table's records. A table checked column by column keeps its
    columns until someone asks for its records: the consolidation reads a measurements table by
    columns, then drops it, and never needs its thousands of rows as objects."""

    def __init__(self) -> None:
        self._tables: dict[str, list[Record] | TableColumns] = {}

    def __getitem__(self, name: str) -> list[Record]:
        table = self._tables[name]
        if isinstance(table, TableColumns):
            table = self._tables[name] = table.records()
        return table

    def __setitem__(self, name: str, records: list[Record]) -> None:
        self._tables[name] = records

    def __delitem__(self, name: str) -> None:
        del self._tables[name]

    def __contains__(self, name: object) -> bool:
        return name in self._tables

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"

    def set_columns(self, name: str, columns: TableColumns) -> None:
        self._tables[name] = columns

    def columns(self, name: str) -> TableColumns | None:
        """The table by columns (read from its records if they were made); None if there is no such table."""
        table = self._tables.get(name)
        if table is None or isinstance(table, TableColumns):
            return table
        return TableColumns.of_records(table)

    def mark_not_ok(self, name: str, rows: set[int]) -> None:
        table = self._tables[name]
        if isinstance(table, TableColumns):
            table.not_ok.update(rows)
            return
        for record in table:
            if record.row in rows:
                record.ok = False


@dataclass
class CheckedWorkbook(IssueCounts):
    path: Path
    kind: WorkbookKind
    meta: dict[str, str]
    size: int
    title: dict[str, Any] = field(default_factory=dict)
    title_cells: dict[str, str] = field(default_factory=dict)
    # declared sheet name -> records / the name the file actually uses
    tables: TableRecords = field(default_factory=TableRecords)
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

    def columns(self, sheet: str) -> TableColumns | None:
        """A table's typed values column by column (without making its records)."""
        return self.tables.columns(sheet)

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
        declared = {c.key: c for c in table.declaration.columns}
        excel_rows = [r + 1 for r in table.row_numbers]
        letters = {key: column_letter(index) for key, index in table.columns.items()}
        # column by column: one check routine per column, each distinct well-typed value checked once
        sets = table.column_sets or [None] * len(table.columns)
        columns = TableColumns(excel_rows, letters, {
            key: checker.check_column(declared[key], raws, excel_rows, table.sheet_name, letters[key], distinct)
            for key, raws, distinct in zip(table.columns, table.column_values, sets, strict=True)
        })
        wb.tables.set_columns(name, columns)
        if len(columns) < table.declaration.min_rows and table.header_row is not None:
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
    bad: dict[str, set[int]] = {}
    for issue in wb.issues:
        if issue.severity is Severity.ERROR and issue.sheet and issue.cell:
            bad.setdefault(issue.sheet, set()).add(parse_cell_ref(issue.cell)[0] + 1)
    for name in wb.tables:
        rows = bad.get(wb.sheet_name(name))
        if rows:
            wb.tables.mark_not_ok(name, rows)
