"""What every rule receives, and the table that says which rules run for which kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cxexcel.forms import TableSheet
from cxexcel.issues import Code, Severity
from cxexcel.programme import Programme
from cxexcel.validate.cells import format_date, format_value
from cxexcel.validate.checked import CheckedWorkbook, Record


@dataclass
class RuleContext:
    wb: CheckedWorkbook
    programme: Programme
    # the date deadlines are judged against: --as-of, else the workbook's «Отчетная дата», else today
    as_of: dt.date

    def at(self, code: Code, sheet: str, record: Record | None, key: str | None, text: str,
           *, value: Any = None, title: str | None = None, severity: Severity | None = None) -> None:
        """Report on a cell of a record (or on the sheet when record/key is None)."""
        actual = self.wb.sheet_name(sheet)
        cell = record.cell(key) if record is not None and key else None
        column = title
        if column is None and key:
            decl = self.wb.kind.sheet(sheet)
            columns = decl.columns if isinstance(decl, TableSheet) else decl.fields
            column = next((c.title for c in columns if c.key == key), None)
        where = f"Лист «{actual}»" + (f", ячейка {cell}" if cell else "")
        if column and cell:
            where += f", «{column}»"
        if value is None and record is not None and key:
            value = record.get(key)
        self.wb.add(code, f"{where}: {text}", sheet=actual, cell=cell, column=column,
                    value=format_value(value) if value is not None else None, severity=severity)


Rule = Callable[[RuleContext], None]

KIND_RULES: dict[str, list[Rule]] = {}


def rule(*kinds: str) -> Callable[[Rule], Rule]:
    """Register a rule for the given workbook kinds."""

    def register(fn: Rule) -> Rule:
        for kind in kinds:
            KIND_RULES.setdefault(kind, []).append(fn)
        return fn

    return register


def d(value: dt.date) -> str:
    return format_date(value)
