"""Walking an inbox: every entry is either a workbook to check or a line in «Файлы» saying why not."""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from pathlib import Path

from cxexcel.fileio import display_path, os_error_reason

# spreadsheet files are read (or rejected with the reader's own message); anything else is skipped
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
# regions often send their files packed: such a file is skipped with a word on what to do
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz")
# Excel and LibreOffice leave these beside an open file; they are not submissions
LOCK_PREFIXES = ("~$", ".~lock.")
# the cache a run keeps beside its summary: inside the inbox when the summary is written there
CACHE_DIR_NAME = ".cxexcel-cache"
# what no one sent: the cache, and what operating systems leave in folders and archives (a Mac's archive
# carries a «._Книга.xlsx» beside each workbook, which would be read and rejected as a broken workbook)
IGNORED_FOLDERS = frozenset({CACHE_DIR_NAME, "__MACOSX"})
IGNORED_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
APPLEDOUBLE_PREFIX = "._"


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
    # left out, unread, because the inbox holds more than --max-files files
    over_file_limit: bool = False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


# what vouches for a file's recorded sha256: st_size, st_mtime_ns, st_ino, st_dev, st_ctime_ns
Stamp = tuple[int, int, int, int, int]
# A file changed twice within one tick of its file system's clock (2 s on FAT, a few ms elsewhere) can keep
# its size and times; hashed between the two changes, its stamp would vouch for the old content. As in git
# ("racily clean" entries), a file whose times are this close to the time it was hashed is not recorded.
RACY_NS = 3_000_000_000


@dataclass
class HashIndex:
    """The sha256 of the files of past runs by path, with the stamp each had then (git's index, in the cache
    folder): a file whose size, modification and change times, inode and device all match is not read
    again. Any difference means reading it; an index that cannot be read is an empty one."""

    path: Path | None
    known: dict[str, tuple[Stamp, str]] = field(default_factory=dict)
    # this scan's files: what `save` writes (a file gone from the inbox drops out)
    seen: dict[str, tuple[Stamp, str]] = field(default_factory=dict)

    FORMAT = 1

    @classmethod
    def load(cls, path: Path | None) -> HashIndex:
        index = cls(path)
        if path is None:
            return index
        try:
            with path.open("rb") as fh:
                data = pickle.load(fh)
            if data[0] != cls.FORMAT or not isinstance(data[1], dict):
                return index
            index.known = data[1]
        except Exception:
            pass  # missing or damaged: every file is hashed, as without an index
        return index

    def lookup(self, key: str, info: os.stat_result) -> str | None:
        found = self.known.get(key)
        # a stamp is only trusted with a real inode: without one, a replaced file could match
        if found is None or not info.st_ino or not isinstance(found, tuple) or len(found) != 2:
            return None
        stamp, digest = found
        if stamp != _stamp(info) or not isinstance(digest, str) or len(digest) != 64:
            return None
        self.seen[key] = found
        return digest

    def record(self, key: str, info: os.stat_result, digest: str, hashed_at_ns: int) -> None:
        if info.st_ino and max(info.st_mtime_ns, info.st_ctime_ns) < hashed_at_ns - RACY_NS:
            self.seen[key] = (_stamp(info), digest)

    def save(self) -> None:
        """Write this scan's files, if anything changed, through a temporary file (a cache that cannot be
        written only costs time)."""
        if self.path is None or self.seen == self.known:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(pickle.dumps((self.FORMAT, self.seen), protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, self.path)
        except OSError:
            pass


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev, info.st_ctime_ns)


def scan_inbox(inbox: Path, max_files: int = 50_000, max_hash_bytes: int | None = None,
               exclude: Path | Iterable[Path] | None = None, hashes: HashIndex | None = None) -> Iterator[InboxEntry]:
    """Every entry below `inbox`, sorted by path so runs are deterministic; lock files, a run's cache and what
    operating systems leave behind (IGNORED_FOLDERS, IGNORED_FILES, «._» files) are ignored.

    A file over `max_hash_bytes` is not hashed (its sha256 is ""): it will be refused for its size,
    and reading gigabytes to hash it would be the work the limit is there to avoid. A path that
    resolves to one of `exclude` (the summary and its JSON being written into the inbox) is left
    out; it still counts towards `max_files`. With `hashes`, a file it vouches for is not read (its
    recorded sha256 is taken); the caller saves the index after the scan.
    """
    excluded = [exclude] if isinstance(exclude, Path) else list(exclude or ())
    targets = frozenset(path.resolve() for path in excluded)
    # (path relative to the inbox, path): the relative one made as text, once per folder as a Path, since
    # making Paths was most of a scan once files are not read
    found: list[tuple[str, Path]] = []
    for root, dirs, files in os.walk(inbox, followlinks=False):
        dirs.sort()
        root_path = Path(root)
        folder = str(root_path.relative_to(inbox))
        prefix = "" if folder == "." else folder + os.sep
        dirs[:] = [d for d in dirs if d not in IGNORED_FOLDERS]
        for name in sorted(files) + sorted(d for d in dirs if d.lower().endswith(WORKBOOK_SUFFIXES)):
            if name.startswith((*LOCK_PREFIXES, APPLEDOUBLE_PREFIX)) or name.lower() in IGNORED_FILES:
                continue
            found.append((prefix + name, root_path / name))
        # a directory named like a workbook is listed (above) but never entered as one
        dirs[:] = [d for d in dirs if not (root_path / d).is_symlink()]
    found.sort(key=itemgetter(0))
    for count, (within, path) in enumerate(found, start=1):
        relative = display_path(within)
        if count > max_files:
            if not targets or path.resolve() not in targets:
                # «больше 21 файла», «больше 5 файлов»
                noun = "файла" if max_files % 10 == 1 and max_files % 100 != 11 else "файлов"
                yield InboxEntry(path, relative, 0, "", 0.0,
                                 f"в папке больше {max_files} {noun} (предел --max-files); этот файл не обработан",
                                 over_file_limit=True)
            continue
        entry = _entry(path, relative, max_hash_bytes, targets, hashes)
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


def _is_target(path: Path, targets: frozenset[Path], link: bool) -> bool:
    """path.resolve() in targets, resolving (a stat per folder of the path) only a link or a file of a
    target's name: whatever else resolves to a path of its own name."""
    if not targets or (not link and all(os.path.normcase(path.name) != os.path.normcase(target.name)
                                        for target in targets)):
        return False
    return path.resolve() in targets


def _entry(path: Path, relative: str, max_hash_bytes: int | None = None,
           exclude: frozenset[Path] = frozenset(), hashes: HashIndex | None = None) -> InboxEntry | None:
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
        digest = "" if too_large else _sha256(path, info, hashes)
    except OSError as exc:
        return InboxEntry(path, relative, 0, "", 0.0, _unreadable(exc))
    if path.suffix.lower() in ARCHIVE_SUFFIXES:
        what = f"архив ({path.suffix}): распакуйте его в папку входящих, чтобы книги из него вошли в свод"
        return InboxEntry(path, relative, info.st_size, digest, info.st_mtime, what)
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        what = f"не книга Excel ({path.suffix or 'файл без расширения'})"
        return InboxEntry(path, relative, info.st_size, digest, info.st_mtime, what)
    return InboxEntry(path, relative, info.st_size, digest, info.st_mtime)


def _sha256(path: Path, info: os.stat_result, hashes: HashIndex | None) -> str:
    if hashes is None:
        return sha256_of(path)
    key = os.path.abspath(path)
    digest = hashes.lookup(key, info)
    if digest is None:
        # the stamp taken before reading: a change while reading leaves a stamp that no longer matches
        hashed_at = time.time_ns()
        digest = sha256_of(path)
        hashes.record(key, info, digest, hashed_at)
    return digest
