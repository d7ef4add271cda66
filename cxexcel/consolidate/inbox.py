"""Walking an inbox: every entry is either a workbook to check or a line in «Файлы» saying why not."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cxexcel.fileio import display_path, os_error_reason

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


def scan_inbox(inbox: Path, max_files: int = 50_000, max_hash_bytes: int | None = None,
               exclude: Path | None = None) -> Iterator[InboxEntry]:
    """Every entry below `inbox`, sorted by path so runs are deterministic; lock files are ignored.

    A file over `max_hash_bytes` is not hashed (its sha256 is ""): it will be refused for its size,
    and reading gigabytes to hash it would be the work the limit is there to avoid. A path that
    resolves to `exclude` (the summary being written into the inbox) is left out; it still counts
    towards `max_files`.
    """
    target = exclude.resolve() if exclude is not None else None
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
        relative = display_path(path.relative_to(inbox))
        if count > max_files:
            if target is None or path.resolve() != target:
                yield InboxEntry(path, relative, 0, "", 0.0,
                                 f"в папке больше {max_files} файлов (предел --max-files); этот файл не обработан")
            continue
        entry = _entry(path, relative, max_hash_bytes, target)
        if entry is not None:
            yield entry


def _unreadable(exc: OSError) -> str:
    return f"файл не читается: {_OS_ERRORS_RU.get(exc.errno or 0) or os_error_reason(exc)}"


_OS_ERRORS_RU = {
    errno.EACCES: "нет прав на чтение",
    errno.EPERM: "нет прав на чтение",
    errno.ENOENT: "файл исчез во время свода",
    errno.EIO: "ошибка чтения диска",
}


def _is_target(path: Path, target: Path | None, link: bool) -> bool:
    """path.resolve() == target, resolving (a stat per folder of the path) only a link or a file of the
    target's name: whatever else resolves to a path of its own name."""
    if target is None or (not link and os.path.normcase(path.name) != os.path.normcase(target.name)):
        return False
    return path.resolve() == target


def _entry(path: Path, relative: str, max_hash_bytes: int | None = None,
           exclude: Path | None = None) -> InboxEntry | None:
    try:
        info = path.lstat()
    except OSError as exc:
        return None if _is_target(path, exclude, False) else InboxEntry(path, relative, 0, "", 0.0, _unreadable(exc))
    if _is_target(path, exclude, stat.S_ISLNK(info.st_mode)):
        return None
    if stat.S_ISLNK(info.st_mode):
        return InboxEntry(path, relative, 0, "", 0.0, "символическая ссылка: не обрабатывается")
    if stat.S_ISDIR(info.st_mode):
        return InboxEntry(path, relative, 0, "", 0.0, "папка с именем книги: не обрабатывается")
    if not stat.S_ISREG(info.st_mode):
        # a named pipe would block the hash (and the whole run) forever
        return InboxEntry(path, relative, 0, "", 0.0, "не обычный файл (канал или устройство): не обрабатывается")
    try:
        too_large = max_hash_bytes is not None and info.st_size > max_hash_bytes
        digest = "" if too_large else sha256_of(path)
    except OSError as exc:
        return InboxEntry(path, relative, 0, "", 0.0, _unreadable(exc))
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        what = f"не книга Excel ({path.suffix or 'файл без расширения'})"
        return InboxEntry(path, relative, info.st_size, digest, info.st_mtime, what)
    return InboxEntry(path, relative, info.st_size, digest, info.st_mtime)
