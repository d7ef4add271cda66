"""The .xlsx container: recognising what a file really is, limits checked before anything is parsed,
and the XML facts the fast reader does not give (date system, formulas without a cached value, error cells)."""

from __future__ import annotations

import functools
import re
import stat
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from cxexcel.fileio import os_error_reason
from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_EOCD = b"PK\x05\x06"
MB = 1024**2
# An .xlsx has a few dozen parts. Python's zip reader builds an object per central-directory entry
# before anything can be checked, so a directory of millions of entries is refused from its end record.
MAX_ZIP_PARTS = 10_000
# xl/workbook.xml and the relationship parts are parsed into a tree: a few KB in real files
MAX_DESCRIPTION_BYTES = 16 * MB
# a member this small cannot hurt, whatever its ratio
_RATIO_FLOOR_BYTES = 10 * MB


@dataclass(frozen=True)
class Limits:
    """What one input may hold before it is refused unread, and how many files an inbox may hold.

    All configurable (CLI: --max-file-mb, --max-unpacked-mb, --max-ratio, --max-rows, --max-columns,
    --max-cells, --max-cell-chars, --max-files). A sheet's size is taken from its XML before the
    fast reader builds it: python-calamine allocates the whole rectangle from A1 to the farthest
    cell, so a single value at XFD1048576 would ask for 550 GB and abort the process.
    """

    max_file_bytes: int = 200 * MB
    max_uncompressed_bytes: int = 256 * MB
    max_compression_ratio: float = 200.0
    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 5_000_000
    max_cell_chars: int = 32_767
    max_files: int = 50_000

    def sheet_breach(self, sheet: str, rows: int, columns: int, values: int = 0, *,
                     at_least: bool = False) -> str | None:
        """The Russian message when a sheet of this extent may not be read, else None.

        `values`: cells holding a value (a file may repeat one cell millions of times); `at_least`:
        the figures are where a scan stopped, so the sheet holds at least that much.
        """
        more = "не меньше " if at_least else ""
        # «не меньше» asks for the genitive: не меньше 1 строки, 2 строк (without it: 1 строка, 2 строки, 5 строк)
        row_words = ("строки", "строк", "строк") if at_least else ("строка", "строки", "строк")
        column_words = ("столбца", "столбцов", "столбцов") if at_least else ("столбец", "столбца", "столбцов")
        cell_words = ("ячейки", "ячеек", "ячеек") if at_least else ("ячейка", "ячейки", "ячеек")
        value_words = ("заполненной ячейки", "заполненных ячеек", "заполненных ячеек") if at_least else \
            ("заполненная ячейка", "заполненные ячейки", "заполненных ячеек")
        if rows > self.max_rows:
            return (f"На листе «{sheet}» {more}{counted(rows, *row_words)} при пределе "
                    f"{count(self.max_rows)}. Лист не прочитан.")
        if columns > self.max_columns:
            return (f"На листе «{sheet}» {more}{counted(columns, *column_words)} при пределе "
                    f"{count(self.max_columns)}. Лист не прочитан.")
        if rows * columns > self.max_cells:
            return (f"На листе «{sheet}» {more}{counted(rows, *row_words)} × {counted(columns, *column_words)} = "
                    f"{counted(rows * columns, *cell_words)} при пределе {count(self.max_cells)}. "
                    "Лист не прочитан.")
        if values > self.max_cells:
            return (f"На листе «{sheet}» {more}{counted(values, *value_words)} при пределе "
                    f"{count(self.max_cells)}. Лист не прочитан.")
        return None


DEFAULT_LIMITS = Limits()


def count(n: int) -> str:
    """A number as Russian text writes it: 1 048 576 (non-breaking spaces between thousands)."""
    return f"{n:,}".replace(",", "\u00a0")


def plural_noun(n: int, one: str, few: str, many: str) -> str:
    """The noun agreeing with n: строка (1, 21), строки (2–4, 22), строк (5, 11–14)."""
    last, last_two = n % 10, n % 100
    return one if last == 1 and last_two != 11 else few if 2 <= last <= 4 and not 12 <= last_two <= 14 else many


def counted(n: int, one: str, few: str, many: str) -> str:
    """A count with its noun agreeing: 1 строка, 2 202 строки, 5 строк."""
    return f"{count(n)} {plural_noun(n, one, few, many)}"


@dataclass
class Container:
    """Facts read from the package parts of one .xlsx file."""

    path: Path
    # member name (backslashes as slashes) -> its entry; names are unique (checked)
    members: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    date1904: bool = False
    # sheet name -> relationship target as written in xl/_rels/workbook.xml.rels (None: no relationship)
    sheet_targets: dict[str, str | None] = field(default_factory=dict)
    # where the workbook's external links point (file names or addresses), for a warning
    external_links: list[str] = field(default_factory=list)
    size: int = 0

    def sheet_member(self, name: str) -> zipfile.ZipInfo:
        """The zip member python-calamine reads for sheet `name`, resolved the way it resolves it."""
        if name not in self.sheet_targets:
            raise _fail(UnreadableReason.CORRUPT, f"Файл поврежден: лист «{name}» не описан в книге.")
        target = self.sheet_targets[name]
        if not target:
            raise _fail(UnreadableReason.CORRUPT,
                        f"Файл поврежден: у листа «{name}» нет ссылки на его содержимое.")
        # calamine: "/xl/…" is taken from the package root, anything else below "xl/"
        part = (target[1:] if target.startswith("/") else f"xl/{target}").replace("\\", "/")
        if any(s in ("", ".", "..") for s in part.split("/")) or ":" in part:
            raise _fail(
                UnreadableReason.CORRUPT,
                f"Файл поврежден или подделан: ссылка на лист «{name}» указывает за пределы книги "
                f"({_shorten(target)}). Файл не обработан.",
            )
        info = self.members.get(part)
        if info is None:
            raise _fail(
                UnreadableReason.CORRUPT,
                f"Файл поврежден: лист «{name}» указан в книге, но его содержимого ({_shorten(part)}) "
                "нет в архиве. Откройте файл в Excel, сохраните заново и пришлите еще раз.",
            )
        return info


def _fail(reason: UnreadableReason, message: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(reason, message)


def _shorten(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _size(n: float) -> str:
    """A size as a message gives it: «12 МБ», «0,5 МБ», and under 0,1 МБ in КБ (not «0,0 МБ»)."""
    if n >= MB:
        return f"{n / MB:.0f} МБ"
    if n >= MB / 10:
        return f"{n / MB:.1f} МБ".replace(".", ",")
    return f"{max(n / 1024, 1):.0f} КБ" if n else "0 КБ"


def open_container(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Container, zipfile.ZipFile]:
    """Check that `path` is a readable .xlsx within the limits; return its facts and the open zip."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise _fail(UnreadableReason.NOT_FOUND, "Файл не найден.") from None
    except OSError as exc:
        raise _fail(UnreadableReason.NOT_FOUND, f"Файл не удалось открыть: {os_error_reason(exc)}.") from exc
    if not stat.S_ISREG(info.st_mode):
        raise _fail(UnreadableReason.NOT_A_FILE,
                    "Это не обычный файл (папка, ссылка или устройство): пропущен.")
    size = info.st_size
    if size == 0:
        raise _fail(UnreadableReason.EMPTY, "Файл пуст (0 байт): сохраните книгу заново и пришлите еще раз.")
    if size > limits.max_file_bytes:
        raise _fail(
            UnreadableReason.TOO_LARGE,
            f"Файл слишком большой: {_size(size)} при пределе {_size(limits.max_file_bytes)}. Файл не обработан.",
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise _fail(UnreadableReason.NOT_FOUND,
                    f"Файл не удалось открыть: {os_error_reason(exc)}.") from exc
    if head.startswith(_OLE_MAGIC):
        raise _sniff_ole(path)
    if not head.startswith(_ZIP_MAGIC):
        raise _fail(UnreadableReason.NOT_A_WORKBOOK, _not_a_workbook(head))
    _check_central_directory(path, size)
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, but also ValueError/OverflowError/EOFError on crafted records
        raise _fail(
            UnreadableReason.CORRUPT,
            "Файл поврежден или передан не полностью (архив .xlsx не читается). "
            "Попросите прислать файл еще раз.",
        ) from exc
    try:
        container = _inspect(path, archive, limits)
    except BaseException:
        archive.close()
        raise
    container.size = size
    return container, archive


def _not_a_workbook(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"%pdf"):
        what = "это документ PDF."
    elif text.startswith((b"<html", b"<!doctype html", b"<table", b"<head", b"<meta")):
        what = "это веб-страница (HTML), сохраненная с расширением Excel."
    elif text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        what = "это «Таблица XML 2003»."
    elif text.startswith(b"{\\rtf"):
        what = "это документ RTF."
    else:
        what = "возможно, это текст, CSV или другой формат с измененным расширением."
    return (f"Файл не является книгой Excel (.xlsx): {what} Откройте его в Excel и сохраните как "
            "«Книга Excel (*.xlsx)».")


def _sniff_ole(path: Path) -> UnreadableWorkbook:
    # Encrypted OOXML and the old .xls are both OLE compound files: the stream names tell them apart.
    # The directory may stand anywhere in the file, so the whole file is searched (it is within max_file_bytes).
    names = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(MB):
            window = tail + chunk
            if any(n in window for n in names):
                return _fail(
                    UnreadableReason.ENCRYPTED,
                    "Книга защищена паролем: снимите пароль на открытие (Файл → Сведения → Защита книги) "
                    "и пришлите файл еще раз.",
                )
            tail = window[-64:]
    return _fail(
        UnreadableReason.LEGACY_XLS,
        "Файл в старом формате Excel 97–2003 (.xls). Заполните стандартный шаблон .xlsx "
        "или сохраните книгу как «Книга Excel (*.xlsx)».",
    )


def _check_central_directory(path: Path, size: int) -> None:
    """Refuse a zip whose central directory is far larger than any workbook's, before zipfile reads it."""
    with path.open("rb") as fh:
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # zipfile says it is not a zip: reported as corrupt
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if entries > MAX_ZIP_PARTS or directory_bytes > MAX_ZIP_PARTS * 1024:
        raise _fail(
            UnreadableReason.TOO_LARGE,
            f"Архив файла содержит слишком много частей ({entries}; в книге Excel их десятки): "
            "файл не обработан.",
        )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(element: Element, local: str) -> str | None:
    for key, value in element.attrib.items():
        if _local(key) == local:
            return str(value)
    return None


def _inspect(path: Path, archive: zipfile.ZipFile, limits: Limits) -> Container:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        if name in members:
            raise _fail(
                UnreadableReason.CORRUPT,
                f"Файл поврежден или подделан: часть {_shorten(name)} встречается в архиве дважды. "
                "Файл не обработан.",
            )
        if name.startswith("/") or ".." in name.split("/") or re.match(r"[A-Za-z]:", name):
            raise _fail(
                UnreadableReason.CORRUPT,
                f"Файл поврежден или подделан: в архиве есть часть с недопустимым именем ({_shorten(name)}). "
                "Файл не обработан.",
            )
        members[name] = info
    if "mimetype" in members and "content.xml" in members:
        raise _fail(
            UnreadableReason.ODS,
            "Файл в формате OpenDocument (.ods). Сохраните его в LibreOffice как "
            "«Excel 2007-365 (.xlsx)» и пришлите еще раз.",
        )
    if "xl/workbook.xml" not in members:
        if "xl/workbook.bin" in members:
            what = "двоичная книга Excel (.xlsb); сохраните ее как «Книга Excel (*.xlsx)»"
        elif "word/document.xml" in members:
            what = "документ Word"
        elif "ppt/presentation.xml" in members:
            what = "презентация PowerPoint"
        else:
            what = "архив, но не книга Excel"
        raise _fail(UnreadableReason.NOT_A_WORKBOOK, f"Файл не является книгой Excel (.xlsx): это {what}.")
    total = 0
    for name, info in members.items():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        # both zip readers stop at the declared size, so the declared figures are the real bound
        if info.file_size > _RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            raise _fail(
                UnreadableReason.TOO_LARGE,
                f"Файл подозрительно сильно сжат: часть {_shorten(name)} занимает {_size(info.compress_size)}, "
                f"а распаковывается в {_size(info.file_size)} (в {ratio:.0f} раз при пределе "
                f"{limits.max_compression_ratio:.0f}). Это признак «zip-бомбы»; файл не обработан.",
            )
    if total > limits.max_uncompressed_bytes:
        raise _fail(
            UnreadableReason.TOO_LARGE,
            f"Содержимое файла слишком велико: {_size(total)} в распакованном виде при пределе "
            f"{_size(limits.max_uncompressed_bytes)}. Файл не обработан.",
        )
    container = Container(path=path, members=members)
    workbook = _parse_description(archive, members, "xl/workbook.xml")
    rels = _parse_description(archive, members, "xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter():
            if _local(rel.tag) == "Relationship":
                targets[rel.get("Id", "")] = rel.get("Target", "")
    assert workbook is not None
    for element in workbook.iter():
        local = _local(element.tag)
        if local == "workbookPr" and (element.get("date1904") or "0").lower() in ("1", "true"):
            container.date1904 = True
        elif local == "sheet":
            name = element.get("name", "")
            if name in container.sheet_targets:
                raise _fail(
                    UnreadableReason.CORRUPT,
                    f"Файл поврежден или подделан: два листа называются «{_shorten(name)}». Файл не обработан.",
                )
            container.sheet_targets[name] = targets.get(_attr(element, "id") or "")
    container.external_links = _external_links(archive, members)
    return container


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytearray:
    """A member's bytes, inflated a megabyte at a time into one buffer of its declared size.

    zipfile's read() asks zlib for up to 2 GB in one call and cuts to the declared size afterwards,
    so a member lying about its size would cost gigabytes; read in chunks it never costs more than
    its declared size, which the limits bound (and the buffer is never copied).
    """
    data = bytearray(info.file_size)
    filled = 0
    with archive.open(info) as fh:
        while chunk := fh.read(MB):
            data[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
    del data[filled:]
    return data


def _parse_description(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> Element | None:
    info = members.get(name)
    if info is None:
        return None
    if info.file_size > MAX_DESCRIPTION_BYTES:
        raise _fail(UnreadableReason.TOO_LARGE,
                    f"Служебная часть книги {name} слишком велика ({_size(info.file_size)}). Файл не обработан.")
    try:
        root: Element = ElementTree.fromstring(read_member(archive, info))
        return root
    except Exception as exc:  # defusedxml raises several types for hostile or broken XML
        raise _fail(
            UnreadableReason.CORRUPT,
            f"Файл поврежден: не читается описание книги ({name}).",
        ) from exc


def _external_links(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> list[str]:
    """Where the workbook's external links point; the part names when the addresses are not readable."""
    found: list[str] = []
    for name in sorted(members):
        if not (name.startswith("xl/externalLinks/") and name.endswith(".xml")) or "/_rels/" in name:
            continue
        folder, _, file = name.rpartition("/")
        targets: list[str] = []
        try:
            rels = _parse_description(archive, members, f"{folder}/_rels/{file}.rels")
        except UnreadableWorkbook:
            rels = None
        if rels is not None:
            for rel in rels.iter():
                if _local(rel.tag) == "Relationship" and rel.get("Target"):
                    targets.append(_shorten(str(rel.get("Target"))))
        found.extend(targets or [name])
    return found


@dataclass(frozen=True)
class FormulaCells:
    """Cells the fast reader reports as empty although they are not."""

    # A1 -> error text such as "#DIV/0!"
    errors: dict[str, str]
    # A1 of formulas saved without a computed value (e.g. by openpyxl)
    uncached: frozenset[str]


NO_FORMULAS = FormulaCells({}, frozenset())


@dataclass(frozen=True)
class SheetScan:
    """What one sheet's XML holds, found before the fast reader parses it."""

    # the rectangle python-calamine will build: 1-based last row and column holding a value
    rows: int
    columns: int
    # cells holding a value (python-calamine keeps each one before it builds the rectangle)
    values: int
    formulas: FormulaCells
    # False when the scan stopped at the first limit it passed: the figures are then lower bounds
    complete: bool = True
    # cells covered by merged ranges (openpyxl makes an object for each)
    merged: int = 0
    # True when every tag was written the usual way (checked by the quick scan): rows and columns are
    # then upper bounds of the rectangle, not its exact size
    plain: bool = False


# A start tag of a row or a cell (any namespace prefix) read attribute by attribute, so that an
# `r="…"` inside another attribute's value is not taken for the reference; groups: "row" or "c",
# the reference's letters and digits, and "/" when the tag closes itself (no value). The second
# alternative catches a row or cell tag the first could not read: such XML is refused, not guessed.
_NAME = rb"[A-Za-z_][\w.-]*"
_VALUE_RE = rb"""(?:"[^"]*"|'[^']*')"""
_OTHER_ATTRS = rb"(?:\s+(?!r\s*=)" + _NAME + rb"\s*=\s*" + _VALUE_RE + rb")*"
_REF_ATTR = rb"""(?:\s+r\s*=\s*["']([A-Za-z]{0,4})(\d{0,9})["']""" + _OTHER_ATTRS + rb")?"
_TAG = re.compile(
    rb"<(?:" + _NAME + rb":)?(row|c)(?=[\s/>])" + _OTHER_ATTRS + _REF_ATTR + rb"\s*(/?)>"
    + rb"|<(?:" + _NAME + rb":)?(?:row|c)(?=[\s/>])"
)
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_ANY_TYPE = re.compile(rb"""\st\s*=\s*["']""")
_VALUE = re.compile(rb"<(?:" + _NAME + rb":)?v>(.*?)</(?:" + _NAME + rb":)?v>", re.S)
# "<f>"/"<f …" is a formula; "<formula1>" of a data validation is not
_FORMULA = re.compile(rb"<(?:" + _NAME + rb":)?f[\s/>]")
_MERGE = re.compile(rb"<(?:" + _NAME + rb":)?mergeCell\s[^>]*?\bref\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?(\d{1,9})"
                    rb"(?::\$?([A-Za-z]{1,4})\$?(\d{1,9}))?")


def column_index(letters: bytes | str) -> int:
    """1-based column number of Excel letters (A -> 1, XFD -> 16384)."""
    col = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        col = col * 26 + ord(ch) - 64
    return col


def scan_sheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str,
               limits: Limits = DEFAULT_LIMITS) -> SheetScan:
    """The extent and the formula cells of one sheet's XML; UnreadableWorkbook when it is broken or hostile.

    The walk stops at the first limit passed, so a sheet of millions of cells costs no more than
    a sheet at the limits.
    """
    try:
        data = read_member(archive, info)
    except Exception as exc:  # bad CRC, truncated data, an unsupported compression method, …
        raise _fail(
            UnreadableReason.CORRUPT,
            f"Файл поврежден или передан не полностью: лист «{sheet}» не читается. Попросите прислать файл еще раз.",
        ) from exc
    if _MARKUP_DECLARATION.search(data) and (b"<!DOCTYPE" in data or b"<!ENTITY" in data):
        # Office never writes a DTD into a package part (OPC forbids it): an entity-expansion or
        # external-entity attack, whatever the parser would make of it
        raise _fail(
            UnreadableReason.CORRUPT,
            f"Файл поврежден или подделан: лист «{sheet}» содержит объявления XML (DTD, сущности), каких "
            "не бывает в книгах Excel. Файл не обработан.",
        )
    scan = _extent(data, sheet, limits)
    merged = _merged_cells(data) if _MERGE_TAG.search(data) else 0
    formulas = NO_FORMULAS
    if scan.plain:
        # no prefixes, single quotes or line breaks in tags: literal searches find the candidates
        errors = _PLAIN_ERROR.search(data) is not None and _ERROR_TYPE.search(data) is not None
        has_formula = _PLAIN_FORMULA.search(data) is not None
    else:
        # error cells are t="e": the literal is a cheap necessary condition for the (slower) attribute regex
        errors = (b'"e"' in data or b"'e'" in data) and _ERROR_TYPE.search(data) is not None
        has_formula = _FORMULA.search(data) is not None
    if scan.complete and (errors or has_formula):
        formulas = _formula_cells(data, scan.rows, scan.columns)
    return SheetScan(scan.rows, scan.columns, scan.values, formulas, scan.complete, merged, scan.plain)


def _merged_cells(data: bytes | bytearray) -> int:
    total = 0
    for first_col, first_row, last_col, last_row in _MERGE.findall(data):
        if last_col and last_row:
            rows = abs(int(last_row) - int(first_row)) + 1
            columns = abs(column_index(last_col) - column_index(first_col)) + 1
            total += rows * columns
    return total


# What Excel, LibreOffice, XlsxWriter and openpyxl write: `r` first, in double quotes, in every tag.
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
_PLAIN_ROW = re.compile(rb'<row r="[0-9]{1,7}"')
_ANY_CELL = re.compile(rb"<(?:" + _NAME + rb":)?c(?=[\s/>])")
_ANY_R = re.compile(rb"\sr\s*=")
# above this the fast path's lists would cost more memory than the walk costs time
_PLAIN_MAX_BYTES = 8 * MB


def _plain_extent(data: bytes | bytearray, limits: Limits) -> SheetScan | None:
    """The extent of a sheet written the usual way, with a few C-speed passes; None when any tag is
    unusual (no reference, a prefix, single quotes, a second `r`): then every tag is walked."""
    if len(data) > _PLAIN_MAX_BYTES:
        return None
    cells = _PLAIN_CELL.findall(data)
    if len(cells) != len(_ANY_CELL.findall(data)):
        return None
    # every " r=" of the part is the first attribute of a row or a cell: none hides in another value
    if len(_ANY_R.findall(data)) != len(cells) + len(_PLAIN_ROW.findall(data)):
        return None
    valued = [(letters, digits) for letters, digits, closed in cells if not closed]
    rows = max(map(int, {digits for _, digits in valued}), default=0)
    columns = max((column_index(x) for x in {letters for letters, _ in valued}), default=0)
    return SheetScan(rows, columns, len(valued), NO_FORMULAS)


# The quick scan: a handful of C-speed searches, no object per cell (a 5,000-row sheet is ~40,000
# cells, and a findall over them costs more than python-calamine's parse). It proves bounds instead of
# measuring: the <dimension> element (untrusted) only suggests them, and one search shows that no
# cell lies outside; any surprise hands the sheet to the exact scans below.
_MARKUP_DECLARATION = re.compile(rb"<!")
_MERGE_TAG = re.compile(rb"mergeCell")
_PLAIN_ERROR = re.compile(rb'"e"')
_PLAIN_FORMULA = re.compile(rb"<f[ />]")
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,7}:)?([A-Z]{1,3})([1-9][0-9]{0,6})"')
# a row, cell or formula tag with a namespace prefix (calamine reads <x:c> as a cell)
_PREFIXED_TAG = re.compile(rb":(?:c|row|f)[ />]")
# an `r=` that is not the first attribute of a cell or a row: a second reference, a hidden one
_OTHER_R = re.compile(rb' r=(?<=[^cw] r=)')
_QUICK_HEAD = 512


@functools.cache
def _outside_pattern(columns: bytes, rows: bytes) -> re.Pattern[bytes]:
    """A cell tag whose reference is not plainly within A1:<columns><rows> (or is unusual)."""
    first, last = columns[:1], columns[-1:]
    if len(columns) == 1:
        letters = rb"[A-" + last + rb"]"
    else:
        # A..Z, then two letters up to the last column: AA..(first-1)Z and first A..first last
        before = rb"|[A-" + bytes([first[0] - 1]) + rb"][A-Z]" if first != b"A" else b""
        letters = rb"(?:[A-Z]" + before + rb"|" + first + rb"[A-" + last + rb"])"
    lead, width = rows[:1], len(rows)
    shorter, same = str(width - 2).encode(), str(width - 1).encode()
    numbers = rb"[1-" + lead + rb"]" if width == 1 else (
        rb"(?:[1-9][0-9]{0," + shorter + rb"}|[1-" + lead + rb"][0-9]{" + same + rb"})")
    return re.compile(rb'<c(?! r="' + letters + numbers + rb'")[ />]')


def _quick_extent(data: bytes | bytearray) -> SheetScan | None:
    """Upper bounds of a sheet written the usual way (by Excel, LibreOffice, XlsxWriter, openpyxl),
    or None when anything is unusual: then the exact scans decide."""
    # after the XML declaration and the line break writers put after it
    head = data.find(b"?>")
    start = max(data.find(b"<", head + 2), 0) if 0 <= head < _QUICK_HEAD else 0
    # line breaks and tabs inside the part: tags may be split in ways the searches do not foresee
    if data.find(b"\n", start) >= 0 or data.find(b"\r", start) >= 0 or data.find(b"\t", start) >= 0:
        return None
    # single quotes, prefixes and unusual `r=` are legal XML that the searches below do not read
    if data.find(b"'", start) >= 0 or _PREFIXED_TAG.search(data) or _OTHER_R.search(data):
        return None
    dimension = _DIMENSION.search(data, 0, 4096)
    if dimension is None:
        return None
    letters, digits = dimension.group(1), dimension.group(2)
    if len(letters) > 2:
        return None
    # rows: up to the dimension's first digit, rounded up: A1:I5001 allows rows up to 5999, columns up to I
    lead = int(digits[:1])
    rows = (lead + 1) * 10 ** (len(digits) - 1) - 1
    columns = column_index(letters)
    if _outside_pattern(bytes(letters), str(rows).encode()).search(data):
        return None
    return SheetScan(rows, columns, data.count(b"</c>"), NO_FORMULAS, plain=True)


def _extent(data: bytes | bytearray, sheet: str, limits: Limits) -> SheetScan:
    """Where python-calamine will put every value: a cell's own reference, or (without one) the
    next column of its row; a row without a number follows the previous row. A cell with two
    references (calamine takes the last) or an address this walk cannot read makes the file corrupt."""
    quick = _quick_extent(data)
    if quick is not None and limits.sheet_breach("", quick.rows, quick.columns, quick.values) is None:
        return quick
    plain = _plain_extent(data, limits)
    if plain is not None:
        return plain
    return _walk_extent(data, sheet, limits)


def _walk_extent(data: bytes | bytearray, sheet: str, limits: Limits) -> SheetScan:
    """The exact extent, tag by tag: for XML the faster scans cannot vouch for."""
    row, col, last_row, last_col, values = -1, -1, -1, -1, 0
    for match in _TAG.finditer(data):
        kind, letters, digits, closed = match.groups()
        if kind is None:
            raise _fail(
                UnreadableReason.CORRUPT,
                f"Файл поврежден: разметка листа «{sheet}» не похожа на сохраненную Excel или LibreOffice "
                "(ячейка или строка с непонятным адресом). Откройте файл в Excel, сохраните заново и "
                "пришлите еще раз.",
            )
        if kind == b"row":
            row = int(digits) - 1 if digits else row + 1
            col = -1
            continue
        if letters and digits:
            r, col = int(digits) - 1, column_index(letters) - 1
        else:
            r, col = max(row, 0), col + 1
        if closed:
            continue  # no value: python-calamine does not keep it
        values += 1
        if r > last_row or col > last_col:
            last_row, last_col = max(last_row, r), max(last_col, col)
            if last_row >= limits.max_rows or last_col >= limits.max_columns:
                return SheetScan(last_row + 1, last_col + 1, values, NO_FORMULAS, complete=False)
        if values > limits.max_cells:
            return SheetScan(last_row + 1, last_col + 1, values, NO_FORMULAS, complete=False)
    return SheetScan(last_row + 1, last_col + 1, values, NO_FORMULAS)


def _formula_cells(data: bytes | bytearray, rows: int, columns: int) -> FormulaCells:
    """Error cells and formulas without a cached value; python-calamine returns both as empty strings,
    which would read as "not filled"."""
    errors: dict[str, str] = {}
    uncached: set[str] = set()
    pending: tuple[str, bytes | bytearray, int] | None = None

    def settle(ref: str, tag: bytes | bytearray, body: bytes | bytearray) -> None:
        close = body.find(b"</c>")
        body = body[:close] if close >= 0 else body
        value = _VALUE.search(body)
        if _ERROR_TYPE.search(tag):
            errors[ref] = value.group(1).decode("utf-8", "replace")[:32] if value else "#ОШИБКА"
        elif _FORMULA.search(body) and (value is None or (not value.group(1) and not _ANY_TYPE.search(tag))):
            uncached.add(ref)

    for match in _TAG.finditer(data):
        if pending is not None:
            settle(pending[0], pending[1], data[pending[2]:match.start()])
            pending = None
        kind, letters, digits, closed = match.groups()
        if kind != b"c" or closed or not (letters and digits):
            continue
        r, c = int(digits), column_index(letters)
        if 1 <= r <= rows and 1 <= c <= columns:
            pending = (f"{letters.decode().upper()}{r}", match.group(0), match.end())
    if pending is not None:
        settle(pending[0], pending[1], data[pending[2]:])
    return FormulaCells(errors, frozenset(uncached))
