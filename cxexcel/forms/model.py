"""The vocabulary in which every workbook kind is declared: columns, sheets, kinds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ColumnType(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    EMAIL = "email"
    PHONE = "phone"


class Level(StrEnum):
    """Who fills a workbook: a region (СЗН), a job centre (ЦЗН) or the federal centre (ФЦК)."""

    REGION = "region"
    CZN = "czn"
    FEDERAL = "federal"


class ListSource(StrEnum):
    """Closed lists whose values are not fixed in the declaration itself."""

    REGIONS = "regions"
    METRICS = "metrics"


@dataclass(frozen=True)
class Column:
    """One input column (or one field of a two-column form) as the user sees it."""

    key: str
    title: str
    type: ColumnType = ColumnType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    choice_source: ListSource | None = None
    # an open drop-down: offered values, anything else accepted
    suggestions: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""
    width: float = 16
    unique: bool = False
    # filled by the template from the programme; the user does not type it
    prefilled: bool = False
    # a form's section heading, for two-column forms
    section: str = ""

    @property
    def header(self) -> str:
        """The header text in the workbook: required columns end with "*"."""
        return f"{self.title}*" if self.required else self.title

    @property
    def is_closed_list(self) -> bool:
        return bool(self.choices) or self.choice_source is not None


@dataclass(frozen=True)
class TableSheet:
    """A sheet holding one Excel table with a single header row at the top."""

    name: str
    table_name: str
    columns: tuple[Column, ...]
    items: tuple[str, ...] = ()
    blank_rows: int = 30
    help: str = ""
    # fewer filled rows than this is an error (an empty journey is no journey)
    min_rows: int = 0

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(f"{self.name}: no column {key!r}")

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


@dataclass(frozen=True)
class FormSheet:
    """A sheet of labelled fields: label in column A, value in column B."""

    name: str
    fields: tuple[Column, ...]
    items: tuple[str, ...] = ()
    help: str = ""

    def field(self, key: str) -> Column:
        for col in self.fields:
            if col.key == key:
                return col
        raise KeyError(f"{self.name}: no field {key!r}")


Sheet = TableSheet | FormSheet


@dataclass(frozen=True)
class WorkbookKind:
    """One standard workbook: its sheets in order and the programme items it covers."""

    key: str
    title: str
    level: Level
    items: tuple[str, ...]
    sheets: tuple[Sheet, ...]
    purpose: str
    # whom to ask, shown on «Инструкция»
    contact: str = "Федеральный центр компетенций (ФЦК), координатор пилотной апробации"

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(f"{self.key}: no sheet {name!r}")

    @property
    def table_sheets(self) -> tuple[TableSheet, ...]:
        return tuple(s for s in self.sheets if isinstance(s, TableSheet))

    @property
    def form_sheets(self) -> tuple[FormSheet, ...]:
        return tuple(s for s in self.sheets if isinstance(s, FormSheet))
