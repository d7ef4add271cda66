"""Findings of the QA pass over the regional staff workflow: each case as a user made it in Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cxexcel.forms import KINDS, Column, ColumnType, ListSource, catalog
from cxexcel.forms.kinds import FINAL_REPORT
from cxexcel.issues import Code, Issue, Severity
from cxexcel.programme import default_programme
from cxexcel.read import CalamineSource, ValuesSource
from cxexcel.template import build_workbook
from cxexcel.validate import check_file, check_values
from cxexcel.validate.cells import CellChecker, CellPlace
from tests.samples import REGION, REPORT_DATE, sample_data, write_sample


def issues_of(path: Path, **kwargs: Any) -> list[Issue]:
    result = check_file(path, **kwargs)
    assert result.workbook is not None, result.unreadable
    return result.workbook.issues


def at(issues: list[Issue], code: Code) -> list[tuple[str | None, str | None]]:
    return [(i.sheet, i.cell) for i in issues if i.code is code]


def message(issues: list[Issue], code: Code) -> str:
    found = [i.message for i in issues if i.code is code]
    assert len(found) == 1, found
    return found[0]


# 1. A sheet the template does not have, holding values, is reported rather than ignored.

def test_a_copied_sheet_and_a_sheet_of_ones_own_with_values_are_reported(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    copy = book.copy_worksheet(book["Замеры"])
    copy.title = "Замеры (2)"
    copy["F2"] = 5
    book.create_sheet("Замеры сентябрь")["A2"] = dt.datetime(2021, 9, 2)
    book.create_sheet("Лист1")["C3"] = "ответы с бумажных анкет"
    book.create_sheet("Лист2")                        # empty
    book.create_sheet("Лист3")["B2"] = " \u00a0"       # a «cleared» cell: no values
    book.create_sheet("Замерыы")["A1"] = "x"           # not a copy's name: no advice to move rows
    # the sheets the add-in and `validate --mark` add
    book.create_sheet(catalog.CHECK_SHEET)["A1"] = "№"
    book.create_sheet(catalog.DASHBOARD_SHEET)["A1"] = "Показатель"
    book.save(path)
    issues = issues_of(path)
    extra = [i for i in issues if i.code is Code.SHEET_EXTRA]
    assert [(i.sheet, i.severity) for i in extra] == [
        ("Замеры (2)", Severity.WARNING), ("Замеры сентябрь", Severity.WARNING),
        ("Лист1", Severity.WARNING), ("Замерыы", Severity.WARNING)]
    by_sheet = {i.sheet: i.message for i in extra}
    assert by_sheet["Замеры (2)"] == ("Лист «Замеры (2)» не предусмотрен шаблоном; его данные не читаются. "
                                      "Перенесите строки на лист «Замеры».")
    assert by_sheet["Замеры сентябрь"].endswith("Перенесите строки на лист «Замеры».")
    assert by_sheet["Лист1"] == "Лист «Лист1» не предусмотрен шаблоном; его данные не читаются."
    assert by_sheet["Замерыы"] == "Лист «Замерыы» не предусмотрен шаблоном; его данные не читаются."


def test_a_copy_of_the_meetings_sheet_in_a_roadmap_is_reported(tmp_path: Path) -> None:
    path = write_sample("roadmap", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book["Совещания"]).title = "Совещания (2)"
    book.save(path)
    issues = issues_of(path)
    assert at(issues, Code.SHEET_EXTRA) == [("Совещания (2)", None)]
    assert message(issues, Code.SHEET_EXTRA).endswith("Перенесите строки на лист «Совещания».")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_templates_own_sheets_are_not_extra(tmp_path: Path, kind: str) -> None:
    filled = write_sample(kind, tmp_path / f"{kind}.xlsx")
    empty = build_workbook(kind, tmp_path / f"{kind}-template.xlsx", region=REGION)
    assert at(issues_of(filled), Code.SHEET_EXTRA) == []
    assert at(issues_of(empty), Code.SHEET_EXTRA) == []


def sheets_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sheets the reader parses from now on, in order."""
    parsed: list[str] = []
    original = CalamineSource.sheet

    def sheet(self: CalamineSource, name: str) -> Any:
        parsed.append(name)
        return original(self, name)

    monkeypatch.setattr(CalamineSource, "sheet", sheet)
    return parsed


def test_an_empty_extra_sheet_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("Лист1")
    book.save(path)
    parsed = sheets_parsed(monkeypatch)
    assert at(issues_of(path), Code.SHEET_EXTRA) == []
    assert "Лист1" not in parsed


def test_a_big_extra_sheet_is_reported_without_being_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    export = book.create_sheet("Выгрузка")
    for r in range(1, 1_201):  # 1,200 rows × 10 columns: data, not a stray note
        export.append([f"{r}-{c}" for c in range(10)])
    book.save(path)
    parsed = sheets_parsed(monkeypatch)
    assert at(issues_of(path), Code.SHEET_EXTRA) == [("Выгрузка", None)]
    assert "Выгрузка" not in parsed


def test_the_add_in_reports_an_extra_sheet_it_sends() -> None:
    data = sample_data("measurements")
    header = ["Дата*", "Код точки контакта*", "Канал*", "Метод*", "Метрика*", "Значение*"]
    row = [dt.date(2021, 9, 1), "ТК-01", "Лично в ЦЗН", "Анкетирование", catalog.CSAT, 4.0]
    source = ValuesSource("addin.xlsx", {
        "_meta": [["kind", "measurements"]],
        catalog.TITLE_SHEET: [["Субъект РФ", REGION], ["Наименование ЦЗН", "ЦЗН"],
                              ["Ответственный (ФИО)", data[catalog.TITLE_SHEET]["responsible"]],
                              ["Отчетная дата", REPORT_DATE]],
        "Замеры": [header, row],
        "Замеры (2)": [header, row],
        "Пусто": [[None, "  "], []],
    })
    result = check_values(source)
    assert result.workbook is not None
    assert at(result.workbook.issues, Code.SHEET_EXTRA) == [("Замеры (2)", None)]


# 2. A cell holding only white space is an empty cell.

WHITESPACE = (" ", "\u00a0", "\t", " \u00a0 ")


def _blank_row(width: int) -> list[str]:
    return [WHITESPACE[c % len(WHITESPACE)] for c in range(width)]


@pytest.mark.parametrize("extra_column", [False, True], ids=["plain", "with-unknown-column"])
def test_a_row_of_whitespace_cells_is_a_blank_row(tmp_path: Path, extra_column: bool) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Замеры"]
    width = 9
    if extra_column:
        # an unknown column sends the table down the row-by-row path
        ws.cell(1, width + 2).value = "Примечание"
        ws.cell(2, width + 2).value = "пометка"
    last = ws.max_row
    # a row typed below the table holding nothing but white space, and white space in the unknown column
    for c, text in enumerate(_blank_row(width + (2 if extra_column else 0)), start=1):
        ws.cell(last + 1, c).value = text
    if extra_column:
        ws.cell(3, width + 2).value = "\u00a0"
    # a required cell «cleared» with a space in a filled row is still reported as not filled
    ws["E4"] = "\u00a0"
    book.save(path)
    issues = issues_of(path)
    assert at(issues, Code.REQUIRED) == [("Замеры", "E4")]
    assert not [i for i in issues if i.cell and i.cell.endswith(str(last + 1))]
    assert at(issues, Code.COLUMN_EXTRA) == ([("Замеры", "K1")] if extra_column else [])


def test_whitespace_in_a_title_field_does_not_hide_its_value(tmp_path: Path) -> None:
    path = write_sample("roadmap", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book[catalog.TITLE_SHEET]
    row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "Субъект РФ*")
    ws.cell(row, 2).value = "\u00a0"
    ws.cell(row, 3).value = REGION
    book.save(path)
    result = check_file(path)
    assert result.workbook is not None
    assert result.workbook.region == REGION
    assert at(result.workbook.issues, Code.REQUIRED) == []


# 3. A region's own roadmap rows get the completion-date rules, not the deadline rules.

def test_own_roadmap_rows_are_checked_for_completion_dates(tmp_path: Path) -> None:
    data = sample_data("roadmap")
    rows = data["Дорожная карта"]
    first = len(rows) + 2
    rows += [
        {"code": "Р.1", "title": "Опрос", "responsible": "Я", "status": catalog.STATUS_DONE},
        {"code": "Р.2", "title": "Семинар", "responsible": "Я", "status": catalog.STATUS_DONE,
         "done_date": REPORT_DATE + dt.timedelta(days=3)},
        {"code": "Р.3", "title": "Стенд", "responsible": "Я", "status": catalog.STATUS_IN_PROGRESS,
         "done_date": dt.date(2021, 9, 1)},
        {"code": "Р.4", "title": "Буклет", "responsible": "Я", "status": catalog.STATUS_NOT_STARTED,
         "planned": dt.date(2030, 1, 1)},
    ]
    path = build_workbook("roadmap", tmp_path / "r.xlsx", data=data)
    issues = issues_of(path)
    assert at(issues, Code.DONE_WITHOUT_DATE) == [("Дорожная карта", f"H{first}")]
    assert at(issues, Code.DONE_AFTER_REPORT) == [("Дорожная карта", f"H{first + 1}")]
    assert at(issues, Code.DATE_WITHOUT_DONE) == [("Дорожная карта", f"G{first + 2}")]
    assert "Р.1" in message(issues, Code.DONE_WITHOUT_DATE)
    # no regulation deadline: never overdue, never planned after it
    assert at(issues, Code.OVERDUE) == [] and at(issues, Code.PLANNED_AFTER_DEADLINE) == []


# 4. «%» fields: a fraction is what Excel stores for «75%»; the text «75%» is 75.

CSAT_BEFORE = FINAL_REPORT.sheets[0].field("csat_before")  # type: ignore[union-attr]


def _check(col: Column, raw: Any) -> tuple[Any, list[Issue]]:
    checker = CellChecker("f.xlsx", False)
    value = checker.check(col, raw, CellPlace("f.xlsx", "Отчет", "B20", col.title))
    return value, checker.issues


def test_percent_fields_are_every_field_titled_with_percent() -> None:
    titled = {c.title for kind in KINDS.values() for sheet in kind.sheets
              for c in getattr(sheet, "columns", ()) + getattr(sheet, "fields", ()) if c.title.endswith("%")}
    assert titled == {"CSAT до, %", "CSAT после, %"}


def test_a_fraction_in_a_percent_field_is_a_warning() -> None:
    value, issues = _check(CSAT_BEFORE, 0.75)
    assert value == 0.75
    assert [i.code for i in issues] == [Code.PERCENT_AS_FRACTION]
    assert issues[0].severity is Severity.WARNING
    assert "0,75 похоже на долю (75 %); введите число процентов: 75" in issues[0].message
    _, one = _check(CSAT_BEFORE, 1.0)
    assert [i.code for i in one] == [Code.PERCENT_AS_FRACTION]
    assert "1 %" in one[0].message and "100 %" in one[0].message
    _, odd = _check(CSAT_BEFORE, 0.755)
    assert "(75,5 %)" in odd[0].message
    for fine in (0.0, 75.0, 1.5, 100.0):
        assert _check(CSAT_BEFORE, fine)[1] == []


def test_percent_typed_as_text_is_read_as_the_number_of_percent() -> None:
    value, issues = _check(CSAT_BEFORE, "75%")
    assert value == 75
    assert [i.code for i in issues] == [Code.NUMBER_AS_TEXT]
    assert "«75%»" in issues[0].message and "прочитано как 75" in issues[0].message
    value, issues = _check(CSAT_BEFORE, "82,5 %")
    assert value == 82.5 and [i.code for i in issues] == [Code.NUMBER_AS_TEXT]
    # elsewhere a «%» is not a number, and the message says what to type
    plain = Column("value", "Значение", ColumnType.NUMBER)
    value, issues = _check(plain, "75%")
    assert value is None and [i.code for i in issues] == [Code.TYPE_NUMBER]
    assert "без знака «%»" in issues[0].message


def test_a_final_report_with_a_fraction_of_csat_is_warned(tmp_path: Path) -> None:
    data = sample_data("final_report")
    data["Отчет"].update(csat_before=0.75, csat_after=82)
    path = build_workbook("final_report", tmp_path / "f.xlsx", data=data)
    issues = issues_of(path)
    assert [i.column for i in issues if i.code is Code.PERCENT_AS_FRACTION] == ["CSAT до, %"]


# 5. A roadmap «№ п/п» typed as a number.

def _roadmap_with_code(tmp_path: Path, old: str, new: Any, **kwargs: Any) -> tuple[list[Issue], int]:
    path = build_workbook("roadmap", tmp_path / "r.xlsx", data=sample_data("roadmap"), **kwargs)
    book = openpyxl.load_workbook(path)
    ws = book["Дорожная карта"]
    row = next(r for r in range(2, 60) if ws.cell(r, 1).value == old)
    ws.cell(row, 1).value = new
    book.save(path)
    return issues_of(path, **({"programme": kwargs["programme"]} if "programme" in kwargs else {})), row


def test_an_item_code_typed_as_a_number_is_recognised(tmp_path: Path) -> None:
    issues, row = _roadmap_with_code(tmp_path, "1.4", 1.4)
    assert at(issues, Code.ROADMAP_ITEM_MISSING) == [] and at(issues, Code.ROADMAP_ITEM_UNKNOWN) == []
    assert at(issues, Code.ROADMAP_ITEM_ALIAS) == [("Дорожная карта", f"A{row}")]
    text = message(issues, Code.ROADMAP_ITEM_ALIAS)
    assert "«1,4»" in text and "пункт 1.4" in text and "текстом" in text


def test_a_number_that_may_be_two_items_is_an_error(tmp_path: Path) -> None:
    programme = default_programme()
    items = list(programme.items)
    base = next(i for i in items if i.code == "1.1")
    items.insert(items.index(base) + 1, base.model_copy(update={"code": "1.10", "title": "Десятый пункт"}))
    programme = programme.model_copy(update={"items": tuple(items)})
    # «1.10» typed as a number is stored as 1.1
    issues, row = _roadmap_with_code(tmp_path, "1.10", 1.1, programme=programme)
    assert at(issues, Code.ROADMAP_ITEM_UNKNOWN) == [("Дорожная карта", f"A{row}")]
    text = message(issues, Code.ROADMAP_ITEM_UNKNOWN)
    assert "1.1 или 1.10" in text and "текстом" in text
    assert [i for i in issues if i.code is Code.ROADMAP_ITEM_MISSING and "1.10" in i.message] == []


# 6. Closed-list hints: a region's short name is that region, never another one a few letters away.

REGION_COLUMN = Column("region", "Субъект РФ", ColumnType.CHOICE, required=True, choice_source=ListSource.REGIONS)


@pytest.mark.parametrize(("typed", "official"), [
    ("Кемеровская область", "Кемеровская область — Кузбасс"),
    ("Республика Саха", "Республика Саха (Якутия)"),
    ("кемеровская обл-ть кузбасс", None),
    ("Ханты-Мансийский автономный округ", "Ханты-Мансийский автономный округ — Югра"),
])
def test_a_regions_short_name_is_corrected_to_its_official_name(typed: str, official: str | None) -> None:
    value, issues = _check(REGION_COLUMN, typed)
    assert value == official
    if official is not None:
        assert [i.code for i in issues] == [Code.CHOICE_CORRECTED]
        assert f"«{official}»" in issues[0].message
    else:
        assert [i.code for i in issues] == [Code.CHOICE]


@pytest.mark.parametrize("typed", ["Кемеровская обл.", "Республика Сах", "Респ. Саха"])
def test_no_other_region_is_suggested(typed: str) -> None:
    value, issues = _check(REGION_COLUMN, typed)
    assert value is None and [i.code for i in issues] == [Code.CHOICE]
    # «Республика Тыва», «Республика Алтай» … are as close as the one meant: no hint at all
    assert "Возможно" not in issues[0].message


def test_a_clear_typo_still_gets_a_hint() -> None:
    _, issues = _check(REGION_COLUMN, "Пермскй край")
    assert "Возможно, имелось в виду «Пермский край»" in issues[0].message


def test_a_short_prefix_is_not_taken_for_a_choice() -> None:
    status = Column("status", "Статус", ColumnType.CHOICE, required=True, choices=catalog.STATUSES)
    value, issues = _check(status, "Не")
    assert value is None and [i.code for i in issues] == [Code.CHOICE]


# 7. A correction of white space only says so instead of quoting one text twice.

@pytest.mark.parametrize(("typed", "what"), [
    ("Пермский край ", "пробелом в конце"),
    ("Пермский\u00a0край", "неразрывным пробелом"),
    ("  Пермский   край", "лишними пробелами"),
])
def test_a_whitespace_correction_says_what_was_corrected(typed: str, what: str) -> None:
    value, issues = _check(REGION_COLUMN, typed)
    assert value == REGION
    assert [i.code for i in issues] == [Code.CHOICE_CORRECTED]
    text = issues[0].message
    assert what in text and text.count(f"«{REGION}»") == 1, text


def test_a_copy_of_the_title_sheet_is_reported_and_the_book_still_read(tmp_path: Path) -> None:
    path = write_sample("roadmap", tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    book.copy_worksheet(book[catalog.TITLE_SHEET]).title = f"{catalog.TITLE_SHEET} (2)"
    book.save(path)
    issues = issues_of(path)
    assert at(issues, Code.SHEET_EXTRA) == [(f"{catalog.TITLE_SHEET} (2)", None)]
    assert f"Перенесите данные на лист «{catalog.TITLE_SHEET}»" in message(issues, Code.SHEET_EXTRA)


@pytest.mark.parametrize("typed", ["0,5%", "1%", ",5%"])
def test_a_percent_typed_with_its_sign_is_not_called_a_fraction(tmp_path: Path, typed: str) -> None:
    data = sample_data("final_report")
    data["Отчет"]["csat_before"] = typed  # «CSAT до, %»
    path = build_workbook("final_report", tmp_path / "f.xlsx", data=data)
    issues = issues_of(path)
    assert at(issues, Code.NUMBER_AS_TEXT)
    assert not at(issues, Code.PERCENT_AS_FRACTION)


@pytest.mark.parametrize("typed", ["Не выполнено", "Невыполнено", "Не отменено"])
def test_no_hint_turns_a_negation_into_its_opposite(tmp_path: Path, typed: str) -> None:
    data = sample_data("roadmap")
    data["Дорожная карта"][0]["status"] = typed
    path = build_workbook("roadmap", tmp_path / "r.xlsx", data=data)
    said = [i.message for i in issues_of(path) if i.code is Code.CHOICE]
    assert said and "Возможно, имелось в виду" not in said[0]
