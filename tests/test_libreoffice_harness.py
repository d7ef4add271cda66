"""Tests of the LibreOffice harness in tests/libreoffice.py."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from libreoffice import (
    Formula,
    LibreOffice,
    LibreOfficeLoadError,
    LibreOfficeTimeout,
    _encode,
    check_package,
    libreoffice_available,
    unavailable_reason,
)
from python_calamine import CalamineWorkbook

pytest_plugins = ["libreoffice"]

MEASURES = "Замеры"
TOTALS = "Итоги «Q1»"
ROWS = 500


def _rows(n: int) -> list[tuple[dt.date, float, str, None]]:
    # date, number, text; column D (a formula column in the template) is left alone with None
    start = dt.date(2024, 1, 1)
    return [(start + dt.timedelta(days=i), i * 1.5, f"запись №{i}", None) for i in range(n)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lo") / "Папка с отчётами"
    path.mkdir()
    return path


@pytest.fixture(scope="module")
def template(folder: Path) -> Path:
    path = folder / "шаблон замеров.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(MEASURES)
    ws.write_row(0, 0, ["Дата", "Значение", "Комментарий", "Удвоено", "", "Сумма"])
    ws.write_comment("A1", "Дата замера")
    ws.set_column("A:A", 12, wb.add_format({"num_format": "dd.mm.yyyy"}))
    for r in range(1, ROWS + 1):
        ws.write_formula(r, 3, f'=IF(B{r + 1}="","",B{r + 1}*2)')
    ws.write_formula("G1", "=SUM(B2:B100)")
    ws.data_validation("C2:C600", {"validate": "length", "criteria": "<=", "value": 200})
    totals = wb.add_worksheet(TOTALS)
    totals.write("A1", "Сумма × 2")
    totals.write_formula("B1", f"='{MEASURES}'!G1*2")
    wb.close()
    return path


def test_available_agrees_with_reason() -> None:
    assert libreoffice_available() is (unavailable_reason() is None)


def test_values_are_encoded_or_refused() -> None:
    assert _encode(Formula("=1+1")) == {"$f": "=1+1"}
    assert _encode("=1+1") == "=1+1"
    assert _encode(dt.date(2024, 2, 29)) == {"$d": "2024-02-29"}
    assert _encode(dt.datetime(2024, 2, 29, 13, 5)) == {"$dt": "2024-02-29T13:05:00"}
    with pytest.raises(ValueError, match="time zones"):
        _encode(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(TypeError):
        _encode(b"bytes")  # type: ignore[arg-type]


def test_fill_rows_recalc_and_resave(lo: LibreOffice, template: Path, folder: Path) -> None:
    rows = _rows(ROWS)
    filled = folder / "заполнено.xlsx"
    t0 = time.monotonic()
    assert lo.fill_rows(template, filled, MEASURES, 2, rows) == filled
    elapsed = time.monotonic() - t0
    assert elapsed < 20, f"{ROWS} rows took {elapsed:.1f} s"

    expected = sum(r[1] for r in rows[:99])  # =SUM(B2:B100)
    assert lo.recalc_read(filled, MEASURES, "G1") == [[pytest.approx(expected)]]
    assert lo.recalc_read(filled, TOTALS, "B1") == [[pytest.approx(2 * expected)]]
    top = lo.recalc_read(filled, MEASURES, "A2:D3")
    assert top[0][1:] == [0.0, "запись №0", 0.0]  # D kept its formula: =B2*2
    assert top[1][1:] == [1.5, "запись №1", 3.0]
    assert top[0][0] == (dt.date(2024, 1, 1) - dt.date(1899, 12, 30)).days  # dates read as serials

    resaved = lo.resave(filled, folder / "пересохранено.xlsx")
    assert lo.check_opens(resaved).sheets == [MEASURES, TOTALS]
    book = CalamineWorkbook.from_path(str(resaved))
    assert book.sheet_names == [MEASURES, TOTALS]
    data = book.get_sheet_by_name(MEASURES).to_python()
    assert data[0][:4] == ["Дата", "Значение", "Комментарий", "Удвоено"]
    assert data[0][6] == pytest.approx(expected)  # the cached result LibreOffice computed
    for i in (0, 1, ROWS - 1):
        date, value, text, doubled = data[i + 1][:4]
        assert date == rows[i][0] and type(date) is dt.date
        assert value == rows[i][1]
        assert text == rows[i][2]
        assert doubled == 2 * rows[i][1]
    assert book.get_sheet_by_name(TOTALS).to_python()[0][1] == pytest.approx(2 * expected)


def test_fill_cells_of_every_type(lo: LibreOffice, template: Path, folder: Path) -> None:
    first = lo.fill_rows(template, folder / "шаг1.xlsx", MEASURES, 2, _rows(3))
    out = lo.fill(
        first,
        folder / "шаг2.xlsx",
        [
            (MEASURES, "A2", None),  # clears
            (MEASURES, "B2", 10),
            (MEASURES, "C2", "=не формула"),  # plain str stays text
            (MEASURES, "C3", Formula('=B3&" шт."')),
            (MEASURES, "A5", dt.date(2024, 3, 8)),  # column A already has dd.mm.yyyy
            (MEASURES, "H2", dt.date(2024, 3, 8)),  # a General cell gets a date format
            (MEASURES, "H3", dt.datetime(2024, 3, 8, 9, 30)),
            (MEASURES, "H4", dt.time(17, 45)),
            (TOTALS, "A2", "Проверено"),
        ],
    )
    assert lo.recalc_read(out, MEASURES, "A2:C3") == [[None, 10.0, "=не формула"], [45293.0, 1.5, "1.5 шт."]]
    assert lo.recalc_read(out, MEASURES, "G1") == [[pytest.approx(10 + 1.5 + 3.0)]]
    assert lo.recalc_read(out, MEASURES, "C3", formulas=True) == [['=B3&" шт."']]

    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(MEASURES).to_python()
    assert sheet[1][0] == ""
    assert sheet[4][0] == dt.date(2024, 3, 8)
    assert [sheet[r][7] for r in (1, 2, 3)] == [
        dt.date(2024, 3, 8),
        dt.datetime(2024, 3, 8, 9, 30),
        dt.time(17, 45),
    ]
    ws = openpyxl.load_workbook(out)[MEASURES]
    assert "dd" in ws["A5"].number_format.lower() and ws["A5"].number_format.lower().index("dd") == 0
    assert ws["H2"].is_date
    assert CalamineWorkbook.from_path(str(out)).get_sheet_by_name(TOTALS).to_python()[1][0] == "Проверено"


def test_recalc_read_reports_blanks_errors_and_formulas(lo: LibreOffice, folder: Path) -> None:
    path = folder / "ошибки.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Лист 1")
    ws.write_formula("A1", "=1/0")
    ws.write_formula("B1", '=""')
    ws.write("D1", "текст")
    ws.write_formula("E1", "=LEN(D1)")
    wb.close()
    assert lo.recalc_read(path, "Лист 1", "A1:E1") == [["#DIV/0!", "", None, "текст", 5.0]]
    assert lo.recalc_read(path, "Лист 1", "A1:B1", formulas=True) == [["=1/0", '=""']]
    assert lo.read(path, [("Лист 1", "E1"), ("Лист 1", "D1")]) == [[[5.0]], [["текст"]]]
    assert lo.recalc_read(path, "Лист 1", "E:E") == [[5.0]]  # whole columns stop at the used area


def test_sheet_names_and_convert(lo: LibreOffice, template: Path, folder: Path) -> None:
    assert lo.sheet_names(template) == [MEASURES, TOTALS]
    ods = lo.convert(template, "ods")
    assert ods == template.with_suffix(".ods")
    assert lo.sheet_names(ods) == [MEASURES, TOTALS]
    pdf = lo.convert(template, "pdf", folder / "печать.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_errors_are_clear(lo: LibreOffice, template: Path, folder: Path) -> None:
    with pytest.raises(FileNotFoundError):
        lo.sheet_names(folder / "нет такого.xlsx")
    with pytest.raises(ValueError, match="no sheet 'Нет'"):
        lo.fill(template, folder / "x.xlsx", [("Нет", "A1", 1)])
    with pytest.raises(ValueError, match="bad cell reference"):
        lo.recalc_read(template, MEASURES, "A0:ZZZZZ")


def test_damaged_files_do_not_open_cleanly(lo: LibreOffice, template: Path, folder: Path) -> None:
    truncated = folder / "обрезан.xlsx"
    truncated.write_bytes(template.read_bytes()[:-300])
    with pytest.raises(LibreOfficeLoadError, match="not a zip"):
        lo.check_opens(truncated)
    with pytest.raises(LibreOfficeLoadError, match="repair"):  # LibreOffice's own verdict
        lo.check_opens(truncated, package=False)

    # half a sheet: LibreOffice shrugs, Excel would offer a repair; the package check catches it
    broken = folder / "битый лист.xlsx"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(broken, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(
                item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data
            )
    with pytest.raises(LibreOfficeLoadError, match=r"sheet1\.xml: not well-formed"):
        check_package(broken)

    empty = folder / "пустой.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(LibreOfficeLoadError, match="empty file"):
        lo.check_opens(empty)


def test_restarts_after_soffice_dies(lo: LibreOffice, template: Path) -> None:
    pid, restarts = lo.soffice_pid, lo.restarts
    assert pid is not None
    os.killpg(pid, signal.SIGKILL)
    assert lo.sheet_names(template) == [MEASURES, TOTALS]
    assert lo.restarts == restarts + 1
    assert lo.soffice_pid not in (None, pid)


@pytest.mark.libreoffice
def test_hung_operation_times_out_and_recovers(template: Path, folder: Path) -> None:
    rows = [(i, f"строка {i}", i / 7) for i in range(200_000)]
    with LibreOffice(op_timeout=0.5) as office:
        with pytest.raises(LibreOfficeTimeout, match="took longer"):
            office.fill_rows(template, folder / "долго.xlsx", MEASURES, 2, rows)
        assert office.soffice_pid is None
        assert office.sheet_names(template) == [MEASURES, TOTALS]
        assert office.restarts == 1
    assert office.soffice_pid is None


@pytest.mark.parametrize(("ci", "outcome"), [("", "1 skipped"), ("true", "1 error")])
def test_missing_libreoffice_skips_or_fails_under_ci(tmp_path: Path, ci: str, outcome: str) -> None:
    (tmp_path / "test_needs_lo.py").write_text(
        textwrap.dedent(
            """
            pytest_plugins = ["libreoffice"]

            def test_uses_fixture(lo):
                pass
            """
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "CXEXCEL_SOFFICE": str(tmp_path / "no-soffice"),
        "CI": ci,
        "PYTHONPATH": str(Path(__file__).parent),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rsf", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert outcome in out, out
    assert "CXEXCEL_SOFFICE" in out, out
    if ci:
        assert proc.returncode == 1 and "must not be skipped" in out, out
