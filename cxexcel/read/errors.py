"""The ways a file can fail to be read at all, each with a stable code and a Russian message."""

from __future__ import annotations

from enum import StrEnum


class UnreadableReason(StrEnum):
    NOT_FOUND = "file-not-found"
    NOT_A_FILE = "file-not-a-file"
    EMPTY = "file-empty"
    LEGACY_XLS = "file-xls"
    ODS = "file-ods"
    ENCRYPTED = "file-encrypted"
    NOT_A_WORKBOOK = "file-not-workbook"
    CORRUPT = "file-corrupt"
    TOO_LARGE = "file-too-large"
    UNKNOWN_KIND = "file-unknown-kind"
    OLD_TEMPLATE = "file-old-template"
    WRONG_KIND = "file-wrong-kind"
    SUMMARY = "file-is-summary"


class UnreadableWorkbook(Exception):
    """A file that cannot be read as a standard workbook; the message is for the user."""

    def __init__(self, reason: UnreadableReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
