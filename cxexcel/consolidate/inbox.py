"""Walking an inbox: every entry is either a workbook to check or a line in «Файлы» saying why not."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

# spreadsheet files are read (or rejected with the reader's own message); anything else is skipped
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# Excel and LibreOffice leave these beside an open file; they are not submissions
LOCK_PREFIXES = ("~$", ".~lock.")


class FileStatus(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"


STATUS_RU = {
    FileStatus.ACCEPTED: "принят",
    FileStatus.REJECTED: "отклонен",
    FileStatus.SUPERSEDED: "заменен более новым",
    FileStatus.SKIPPED: "пропущен",
}


@dataclass(frozen=True)
class InboxEntry:
    """One path found in the inbox; `skip_reason` is set for what is not a workbook."""

    path: Path
    relative: str
    size: int
    sha256: str
    mtime: float
    skip_reason: str | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def scan_inbox(inbox: Path, max_files: int = 50_000) -> Iterator[InboxEntry]:
    """Every entry below `inbox`, sorted by path so runs are deterministic; lock files are ignored."""
    found: list[Path] = []
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs.sort()
        root_path = Path(root)
        for name in sorted(files) + sorted(d for d in dirs if d.lower().endswith(WORKBOOK_SUFFIXES)):
            if name.startswith(LOCK_PREFIXES):
                continue
            found.append(root_path / name)
        # a directory named like a workbook is listed (above) but never entered as one
        dirs[:] = [d for d in dirs if not (root_path / d).is_symlink()]
    found.sort(key=lambda p: str(p.relative_to(inbox)))
    for count, path in enumerate(found, start=1):
        relative = str(path.relative_to(inbox))
        if count > max_files:
            yield InboxEntry(path, relative, 0, "", 0.0,
                             f"в папке больше {max_files} файлов; остальные не обработаны")
            continue
        yield _entry(path, relative)


def _entry(path: Path, relative: str) -> InboxEntry:
    if path.is_symlink():
        return InboxEntry(path, relative, 0, "", 0.0, "символическая ссылка: не обрабатывается")
    if path.is_dir():
        return InboxEntry(path, relative, 0, "", 0.0, "папка с именем книги: не обрабатывается")
    try:
        stat = path.stat()
        digest = sha256_of(path)
    except OSError as exc:
        return InboxEntry(path, relative, 0, "", 0.0, f"файл не читается: {exc.strerror}")
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        what = f"не книга Excel ({path.suffix or 'файл без расширения'})"
        return InboxEntry(path, relative, stat.st_size, digest, stat.st_mtime, what)
    return InboxEntry(path, relative, stat.st_size, digest, stat.st_mtime)
