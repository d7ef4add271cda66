"""Reading filled workbooks: file recognition, limits, kind identification, rows by column title."""

from cxexcel.read.container import DEFAULT_LIMITS, Limits
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook
from cxexcel.read.workbook import (
    FormField,
    FormulaProblem,
    RawForm,
    RawRow,
    RawTable,
    ReadWorkbook,
    read_workbook,
)

__all__ = [
    "DEFAULT_LIMITS",
    "FormField",
    "FormulaProblem",
    "Limits",
    "RawForm",
    "RawRow",
    "RawTable",
    "ReadWorkbook",
    "UnreadableReason",
    "UnreadableWorkbook",
    "read_workbook",
]
