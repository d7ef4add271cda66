"""Where sheet values come from: an .xlsx file (python-calamine) or values already in memory
(the add-in's workbook, sent by Excel)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import python_calamine as pc

from cxexcel.read.container import (
    DEFAULT_LIMITS,
    NO_FORMULAS,
    FormulaCells,
    Limits,
    SheetScan,
    open_container,
    scan_sheet,
)
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook

# ((first_row, first_col), (last_row, last_col)), 0-based and inclusive, as calamine gives them
MergedRange = tuple[tuple[int, int], tuple[int, int]]


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

    def breach(self, name: str, limits: Limits) -> str | None:
        """Why sheet `name` may not be read (a limit it passes), known before it is parsed; else None."""
        ...

    def sheet(self, name: str) -> SheetData: ...


def _corrupt(message: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(UnreadableReason.CORRUPT, message)


def _open_book(path: Path) -> pc.CalamineWorkbook:
    name = os.fsdecode(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        # a name that is not UTF-8 (a cp1251 archive unpacked on Linux) cannot cross into Rust as text
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)
    return pc.CalamineWorkbook.from_path(name)


class CalamineSource:
    """An .xlsx file on disk, checked for what it really is before it is parsed.

    Every failure of the file becomes an UnreadableWorkbook: python-calamine raises its own errors
    for broken packages and a PanicException (a BaseException) when its parser panics.
    """

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = path
        self.file = str(path)
        self._limits = limits
        self._container, self._archive = open_container(path, limits)
        self.date1904 = self._container.date1904
        self.size = self._container.size
        self.external_links = list(self._container.external_links)
        self._scans: dict[str, SheetScan] = {}
        try:
            self._book = _open_book(path)
            self._visible = {m.name: m.visible == pc.SheetVisibleEnum.Visible for m in self._book.sheets_metadata}
            self._names = list(self._book.sheet_names)
        except pc.PasswordError as exc:
            self._archive.close()
            raise UnreadableWorkbook(
                UnreadableReason.ENCRYPTED,
                "Книга защищена паролем: снимите пароль и пришлите файл еще раз.",
            ) from exc
        except (KeyboardInterrupt, SystemExit):
            self._archive.close()
            raise
        except BaseException as exc:  # calamine's errors carry no stable type for a broken package
            self._archive.close()
            raise _corrupt("Файл поврежден: Excel-книга не читается (ошибка в ее XML-разметке).") from exc

    @property
    def sheet_names(self) -> list[str]:
        return self._names

    def visible(self, name: str) -> bool:
        return self._visible.get(name, True)

    def _scan(self, name: str) -> SheetScan:
        if name not in self._scans:
            self._scans[name] = scan_sheet(self._archive, self._container.sheet_member(name), name, self._limits)
        return self._scans[name]

    def dimensions(self, name: str) -> tuple[int, int]:
        """The extent python-calamine would build, from the sheet's XML (nothing is parsed yet); (0, 0)
        for a sheet without a single value, whatever its formatted area."""
        scan = self._scan(name)
        return (scan.rows, scan.columns) if scan.values else (0, 0)

    def breach(self, name: str, limits: Limits | None = None) -> str | None:
        """Why this sheet may not be read, from its XML (its extent and how many values it holds)."""
        scan = self._scan(name)
        return (limits or self._limits).sheet_breach(name, scan.rows, scan.columns, scan.values,
                                                      at_least=not scan.complete)

    def sheet(self, name: str) -> SheetData:
        # the reader checks the limits first; this guard keeps calamine from ever seeing a huge sheet
        breach = self.breach(name)
        if breach is not None:
            raise UnreadableWorkbook(UnreadableReason.TOO_LARGE, breach)
        scan = self._scan(name)
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or ())
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            raise _corrupt(f"Файл поврежден: лист «{name}» не читается.") from exc
        width = max((len(r) for r in rows), default=0)
        breach = self._limits.sheet_breach(name, len(rows), width)
        if breach is not None:  # the XML scan and the parser disagree: never trust a bigger sheet
            raise UnreadableWorkbook(UnreadableReason.TOO_LARGE, breach)
        return SheetData(rows, merged, scan.formulas)

    def close(self) -> None:
        if hasattr(self, "_book"):
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
    # sheet name -> its cells whose formula gives an error (Excel sends the error's text, e.g. "#DIV/0!")
    formulas: dict[str, FormulaCells] = field(default_factory=dict)

    @property
    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def visible(self, name: str) -> bool:
        return name not in self.hidden

    def dimensions(self, name: str) -> tuple[int, int]:
        rows = self.sheets[name]
        return len(rows), max((len(r) for r in rows), default=0)

    def breach(self, name: str, limits: Limits) -> str | None:
        return limits.sheet_breach(name, *self.dimensions(name))

    def sheet(self, name: str) -> SheetData:
        # copy: the reader fills merged cells and formula markers into its grid
        return SheetData([list(r) for r in self.sheets[name]], formulas=self.formulas.get(name, NO_FORMULAS))
