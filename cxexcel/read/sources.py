"""Where sheet values come from: an .xlsx file (python-calamine) or values already in memory
(the add-in's workbook, sent by Excel)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import python_calamine as pc

from cxexcel.read.container import (
    DEFAULT_LIMITS,
    FormulaCells,
    Limits,
    declared_dimensions,
    open_container,
    scan_formula_cells,
)
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook

# ((first_row, first_col), (last_row, last_col)), 0-based and inclusive, as calamine gives them
MergedRange = tuple[tuple[int, int], tuple[int, int]]
NO_FORMULAS = FormulaCells({}, frozenset())


@dataclass
class SheetData:
    rows: list[list[Any]]
    merged: Sequence[MergedRange] = ()
    formulas: FormulaCells = NO_FORMULAS


class SheetSource(Protocol):
    """What the reader needs of a workbook, whatever holds it."""

    file: str
    date1904: bool
    size: int

    @property
    def sheet_names(self) -> list[str]: ...

    def visible(self, name: str) -> bool: ...

    def dimensions(self, name: str) -> tuple[int, int]: ...

    def sheet(self, name: str) -> SheetData: ...


class CalamineSource:
    """An .xlsx file on disk, checked for what it really is before it is parsed."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.file = str(path)
        self._limits = limits
        container, self._archive = open_container(path, limits)
        self.date1904 = container.date1904
        self.size = container.size
        self._parts = container.sheet_parts
        try:
            self._book = pc.CalamineWorkbook.from_path(str(path))
        except pc.PasswordError as exc:
            self._archive.close()
            raise UnreadableWorkbook(
                UnreadableReason.ENCRYPTED,
                "Книга защищена паролем: снимите пароль и пришлите файл еще раз.",
            ) from exc
        except Exception as exc:  # calamine's errors carry no stable type for a broken package
            self._archive.close()
            raise UnreadableWorkbook(
                UnreadableReason.CORRUPT, "Файл поврежден: Excel-книга не читается."
            ) from exc
        self._visible = {m.name: m.visible == pc.SheetVisibleEnum.Visible for m in self._book.sheets_metadata}
        self._sheets: dict[str, pc.CalamineSheet] = {}

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def visible(self, name: str) -> bool:
        return self._visible.get(name, True)

    def _calamine_sheet(self, name: str) -> pc.CalamineSheet:
        if name not in self._sheets:
            self._sheets[name] = self._book.get_sheet_by_name(name)
        return self._sheets[name]

    def dimensions(self, name: str) -> tuple[int, int]:
        declared = declared_dimensions(self._archive, self._parts.get(name, ""))
        if declared is not None and (declared[0] > self._limits.max_rows or declared[1] > self._limits.max_columns):
            return declared
        sheet = self._calamine_sheet(name)
        return sheet.total_height, sheet.total_width

    def sheet(self, name: str) -> SheetData:
        sheet = self._calamine_sheet(name)
        part = self._parts.get(name, "")
        formulas = scan_formula_cells(self._archive, part) if part else NO_FORMULAS
        return SheetData(sheet.to_python(skip_empty_area=False), sheet.merged_cell_ranges or (), formulas)

    def close(self) -> None:
        self._book.close()
        self._archive.close()


@dataclass
class ValuesSource:
    """Sheets given as rows of values (e.g. by the add-in); nothing to open, nothing to refuse."""

    file: str
    sheets: dict[str, list[list[Any]]]
    hidden: set[str] = field(default_factory=set)
    date1904: bool = False
    size: int = 0

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def visible(self, name: str) -> bool:
        return name not in self.hidden

    def dimensions(self, name: str) -> tuple[int, int]:
        rows = self.sheets[name]
        return len(rows), max((len(r) for r in rows), default=0)

    def sheet(self, name: str) -> SheetData:
        # copy: the reader fills merged cells and formula markers into its grid
        return SheetData([list(r) for r in self.sheets[name]])
