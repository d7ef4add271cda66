"""The one declaration of every standard workbook: sheets, columns, lists and rule parameters."""

from cxexcel.forms import catalog
from cxexcel.forms.kinds import KINDS, title_fields
from cxexcel.forms.model import (
    Column,
    ColumnType,
    FormSheet,
    Level,
    ListSource,
    Sheet,
    TableSheet,
    WorkbookKind,
)

__all__ = [
    "KINDS",
    "Column",
    "ColumnType",
    "FormSheet",
    "Level",
    "ListSource",
    "Sheet",
    "TableSheet",
    "WorkbookKind",
    "catalog",
    "title_fields",
]
