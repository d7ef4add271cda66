"""The .xlsx container: recognising what a file really is, size limits, and the XML facts
the fast reader does not give (date system, formulas without a cached value, error cells)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from cxexcel.read.errors import UnreadableReason, UnreadableWorkbook

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class Limits:
    """What a single input may hold before it is refused unread (all configurable)."""

    max_file_bytes: int = 200 * 1024**2
    max_uncompressed_bytes: int = 1024**3
    max_compression_ratio: float = 200.0
    max_rows: int = 200_000
    max_columns: int = 200
    max_cell_chars: int = 32_767


DEFAULT_LIMITS = Limits()


@dataclass
class Container:
    """Facts read from the package parts of one .xlsx file."""

    path: Path
    date1904: bool = False
    # sheet name -> part name inside the zip, e.g. "xl/worksheets/sheet1.xml"
    sheet_parts: dict[str, str] = field(default_factory=dict)
    size: int = 0


def _fail(reason: UnreadableReason, message: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(reason, message)


def open_container(path: Path, limits: Limits = DEFAULT_LIMITS) -> tuple[Container, zipfile.ZipFile]:
    """Check that `path` is a readable .xlsx within the limits; return its facts and the open zip."""
    if not path.exists():
        raise _fail(UnreadableReason.NOT_FOUND, "Файл не найден.")
    if path.is_symlink() or not path.is_file():
        raise _fail(UnreadableReason.NOT_A_FILE, "Это не обычный файл (папка или ссылка): пропущен.")
    size = path.stat().st_size
    if size == 0:
        raise _fail(UnreadableReason.EMPTY, "Файл пуст (0 байт): сохраните книгу заново и пришлите еще раз.")
    if size > limits.max_file_bytes:
        raise _fail(
            UnreadableReason.TOO_LARGE,
            f"Файл слишком большой ({size // 1024**2} МБ при пределе {limits.max_file_bytes // 1024**2} МБ).",
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE_MAGIC):
        raise _sniff_ole(path)
    if not head.startswith(_ZIP_MAGIC):
        raise _fail(
            UnreadableReason.NOT_A_WORKBOOK,
            "Файл не является книгой Excel (.xlsx): возможно, это текст, CSV или другой формат "
            "с измененным расширением. Откройте его в Excel и сохраните как «Книга Excel (*.xlsx)».",
        )
    try:
        archive = zipfile.ZipFile(path)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _fail(
            UnreadableReason.CORRUPT,
            "Файл поврежден или передан не полностью (архив .xlsx не читается). "
            "Попросите прислать файл еще раз.",
        ) from exc
    try:
        container = _inspect(path, archive, names, limits)
    except BaseException:
        archive.close()
        raise
    container.size = size
    return container, archive


def _sniff_ole(path: Path) -> UnreadableWorkbook:
    # Encrypted OOXML and the old .xls are both OLE compound files: the stream names tell them apart.
    with path.open("rb") as fh:
        blob = fh.read(1024 * 1024)
    if "EncryptionInfo".encode("utf-16-le") in blob or "EncryptedPackage".encode("utf-16-le") in blob:
        return _fail(
            UnreadableReason.ENCRYPTED,
            "Книга защищена паролем: снимите пароль на открытие (Файл → Сведения → Защита книги) "
            "и пришлите файл еще раз.",
        )
    return _fail(
        UnreadableReason.LEGACY_XLS,
        "Файл в старом формате Excel 97–2003 (.xls). Заполните стандартный шаблон .xlsx "
        "или сохраните книгу как «Книга Excel (*.xlsx)».",
    )


def _inspect(path: Path, archive: zipfile.ZipFile, names: set[str], limits: Limits) -> Container:
    if "mimetype" in names and "content.xml" in names:
        raise _fail(
            UnreadableReason.ODS,
            "Файл в формате OpenDocument (.ods). Сохраните его в LibreOffice как "
            "«Excel 2007-365 (.xlsx)» и пришлите еще раз.",
        )
    if "xl/workbook.xml" not in names:
        what = "документ Word" if "word/document.xml" in names else "архив, но не книга Excel"
        raise _fail(
            UnreadableReason.NOT_A_WORKBOOK,
            f"Файл не является книгой Excel (.xlsx): это {what}.",
        )
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 10 * 1024**2 and ratio > limits.max_compression_ratio:
            raise _fail(
                UnreadableReason.TOO_LARGE,
                f"Файл подозрительно сильно сжат (часть {info.filename} распаковывается в "
                f"{info.file_size // 1024**2} МБ): обработка остановлена для защиты сервера.",
            )
    if total > limits.max_uncompressed_bytes:
        raise _fail(
            UnreadableReason.TOO_LARGE,
            f"Содержимое файла слишком велико ({total // 1024**2} МБ в распакованном виде, "
            f"предел {limits.max_uncompressed_bytes // 1024**2} МБ).",
        )
    container = Container(path=path)
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = ElementTree.fromstring(archive.read(rels_name)) if rels_name in names else None
    except Exception as exc:  # defusedxml raises several types for hostile or broken XML
        raise _fail(
            UnreadableReason.CORRUPT,
            "Файл поврежден: не читается описание книги (xl/workbook.xml).",
        ) from exc
    pr = workbook.find(f"{_NS_MAIN}workbookPr")
    if pr is not None and pr.get("date1904", "0").lower() in ("1", "true"):
        container.date1904 = True
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
            targets[rel.get("Id", "")] = part
    sheets = workbook.find(f"{_NS_MAIN}sheets")
    for sheet in sheets if sheets is not None else []:
        part = targets.get(sheet.get(f"{_NS_REL}id", ""), "")
        container.sheet_parts[sheet.get("name", "")] = part
    return container


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_TYPE = re.compile(rb'\bt="([a-z]+)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)
_HAS_FORMULA = re.compile(rb"<f[ >/]")


@dataclass(frozen=True)
class FormulaCells:
    """Cells the fast reader reports as empty although they are not."""

    # A1 -> error text such as "#DIV/0!"
    errors: dict[str, str]
    # A1 of formulas saved without a computed value (e.g. by openpyxl)
    uncached: frozenset[str]


def scan_formula_cells(archive: zipfile.ZipFile, part: str) -> FormulaCells:
    """Find error cells and formulas without a cached value in one sheet's XML.

    python-calamine returns both as empty strings, which would read as "not filled".
    """
    try:
        data = archive.read(part)
    except KeyError:
        return FormulaCells({}, frozenset())
    # "<f>"/"<f " is a formula; "<formula1>" of a data validation is not
    if not _HAS_FORMULA.search(data) and b't="e"' not in data:
        return FormulaCells({}, frozenset())
    errors: dict[str, str] = {}
    uncached: set[str] = set()
    for match in _CELL.finditer(data):
        attrs, body = match.group(1), match.group(2) or b""
        ref_match = _REF.search(attrs)
        if ref_match is None:
            continue
        ref = ref_match.group(1).decode()
        type_match = _TYPE.search(attrs)
        value_match = _VALUE.search(body)
        if type_match and type_match.group(1) == b"e":
            errors[ref] = value_match.group(1).decode("utf-8", "replace") if value_match else "#ОШИБКА"
        elif _HAS_FORMULA.search(body) and (value_match is None or (not value_match.group(1) and not type_match)):
            uncached.add(ref)
    return FormulaCells(errors, frozenset(uncached))


_DIMENSION = re.compile(rb'<dimension\s+ref="\$?[A-Z]+\$?\d+(?::\$?([A-Z]+)\$?(\d+))?"')


def declared_dimensions(archive: zipfile.ZipFile, part: str) -> tuple[int, int] | None:
    """(rows, columns) a sheet declares in its <dimension>, read from the part's first bytes.

    Lets a million-row sheet be refused before it is parsed; the figures are checked again
    after parsing, since a hostile file may lie here.
    """
    try:
        with archive.open(part) as fh:
            head = fh.read(4096)
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    match = _DIMENSION.search(head)
    if match is None or match.group(1) is None:
        return None
    col = 0
    for ch in match.group(1).decode():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)), col
