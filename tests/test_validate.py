"""Validation: clean files pass, each mistake is reported with its code at its cell."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc
from click.testing import CliRunner

from cxexcel.cli import cli
from cxexcel.consolidate.answers import digest_answers
from cxexcel.forms import KINDS, Column, ColumnType, catalog
from cxexcel.forms.kinds import MEASUREMENTS
from cxexcel.issues import Code, Severity
from cxexcel.programme import default_programme
from cxexcel.read import FormulaProblem, ValuesSource, read_values
from cxexcel.template import build_workbook
from cxexcel.validate import check_files, check_values, validate
from cxexcel.validate.cells import CellChecker, CellPlace, column_choices
from tests.samples import REPORT_DATE, sample_data, write_sample


def codes_at(report, code: Code) -> list[tuple[str | None, str | None]]:
    return [(i.sheet, i.cell) for f in report.files for i in f.issues if i.code is code]


def errors(report) -> list[str]:
    return [f"{i.code} {i.location} {i.message}" for f in report.files for i in f.issues
            if i.severity is Severity.ERROR]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_clean_sample_has_no_errors(tmp_path: Path, kind: str) -> None:
    path = write_sample(kind, tmp_path / f"{kind}.xlsx")
    report = validate([path])
    assert errors(report) == []
    assert report.files[0].kind == kind


def test_measurement_mistakes_are_reported_at_their_cells(tmp_path: Path) -> None:
    data = sample_data("measurements")
    rows = data["Замеры"]
    rows[0]["value"] = 6                      # off the CSAT scale -> F2
    rows[1]["value"] = "4,5"                  # number as text, then off scale (not an integer) -> F3
    rows[2]["date"] = "1 сентября 2021 г."    # date as text -> A4
    rows[3]["channel"] = "Teлефон"            # Latin "T" and "e" -> C5 corrected
    rows[4]["channel"] = "Почта России"       # not in the list -> C6
    rows[5]["metric"] = None                  # required -> E7
    rows[6]["date"] = "31.02.2021"            # not a date -> A8
    rows[7]["date"] = dt.date(2021, 3, 1)     # before the pilot -> A9 warning
    path = tmp_path / "m.xlsx"
    build_workbook("measurements", path, data=data)
    report = validate([path])
    assert ("Замеры", "F2") in codes_at(report, Code.VALUE_OFF_SCALE)
    assert ("Замеры", "F3") in codes_at(report, Code.NUMBER_AS_TEXT)
    assert ("Замеры", "F3") in codes_at(report, Code.VALUE_OFF_SCALE)
    assert ("Замеры", "A4") in codes_at(report, Code.DATE_AS_TEXT)
    assert ("Замеры", "C5") in codes_at(report, Code.CHOICE_CORRECTED)
    assert ("Замеры", "C6") in codes_at(report, Code.CHOICE)
    assert ("Замеры", "E7") in codes_at(report, Code.REQUIRED)
    assert ("Замеры", "A8") in codes_at(report, Code.TYPE_DATE)
    assert ("Замеры", "A9") in codes_at(report, Code.DATE_OUT_OF_PILOT)
    corrected = next(i for i in report.files[0].issues if i.code is Code.CHOICE_CORRECTED)
    assert "«Телефон»" in corrected.message and "C5" in corrected.message and "Канал" in corrected.message
    # numbers are quoted as a Russian reader writes them: a decimal comma
    as_text = next(i for i in report.files[0].issues if i.code is Code.NUMBER_AS_TEXT)
    assert "прочитано как 4,5." in as_text.message
    off_scale = next(i for i in report.files[0].issues if i.code is Code.VALUE_OFF_SCALE and i.cell == "F3")
    assert off_scale.value == "4,5" and "значение 4,5 вне шкалы" in off_scale.message


def test_roadmap_rules(tmp_path: Path) -> None:
    data = sample_data("roadmap")
    roadmap = data["Дорожная карта"]
    by_code = {r["code"]: r for r in roadmap}
    by_code["1.4"]["done_date"] = None                        # done without a date
    by_code["2.1.8"].update(status=catalog.STATUS_IN_PROGRESS, done_date=None)  # deadline 08.10 passed
    by_code["2.1.11"]["planned"] = dt.date(2021, 11, 15)        # after the deadline 22.10
    by_code["2.1.3"]["done_date"] = dt.date(2021, 10, 20)       # after the report date
    roadmap.append({"code": "Р.1", "title": "Свое мероприятие", "responsible": "Я", "status": "Не начато"})
    data["Рабочая группа"][1]["role"] = catalog.ROLE_LEADER     # two leaders
    data["Совещания"] = data["Совещания"][:1] + data["Совещания"][2:]  # 20.08 -> 28.09: 39 days
    path = tmp_path / "roadmap.xlsx"
    build_workbook("roadmap", path, data=data)
    report = validate([path])
    row = {item.code: 2 + n for n, item in enumerate(default_programme().items)}
    assert ("Дорожная карта", f"H{row['1.4']}") in codes_at(report, Code.DONE_WITHOUT_DATE)
    assert ("Дорожная карта", f"G{row['2.1.8']}") in codes_at(report, Code.OVERDUE)
    assert ("Дорожная карта", f"E{row['2.1.11']}") in codes_at(report, Code.PLANNED_AFTER_DEADLINE)
    assert ("Дорожная карта", f"H{row['2.1.3']}") in codes_at(report, Code.DONE_AFTER_REPORT)
    assert codes_at(report, Code.TEAM_LEADER) == [("Рабочая группа", "D3")]
    assert ("Совещания", "A3") in codes_at(report, Code.MEETING_GAP)
    assert codes_at(report, Code.ROADMAP_ITEM_UNKNOWN) == []   # Р.1 is a region's own row


def test_deleted_programme_row_and_alias(tmp_path: Path) -> None:
    path = write_sample("roadmap", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Дорожная карта"]
    codes = {ws.cell(r, 1).value: r for r in range(2, 40)}
    ws.delete_rows(codes["2.1.6"])
    ws.cell(codes["2.1.2"], 1).value = "2.2.2"
    book.save(path)
    report = validate([path])
    assert any(i.code is Code.ROADMAP_ITEM_MISSING and "2.1.6" in i.message for i in report.files[0].issues)
    assert codes_at(report, Code.ROADMAP_ITEM_ALIAS)


def test_journey_rules(tmp_path: Path) -> None:
    data = sample_data("journey")
    data["Путь клиента"][2]["touchpoint_code"] = "тк-01"      # duplicate of ТК-01 after normalisation
    data["Путь клиента"][1]["emotion"] = 3                     # out of −2..2
    data["Карта решений"][0]["touchpoint_code"] = "ТК-99"      # unknown touchpoint
    data["Инструменты"] = []
    path = tmp_path / "j.xlsx"
    build_workbook("journey", path, data=data)
    report = validate([path])
    assert codes_at(report, Code.TOUCHPOINT_DUPLICATE) == [("Путь клиента", "D4")]
    assert ("Путь клиента", "I3") in codes_at(report, Code.OUT_OF_RANGE)
    assert codes_at(report, Code.TOUCHPOINT_UNKNOWN) == [("Карта решений", "B2")]
    assert codes_at(report, Code.NO_TOOLS) == [("Инструменты", None)]


def test_measurements_checked_against_the_journey_of_the_same_centre(tmp_path: Path) -> None:
    journey = write_sample("journey", tmp_path / "j.xlsx")
    data = sample_data("measurements")
    data["Замеры"][3]["touchpoint_code"] = "ТК-77"
    data[catalog.TITLE_SHEET]["czn"] = "ГКУ ЦЗН г. Перми"      # the same centre, spelt without quotes
    measurements = build_workbook("measurements", tmp_path / "m.xlsx", data=data)
    alone = validate([measurements])
    assert codes_at(alone, Code.TOUCHPOINT_UNKNOWN) == []
    both = validate([journey, measurements])
    assert codes_at(both, Code.TOUCHPOINT_UNKNOWN) == [("Замеры", "B5")]
    results = check_files([journey, measurements])
    bad_row = next(r for r in results[1].workbook.records("Замеры") if r.row == 5)
    assert not bad_row.ok


def test_columns_found_by_title_after_moving_and_inserting(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Замеры"]
    ws.insert_cols(1)
    ws.cell(1, 1).value = "Примечание оператора"
    ws.cell(2, 1).value = "пометка"
    ws.cell(1, 7).value = "  значение "   # «Значение*» retyped without the star, other case and spaces
    ws.cell(3, 7).value = 9
    # typed directly below the table (its stored range does not grow, as in LibreOffice)
    ws.append([None, dt.datetime(2021, 9, 3), "ТК-01", "Телефон", "Интервью", "NPS", 11])
    book.save(path)
    report = validate([path])
    assert ("Замеры", "G3") in codes_at(report, Code.VALUE_OFF_SCALE)
    assert codes_at(report, Code.COLUMN_EXTRA) == [("Замеры", "A1")]
    last = ws.max_row
    assert ("Замеры", f"G{last}") in codes_at(report, Code.VALUE_OFF_SCALE)


def test_merged_cells_blank_rows_hidden_sheet_and_1904(tmp_path: Path) -> None:
    path = write_sample("journey", tmp_path / "j.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Путь клиента"]
    ws.insert_rows(3)                       # a blank row inside the table
    ws.cell(4, 1).value = None              # «Этап» of step 2 given by a merged cell
    ws.merge_cells("A2:A4")
    book["Портрет клиента"].sheet_state = "hidden"
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    book.save(path)
    results = check_files([path])
    wb = results[0].workbook
    stages = [r.get("stage") for r in wb.records("Путь клиента")]
    assert stages == ["Обращение", "Обращение", "Прием"]
    assert not [i for i in wb.issues if i.severity is Severity.ERROR and i.code is Code.REQUIRED]
    assert any(i.code is Code.SHEET_HIDDEN for i in wb.issues)
    assert wb.report_date == REPORT_DATE


def test_formula_errors_and_uncached_formulas(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Замеры"]
    ws["F2"] = "=1/0"
    book.save(path)   # openpyxl stores formulas without a computed value
    report = validate([path])
    assert codes_at(report, Code.FORMULA_NO_VALUE) == [("Замеры", "F2")]
    # a formula error with its cached value, as Excel saves it
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet3"))
    parts[sheet] = parts[sheet].replace(b"<f>1/0</f><v></v>", b"<f>1/0</f><v>#DIV/0!</v>").replace(
        b'<c r="F2"', b'<c r="F2" t="e"', 1)
    fixed = tmp_path / "m2.xlsx"
    with zipfile.ZipFile(fixed, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    report = validate([fixed])
    assert codes_at(report, Code.FORMULA_ERROR) == [("Замеры", "F2")]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.xlsx", b"", Code.FILE_EMPTY),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, Code.FILE_XLS),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
         Code.FILE_ENCRYPTED),
        ("table.xlsx", "Дата;Значение\n01.09.2021;5\n".encode("cp1251"), Code.FILE_NOT_WORKBOOK),
        ("truncated.xlsx", b"PK\x03\x04" + b"\x14" * 100, Code.FILE_CORRUPT),
    ],
)
def test_unreadable_files_get_one_message_and_exit_2(tmp_path: Path, name: str, content: bytes, code: Code) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = validate([path])
    (issue,) = report.files[0].issues
    assert issue.code is code and issue.cell is None
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    return path


def test_ods_docx_unknown_kind_and_old_template(tmp_path: Path) -> None:
    ods = _zip(tmp_path / "a.xlsx", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                                     "content.xml": b"<x/>"})
    docx = _zip(tmp_path / "b.xlsx", {"word/document.xml": b"<x/>", "[Content_Types].xml": b"<x/>"})
    other = tmp_path / "c.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Лист1"
    book.save(other)
    old = write_sample("participants", tmp_path / "d.xlsx")
    book = openpyxl.load_workbook(old)
    book[catalog.META_SHEET]["B2"] = "0.9"
    book.save(old)
    report = validate([ods, docx, other, old])
    assert [f.issues[0].code for f in report.files] == [Code.FILE_ODS, Code.FILE_NOT_WORKBOOK,
                                                        Code.FILE_UNKNOWN_KIND, Code.FILE_OLD_TEMPLATE]


def test_wrong_kind_and_missing_meta(tmp_path: Path) -> None:
    path = write_sample("participants", tmp_path / "p.xlsx")
    report = validate([path], expected_kind="journey")
    assert report.files[0].issues[0].code is Code.FILE_WRONG_KIND
    book = openpyxl.load_workbook(path)
    del book[catalog.META_SHEET]
    book.save(path)
    report = validate([path])
    assert report.files[0].kind == "participants"
    assert codes_at(report, Code.META_MISSING) == [(None, None)]


def test_cli_exit_codes_json_and_untouched_inputs(tmp_path: Path) -> None:
    good = write_sample("participants", tmp_path / "good.xlsx")
    data = sample_data("participants")
    data["Участники"][0]["event"] = "Семинар"
    bad = build_workbook("participants", tmp_path / "bad.xlsx", data=data)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good, bad)}
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(good)]).exit_code == 0
    result = runner.invoke(cli, ["validate", str(good), str(bad), "--format", "json", "--mark", str(tmp_path / "m")])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["counts"]["error"] == 1
    file_report = payload["files"][1]
    assert {"path", "kind", "valid", "issues"} <= set(file_report)
    issue = file_report["issues"][0]
    assert {k: issue[k] for k in ("code", "severity", "sheet", "cell", "column", "value")} == {
        "code": "choice", "severity": "error", "sheet": "Участники", "cell": "A2", "column": "Мероприятие",
        "value": "Семинар"}
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (good, bad)}
    assert before == after


def test_mark_copy_colours_notes_and_check_sheet(tmp_path: Path) -> None:
    data = sample_data("participants")
    data["Участники"][0]["event"] = "=HYPERLINK(\"http://x\")"
    bad = build_workbook("participants", tmp_path / "bad.xlsx", data=data)
    result = CliRunner().invoke(cli, ["validate", str(bad), "--mark", str(tmp_path / "marked")])
    assert result.exit_code == 1
    marked = tmp_path / "marked" / "bad — проверка.xlsx"
    book = openpyxl.load_workbook(marked)
    cell = book["Участники"]["A2"]
    assert cell.fill.start_color.rgb.endswith("FFC7CE")
    assert "нет в списке" in cell.comment.text
    check = book[catalog.CHECK_SHEET]
    assert book.sheetnames[0] == catalog.CHECK_SHEET
    assert check["D2"].value == "A2"
    assert "'Участники'!A2" in check["D2"].hyperlink.target
    # the user's text is kept as text, never a formula
    assert check["F2"].data_type == "s" and check["F2"].value.startswith("=HYPERLINK")


def test_rules_doc_is_current() -> None:
    from cxexcel.validate.rules_doc import rules_markdown

    committed = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "docs/rules.md is stale: run `python -m cxexcel.validate.rules_doc`"


# a column mixes what readers give and what users type: repeats, near-misses, blanks, formula
# problems, an unhashable value, and values equal but of different types, which are not equally valid
_EQUAL: list[Any] = [1.0, 1, True, 0.0, -0.0, False]
_CELLS: list[Any] = [
    None, "", "   ", 5.0, 5.5, 11.0, -3.0, 1e300, float("nan"), float("inf"),
    2**70, "5", " 7,5 ", "abc", "  текст  ", "x" * 40_000, "Телефон", "телефон ", "Tелефон", "CSAT", "NPS",
    "Соискатель", dt.date(2021, 9, 1), dt.date(1999, 1, 1), dt.datetime(2021, 9, 1, 10, 30), dt.time(1, 2),
    dt.timedelta(days=1), 44_440.0, "01.09.2021", "2021-09-01", "a@b.ru", "+7 900 000-00-00",
    FormulaProblem("#DIV/0!"), FormulaProblem(None),
]


def _column(col: Column, rng: random.Random, size: int, mixed: bool) -> list[Any]:
    offered = list(column_choices(col) or col.suggestions)
    pool = [*_CELLS, *_EQUAL, *offered]
    if mixed:
        pool = rng.sample(_CELLS, 12) + _EQUAL + rng.sample(offered, min(len(offered), 3))
    else:  # cells of the column's own kind, as a reader gives them
        kind = (int, float) if col.type in (ColumnType.NUMBER, ColumnType.INTEGER) else \
            dt.date if col.type is ColumnType.DATE else str
        pool = [v for v in pool if v is None or isinstance(v, kind)]
    # a text column of IDs: many distinct values, judged all at once
    pool += [f"ID-{n}" for n in range(80)] if rng.random() < 0.5 else []
    values = [rng.choice(pool) for _ in range(size)]
    if mixed and rng.random() < 0.3:
        values[rng.randrange(size)] = ["не", "ячейка"]
    return values


@pytest.mark.parametrize("seed", range(8))
def test_a_column_is_checked_as_every_cell_would_be(seed: int) -> None:
    """Distinct values are judged once, yet every cell gets the value and the issue that checking
    it alone gives."""
    rng = random.Random(seed)
    columns = {(c.type, c.required, bool(c.suggestions)): c for kind in KINDS.values()
               for sheet in kind.table_sheets for c in sheet.columns}
    for col in columns.values():
        raws = _column(col, rng, 300, mixed=seed % 2 == 0)
        rows = list(range(2, 2 + len(raws)))
        by_column = CellChecker("Книга.xlsx", date1904=seed % 3 == 1, max_chars=32_767)
        typed = by_column.check_column(col, raws, rows, "Лист", "C")
        by_cell = CellChecker("Книга.xlsx", date1904=seed % 3 == 1, max_chars=32_767)
        expected = [by_cell.check(col, raw, CellPlace("Книга.xlsx", "Лист", f"C{row}", col.title))
                    for raw, row in zip(raws, rows, strict=True)]
        assert [(type(v), repr(v)) for v in typed] == [(type(v), repr(v)) for v in expected], col.key
        assert by_column.issues == by_cell.issues, col.key


def _measurements(rows: list[list[Any]], header: list[Any] | None = None) -> ValuesSource:
    titles = header or [c.header for c in MEASUREMENTS.sheets[0].columns]
    return ValuesSource("Замеры.xlsx", {
        catalog.META_SHEET: [["kind", "measurements"], ["template_version", catalog.TEMPLATE_VERSION]],
        "Замеры": [titles, *rows],
    })


def test_a_table_is_read_alike_column_by_column_and_row_by_row() -> None:
    """The common sheet is read by columns; an unknown column makes the reader go row by row."""
    day = dt.date(2021, 9, 1)
    rows: list[list[Any]] = [
        [day, "ТК-01", "Телефон", "Анкетирование", "CSAT", 5.0, "", None, ""],
        [],                                                          # blank
        ["", None, "", "", None, "", "", "", ""],                    # blank too
        [day, "ТК-02", "Телефон"],                                   # a short row
        [None, None, None, None, None, None, None, None, "только комментарий"],
    ]
    by_columns = read_values(_measurements(rows)).tables["Замеры"]
    header = [*[c.header for c in MEASUREMENTS.sheets[0].columns], "Примечание"]
    by_rows = read_values(_measurements(rows, header)).tables["Замеры"]
    assert by_columns.row_numbers == by_rows.row_numbers == [1, 4, 5]
    assert by_columns.column_values == by_rows.column_values
    assert [(r.row, r.values, r.extra) for r in by_columns.rows] == [(r.row, r.values, r.extra) for r in by_rows.rows]
    assert by_columns.rows[0].values == [day, "ТК-01", "Телефон", "Анкетирование", "CSAT", 5.0, None, None, None]
    assert by_columns.rows[1].values[3:] == [None] * 6


def test_records_are_made_when_asked_and_agree_with_the_columns() -> None:
    """The rules and the digest read a measurements table by columns; its records, made later,
    say the same (values, cells, rows with an error not ok)."""
    day = dt.date(2021, 9, 1)
    rows = [[day + dt.timedelta(days=n % 3), f"ТК-0{n % 2 + 1}", "Телефон", "Анкетирование",
             "CSAT" if n % 2 else "NPS", float(n % 5 + 1), f"R{n}", None, None] for n in range(40)]
    rows[7][5] = 9.0                  # off the CSAT scale: an error in F9
    rows[12][2] = "Почта России"      # not in the list: an error in C14
    source = _measurements(rows)

    first = check_values(source).workbook
    assert first is not None
    digest = digest_answers(first)    # from the columns: no record made yet
    records = first.records("Замеры")
    assert [r.row for r in records if not r.ok] == [9, 14]
    assert records[7].cell("value") == "F9" and records[7].get("value") == 9.0
    assert records[0].values == dict(zip(first.columns("Замеры").values, [c[0] for c in first.columns("Замеры").values.values()], strict=True))  # noqa: E501
    again = digest_answers(first)     # from the records
    assert digest.count == again.count == 38
    assert {k: (list(t.rows), {s: (list(v.days), list(v.values)) for s, v in t.series.items()})
            for k, t in digest.touchpoints.items()} == \
        {k: (list(t.rows), {s: (list(v.days), list(v.values)) for s, v in t.series.items()})
         for k, t in again.touchpoints.items()}

    second = check_values(source).workbook
    assert second is not None
    assert second.tables == first.tables and second.issues == first.issues
    second.tables["Замеры"] = []      # what the summary does once the answers are digested
    assert second.columns("Замеры") is not None and len(second.columns("Замеры") or []) == 0


def test_a_report_date_after_today_or_before_the_pilot_is_an_error_at_its_cell(tmp_path: Path) -> None:
    today = dt.date.today()
    paths = {}
    for name, day in (("future", today + dt.timedelta(days=3650)), ("before", dt.date(2012, 10, 1)),
                      ("today", today), ("pilot", default_programme().pilot_start)):
        data = sample_data("roadmap")
        data[catalog.TITLE_SHEET]["report_date"] = day
        paths[name] = tmp_path / f"{name}.xlsx"
        build_workbook("roadmap", paths[name], data=data)
    reports = {name: validate([path]) for name, path in paths.items()}
    (future,) = [i for i in reports["future"].files[0].issues if i.code is Code.REPORT_DATE_FUTURE]
    assert future.severity is Severity.ERROR and future.sheet == "Титул" and future.cell
    assert "проверьте год" in future.message and today.strftime("%d.%m.%Y") in future.message
    assert codes_at(reports["before"], Code.REPORT_DATE_BEFORE_PILOT) == [("Титул", future.cell)]
    for fine in ("today", "pilot"):  # the bounds themselves are plausible
        codes = {i.code for i in reports[fine].files[0].issues}
        assert not codes & {Code.REPORT_DATE_FUTURE, Code.REPORT_DATE_BEFORE_PILOT}, fine
    # the add-in checks the values Excel sends, with the same check
    book = pc.CalamineWorkbook.from_path(str(paths["future"]))
    source = ValuesSource("future.xlsx", {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names})
    in_excel = check_values(source).workbook
    assert in_excel is not None
    assert [i.cell for i in in_excel.issues if i.code is Code.REPORT_DATE_FUTURE] == [future.cell]


def test_the_console_report_names_the_column_of_each_cell(tmp_path: Path) -> None:
    path = tmp_path / "Дорожная карта.xlsx"
    build_workbook("roadmap", path)  # an empty template: every required cell is reported
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert "[ошибка] B1 «Субъект РФ»: обязательное поле не заполнено. (required)" in result.output
    assert "Лист «Титул», ячейка" not in result.output  # the place is said once, by the grouping
