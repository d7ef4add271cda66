"""The summary's list rows written as XML of our own (consolidate/sheetxml.py): the same cells, styles
and escapes XlsxWriter gives, a consistent package, and a user's text kept literal everywhere."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import python_calamine as pc
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from cxexcel.consolidate.figures import Summary
from cxexcel.consolidate.sheetxml import (
    LIST_COMPRESS_LEVEL,
    SCRATCH_ROW,
    Column,
    RowBlock,
    SheetXml,
    excel_serial,
    splice_rows,
)
from cxexcel.consolidate.workbook import write_summary_xlsx
from cxexcel.fileio import xml_text
from tests.samples import CZN, REGION

AS_OF = dt.date(2021, 10, 15)
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# texts a region may type that an XML writer could get wrong
HOSTILE_TEXTS = [
    "<r><t>x</t></r>",  # XlsxWriter writes a string of this shape unescaped, as rich text
    "<r></t></si><si><t>evil</t></si><si><t></r>",  # ...which would break the file
    "=HYPERLINK(\"http://example.com\")",
    "+cmd|' /C calc'!A0",
    "_x000D_ и _x0041_",
    "строка\rвторая",
    "  пробелы по краям  ",
    "&amp; <b>жирный</b> \"кавычки\" 'апостроф'",
    "табуляция\tи\nперевод строки",
    "\x01управляющий\x1f",
    "😀" * 20_000,  # over Excel's 32,767 UTF-16 units
    "я" * 40_000,
]


def _reference_read(texts: list[str]) -> list[Any]:
    """What a text reads back as when XlsxWriter itself writes it (the behaviour the splice keeps)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet()
    for r, text in enumerate(texts):
        sheet.write_string(r, 0, xml_text(text))
    book.close()
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    return [row[0] for row in rows]


def _summary_with_texts(texts: list[str], level: str = "federal") -> Summary:
    summary = Summary(AS_OF, level, "test")
    summary.regions.append({"region": REGION, "czn": texts[0] if level == "region" else None, "files": {},
                            "answers": 3})
    for n, text in enumerate(texts):
        summary.tools.append({"region": REGION, "czn": CZN, "tool": text, "launch_date": "2021-09-10",
                              "before": n + 0.5, "before_n": n, "effect_confirmed": n % 2 == 0})
    return summary


def test_user_text_reads_back_as_xlsxwriter_would_write_it_and_never_as_markup(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    write_summary_xlsx(_summary_with_texts(HOSTILE_TEXTS), path)
    tools = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Инструменты").to_python()
    got = [row[2] for row in tools[1:]]
    # XlsxWriter's own path cannot hold the first two texts (it writes them as markup): the reference
    # for those is the text itself
    reference = [None, None, *_reference_read(HOSTILE_TEXTS[2:])]
    assert got == [text if read is None else read for text, read in zip(HOSTILE_TEXTS, reference, strict=True)]
    assert got[0] == "<r><t>x</t></r>" and got[1].endswith("</r>") and got[2].startswith("=HYPERLINK")
    assert got[6] == "  пробелы по краям  " and got[8] == "табуляция\tи\nперевод строки"
    assert len(got[11]) == 32_767
    # openpyxl, another reader, sees the same texts (it leaves Excel's _xHHHH_ escapes undecoded)
    sheet = openpyxl.load_workbook(path)["Инструменты"]
    plain = [0, 1, 2, 3, 6, 7, 8, 11]
    assert [sheet.cell(2 + n, 3).value for n in plain] == [got[n] for n in plain]


def test_user_text_in_sheets_xlsxwriter_writes_is_literal_too(tmp_path: Path) -> None:
    """«Свод» and «Мониторинг» stay with XlsxWriter (charts read «Свод»); a centre typed as "<r>…</r>"
    must not become markup there either."""
    path = tmp_path / "s.xlsx"
    summary = _summary_with_texts(["<r></t></si><si><t>evil</t></si><si><t></r>", "<r> x </r>"], level="region")
    summary.monitoring.append({"region": "<r>a & b</r>", "item": "<r>1.1</r>", "deadline": None,
                               "status": "<r>в работе</r>", "overdue": False})
    write_summary_xlsx(summary, path)
    book = pc.CalamineWorkbook.from_path(str(path))
    svod = book.get_sheet_by_name("Свод").to_python()
    assert svod[2][1] == "<r></t></si><si><t>evil</t></si><si><t></r>"
    monitoring = book.get_sheet_by_name("Мониторинг").to_python()
    assert monitoring[1][1] == "<r>1.1</r>" and monitoring[3][:2] == ["<r>a & b</r>", "<r>в работе</r>"]


def test_package_is_consistent(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    summary = _summary_with_texts(["а", "б", "а", "в"])
    summary.decisions.append({"region": REGION, "czn": CZN, "no": 1, "problem": "а"})
    write_summary_xlsx(summary, path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist() if name.endswith((".xml", ".rels"))}
    trees = {name: ElementTree.fromstring(data) for name, data in parts.items()}  # every part parses
    shared = trees["xl/sharedStrings.xml"]
    items = shared.findall(f"{MAIN}si")
    assert int(shared.get("uniqueCount", "")) == len(items)
    references = 0
    for name, tree in trees.items():
        if not name.startswith("xl/worksheets/sheet"):
            continue
        assert b"<f>" not in parts[name]  # never a formula
        rows = [int(row.get("r", "")) for row in tree.iter(f"{MAIN}row")]
        assert rows == sorted(set(rows)), name
        assert SCRATCH_ROW + 1 not in rows  # the scratch row is gone
        cells = list(tree.iter(f"{MAIN}c"))
        references += sum(c.get("t") == "s" for c in cells)
        for c in cells:
            if c.get("t") == "s":
                assert 0 <= int(c.findtext(f"{MAIN}v", "")) < len(items)
        if cells:
            ref = tree.find(f"{MAIN}dimension").get("ref")  # type: ignore[union-attr]
            last = re.fullmatch(r"A1:([A-Z]+)([0-9]+)", ref or "")
            assert last is not None, (name, ref)
            assert int(last[2]) == max(rows), name
            columns = {re.match(r"[A-Z]+", c.get("r", ""))[0] for c in cells}  # type: ignore[index]
            assert max(columns, key=lambda col: (len(col), col)) == last[1], name
    assert int(shared.get("count", "")) == references


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    summary = _summary_with_texts(HOSTILE_TEXTS[:6])
    write_summary_xlsx(summary, tmp_path / "a.xlsx")
    write_summary_xlsx(summary, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_the_lists_rows_are_deflated_at_their_own_level(tmp_path: Path) -> None:
    summary = _summary_with_texts([f"инструмент {n % 50}" for n in range(3000)])
    path = tmp_path / "s.xlsx"
    write_summary_xlsx(summary, path)

    def deflated(data: bytes, level: int) -> int:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        return len(compressor.compress(data) + compressor.flush())

    with zipfile.ZipFile(path) as package:
        spliced = [info for info in package.infolist() if info.filename.startswith("xl/worksheets/")
                   and info.file_size > 100_000]
        assert spliced  # the tools list, 3,000 rows
        for info in spliced:
            data = package.read(info)
            assert info.compress_size == deflated(data, LIST_COMPRESS_LEVEL)
            assert info.compress_size != deflated(data, zlib.Z_DEFAULT_COMPRESSION)  # the level is told apart


def test_cells_carry_the_styles_of_their_columns(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    summary = _summary_with_texts(["а"])
    summary.touchpoints.append({"region": REGION, "czn": CZN, "code": "ТК-01", "metric": "CSAT", "value": 80.0,
                                "n": 12, "small_sample": True})
    write_summary_xlsx(summary, path)
    book = openpyxl.load_workbook(path)
    tools = book["Инструменты"]
    header = tools["A1"]
    assert header.font.b and header.fill.fgColor.rgb.endswith("DDEBF7") and header.alignment.wrap_text
    assert tools.row_dimensions[1].height == 45
    assert tools.freeze_panes == "B2" and tools.auto_filter.ref == "A1:Q2"
    cells = {tools.cell(1, c).value: tools.cell(2, c) for c in range(1, tools.max_column + 1)}
    assert cells["Дата запуска"].value == dt.datetime(2021, 9, 10)
    assert cells["Дата запуска"].number_format == "dd.mm.yyyy"
    assert cells["До запуска (по замерам)"].value == 0.5 and cells["До запуска (по замерам)"].number_format == "0.0#"
    assert cells["n до"].value == 0 and cells["n до"].number_format == "0"
    assert cells["Эффект подтвержден"].value == "да" and cells["Инструмент"].alignment.vertical == "top"
    touchpoints = book["Точки контакта"]
    assert touchpoints["A1"].font.b and touchpoints["A1"].font.sz == 13
    small = [c for row in touchpoints.iter_rows(min_row=3, max_row=3) for c in row
             if isinstance(c.value, str) and c.value.startswith("мало данных")]
    assert small and all(c.font.i for c in small)
    empty = book["Совещания"]
    assert empty["A2"].value == "нет данных" and empty["A2"].font.i


def test_rows_render_as_expected_xml() -> None:
    """The exact XML of a small block, as a golden text: the cell shapes XlsxWriter writes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold, number = book.add_format({"bold": True}), book.add_format({"num_format": "0"})
    sheet = book.add_worksheet("Лист")
    sheet.write_blank(SCRATCH_ROW, 0, None, bold)
    sheet.write_blank(SCRATCH_ROW, 1, None, number)
    book.close()
    block = RowBlock(first_row=0, title=("s", "Заголовок", bold), header=[("s", "А", bold), ("s", "Б", bold)],
                     header_height=45,
                     plan=[Column(0, "a", lambda v, row: ("s", v, None)),
                           Column(1, "b", lambda v, row: ("n", v, number))],
                     rows=[{"a": "x", "b": 1.5}, {"a": None, "b": None}, {"b": 3}], empty=None)
    rendered = "".join(SheetXml(first_shared=10).rows([block]))
    assert rendered == (
        '<row r="1"><c r="A1" s="1" t="s"><v>10</v></c></row>'
        '<row r="2" ht="45" customHeight="1"><c r="A2" s="1" t="s"><v>11</v></c>'
        '<c r="B2" s="1" t="s"><v>12</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>13</v></c><c r="B3" s="2"><v>1.5</v></c></row>'
        '<row r="5"><c r="B5" s="2"><v>3</v></c></row>')


def test_a_sheet_xlsxwriter_wrote_cells_into_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Лист")
    sheet.write_string(0, 0, "уже есть")
    book.close()
    block = RowBlock(0, None, [("s", "А", None)], None, [], [], None)
    with pytest.raises(ValueError, match="wrote cells"):
        splice_rows(buffer.getvalue(), tmp_path / "x.xlsx", {"Лист": [block]})


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1899, 12, 31), max_value=dt.date(9999, 12, 31)))
def test_dates_are_numbered_as_xlsxwriter_numbers_them(day: dt.date) -> None:
    from xlsxwriter.utility import _datetime_to_excel_datetime  # the reference, in a test only

    assert excel_serial(day) == _datetime_to_excel_datetime(day, False, False)


def test_background_writer_keeps_order_and_raises_the_writes_error() -> None:
    from cxexcel.consolidate.sheetxml import _BackgroundWriter

    written: list[bytes] = []
    with _BackgroundWriter(written.append) as write:
        for n in range(50):
            write(str(n).encode())
    assert written == [str(n).encode() for n in range(50)]

    def full_disk(chunk: bytes) -> None:
        if chunk == b"3":
            raise OSError(28, "No space left on device")
        written.append(chunk)

    written.clear()
    with pytest.raises(OSError, match="No space"), _BackgroundWriter(full_disk) as write:
        for n in range(50):
            write(str(n).encode())
    assert written == [b"0", b"1", b"2"]  # nothing after the failed write


def test_templates_keep_rich_text_shaped_values_literal(tmp_path: Path) -> None:
    """The same XlsxWriter trap in the workbooks cxexcel writes: a filled value (demo, tests) shaped
    "<r>…</r>" stays that text, and the workbook still validates cell by cell."""
    from cxexcel.template import build_workbook
    from cxexcel.validate import validate
    from tests.samples import sample_data

    data = sample_data("journey")
    data["Путь клиента"][0]["thoughts"] = "<r></t></si><si><t>злой</t></si><si><t></r>"
    path = build_workbook("journey", tmp_path / "Путь клиента.xlsx", data=data)
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Путь клиента").to_python()
    assert "<r></t></si><si><t>злой</t></si><si><t></r>" in rows[1]
    report = validate([path]).files[0]
    assert report.readable and report.kind == "journey"


def test_values_of_any_type_are_written(tmp_path: Path) -> None:
    """A list value (unhashable) or a NaN in a row is written as the cell makers say, like any other."""
    path = tmp_path / "s.xlsx"
    summary = _summary_with_texts(["а", "б"])
    summary.tools[0]["conclusion"] = ["вывод", 1]
    summary.tools[1]["conclusion"] = ["вывод", 1]
    summary.tools[0]["before"] = float("nan")
    summary.tools[1]["before"] = float("nan")
    write_summary_xlsx(summary, path)
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Инструменты").to_python()
    conclusion, before = rows[0].index("Вывод региона"), rows[0].index("До запуска (по замерам)")
    assert [r[conclusion] for r in rows[1:]] == ["['вывод', 1]"] * 2
    assert [r[before] for r in rows[1:]] == ["nan"] * 2
