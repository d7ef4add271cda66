"""Safe output: write to a temporary file beside the target and rename it into place; text and
file names that came from users made safe for the formats and disks they are written to."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

# what the operating system said, as a user reads it (its own words are English)
_OS_ERROR_REASONS = {
    errno.EACCES: "нет прав доступа, или файл открыт в другой программе (например, в Excel)",
    errno.EPERM: "нет прав доступа, или файл открыт в другой программе (например, в Excel)",
    errno.ENOENT: "такого файла или папки нет",
    errno.ENOTDIR: "часть пути — файл, а не папка",
    errno.EEXIST: "на месте папки уже есть файл с таким именем",
    errno.ENOSPC: "на диске нет места",
    errno.EROFS: "диск доступен только для чтения",
    errno.EIO: "ошибка диска",
    errno.EBUSY: "файл занят другой программой",
}


def os_error_reason(exc: OSError) -> str:
    """Why a file operation failed, in Russian (the system's own text when the case is unusual)."""
    return _OS_ERROR_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


@contextlib.contextmanager
def atomic_output(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces the target.

    A run killed at any moment leaves the previous target intact: the rename is atomic
    on one file system, and the temporary file is removed on failure. An OSError about the
    temporary file names `target` instead.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = None
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=suffix or target.suffix or ".tmp",
                                        dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        # mkstemp makes the file private (0600); an output is an ordinary file, readable as the umask allows
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        yield tmp
        os.replace(tmp, target)
    except OSError as exc:
        _name_the_target(exc, target)
        raise
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()


def _name_the_target(exc: OSError, target: Path) -> None:
    """An error about the temporary file (or about no file: a full disk while writing) is an error writing
    `target`: the user never gave the dot-file's name and could not find it afterwards. An error that names
    another file (an input read while writing) keeps its name."""
    named = exc.filename
    if isinstance(named, str | bytes | os.PathLike):
        path = Path(os.fsdecode(named))
        # mkstemp names the file by an absolute path, the user's target may be relative («-o Свод.xlsx»)
        same_folder = os.path.normcase(os.path.abspath(path.parent)) == os.path.normcase(os.path.abspath(target.parent))
        if not same_folder or not path.name.startswith(_temp_prefix(target)):
            return
    elif named is not None:
        return
    exc.filename, exc.filename2 = str(target), None


def _temp_prefix(target: Path) -> str:
    # a dot-file named after the target, short enough that the temporary name fits any disk
    stem = target.stem
    while len(stem.encode("utf-8", "surrogateescape")) > 100:
        stem = stem[:-1]
    return f".{stem}."


# stale: older than any real write of an output (a summary is written in seconds)
STALE_SECONDS = 3600.0


def remove_stale_temporaries(target: str | Path, older_than: float = STALE_SECONDS) -> list[Path]:
    """Delete the temporary files a killed run left beside `target` (".Свод.k2x9q1ab.xlsx").

    Only dot-files of atomic_output's own pattern and older than `older_than` seconds, so that a
    run writing the same output at this moment keeps its file.
    """
    target = Path(target)
    pattern = re.compile(re.escape(_temp_prefix(target)) + r"[a-z0-9_]{8}" + re.escape(target.suffix or ".tmp"))
    removed: list[Path] = []
    try:
        candidates = list(target.parent.iterdir())
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        if not pattern.fullmatch(path.name):
            continue
        try:
            info = path.lstat()
            if path.is_file() and not path.is_symlink() and now - info.st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


# Characters an XML 1.0 document cannot hold (C0 controls but tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF): openpyxl refuses them, XlsxWriter fails on surrogates, Excel on the rest.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel's limit for the text of one cell
CELL_TEXT_MAX = 32_767


def xml_text(value: str, limit: int = CELL_TEXT_MAX) -> str:
    """Text any spreadsheet writer accepts: forbidden characters shown as U+FFFD, cut to Excel's cell limit."""
    text = _NOT_XML.sub("\ufffd", value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# leading or trailing whitespace, which a spreadsheet's <t> keeps only with xml:space="preserve"
EDGE_SPACE = re.compile(r"^\s|\s$")


def xlsxwriter_text(value: str) -> str:
    """`value` as text that XlsxWriter's write_string keeps literal.

    XlsxWriter writes a string that starts with "<r>" and ends with "</r>" into the workbook unescaped, as
    rich text: a user's text of that shape would be markup (or break the file). Such a text is given as a
    rich string of one run that holds it, escaped; XlsxWriter still escapes control characters itself."""
    if not (value.startswith("<r>") and value.endswith("</r>")):
        return value
    space = ' xml:space="preserve"' if EDGE_SPACE.search(value) else ""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<r><t{space}>{escaped}</t></r>"


def display_path(path: str | Path) -> str:
    """A path as text: bytes that were not UTF-8 in the name (a cp1251 or cp866 archive) shown as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


# Windows refuses these names with any extension; characters it refuses anywhere in a name
_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$")
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
# a name within 255 bytes (Linux) and 255 UTF-16 units (Windows) whatever the script
NAME_MAX_BYTES = 240


def safe_name_part(text: str) -> str:
    """Text made safe inside a file name: no path separators or "..", no control or format characters
    (a right-to-left override can disguise an extension), none of the characters Windows refuses."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    cleaned = re.sub(r"\s+", " ", _FORBIDDEN.sub("-", kept)).strip(" .")
    while ".." in cleaned:
        cleaned = cleaned.replace("..", ".")
    return cleaned


def safe_file_name(stem: str, suffix: str = "", max_bytes: int = NAME_MAX_BYTES) -> str:
    """`stem + suffix` made safe as one file name on any disk: see safe_name_part; not a reserved
    Windows name; within max_bytes in UTF-8."""
    text = safe_name_part(stem)
    if not text or _RESERVED.match(text):
        text = f"_{text}"
    budget = max_bytes - len(suffix.encode("utf-8"))
    while len(text.encode("utf-8")) > budget:
        text = text[:-1]
    # Windows drops trailing dots and spaces, which would make two names collide
    return text.rstrip(" .") + suffix


# C0 and C1 controls (an escape sequence can rewrite a terminal) and the bidirectional overrides
# (they can make a file name read backwards): shown as U+FFFD on a console; line breaks and tabs kept
_NOT_PRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text for a console: no character of a cell or a file name can act on the terminal."""
    return _NOT_PRINTABLE.sub("\ufffd", text)
