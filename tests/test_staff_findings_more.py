"""More findings of the QA pass: text dates with a time or a quoted day, month words, dates out of place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from cxexcel.forms import Column, ColumnType, catalog
from cxexcel.issues import Code, Issue, Severity
from cxexcel.programme import default_programme
from cxexcel.template import build_workbook
from cxexcel.validate.cells import CellChecker, CellPlace, parse_text_date
from tests.samples import REPORT_DATE, sample_data
from tests.test_staff_findings import at, issues_of

DATE = Column("date", "Дата", ColumnType.DATE, required=True)
SEPT_1 = dt.date(2021, 9, 1)


def _check(raw: Any) -> tuple[Any, list[Issue]]:
    checker = CellChecker("f.xlsx", False)
    value = checker.check(DATE, raw, CellPlace("f.xlsx", "Замеры", "A2", DATE.title))
    return value, checker.issues


# 1. A date typed as text with a time (what 1C and other exports write), a quoted day.

@pytest.mark.parametrize("typed", ["01.09.2021 0:00:00", "01.09.2021 00:00", "1.9.2021 0:00", "01.09.21 00:00:00",
                                   "01.09.2021\u00a00:00:00", "01.09.2021 г. 0:00"])
def test_a_text_date_with_midnight_is_read_as_the_date(typed: str) -> None:
    value, issues = _check(typed)
    assert value == SEPT_1
    assert [i.code for i in issues] == [Code.DATE_AS_TEXT]
    assert "прочитана как 01.09.2021." in issues[0].message
    assert "время" not in issues[0].message


@pytest.mark.parametrize(("typed", "time"), [("01.09.2021 10:30", "10:30"), ("01.09.2021 9:05:07", "9:05:07"),
                                             ("01.09.2021 23:59:59", "23:59:59"), ("2021-09-01T10:00", "10:00"),
                                             ("2021-09-01 10:30:00", "10:30:00")])
def test_a_time_of_day_is_dropped_and_the_warning_says_so(typed: str, time: str) -> None:
    value, issues = _check(typed)
    assert value == SEPT_1
    assert [i.code for i in issues] == [Code.DATE_AS_TEXT]
    assert issues[0].severity is Severity.WARNING
    assert f"прочитана как 01.09.2021; время {time} отброшено" in issues[0].message


def test_an_iso_date_at_midnight_says_nothing_of_a_time() -> None:
    value, issues = _check("2021-09-01 00:00:00")
    assert value == SEPT_1 and "время" not in issues[0].message


@pytest.mark.parametrize("typed", ["01.09.2021 24:00", "01.09.2021 10:60", "01.09.2021 10:30:61", "01.09.2021 10",
                                   "01.09.2021 10:3", "01.09.2021 :30", "01.09.2021 10:30 утра"])
def test_a_text_date_with_an_impossible_time_is_no_date(typed: str) -> None:
    value, issues = _check(typed)
    assert value is None
    assert [i.code for i in issues] == [Code.TYPE_DATE]


@pytest.mark.parametrize("typed", ["«01» сентября 2021 г.", "«1» сентября 2021 года", '"01" сентября 2021 г.',
                                   "“01” сентября 2021 г.", "„1“ сентября 2021", "«01»сентября 2021 г."])
def test_a_quoted_day_reads_like_a_plain_one(typed: str) -> None:
    assert parse_text_date(typed) == SEPT_1
    value, issues = _check(typed)
    assert value == SEPT_1 and [i.code for i in issues] == [Code.DATE_AS_TEXT]


@pytest.mark.parametrize("typed", ["«01 сентября 2021 г.", "01» сентября 2021", "«01»» сентября 2021",
                                   "1сентября 2021"])
def test_a_half_quoted_day_is_no_date(typed: str) -> None:
    assert parse_text_date(typed) is None


def test_a_measurement_dated_by_an_export_with_a_time_is_accepted(tmp_path: Path) -> None:
    data = sample_data("measurements")
    data["Замеры"][0]["date"] = "01.09.2021 0:00:00"
    data["Замеры"][1]["date"] = "02.09.2021 10:30"
    path = build_workbook("measurements", tmp_path / "m.xlsx", data=data)
    issues = issues_of(path)
    assert at(issues, Code.TYPE_DATE) == []
    assert at(issues, Code.DATE_AS_TEXT) == [("Замеры", "A2"), ("Замеры", "A3")]
    assert "время 10:30 отброшено" in next(i for i in issues if i.cell == "A3").message


# 2. A month word is a month's name in any case or a standard abbreviation, not any word beginning «ма».

_MONTH_FORMS = {
    1: "январь января январю январем январём январе янв янв.",
    2: "февраль февраля февралю февралем феврале фев фев. февр февр.",
    3: "март марта марту мартом марте мар мар.",
    4: "апрель апреля апрелю апрелем апреле апр апр.",
    5: "май мая маю маем мае",
    6: "июнь июня июню июнем июне июн июн.",
    7: "июль июля июлю июлем июле июл июл.",
    8: "август августа августу августом августе авг авг.",
    9: "сентябрь сентября сентябрю сентябрем сентябре сен сен. сент сент.",
    10: "октябрь октября октябрю октябрем октябре окт окт.",
    11: "ноябрь ноября ноябрю ноябрем ноябре ноя ноя. нояб нояб.",
    12: "декабрь декабря декабрю декабрем декабре дек дек.",
}


@pytest.mark.parametrize(("word", "month"), [(w, m) for m, words in _MONTH_FORMS.items() for w in words.split()])
def test_every_month_name_and_abbreviation_is_read(word: str, month: int) -> None:
    assert parse_text_date(f"1 {word} 2021") == dt.date(2021, month, 1)
    assert parse_text_date(f"15 {word.upper()} 2021 г.") == dt.date(2021, month, 15)
    assert parse_text_date(f"15 {word.capitalize()} 2021 года") == dt.date(2021, month, 15)


@pytest.mark.parametrize("word", ["маг", "ма", "марк", "маяк", "майор", "мартовского", "сентяб", "сенятбря",
                                  "декада", "ноль", "январский", "июнька", "окто", "авгус", "апрелька", "м"])
def test_a_word_that_only_begins_like_a_month_is_no_date(word: str) -> None:
    assert parse_text_date(f"1 {word} 2021") is None
    value, issues = _check(f"1 {word} 2021")
    assert value is None and [i.code for i in issues] == [Code.TYPE_DATE]
    assert f"«1 {word} 2021» — не дата" in issues[0].message


# 3. A roadmap completion date before the pilot began is a typo of the year.

def test_a_completion_date_before_the_pilot_is_warned_on_programme_and_own_rows(tmp_path: Path) -> None:
    pilot_start = default_programme().pilot_start
    data = sample_data("roadmap")
    rows = data["Дорожная карта"]
    done = [i for i, r in enumerate(rows) if r.get("done_date") is not None]
    rows[done[0]]["done_date"] = dt.date(2012, 9, 1)
    rows[done[1]]["done_date"] = pilot_start                  # the first day of the pilot is within it
    first = len(rows) + 2
    rows += [
        # a region's own step a year and more before the pilot: the year mistyped
        {"code": "Р.1", "title": "Опрос", "responsible": "Я", "status": catalog.STATUS_DONE,
         "done_date": dt.date(2012, 7, 25)},
        {"code": "Р.2", "title": "Семинар", "responsible": "Я", "status": catalog.STATUS_DONE,
         "done_date": dt.date(2021, 9, 1)},
        # an order signed the day before the pilot to prepare it: a region's own step may come first
        {"code": "Р.3", "title": "Приказ", "responsible": "Я", "status": catalog.STATUS_DONE,
         "done_date": dt.date(2021, 7, 25)},
    ]
    path = build_workbook("roadmap", tmp_path / "r.xlsx", data=data)
    issues = issues_of(path)
    found = [i for i in issues if i.code is Code.DATE_OUT_OF_PILOT]
    assert [(i.sheet, i.cell) for i in found] == [("Дорожная карта", f"H{done[0] + 2}"),
                                                  ("Дорожная карта", f"H{first}")]
    assert all(i.severity is Severity.WARNING and i.column == "Дата выполнения" for i in found)
    assert ("дата выполнения 01.09.2012 раньше начала пилотной апробации (26.07.2021); проверьте год."
            in found[0].message)
    assert "25.07.2012" in found[1].message


# 4. The consultations log: a closing date on an open consultation, dates after the report date.

def _log(tmp_path: Path, *rows: dict[str, Any]) -> list[Issue]:
    data = sample_data("consultations")
    base = data["Журнал консультаций"][0]
    data["Журнал консультаций"] = [base, *({**base, **row} for row in rows)]
    path = build_workbook("consultations", tmp_path / "c.xlsx", data=data)
    return issues_of(path)


def test_an_open_consultation_with_a_closing_date_is_warned(tmp_path: Path) -> None:
    issues = _log(tmp_path,
                  {"status": catalog.CONSULTATION_OPEN, "closed_date": dt.date(2021, 8, 12)},
                  {"status": catalog.CONSULTATION_OPEN, "closed_date": None})
    assert at(issues, Code.DATE_WITHOUT_CLOSED) == [("Журнал консультаций", "I3")]
    issue = next(i for i in issues if i.code is Code.DATE_WITHOUT_CLOSED)
    assert issue.severity is Severity.WARNING
    assert issue.message == ("Лист «Журнал консультаций», ячейка I3, «Статус»: указана дата закрытия 12.08.2021, "
                             "но статус «Открыт»; проверьте статус.")


def test_consultation_dates_after_the_report_date_are_warned(tmp_path: Path) -> None:
    later = REPORT_DATE + dt.timedelta(days=5)
    issues = _log(tmp_path,
                  {"closed_date": later},
                  {"date": later, "closed_date": later},
                  {"closed_date": REPORT_DATE})
    assert at(issues, Code.DATE_AFTER_REPORT) == [("Журнал консультаций", "J3"), ("Журнал консультаций", "A4"),
                                                  ("Журнал консультаций", "J4")]
    texts = [i.message for i in issues if i.code is Code.DATE_AFTER_REPORT]
    assert texts[0].endswith("«Дата закрытия»: дата закрытия 20.10.2021 позже отчетной даты 15.10.2021.")
    assert texts[1].endswith("«Дата»: дата обращения 20.10.2021 позже отчетной даты 15.10.2021.")


def test_a_sound_consultation_log_has_no_date_warnings(tmp_path: Path) -> None:
    issues = _log(tmp_path, {"status": catalog.CONSULTATION_OPEN, "closed_date": None})
    assert [i for i in issues if i.severity is Severity.WARNING] == []


def test_the_new_rule_is_a_warning_listed_among_the_rules() -> None:
    rule = Code.DATE_WITHOUT_CLOSED.rule
    assert rule.severity is Severity.WARNING and "«Открыт»" in rule.example
    docs = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    assert f"`{Code.DATE_WITHOUT_CLOSED.value}`" in docs


def test_the_consultation_columns_are_where_the_tests_expect(tmp_path: Path) -> None:
    path = build_workbook("consultations", tmp_path / "c.xlsx", data=sample_data("consultations"))
    ws = openpyxl.load_workbook(path)["Журнал консультаций"]
    assert (ws["A1"].value, ws["I1"].value, ws["J1"].value) == ("Дата*", "Статус*", "Дата закрытия")


@pytest.mark.parametrize("text", ["2021-09-01 99:99", "2021-09-01 1.2.3", "2021-09-01T24:00"])
def test_an_iso_date_with_an_impossible_time_is_no_date(text: str) -> None:
    assert parse_text_date(text) is None
