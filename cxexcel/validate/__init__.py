"""Validation: cell rules, row and sheet rules, rules across files, and the report."""

from cxexcel.issues import Code, Issue, Severity
from cxexcel.validate.checked import CheckedWorkbook, Record
from cxexcel.validate.engine import FileResult, centre_key, check_file, check_files, check_values, validate
from cxexcel.validate.report import FileReport, Report, render_text

__all__ = [
    "CheckedWorkbook",
    "Code",
    "FileReport",
    "FileResult",
    "Issue",
    "Record",
    "Report",
    "Severity",
    "centre_key",
    "check_file",
    "check_files",
    "check_values",
    "render_text",
    "validate",
]
