"""Reading filled workbooks: file recognition, limits, kind identification, rows by column title."""

from cxexcel.read.container import DEFAULT_LIMITS, Limits
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook
from cxexcel.read.sources import CalamineSource, SheetSource, ValuesSource
from cxexcel.read.workbook import (
    FormField,
    FormulaProblem,
    RawForm,
    RawRow,
    RawTable,
    ReadWorkbook,
    read_values,
    read_workbook,
)

__all__ = [
    "DEFAULT_LIMITS",
    "CalamineSource",
    "FormField",
    "FormulaProblem",
    "Limits",
    "RawForm",
    "RawRow",
    "RawTable",
    "ReadWorkbook",
    "SheetSource",
    "UnreadableReason",
    "UnreadableWorkbook",
    "ValuesSource",
    "read_values",
    "read_workbook",
]
