"""A generated corpus of broken and hostile inputs, each with the outcome it must produce (issue 7).

Nothing binary is committed: every case is made here, from the valid sample workbooks of
tests/samples.py, zipfile, a raw zip writer for what zipfile will not write (precompressed bombs,
lying sizes, duplicate or absolute names, unsupported methods) and the project's own compound-file
writer for OLE files (.xls, encrypted .xlsx).

    python -m tests.hostile_corpus DIR            write the corpus into DIR and list it
    python -m tests.hostile_corpus --markdown     the table of docs/reliability.md

Readable cases belong to their own centre (measurements) or region, so that in a consolidation
they never supersede a good file and never change a good region's figures.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import io
import os
import random
import re
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cxexcel.addin.xlam.cfb import Storage, Stream, write_compound_file
from cxexcel.forms import catalog
from cxexcel.issues import Code
from cxexcel.template import build_workbook
from tests.samples import sample_data

HOSTILE_REGION = "Чукотский автономный округ"
# regions the good inboxes of the tests do not use; region-level readable cases take one each
SPARE_REGIONS = [r for r in catalog.REGIONS if r not in ("Пермский край", "Республика Татарстан", HOSTILE_REGION)]
GIB = 1024**3
MIB = 1024**2
# what a valid workbook sends when its own sheets are refused: the file stays accepted
ACCEPTED, REJECTED, SKIPPED = "accepted", "rejected", "skipped"


@dataclass(frozen=True)
class Case:
    """One corpus file and what checking it must give."""

    name: str
    what: str
    build: Callable[[Path], None] = field(repr=False, compare=False)
    # the issue the check must report (None: the file is read without any error)
    code: Code | None = None
    fragment: str = ""
    # False: the file is refused as a whole (one issue, exit status 2)
    readable: bool = False
    # its status on «Файлы» in a consolidation
    status: str = REJECTED
    # a resource attack: peak memory is measured on it
    bomb: bool = False
    # checked with this expected kind (validate --kind); without it the file is an ordinary one
    expected_kind: str | None = None
    # not a regular file (link, folder, pipe): consolidation skips it, validate refuses it
    special: bool = False


# --- zip parts ----------------------------------------------------------------------------------

Parts = dict[str, bytes]


def workbook_parts(kind: str, owner: str, rows: dict[str, object] | None = None, region: str | None = None) -> Parts:
    """A valid filled workbook of `kind` belonging to the case `owner`, as its zip parts."""
    data = sample_data(kind)
    title = data[catalog.TITLE_SHEET]
    title["region"] = region or HOSTILE_REGION
    if "czn" in title:
        title["czn"] = f"ГКУ ЦЗН «{owner}»"
    data.update(rows or {})
    with tempfile.TemporaryDirectory() as tmp:
        path = build_workbook(kind, Path(tmp) / "w.xlsx", data=data)
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in z.namelist()}


_OWNER = "OWNER-5f3a9c"


@functools.cache
def _base_measurements() -> tuple[tuple[str, bytes], ...]:
    return tuple(workbook_parts("measurements", _OWNER).items())


def measurements(owner: str, **rows: object) -> Parts:
    """A valid measurements workbook of the centre «ГКУ ЦЗН «owner»» (built once, renamed per case)."""
    if rows:
        return workbook_parts("measurements", owner, dict(rows))
    parts = dict(_base_measurements())
    name = html.escape(owner, quote=False).encode()
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(_OWNER.encode(), name)
    return parts


def write_parts(path: Path, parts: Parts, level: int = 6) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)


def sheet_part(parts: Parts, sheet: str) -> str:
    """The part holding `sheet` (XlsxWriter's workbook.xml and rels)."""
    workbook = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', workbook)
    assert rid, sheet
    target = re.search(rf'Id="{rid.group(1)}" [^>]*Target="([^"]+)"', parts["xl/_rels/workbook.xml.rels"].decode())
    assert target, sheet
    return f"xl/{target.group(1)}"


def edit_sheet(parts: Parts, sheet: str, edit: Callable[[bytes], bytes]) -> Parts:
    part = sheet_part(parts, sheet)
    return {**parts, part: edit(parts[part])}


def set_cell(xml: bytes, ref: str, cell: bytes) -> bytes:
    """Replace cell `ref` (or add it at the end of its row) with the raw XML `cell`."""
    found = re.search(rb'<c r="' + ref.encode() + rb'"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
    if found:
        return xml[:found.start()] + cell + xml[found.end():]
    row = re.sub(r"[A-Z]+", "", ref).encode()
    end = re.search(rb'<row r="' + row + rb'"[^>]*>.*?(</row>)', xml, re.S)
    assert end, ref
    return xml[:end.start(1)] + cell + xml[end.start(1):]


def append_rows(xml: bytes, rows: bytes) -> bytes:
    return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def add_sheet(parts: Parts, name: str, xml: bytes, *, rid: str = "rId90") -> Parts:
    """Another sheet named `name` whose content is `xml`."""
    part = f"worksheets/sheet{rid[3:]}.xml"
    workbook = parts["xl/workbook.xml"].replace(
        b"</sheets>", f'<sheet name="{name}" sheetId="{rid[3:]}" r:id="{rid}"/></sheets>'.encode(), 1)
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="{part}"/></Relationships>'.encode(), 1)
    return {**parts, "xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, f"xl/{part}": xml}


def set_sheet_target(parts: Parts, sheet: str, target: str, external: bool = False) -> Parts:
    part = sheet_part(parts, sheet)
    old = f'Target="{part[3:]}"'.encode()
    new = f'Target="{target}"'.encode() + (b' TargetMode="External"' if external else b"")
    rels = parts["xl/_rels/workbook.xml.rels"]
    assert old in rels
    return {**parts, "xl/_rels/workbook.xml.rels": rels.replace(old, new)}


def set_sheet_state(parts: Parts, sheet: str, state: str) -> Parts:
    workbook = parts["xl/workbook.xml"]
    found = re.search(rb'<sheet name="' + sheet.encode() + rb'" sheetId="\d+"', workbook)
    assert found
    return {**parts, "xl/workbook.xml": workbook[:found.end()] + f' state="{state}"'.encode()
            + workbook[found.end():]}


def set_meta(parts: Parts, key: str, value: str) -> Parts:
    """Set a `_meta` value (a shared string the key's row points to) by rewriting that row."""
    part = sheet_part(parts, catalog.META_SHEET)
    xml = parts[part]
    strings = re.findall(rb"<si>(.*?)</si>", parts["xl/sharedStrings.xml"], re.S)
    index = next(n for n, s in enumerate(strings) if re.sub(rb"<[^>]+>", b"", s) == key.encode())
    row = re.search(rb'<row r="(\d+)"[^>]*>(?:(?!</row>).)*?<v>' + str(index).encode() + rb"</v>", xml, re.S)
    assert row, key
    cell = f'<c r="B{row.group(1).decode()}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
    return {**parts, part: set_cell(xml, f"B{row.group(1).decode()}", cell)}


# --- a raw zip writer ---------------------------------------------------------------------------

@dataclass
class Member:
    name: bytes
    payload: bytes  # as stored: raw deflate for method 8
    crc: int
    size: int
    method: int = 8
    flags: int = 0x800


def deflated(name: str | bytes, blob: bytes, level: int = 6) -> Member:
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Member(name.encode() if isinstance(name, str) else name, co.compress(blob) + co.flush(),
                  zlib.crc32(blob), len(blob))


def inflating(name: str, prefix: bytes, unit: bytes, count: int, suffix: bytes, chunk_units: int = 1) -> Member:
    """A member that inflates to prefix + unit × count + suffix, compressed without ever building it:
    after a full flush deflate restarts, so one compressed chunk of units can be repeated."""
    chunk = unit * chunk_units
    assert count % chunk_units == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(prefix) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(chunk) + co.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    tail = co.compress(suffix) + co.flush()
    crc = zlib.crc32(prefix)
    for _ in range(count // chunk_units):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    body = head + block * (count // chunk_units - 1) + again + tail
    return Member(name.encode(), body, crc, len(prefix) + len(chunk) * (count // chunk_units) + len(suffix))


def write_raw_zip(path: Path, members: Iterable[Member], declared: dict[bytes, int] | None = None) -> None:
    """Write members as they are; `declared` overrides the uncompressed sizes the headers state."""
    declared = declared or {}
    out, central = bytearray(), bytearray()
    members = list(members)
    for m in members:
        size = declared.get(m.name, m.size)
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, m.flags, m.method, 0, 0x21, m.crc, len(m.payload), size,
                           len(m.name), 0) + m.name + m.payload
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, m.flags, m.method, 0, 0x21, m.crc,
                               len(m.payload), size, len(m.name), 0, 0, 0, 0, 0, offset) + m.name
    start = len(out)
    out += central
    count = min(len(members), 0xFFFF)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), start, 0)
    path.write_bytes(bytes(out))


def members_of(parts: Parts, skip: Iterable[str] = ()) -> list[Member]:
    skipped = set(skip)
    return [deflated(n, b) for n, b in parts.items() if n not in skipped]


# --- the cases --------------------------------------------------------------------------------------

LAUGHS = (b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'.encode()
                     for n in range(1, 10))
          + b"]>")
XXE = b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _without_declaration(xml: bytes) -> bytes:
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _save(parts_fn: Callable[[], Parts]) -> Callable[[Path], None]:
    return lambda path: write_parts(path, parts_fn())


def _bytes(blob_fn: Callable[[], bytes]) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(blob_fn())


def _ole(streams: dict[str, bytes]) -> bytes:
    return write_compound_file(Storage("Root Entry", [Stream(n, b) for n, b in streams.items()]))


def _ods() -> Parts:
    return {
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                                 b'opendocument:xmlns:manifest:1.0"/>',
        "content.xml": b'<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
                       b'opendocument:xmlns:office:1.0"/>',
    }


def _write_ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in _ods().items():
            z.writestr(name, blob, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)


def _truncated(fraction: float) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        write_parts(path, measurements(path.stem))
        blob = path.read_bytes()
        path.write_bytes(blob[: int(len(blob) * fraction)] if fraction < 1 else blob[:-100])
    return build


def _bit_flip(path: Path) -> None:
    write_parts(path, measurements(path.stem))
    blob = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(blob))) as z:
        info = z.getinfo(sheet_part({n: z.read(n) for n in z.namelist()}, "Замеры"))
    name_len, extra_len = struct.unpack_from("<HH", blob, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    for k in range(8):
        blob[start + info.compress_size // 2 + k] ^= 0xFF
    path.write_bytes(bytes(blob))


def _plain_workbook(path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Лист1")
    sheet.write_row(0, 0, ["ФИО", "Сумма"])
    sheet.write_row(1, 0, ["Иванов", 100])
    book.close()


def _wrong_kind(path: Path) -> None:
    write_parts(path, workbook_parts("participants", path.stem, region=SPARE_REGIONS[0]))


def _sheet_bomb() -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = measurements(path.stem)
        part = sheet_part(parts, "Замеры")
        head, rest = parts[part].split(b"<sheetData>", 1)
        bomb = inflating(part, head + b"<sheetData>", b" " * MIB, 2 * 1024, rest)  # 2 GiB of spaces
        write_raw_zip(path, [*members_of(parts, [part]), bomb])
    return build


def _media_bomb(path: Path) -> None:
    parts = measurements(path.stem)
    write_raw_zip(path, [*members_of(parts), inflating("xl/media/image1.png", b"", bytes(MIB), 2 * 1024, b"")])


def _many_parts_bomb(path: Path) -> None:
    # each part under the ratio check's 10 MB floor; together 297 MB, over the 256 MB limit
    parts = measurements(path.stem)
    one = inflating("x", b"", bytes(MIB // 10), 99, b"")
    extra = [Member(f"xl/media/image{n}.bin".encode(), one.payload, one.crc, one.size) for n in range(30)]
    write_raw_zip(path, [*members_of(parts), *extra])


def _lying(part_of: Callable[[Parts], str], fill: bytes) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = measurements(path.stem)
        part = part_of(parts)
        xml = parts[part]
        cut = xml.index(b"<t>") + 3 if fill == b"a" else xml.index(b"<sheetData>") + len(b"<sheetData>")
        bomb = inflating(part, xml[:cut], fill * MIB, 1024, xml[cut:])  # 1 GiB, declared as the original size
        write_raw_zip(path, [*members_of(parts, [part]), bomb], declared={part.encode(): len(xml)})
    return build


def _central_directory_bomb(path: Path) -> None:
    parts = measurements(path.stem)
    extra = [Member(f"xl/p/{n}".encode(), b"", 0, 0, method=0) for n in range(20_000)]
    write_raw_zip(path, [*members_of(parts), *extra])


def _embedded_bomb(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write_raw_zip(Path(tmp) / "b.zip", [inflating("zeros.bin", b"", bytes(MIB), 1024, b"")])
        inner = (Path(tmp) / "b.zip").read_bytes()
    write_parts(path, {**measurements(path.stem), "xl/embeddings/oleObject1.bin": inner})


def _laughs_in(where: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = measurements(path.stem)
        if where == "sharedStrings":
            xml = LAUGHS + _without_declaration(parts["xl/sharedStrings.xml"]).replace(b"<t>", b"<t>&lol9;", 1)
            parts["xl/sharedStrings.xml"] = xml
        elif where == "workbook":
            parts["xl/workbook.xml"] = LAUGHS + _without_declaration(parts["xl/workbook.xml"]).replace(
                'name="Замеры"'.encode(), b'name="&lol9;"', 1)
        else:
            parts = edit_sheet(parts, "Замеры", lambda x: LAUGHS + set_cell(
                _without_declaration(x), "I2", b'<c r="I2" t="inlineStr"><is><t>&lol9;</t></is></c>'))
        write_parts(path, parts)
    return build


def _xxe(path: Path) -> None:
    parts = edit_sheet(measurements(path.stem), "Замеры", lambda x: XXE + set_cell(
        _without_declaration(x), "I2", b'<c r="I2" t="inlineStr"><is><t>&xxe;</t></is></c>'))
    write_parts(path, parts)


def _million_rows(numbered: bool) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = measurements(path.stem)
        part = sheet_part(parts, "Замеры")
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:I1048576"/>', parts[part])
        if numbered:
            rows = b"".join(b'<row r="%d"><c r="A%d"><v>44470</v></c></row>' % (i, i) for i in range(42, 1_048_577))
            write_parts(path, {**parts, part: append_rows(xml, rows)}, level=1)
        else:
            # 300,000 rows in 7 MB: under the 10 MB below which no ratio is checked, so the rows limit decides
            head, tail = xml.split(b"</sheetData>", 1)
            bomb = inflating(part, head, b"<row><c><v>1</v></c></row>", 300_000, b"</sheetData>" + tail,
                             chunk_units=3000)
            write_raw_zip(path, [*members_of(parts, [part]), bomb])
    return build


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _wide(path: Path) -> None:
    cells = b"".join(f'<c r="{_column_letters(c)}42"><v>1</v></c>'.encode() for c in range(1, 16_385))
    write_parts(path, edit_sheet(measurements(path.stem), "Замеры",
                                 lambda x: append_rows(x, b'<row r="42">' + cells + b"</row>")))


def _far_cell(rows: bytes) -> Callable[[Path], None]:
    # the <dimension> still says A1:I41: only the cells tell the truth
    return _save_edit(lambda x: append_rows(x, rows))


def _save_edit(edit: Callable[[bytes], bytes], sheet: str = "Замеры") -> Callable[[Path], None]:
    return lambda path: write_parts(path, edit_sheet(measurements(path.stem), sheet, edit))


def _repeated_cell(path: Path) -> None:
    # 400,000 times one cell (9 MB): the rectangle is one cell, the parser still keeps every copy
    parts = measurements(path.stem)
    part = sheet_part(parts, "Замеры")
    head, tail = parts[part].split(b"</sheetData>", 1)
    bomb = inflating(part, head + b'<row r="42">', b'<c r="I42"><v>1</v></c>', 400_000,
                     b"</row></sheetData>" + tail, chunk_units=10_000)
    write_raw_zip(path, [*members_of(parts, [part]), bomb])


def _long_text(length: int) -> Callable[[Path], None]:
    text = ("Очень длинный комментарий. " * (length // 27 + 1))[:length].encode()
    return _save_edit(lambda x: set_cell(x, "I2", b'<c r="I2" t="inlineStr"><is><t>' + text + b"</t></is></c>"))


def _formula_errors(x: bytes) -> bytes:
    x = set_cell(x, "F2", b'<c r="F2" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    x = set_cell(x, "A3", b'<c r="A3" t="e"><f>#REF!</f><v>#REF!</v></c>')
    return set_cell(x, "E4", b'<c r="E4" t="e"><f>NA()</f><v>#N/A</v></c>')


def _external_links(path: Path) -> None:
    parts = edit_sheet(measurements(path.stem), "Замеры", lambda x: set_cell(
        x, "I2", '<c r="I2" t="str"><f>[1]Лист1!A1</f><v>из другого файла</v></c>'.encode()))
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
         b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts["xl/externalLinks/externalLink1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink ' + ns + b'><externalBook r:id="rId1"><sheetNames>'
        + '<sheetName val="Лист1"/></sheetNames></externalBook></externalLink>'.encode())
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/externalLinkPath" Target="file:///C:/Users/Иванова/Документы/Свод_2020.xlsx" '
        'TargetMode="External"/></Relationships>').encode()
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", b'</sheets><externalReferences><externalReference r:id="rId99"/></externalReferences>', 1)
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>', 1)
    write_parts(path, parts)


def _meta(key: str, value: str, kind: str = "measurements") -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = workbook_parts(kind, path.stem, region=SPARE_REGIONS[1] if kind != "measurements" else None)
        write_parts(path, set_meta(parts, key, value))
    return build


def _duplicate_sheet(name: str) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        parts = measurements(path.stem)
        write_parts(path, add_sheet(parts, name, parts[sheet_part(parts, "Замеры")]))
    return build


def _control_characters(path: Path) -> None:
    rows = sample_data("measurements")["Замеры"]
    rows[0]["comment"] = "Начало\x01\x02\x07\x0b\x1f конец; U+FFFE\ufffe; справа-налево \u202eтекст; ноль\u200bширины"
    rows[1]["channel"] = "Лично\x01 в ЦЗН"
    rows[2]["comment"] = "\x00NUL и перевод\nстроки\tтаб"
    write_parts(path, measurements(path.stem, Замеры=rows))


def _raw_control_bytes(x: bytes) -> bytes:
    # control bytes straight in the XML, as no Office program writes them (XML 1.0 forbids them)
    return set_cell(x, "I2", b'<c r="I2" t="inlineStr"><is><t>raw\x01\x02\x1b[31m\x7f</t></is></c>')


def _missing_sheet_part(path: Path) -> None:
    parts = measurements(path.stem)
    del parts[sheet_part(parts, "Замеры")]
    write_parts(path, parts)


def _target(target: str, external: bool = False) -> Callable[[Path], None]:
    return lambda path: write_parts(path, set_sheet_target(measurements(path.stem), "Замеры", target, external))


def _odd_member_names(path: Path) -> None:
    extra = [deflated("/etc/cron.d/evil", b"* * * * * root true\n"), deflated("../../evil.sh", b"#!/bin/sh\n")]
    write_raw_zip(path, [*members_of(measurements(path.stem)), *extra])


def _duplicate_members(path: Path) -> None:
    parts = measurements(path.stem)
    part = sheet_part(parts, "Замеры")
    innocent = re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", parts[part], flags=re.S)
    write_raw_zip(path, [*members_of(parts), deflated(part, innocent)])


def _backslash_names(path: Path) -> None:
    parts = measurements(path.stem)
    write_raw_zip(path, [deflated(n.replace("/", "\\") if n.startswith("xl/") else n, b) for n, b in parts.items()])


def _merge(ref: str) -> Callable[[bytes], bytes]:
    return lambda x: x.replace(b"</sheetData>", f'</sheetData><mergeCells count="1"><mergeCell ref="{ref}"/>'
                                                f"</mergeCells>".encode(), 1)


def _without_references(x: bytes) -> bytes:
    return re.sub(rb'(<(?:c|row)) r="[A-Z]*[0-9]+"', rb"\1", x)


def _prefixed(x: bytes) -> bytes:
    x = re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", x)
    return x.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas', 1)


def _method(method: int, flags: int = 0x800) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        members = members_of(measurements(path.stem))
        for m in members:
            if m.name == b"xl/workbook.xml":
                m.method, m.flags = method, flags
        write_raw_zip(path, members)
    return build


def _empty_table(path: Path) -> None:
    write_parts(path, measurements(path.stem, Замеры=[]))


def _blank_sheet(x: bytes) -> bytes:
    return re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData/>", x, flags=re.S)


def _injection(path: Path) -> None:
    write_parts(path, injection_parts(path.stem))


PAYLOADS = ('=HYPERLINK("http://evil.example/x","нажми")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "=1+1")


def injection_parts(owner: str) -> Parts:
    """A measurements workbook whose every text cell holds a formula-like payload."""
    rows = sample_data("measurements")["Замеры"]
    for n, row in enumerate(rows):
        payload = PAYLOADS[n % len(PAYLOADS)]
        row["respondent"] = payload
        row["comment"] = payload
        row["client_category"] = payload
        if n % 7 == 0:
            row["channel"] = payload
    return measurements(owner, Замеры=rows)


def _good() -> Callable[[Path], None]:
    return lambda path: write_parts(path, measurements(path.stem))


def _symlink(path: Path) -> None:
    target = path.with_name("symlink-target.txt")
    target.write_text("ссылка ведет сюда", encoding="utf-8")
    path.symlink_to(target.name)


def _dangling(path: Path) -> None:
    path.symlink_to("nowhere/at/all.xlsx")


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("папка с именем книги", encoding="utf-8")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _random(prefix: bytes = b"") -> Callable[[Path], None]:
    return _bytes(lambda: prefix + random.Random(7).randbytes(8192))


_CSV = "Дата;Код точки контакта;Значение\n01.09.2021;ТК-01;5\n".encode("cp1251")
_HTML = "<html><head><meta charset='utf-8'></head><body><table><tr><td>Замеры</td></tr></table></body></html>"
_XML2003 = ('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns='
            '"urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Замеры"/></Workbook>')


def _docx(path: Path) -> None:
    write_parts(path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                       "_rels/.rels": b"<Relationships/>"})


def _xlsb(path: Path) -> None:
    write_parts(path, {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00",
                       "_rels/.rels": b"<Relationships/>"})


def _nonfinite(x: bytes) -> bytes:
    x = set_cell(x, "F2", b'<c r="F2"><v>NaN</v></c>')
    x = set_cell(x, "F3", b'<c r="F3"><v>1e400</v></c>')
    return set_cell(x, "F4", b'<c r="F4"><v>-INF</v></c>')


def cases() -> list[Case]:
    """Every corpus case, in the order of docs/reliability.md."""
    E, T = Code, ACCEPTED
    return [
        # files that are not workbooks, or not readable ones
        Case("empty.xlsx", "empty file (0 bytes)", _bytes(lambda: b""), E.FILE_EMPTY, "пуст"),
        Case("legacy-97.xlsx", "Excel 97-2003 (OLE compound file, Workbook stream) renamed to .xlsx",
             _bytes(lambda: _ole({"Workbook": b"\x09\x08" + bytes(5000), "\x05SummaryInformation": bytes(200)})),
             E.FILE_XLS, "97–2003"),
        Case("legacy.xls", "the same, as .xls", _bytes(lambda: _ole({"Workbook": b"\x09\x08" + bytes(5000)})),
             E.FILE_XLS, "97–2003"),
        Case("encrypted.xlsx", "password-protected OOXML (OLE with EncryptionInfo, EncryptedPackage)",
             _bytes(lambda: _ole({"EncryptionInfo": b"\x04\x00\x04\x00" + bytes(200),
                                  "EncryptedPackage": random.Random(1).randbytes(20_000)})),
             E.FILE_ENCRYPTED, "паролем"),
        Case("encrypted-large.xlsx", "encrypted, with a 3 MB package stream",
             _bytes(lambda: _ole({"EncryptedPackage": random.Random(2).randbytes(3 * MIB),
                                  "EncryptionInfo": b"\x04\x00\x04\x00" + bytes(200)})),
             E.FILE_ENCRYPTED, "паролем"),
        Case("opendocument.xlsx", ".ods renamed to .xlsx", _write_ods, E.FILE_ODS, "OpenDocument"),
        Case("opendocument.ods", ".ods", _write_ods, E.FILE_ODS, "OpenDocument"),
        Case("truncated-half.xlsx", "zip cut in half (end record lost)", _truncated(0.5), E.FILE_CORRUPT,
             "поврежден"),
        Case("truncated-end.xlsx", "last 100 bytes missing", _truncated(1.0), E.FILE_CORRUPT, "поврежден"),
        Case("bit-flip.xlsx", "8 bytes flipped inside the compressed «Замеры» sheet (CRC/deflate error)",
             _bit_flip, E.FILE_CORRUPT, "поврежден"),
        Case("random-bytes.xlsx", "8 KB of random bytes", _random(), E.FILE_NOT_WORKBOOK, "не является книгой"),
        Case("zip-header-garbage.xlsx", "zip signature followed by random bytes", _random(b"PK\x03\x04"),
             E.FILE_CORRUPT, "поврежден"),
        Case("table.csv.xlsx", "CSV (cp1251) renamed to .xlsx", _bytes(lambda: _CSV), E.FILE_NOT_WORKBOOK, "CSV"),
        Case("letter.docx.xlsx", "Word document renamed to .xlsx", _docx, E.FILE_NOT_WORKBOOK, "документ Word"),
        Case("scan.pdf.xlsx", "PDF renamed to .xlsx", _bytes(lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n"),
             E.FILE_NOT_WORKBOOK, "PDF"),
        Case("web-export.xlsx", "HTML table saved with an Excel extension",
             _bytes(lambda: _HTML.encode()), E.FILE_NOT_WORKBOOK, "HTML"),
        Case("xml-2003.xlsx", "XML Spreadsheet 2003", _bytes(lambda: _XML2003.encode()), E.FILE_NOT_WORKBOOK,
             "XML 2003"),
        Case("binary.xlsb.xlsx", ".xlsb renamed to .xlsx", _xlsb, E.FILE_NOT_WORKBOOK, ".xlsb"),
        Case("plain-workbook.xlsx", "an ordinary workbook, no standard sheet", _plain_workbook, E.FILE_UNKNOWN_KIND,
             "вид книги"),
        Case("old-template.xlsx", "«_meta» template_version 0.9", _meta("template_version", "0.9"),
             E.FILE_OLD_TEMPLATE, "устаревшему шаблону"),
        Case("wrong-kind.xlsx", "«Участники» checked as «Путь клиента» (validate --kind journey)", _wrong_kind,
             E.FILE_WRONG_KIND, "Ожидалась книга", status=ACCEPTED, expected_kind="journey"),
        # zip bombs and other resource attacks
        Case("bomb-sheet.xlsx", "«Замеры» inflates to 2 GiB of spaces (ratio ≈ 1000)", _sheet_bomb(),
             E.FILE_TOO_LARGE, "zip-бомбы", bomb=True),
        Case("bomb-media.xlsx", "an image part inflating to 2 GiB of zeros", _media_bomb, E.FILE_TOO_LARGE,
             "zip-бомбы", bomb=True),
        Case("bomb-many-parts.xlsx", "30 parts of 9.9 MB, each under the ratio floor: 297 MB in all",
             _many_parts_bomb, E.FILE_TOO_LARGE, "в распакованном виде", bomb=True),
        Case("bomb-lying-shared-strings.xlsx", "sharedStrings declares 12 KB, inflates to 1 GiB",
             _lying(lambda p: "xl/sharedStrings.xml", b"a"), E.FILE_CORRUPT, "поврежден", bomb=True),
        Case("bomb-lying-sheet.xlsx", "«Замеры» declares its real size, inflates to 1 GiB",
             _lying(lambda p: sheet_part(p, "Замеры"), b" "), E.FILE_CORRUPT, "поврежден", bomb=True),
        Case("bomb-central-directory.xlsx", "20,000 zip entries", _central_directory_bomb, E.FILE_TOO_LARGE,
             "слишком много частей", bomb=True),
        Case("bomb-embedded-zip.xlsx", "a zip bomb embedded as an OLE object (never opened)", _embedded_bomb,
             None, readable=True, status=T, bomb=True),
        Case("million-rows.xlsx", "«Замеры» with 1,048,576 numbered rows (honest dimension)", _million_rows(True),
             E.SHEET_TOO_LARGE, "не меньше 200\u00a0001 строки при пределе", readable=True, status=T, bomb=True),
        Case("rows-300k-unnumbered.xlsx", "300,000 rows without row or cell references (7 MB of XML)",
             _million_rows(False), E.SHEET_TOO_LARGE, "не меньше 200\u00a0001 строки при пределе", readable=True,
             status=T, bomb=True),
        Case("columns-16384.xlsx", "a row with all 16,384 columns A…XFD", _wide, E.SHEET_TOO_LARGE,
             "столбца при пределе", readable=True, status=T, bomb=True),
        Case("far-cell.xlsx", "one value at XFD1048576, <dimension> still A1:I41 (calamine would ask for 550 GB)",
             _far_cell(b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'), E.SHEET_TOO_LARGE,
             "при пределе", readable=True, status=T, bomb=True),
        Case("far-row-number.xlsx", "a row numbered 99,999,999 (beyond Excel)",
             _far_cell(b'<row r="99999999"><c r="A99999999"><v>1</v></c></row>'), E.SHEET_TOO_LARGE,
             "строк при пределе", readable=True, status=T, bomb=True),
        Case("repeated-cell.xlsx", "one cell written 400,000 times (9 MB of XML, one cell of extent)",
             _repeated_cell, E.REQUIRED, "обязательное поле", readable=True, status=T, bomb=True),
        Case("merged-whole-sheet.xlsx", "a merged range A1:XFD1048576 on «Замеры»", _save_edit(_merge("A1:XFD1048576")),
             E.COLUMN_MISSING, "нет столбца", readable=True, status=T, bomb=True),
        # XML entity expansion and external entities
        Case("laughs-shared-strings.xlsx", "billion laughs in sharedStrings.xml", _laughs_in("sharedStrings"),
             E.FILE_CORRUPT, "XML-разметке"),
        Case("laughs-sheet.xlsx", "billion laughs in the «Замеры» sheet XML", _laughs_in("sheet"), E.FILE_CORRUPT,
             "DTD"),
        Case("laughs-workbook.xlsx", "billion laughs in xl/workbook.xml", _laughs_in("workbook"), E.FILE_CORRUPT,
             "описание книги"),
        Case("xxe-sheet.xlsx", "external entity file:///etc/passwd in a sheet", _xxe, E.FILE_CORRUPT, "DTD"),
        # cell contents
        Case("cell-32767.xlsx", "a 32,767-character comment (Excel's maximum)", _long_text(32_767), None,
             readable=True, status=T),
        Case("cell-40000.xlsx", "a 40,000-character cell (crafted XML)", _long_text(40_000), E.TEXT_TOO_LONG,
             "длиннее 32767", readable=True, status=T),
        Case("cell-million.xlsx", "a 1,000,000-character cell", _long_text(1_000_000), E.TEXT_TOO_LONG,
             "длиннее 32767", readable=True, status=T),
        Case("cell-20-million.xlsx", "a 20,000,000-character cell (36 MB of XML compressed 1000 times)",
             _long_text(20_000_000), E.FILE_TOO_LARGE, "zip-бомбы", bomb=True),
        Case("formula-errors.xlsx", "cached #DIV/0!, #REF!, #N/A in value, date and metric cells",
             _save_edit(_formula_errors), E.FORMULA_ERROR, "#DIV/0!", readable=True, status=T),
        Case("formula-uncached.xlsx", "a formula saved without a value",
             _save_edit(lambda x: set_cell(x, "F2", b'<c r="F2"><f>1+1</f></c>')), E.FORMULA_NO_VALUE,
             "без вычисленного значения", readable=True, status=T),
        Case("nonfinite-numbers.xlsx", "NaN, 1e400 and -INF as cell values", _save_edit(_nonfinite),
             E.TYPE_NUMBER, "не число", readable=True, status=T),
        Case("external-links.xlsx", "an external link to file:///C:/…/Свод_2020.xlsx and a formula using it",
             _external_links, E.EXTERNAL_LINKS, "Свод_2020.xlsx", readable=True, status=T),
        Case("control-characters.xlsx", "C0 controls, NUL, U+FFFE, bidi override, zero-width space in text cells",
             _control_characters, E.CHOICE, "нет в списке", readable=True, status=T),
        Case("raw-control-bytes.xlsx", "control bytes and an ANSI escape written raw into the XML",
             _save_edit(_raw_control_bytes), None, readable=True, status=T),
        Case("formula-injection.xlsx", "=HYPERLINK(…), +cmd|…, @SUM(…), -2+3, =1+1 in every text column",
             _injection, E.CHOICE, "нет в списке", readable=True, status=T),
        # what «_meta» says
        Case("meta-lies.xlsx", "a «Замеры» workbook whose «_meta» says roadmap", _meta("kind", "roadmap"),
             E.META_MISMATCH, "по листам это книга «Замеры»", readable=True, status=T),
        Case("meta-unknown-kind.xlsx", "«_meta» kind = <script>", _meta("kind", "&lt;script&gt;"), E.META_MISSING,
             "неизвестный вид", readable=True, status=T),
        Case("meta-newer.xlsx", "«_meta» template_version 99.0", _meta("template_version", "99.0"),
             E.TEMPLATE_NEWER, "более новой версией", readable=True, status=T),
        # the package's structure
        Case("duplicate-sheet-titles.xlsx", "sheets «Замеры» and «замеры » (equal after normalisation)",
             _duplicate_sheet("замеры "), E.SHEET_DUPLICATE, "называются одинаково", readable=True, status=T),
        Case("duplicate-sheet-exact.xlsx", "two sheets named «Замеры» pointing at different parts",
             _duplicate_sheet("Замеры"), E.FILE_CORRUPT, "два листа"),
        Case("missing-sheet-part.xlsx", "«Замеры» listed, its XML part absent", _missing_sheet_part, E.FILE_CORRUPT,
             "нет в архиве"),
        Case("relationship-outside.xlsx", "«Замеры» target ../../etc/passwd", _target("../../etc/passwd"),
             E.FILE_CORRUPT, "за пределы книги"),
        Case("relationship-external.xlsx", "«Замеры» target file:///etc/passwd, TargetMode External",
             _target("file:///etc/passwd", external=True), E.FILE_CORRUPT, "за пределы книги"),
        Case("relationship-absolute.xlsx", "«Замеры» target /etc/passwd (absolute in the package)",
             _target("/etc/passwd"), E.FILE_CORRUPT, "нет в архиве"),
        Case("absolute-member-names.xlsx", "extra zip members /etc/cron.d/evil and ../../evil.sh", _odd_member_names,
             E.FILE_CORRUPT, "недопустимым именем"),
        Case("duplicate-members.xlsx", "two zip members named like «Замеры» (readers disagree on which)",
             _duplicate_members, E.FILE_CORRUPT, "дважды"),
        Case("backslash-members.xlsx", "member names with backslashes (xl\\worksheets\\…)", _backslash_names, None,
             readable=True, status=T),
        Case("unsupported-compression.xlsx", "xl/workbook.xml with compression method 9 (Deflate64)", _method(9),
             E.FILE_CORRUPT, "описание книги"),
        Case("zip-encrypted-member.xlsx", "xl/workbook.xml flagged as zip-encrypted", _method(8, 0x801),
             E.FILE_CORRUPT, "описание книги"),
        Case("workbook-not-xml.xlsx", "xl/workbook.xml is not XML",
             lambda p: write_parts(p, {**measurements(p.stem), "xl/workbook.xml": b"\x00not xml"}),
             E.FILE_CORRUPT, "описание книги"),
        Case("sheet-empty-part.xlsx", "«Замеры» part of 0 bytes", _save_edit(lambda x: b""), E.FILE_CORRUPT,
             "не читается"),
        Case("bad-cell-reference.xlsx", "a cell reference ZZZZZ2", _save_edit(lambda x: set_cell(
            x, "I2", b'<c r="ZZZZZ2"><v>1</v></c>')), E.FILE_CORRUPT, "непонятным адресом"),
        Case("duplicate-reference.xlsx", 'a cell with two r attributes (r="A45" r="XFD45": calamine takes the last)',
             _far_cell(b'<row r="45"><c r="A45" r="XFD45"><v>1</v></c></row>'), E.FILE_CORRUPT,
             "непонятным адресом"),
        Case("reference-in-attribute.xlsx", 'r="A1" hidden inside another attribute, the real r="XFD45"',
             _far_cell(b'<row r="45"><c foo=" r=&quot;A1&quot;" r="XFD45"><v>1</v></c></row>'), E.SHEET_TOO_LARGE,
             "не меньше 16\u00a0384 столбцов при пределе", readable=True, status=T),
        Case("cells-without-references.xlsx", "rows and cells without r attributes (as some generators write)",
             _save_edit(_without_references), None, readable=True, status=T),
        Case("prefixed-namespace.xlsx", "sheet XML with a namespace prefix (<x:c>)", _save_edit(_prefixed), None,
             readable=True, status=T),
        Case("hidden-sheet.xlsx", "«Замеры» hidden",
             lambda p: write_parts(p, set_sheet_state(measurements(p.stem), "Замеры", "hidden")), E.SHEET_HIDDEN,
             "скрыт", readable=True, status=T),
        Case("very-hidden-sheet.xlsx", "«Замеры» very hidden",
             lambda p: write_parts(p, set_sheet_state(measurements(p.stem), "Замеры", "veryHidden")),
             E.SHEET_HIDDEN, "скрыт", readable=True, status=T),
        Case("empty-table.xlsx", "«Замеры» with its header and no row", _empty_table, E.EMPTY_TABLE,
             "не заполнена", readable=True, status=T),
        Case("blank-sheet.xlsx", "«Замеры» without a single cell", _save_edit(_blank_sheet), E.HEADER_MISSING,
             "не найдена строка заголовков", readable=True, status=T),
        Case("merged-header.xlsx", "the header row merged A1:I1", _save_edit(_merge("A1:I1")), E.COLUMN_MISSING,
             "нет столбца", readable=True, status=T),
        # inbox entries that are not regular files, and names
        Case("symlink.xlsx", "a symbolic link named like a workbook", _symlink, E.FILE_NOT_A_FILE,
             "не обычный файл", status=SKIPPED, special=True),
        Case("dangling-link.xlsx", "a symbolic link to nowhere", _dangling, E.FILE_NOT_A_FILE, "не обычный файл",
             status=SKIPPED, special=True),
        Case("folder.xlsx", "a directory named like a workbook", _folder, E.FILE_NOT_A_FILE, "не обычный файл",
             status=SKIPPED, special=True),
        Case("pipe.xlsx", "a named pipe (would block a reader forever)", _fifo, E.FILE_NOT_A_FILE, "не обычный файл",
             status=SKIPPED, special=True),
        Case("=1+1.xlsx", "a good workbook named like a formula", _good(), None, readable=True, status=T),
        Case("+cmd|' -C calc'!A0.xlsx", "a good workbook named like a DDE payload", _good(), None, readable=True,
             status=T),
        Case("@SUM(1+1).xlsx", "a good workbook named @SUM(1+1)", _good(), None, readable=True, status=T),
        Case("-2+3.xlsx", "a good workbook named -2+3", _good(), None, readable=True, status=T),
    ]


# a good workbook whose name is not UTF-8 (a cp1251 archive unpacked on Linux): bytes, not text
NON_UTF8_NAME = "Пермь-cp1251.xlsx".encode("cp1251")


def build_corpus(folder: Path, *, only: Iterable[str] | None = None) -> list[Case]:
    """Write every case (or those named in `only`) into `folder`; return the cases written."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = set(only) if only is not None else None
    written = []
    for case in cases():
        if wanted is not None and case.name not in wanted:
            continue
        case.build(folder / case.name)
        written.append(case)
    if wanted is None or "non-utf8" in wanted:
        path = os.path.join(os.fsencode(folder), NON_UTF8_NAME)
        write_parts(Path(os.fsdecode(path)), measurements("non-utf8"))
    return written


def markdown_table() -> str:
    lines = ["| file | what | outcome |", "|---|---|---|"]
    for case in cases():
        if case.code is None:
            outcome = "read, no error"
        else:
            outcome = f"`{case.code.value}`" + (f" «…{case.fragment}…»" if case.fragment else "")
        if case.readable and case.code is not None:
            outcome += " (file read, issue reported)"
        name, what = case.name.replace("|", "\\|"), case.what.replace("|", "\\|")
        lines.append(f"| `{name}` | {what} | {outcome} |")
    lines.append("| `Пермь-cp1251.xlsx` (name in cp1251 bytes) | a good workbook whose file name is not UTF-8 | "
                 "read, no error; the name shown with U+FFFD |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--markdown"]:
        print(markdown_table())
        return 0
    if len(argv) != 1:
        print(__doc__)
        return 2
    start = dt.datetime.now()
    written = build_corpus(Path(argv[0]))
    for case in written:
        print(f"{case.name:45} {case.code.value if case.code else 'ok':22} {case.what}")
    print(f"{len(written) + 1} files in {(dt.datetime.now() - start).total_seconds():.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
