"""The summary's long lists written as worksheet XML of our own, spliced into the package XlsxWriter wrote.

XlsxWriter spends about 4 µs on a cell; the national summary has over a million cells in its lists
(«Точки контакта» alone 730,000), and writing them took most of a re-run. XlsxWriter still writes every
sheet's frame (columns, panes, filters, print set-up), every style, «Свод», the small sheets and the
charts; only the rows of the lists are ours. They are the cells XlsxWriter writes (a number or a shared
string, with its style index and escapes), so Excel and LibreOffice read them as they read XlsxWriter's
own. A user's text is only ever a shared string, escaped in full: never a formula, and never markup
(XlsxWriter writes a text that looks like "<r>…</r>" unescaped, as rich text).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree import ElementTree

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name

from cxexcel.fileio import CELL_TEXT_MAX, EDGE_SPACE, xml_text

# a cell: ("s", text, format) or ("n", number, format); None writes nothing
Cell = tuple[str, Any, Format | None]

_EXCEL_EPOCH = dt.date(1899, 12, 31).toordinal()
# text that reads like one of Excel's _xHHHH_ escapes is escaped itself; control characters XML allows
# (CR; xml_text has replaced the others) become _xHHHH_, as Excel writes them
_ESCAPE_LIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_XML_SPECIAL = re.compile("[&<>]")
# XlsxWriter numbers a format only when it writes a cell with it: every format the rows may use is
# written once, on blank cells of the sheet's last row, and the splice replaces that row with ours
SCRATCH_ROW = 1_048_575
_SCRATCH_SHEET_DATA = re.compile(
    rb'<sheetData><row r="1048576"[^>]*>(?:<c r="[A-Z]+1048576" s="[0-9]+"/>)+</row></sheetData>')
_DIMENSION = re.compile(rb'<dimension ref="[A-Z0-9:]+"/>')
_SHARED_STRINGS = "xl/sharedStrings.xml"
_SST_HEAD = re.compile(rb'<sst [^>]*?(?P<counts>count="(?P<count>[0-9]+)" uniqueCount="(?P<unique>[0-9]+)")')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# rows are encoded and handed to zlib in batches: the national «Точки контакта» is 29 MB of XML
_ROWS_PER_WRITE = 2000
# zlib's level for the lists' rows. At the default (6) zlib, not the rows, set the pace: the national
# summary's lists took 0.92 s to write; at 4 they take 0.71 s and the file is 6.4 MB instead of 5.7 MB
# (levels 1-3 save little more time for a bigger file: 0.65 s and 7.5 MB at 1). Measured 27.11.2026.
LIST_COMPRESS_LEVEL = 4


def excel_serial(day: dt.date) -> float:
    """A date as Excel's serial number (1900 system, with its 29 February 1900), as XlsxWriter counts it."""
    serial = float(day.toordinal() - _EXCEL_EPOCH)
    return serial + 1 if serial > 59 else serial


def string_item(value: str) -> str:
    """The <t> of a shared string, escaped as XlsxWriter escapes it; `value` is already xml_text-clean."""
    if len(value) > CELL_TEXT_MAX // 2 and len(value.encode("utf-16-le", "surrogatepass")) // 2 > CELL_TEXT_MAX:
        # Excel's limit counts UTF-16 units: a text of emoji is cut sooner than its length says
        value = value.encode("utf-16-le", "surrogatepass")[: 2 * CELL_TEXT_MAX].decode("utf-16-le", "ignore")
    if "_x" in value:
        value = _ESCAPE_LIKE.sub(r"_x005F\1", value)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)
    if _XML_SPECIAL.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    space = ' xml:space="preserve"' if EDGE_SPACE.search(value) else ""
    return f"<t{space}>{value}</t>"


class Column(NamedTuple):
    """How one column of a list becomes cells."""

    position: int
    key: str
    # makes the cell of a value that is not None, given its whole row (None: no cell)
    make: Callable[[Any, dict[str, Any]], Cell | None]
    # the other field of the row `make` reads, if any («мало данных» depends on the sample's size)
    depends: str | None = None


@dataclass
class RowBlock:
    """Rows of one list in a sheet: an optional title, the header, then one row per item."""

    first_row: int  # 0-based
    title: Cell | None
    header: list[Cell]
    header_height: float | None
    plan: list[Column]
    rows: Sequence[dict[str, Any]]
    # written under the header when there are no rows
    empty: Cell | None

    @property
    def header_row(self) -> int:
        return self.first_row + (self.title is not None)

    @property
    def last_row(self) -> int:
        return self.header_row + (len(self.rows) or (self.empty is not None))

    def head(self) -> Iterator[tuple[int, float | None, list[tuple[int, Cell]]]]:
        """The title and header rows (and «нет данных» under a header without rows)."""
        if self.title is not None:
            yield self.first_row, None, [(0, self.title)]
        yield self.header_row, self.header_height, list(enumerate(self.header))
        if not self.rows and self.empty is not None:
            yield self.header_row + 1, None, [(0, self.empty)]

    def cells(self) -> Iterator[tuple[int, float | None, list[tuple[int, Cell]]]]:
        """(0-based row, height, [(column, cell), ...]) for every row that has a cell."""
        yield from self.head()
        r = self.header_row
        for row in self.rows:
            r += 1
            get = row.get
            line = []
            for c, key, make, _depends in self.plan:
                value = get(key)
                if value is not None:
                    cell = make(value, row)
                    if cell is not None:
                        line.append((c, cell))
            if line:
                yield r, None, line


class SheetXml:
    """Renders blocks of rows as <row> elements once the workbook's styles have their indices; their text
    goes to the shared strings, after the strings XlsxWriter wrote."""

    def __init__(self, first_shared: int) -> None:
        self._styles: dict[Format | None, str] = {None: ""}
        self._shared: dict[str, int] = {}
        self._first_shared = first_shared
        # <si> elements of the strings the rows added, and how many cells refer to a shared string
        self.shared_items: list[str] = []
        self.references = 0

    def _style(self, fmt: Format | None) -> str:
        found = self._styles.get(fmt)
        if found is None:
            assert fmt is not None
            if fmt.xf_index is None:
                # XlsxWriter numbers a format when it writes a cell with it (the scratch row does that)
                raise ValueError("a summary cell format has no style index: not written on the scratch row")
            found = self._styles[fmt] = f' s="{fmt.xf_index}"'
        return found

    def _tail(self, cell: Cell) -> tuple[str, int]:
        """A cell's XML after its reference, and 1 when it refers to a shared string."""
        kind, value, fmt = cell
        if kind == "s":
            index = self._shared.get(value)
            if index is None:
                index = self._shared[value] = self._first_shared + len(self.shared_items)
                self.shared_items.append(f"<si>{string_item(xml_text(value))}</si>")
            return f'{self._style(fmt)} t="s"><v>{index}</v></c>', 1
        return f"{self._style(fmt)}><v>{value:.16G}</v></c>", 0

    def rows(self, blocks: Sequence[RowBlock]) -> Iterator[str]:
        """The <row> elements of all blocks, in order; the blocks must not overlap."""
        letters = [xl_col_to_name(c) for c in range(max(len(block.header) for block in blocks))]
        for block in sorted(blocks, key=lambda b: b.first_row):
            for r, height, line in block.head():
                number = str(r + 1)
                cells = []
                for c, cell in line:
                    tail, shared = self._tail(cell)
                    self.references += shared
                    cells.append(f'<c r="{letters[c]}{number}"{tail}')
                start = f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">'
                yield start + "".join(cells) + "</row>"
            yield from self._data_rows(block, letters)

    def _data_rows(self, block: RowBlock, letters: list[str]) -> Iterator[str]:
        # a list repeats its values (regions, centres, touchpoints, «да»): each column remembers the XML
        # of every value it has met; the key carries the type, as 1, 1.0 and True are equal keys
        memos: list[dict[tuple[Any, ...], tuple[str, int]]] = [{} for _ in block.plan]
        columns = [(letters[c], key, make, depends, memo)
                   for (c, key, make, depends), memo in zip(block.plan, memos, strict=True)]
        references = 0
        r = block.header_row
        for row in block.rows:
            r += 1
            number = str(r + 1)
            get = row.get
            cells = []
            for letter, key, make, depends, memo in columns:
                value = get(key)
                if value is None:
                    continue
                seen = (type(value), value, get(depends)) if depends else (type(value), value)
                try:
                    found, keep = memo.get(seen), True
                except TypeError:  # a value that cannot be a key (a list) is made every time
                    found, keep = None, False
                if found is None:
                    cell = make(value, row)
                    found = ("", 0) if cell is None else self._tail(cell)
                    if keep:
                        memo[seen] = found
                if found[0]:
                    references += found[1]
                    cells.append(f'<c r="{letter}{number}"{found[0]}')
            if cells:
                yield f'<row r="{number}">' + "".join(cells) + "</row>"
        self.references += references

    @staticmethod
    def dimension(blocks: Sequence[RowBlock]) -> str:
        """The used range, known before the rows are made (the <dimension> comes first in the part)."""
        last_col = max(len(block.header) for block in blocks) - 1
        last_row = max(block.last_row for block in blocks)
        return f"A1:{xl_col_to_name(last_col)}{last_row + 1}"


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the package ("xl/worksheets/sheet3.xml"), read from the workbook itself."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PACKAGE_REL_NS}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        target = targets[sheet.get(f"{_REL_NS}id")]
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def _with_shared_strings(data: bytes, renderer: SheetXml) -> bytes:
    """XlsxWriter's sharedStrings.xml with the rows' strings after its own, and the counts to match."""
    head = _SST_HEAD.search(data)
    assert head is not None
    count = int(head["count"]) + renderer.references
    unique = int(head["unique"]) + len(renderer.shared_items)
    counts = f'count="{count}" uniqueCount="{unique}"'.encode()
    end = data.rindex(b"</sst>")
    items = "".join(renderer.shared_items).encode("utf-8")
    return data[: head.start("counts")] + counts + data[head.end("counts"): end] + items + data[end:]


class _BackgroundWriter:
    """Hands chunks, in order, to `write` in another thread: zlib compresses (and computes the CRC) with
    the interpreter lock released, so the rows of the next batch are made meanwhile on the other core
    (the workers that checked the files are idle by now). A third of the national summary's writing."""

    _IN_FLIGHT = 4

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cxexcel-zip")
        self._pending: deque[Future[object]] = deque()
        self._failed = False

    def _guarded(self, chunk: bytes) -> None:
        # after a failed write (a full disk) the chunks already queued are dropped, not written
        if self._failed:
            return
        try:
            self._write(chunk)
        except BaseException:
            self._failed = True
            raise

    def __enter__(self) -> Callable[[bytes], None]:
        return self.submit

    def submit(self, chunk: bytes) -> None:
        # a bounded queue: rows are not made faster than they are compressed and held in memory
        while len(self._pending) >= self._IN_FLIGHT:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(self._guarded, chunk))

    def __exit__(self, *exc: object) -> None:
        try:
            while self._pending:
                self._pending.popleft().result()  # an error of the write is raised here
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _set_compress_level(info: zipfile.ZipInfo, level: int) -> None:
    # `ZipFile.open(info, "w")` takes the level from the ZipInfo only: public as `compress_level` from
    # Python 3.13, the same slot under its old name before
    setattr(info, "compress_level" if sys.version_info >= (3, 13) else "_compresslevel", level)


def splice_rows(package: bytes, output: Path, sheets: dict[str, list[RowBlock]]) -> None:
    """Copy the package XlsxWriter wrote in memory to `output`, giving each named sheet its rows.

    XlsxWriter must have written nothing in those sheets but the scratch row (SCRATCH_ROW).
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source, \
            zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as target:
        by_part = {sheet_parts(source)[name]: blocks for name, blocks in sheets.items()}
        names = source.namelist()
        if _SHARED_STRINGS not in names or any(names.index(part) > names.index(_SHARED_STRINGS) for part in by_part):
            raise ValueError("XlsxWriter wrote no shared strings, or wrote them before the sheets")
        head_match = _SST_HEAD.search(source.read(_SHARED_STRINGS))
        if head_match is None:
            raise ValueError("the shared strings XlsxWriter wrote have no counts")
        renderer = SheetXml(first_shared=int(head_match["unique"]))
        for info in source.infolist():
            data = source.read(info)
            blocks = by_part.get(info.filename)
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.external_attr = info.external_attr
            if info.filename == _SHARED_STRINGS:
                target.writestr(copy, _with_shared_strings(data, renderer))
                continue
            if blocks is None:
                target.writestr(copy, data)
                continue
            _set_compress_level(copy, LIST_COMPRESS_LEVEL)
            found = list(_SCRATCH_SHEET_DATA.finditer(data))
            if len(found) != 1:
                raise ValueError(f"{info.filename}: XlsxWriter wrote cells into a sheet whose rows are ours")
            head, tail = data[: found[0].start()], data[found[0].end():]
            head = _DIMENSION.sub(f'<dimension ref="{renderer.dimension(blocks)}"/>'.encode(), head, count=1)
            with target.open(copy, "w") as out, _BackgroundWriter(out.write) as write:
                write(head + b"<sheetData>")
                batch: list[str] = []
                for row in renderer.rows(blocks):
                    batch.append(row)
                    if len(batch) >= _ROWS_PER_WRITE:
                        write("".join(batch).encode("utf-8"))
                        batch.clear()
                write("".join(batch).encode("utf-8") + b"</sheetData>" + tail)
