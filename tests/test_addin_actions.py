"""The add-in's actions on xlwings' remote engine: payloads built from real .xlsx files, actions replayed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from addin_payload import Replay, payload_from_xlsx, perform_on_payload, replay
from samples import REGION, sample_data, write_sample

from cxexcel.addin import actions, lists, marks
from cxexcel.addin.actions import ACTIONS
from cxexcel.addin.actions_table import action_ids
from cxexcel.addin.dashboard import ALL_TOUCHPOINTS, DASHBOARD_SHEET
from cxexcel.addin.marks import (
    CHECK_SHEET,
    CHECK_SHEET_HEADERS,
    MARKED_FILL,
    MARKED_FILL_AND_NOTE,
    SEVERITY_COLOURS,
    link_formula,
)
from cxexcel.forms import catalog
from cxexcel.issues import Severity
from cxexcel.metrics import csat
from cxexcel.template import build_workbook
from cxexcel.template.lists import LISTS_SHEET
from cxexcel.template.styles import PREFILLED_FILL
from cxexcel.validate import check_file

pytest_plugins = ["libreoffice"]

MEASUREMENTS = "Замеры"
ERROR_RGB = "FF" + SEVERITY_COLOURS[Severity.ERROR].lstrip("#")
WARNING_RGB = "FF" + SEVERITY_COLOURS[Severity.WARNING].lstrip("#")


@pytest.fixture(autouse=True)
def _licence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


def run(action_id: str, payload: dict[str, Any], *, desktop: bool = False) -> dict[str, Any]:
    return perform_on_payload(action_id, payload, desktop=desktop)


def funcs(result: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [a for a in result["actions"] if a["func"] == name]


def alerts(result: dict[str, Any]) -> list[str]:
    return [a["args"][0] for a in funcs(result, "alert")]


def measurement_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = sample_data("measurements")[MEASUREMENTS]
    rows[5]["value"] = 9  # F7: off the CSAT scale
    rows[10]["channel"] = "лично в цзн"  # C12: corrected list value
    rows[12]["date"] = "01.09.2021"  # A14: a date typed as text
    rows[15]["value"] = "=1+1"  # F17: text, and it must stay text on «Проверка»
    return rows


@pytest.fixture
def measurements(tmp_path: Path) -> Path:
    return write_sample("measurements", tmp_path / "Замеры.xlsx", **{MEASUREMENTS: measurement_rows()})


@pytest.fixture
def roadmap(tmp_path: Path) -> Path:
    rows = sample_data("roadmap")["Дорожная карта"]
    # the regulation's typo: accepted, but a warning at the prefilled (grey) code cell
    next(r for r in rows if r["code"] == "2.1.2")["code"] = "2.2.2"
    rows[0]["responsible"] = None  # an error in a white cell of a programme row
    return write_sample("roadmap", tmp_path / "Дорожная карта.xlsx", **{"Дорожная карта": rows})


def issue_cells(path: Path) -> dict[tuple[str, str], Severity]:
    """Independently: every issue cell of the file and its worst severity, as `cxexcel validate` finds them."""
    cells: dict[tuple[str, str], Severity] = {}
    for issue in check_file(path).report().issues:
        if issue.sheet and issue.cell:
            key = (issue.sheet, issue.cell)
            if cells.get(key) is not Severity.ERROR:
                cells[key] = issue.severity
    return cells


def look(path: Path) -> dict[str, Any]:
    """Everything a user sees of a workbook: sheets, values, fills, notes, validations."""
    book = openpyxl.load_workbook(path)
    seen: dict[str, Any] = {"sheets": book.sheetnames}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                fill = (cell.fill.fill_type, cell.fill.fgColor.rgb if cell.fill.fill_type else None)
                note = cell.comment.text if cell.comment else None
                if cell.value is not None or fill != (None, None) or note:
                    seen[f"{ws.title}!{cell.coordinate}"] = (cell.value, fill, note)
        seen[f"{ws.title}!validations"] = sorted(
            (str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation)
    return seen


def check_and_replay(path: Path, target: Path) -> tuple[dict[str, Any], Replay]:
    result = run("check_workbook", payload_from_xlsx(path))
    return result, replay(result, path, target)


# -- «Проверить книгу» ------------------------------------------------------------------------------

def test_every_mistake_is_marked_at_its_cell(measurements: Path, tmp_path: Path) -> None:
    expected = issue_cells(measurements)
    assert {(MEASUREMENTS, "F7"), (MEASUREMENTS, "C12"), (MEASUREMENTS, "A14"), (MEASUREMENTS, "F17")} <= set(expected)
    result, player = check_and_replay(measurements, tmp_path / "marked.xlsx")

    notes = {(a["sheet_position"], a["args"][0].replace("$", "")): a["args"][1] for a in funcs(result, "addNote")}
    names = openpyxl.load_workbook(measurements).sheetnames
    assert "вне шкалы CSAT" in notes[(names.index(MEASUREMENTS), "F7")]
    assert notes[(names.index(MEASUREMENTS), "F7")].startswith("Ошибка: ")
    assert notes[(names.index(MEASUREMENTS), "C12")].startswith("Предупреждение: ")

    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marked.sheetnames[0] == CHECK_SHEET
    for (sheet, ref), severity in expected.items():
        cell = marked[sheet][ref]
        assert cell.fill.fgColor.rgb == (ERROR_RGB if severity is Severity.ERROR else WARNING_RGB), ref
        assert cell.comment is not None, ref
    # nothing else was coloured
    coloured = {(ws.title, c.coordinate) for ws in marked.worksheets if ws.title != CHECK_SHEET
                for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb in (ERROR_RGB, WARNING_RGB)}
    assert coloured == set(expected)
    report = check_file(measurements).report()
    assert player.alerts[-1][0].startswith(f"Найдено: {report.errors} ошибк")
    assert player.alerts[-1][3] == "critical"


def test_check_sheet_lists_every_issue_with_a_link_and_text_kept_as_text(measurements: Path,
                                                                          tmp_path: Path) -> None:
    check_and_replay(measurements, tmp_path / "marked.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "marked.xlsx")[CHECK_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == CHECK_SHEET_HEADERS
    issues = check_file(measurements).report().issues
    assert len(rows) - 1 == len(issues)
    by_cell = {row[3]: row for row in rows[1:]}
    f17 = next(row for row in rows[1:] if row[2] == MEASUREMENTS and "F17" in str(row[3]))
    assert f17[3] == link_formula(MEASUREMENTS, "F17") == "=HYPERLINK(\"#'Замеры'!F17\",\"F17\")"
    # the user's "=1+1" is shown as text, never run as a formula
    assert f17[5] == "=1+1"
    assert sheet.cell(rows.index(f17) + 1, 6).quotePrefix
    assert f17[8] == MARKED_FILL_AND_NOTE
    assert by_cell  # every row has its cell
    assert {row[7] for row in rows[1:]} == {i.code.value for i in issues}


def test_a_clean_workbook_says_so(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "ok.xlsx")
    result = run("check_workbook", payload_from_xlsx(path))
    assert not funcs(result, "addNote")
    assert alerts(result) == ["Ошибок и предупреждений нет: книга «Замеры» заполнена по стандарту."]
    values = funcs(result, "setValues")[0]["values"]
    assert values[1][6] == "'Ошибок и предупреждений нет."


def test_a_note_already_on_a_cell_is_kept(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    book[MEASUREMENTS]["F2"] = 9
    book[MEASUREMENTS]["F2"].comment = openpyxl.comments.Comment("моя заметка", "Иванова")
    book.save(path)
    result, _ = check_and_replay(path, tmp_path / "marked.xlsx")
    assert not any(a["args"][0].replace("$", "") == "F2" for a in funcs(result, "addNote"))
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    assert marked[MEASUREMENTS]["F2"].comment.text.startswith("моя заметка")
    assert marked[MEASUREMENTS]["F2"].fill.fgColor.rgb == ERROR_RGB
    row = next(r for r in marked[CHECK_SHEET].iter_rows(values_only=True) if r[2] == MEASUREMENTS)
    assert row[8] == MARKED_FILL
    cleared = run("clear_marks", payload_from_xlsx(tmp_path / "marked.xlsx"))
    assert not funcs(cleared, "deleteNote")


def test_not_a_standard_workbook(tmp_path: Path) -> None:
    path = tmp_path / "чужая.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Просто таблица"
    book.save(path)
    result = run("check_workbook", payload_from_xlsx(path))
    assert alerts(result)[0].startswith("Книгу не удалось проверить. Не удалось определить вид книги")
    assert not funcs(result, "addSheet")


def test_marks_are_capped_errors_first(measurements: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(marks, "MAX_MARKED_CELLS", 2)
    result = run("check_workbook", payload_from_xlsx(measurements))
    assert len(funcs(result, "addNote")) == 2
    assert all(a["args"][1].startswith("Ошибка") for a in funcs(result, "addNote"))


def test_a_failure_is_a_russian_message_and_leaves_the_workbook_alone(measurements: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(actions, "write_check_sheet", broken)
    result = run("check_workbook", payload_from_xlsx(measurements))
    assert [a["func"] for a in result["actions"]] == ["alert"]
    assert alerts(result)[0].startswith("Внутренняя ошибка надстройки («Проверить книгу»). Книга не изменена.")


# -- «Снять отметки» ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sample", ["measurements", "roadmap"])
def test_clear_marks_restores_the_workbook_as_before_the_check(sample: str, request: pytest.FixtureRequest,
                                                                tmp_path: Path) -> None:
    original: Path = request.getfixturevalue(sample)
    check_and_replay(original, tmp_path / "marked.xlsx")
    assert look(tmp_path / "marked.xlsx") != look(original)
    cleared = run("clear_marks", payload_from_xlsx(tmp_path / "marked.xlsx"))
    player = replay(cleared, tmp_path / "marked.xlsx", tmp_path / "cleared.xlsx")
    assert look(tmp_path / "cleared.xlsx") == look(original)
    assert player.alerts[-1][0].startswith("Отметки сняты")


def test_clear_marks_gives_prefilled_cells_their_grey_back(roadmap: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(roadmap)
    ws = book["Дорожная карта"]
    alias = next(c for c in ws["A"] if c.value == "2.2.2")
    assert alias.fill.fgColor.rgb == "FF" + PREFILLED_FILL.lstrip("#")
    check_and_replay(roadmap, tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")["Дорожная карта"]
    assert marked[alias.coordinate].fill.fgColor.rgb == WARNING_RGB
    cleared = run("clear_marks", payload_from_xlsx(tmp_path / "marked.xlsx"))
    colours = {a["args"][0] for a in funcs(cleared, "setRangeColor")}
    assert colours == {PREFILLED_FILL, None}


def test_checking_twice_leaves_one_set_of_marks(measurements: Path, tmp_path: Path) -> None:
    check_and_replay(measurements, tmp_path / "once.xlsx")
    again = run("check_workbook", payload_from_xlsx(tmp_path / "once.xlsx"))
    # replay refuses a second note on a cell, as Excel does
    replay(again, tmp_path / "once.xlsx", tmp_path / "twice.xlsx")
    assert look(tmp_path / "twice.xlsx") == look(tmp_path / "once.xlsx")


def test_clear_marks_without_a_check(measurements: Path) -> None:
    result = run("clear_marks", payload_from_xlsx(measurements))
    assert alerts(result) == ["Отметок проверки нет: в книге нет листа «Проверка»."]
    assert [a["func"] for a in result["actions"]] == ["alert"]


# -- «Следующая ошибка» -----------------------------------------------------------------------------

def test_next_issue_walks_the_listed_cells_in_order(measurements: Path, tmp_path: Path) -> None:
    check_and_replay(measurements, tmp_path / "marked.xlsx")
    targets = [(s, c) for (s, c) in issue_cells(measurements)]
    order = openpyxl.load_workbook(tmp_path / "marked.xlsx").sheetnames

    def key(target: tuple[str, str]) -> tuple[int, int, int]:
        cell = openpyxl.utils.cell.coordinate_from_string(target[1])
        return order.index(target[0]), cell[1], openpyxl.utils.cell.column_index_from_string(cell[0])

    targets.sort(key=key)
    here = (MEASUREMENTS, "A1")
    visited = []
    for _ in range(len(targets) + 1):
        payload = payload_from_xlsx(tmp_path / "marked.xlsx", active_sheet=here[0], selection=here[1])
        player = Replay(openpyxl.load_workbook(tmp_path / "marked.xlsx"))
        player.apply(run("next_issue", payload)["actions"])
        assert player.selected is not None
        here = player.selected
        visited.append(here)
    sheet_targets = [t for t in targets if order.index(t[0]) >= order.index(MEASUREMENTS)]
    assert visited[:len(sheet_targets)] == sheet_targets
    assert visited[len(sheet_targets)] == targets[0]  # round again from the first sheet


def test_next_issue_from_a_row_of_the_check_sheet(measurements: Path, tmp_path: Path) -> None:
    check_and_replay(measurements, tmp_path / "marked.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "marked.xlsx")[CHECK_SHEET].iter_rows(values_only=True))
    n = next(i for i, r in enumerate(rows) if r[2] == MEASUREMENTS and "F17" in str(r[3]))
    payload = payload_from_xlsx(tmp_path / "marked.xlsx", active_sheet=CHECK_SHEET, selection=f"G{n + 1}")
    player = Replay(openpyxl.load_workbook(tmp_path / "marked.xlsx"))
    player.apply(run("next_issue", payload)["actions"])
    assert player.selected == (MEASUREMENTS, "F17")


def test_next_issue_before_a_check(measurements: Path) -> None:
    assert alerts(run("next_issue", payload_from_xlsx(measurements))) == [actions.CHECK_FIRST]


# -- «Обновить списки» --------------------------------------------------------------------------------

def test_journey_refreshes_its_own_touchpoint_lists(tmp_path: Path) -> None:
    path = write_sample("journey", tmp_path / "Путь.xlsx")
    result = run("refresh_lists", payload_from_xlsx(path))
    replay(result, path, tmp_path / "lists.xlsx")
    book = openpyxl.load_workbook(tmp_path / "lists.xlsx")
    lists_sheet = book[LISTS_SHEET]
    column = next(c for c in lists_sheet[1] if c.value == lists.TOUCHPOINT_LIST_HEADER)
    codes = [lists_sheet.cell(r, column.column).value for r in range(2, 5)]
    assert codes == ["ТК-01", "ТК-02", "ТК-03"]
    for sheet in ("Карта решений", "Инструменты"):
        formulas = [v.formula1 for v in book[sheet].data_validations.dataValidation if v.type == "list"]
        assert any(LISTS_SHEET in f and f"${column.column_letter}$2:${column.column_letter}$4" in f
                   for f in formulas), sheet
    assert alerts(result)[0].startswith("Список кодов точек контакта обновлен: 3 из листа «Путь клиента»")


def test_measurements_on_the_server_explain_where_the_codes_come_from(measurements: Path) -> None:
    result = run("refresh_lists", payload_from_xlsx(measurements))
    assert [a["func"] for a in result["actions"]] == ["alert"]
    assert "видит только эту книгу" in alerts(result)[0]


def test_measurements_on_the_desktop_take_the_journey_of_the_same_centre(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ЦЗН"
    folder.mkdir()
    measurements = write_sample("measurements", folder / "Замеры.xlsx")
    write_sample("journey", folder / "Путь клиента.xlsx")
    other = sample_data("journey")
    other[catalog.TITLE_SHEET]["czn"] = "ГКУ ЦЗН г. Кунгура"
    other["Путь клиента"][0]["touchpoint_code"] = "ТК-99"
    build_workbook("journey", folder / "Другой путь.xlsx", data=other)
    # the remote engine stands in for desktop Excel: no other open books, the file's own folder
    monkeypatch.setattr(lists, "_journey_in_open_books", lambda book, centre: None)
    monkeypatch.setattr(lists, "book_folder", lambda book: folder)
    monkeypatch.setattr(lists, "book_path", lambda book: str(measurements))
    result = run("refresh_lists", payload_from_xlsx(measurements), desktop=True)
    replay(result, measurements, tmp_path / "lists.xlsx")
    book = openpyxl.load_workbook(tmp_path / "lists.xlsx")
    summary = [book[catalog.MEASUREMENT_SUMMARY_SHEET].cell(r, 1).value for r in range(2, 6)]
    assert summary == ["ТК-01", "ТК-02", "ТК-03", None]
    validations = book[MEASUREMENTS].data_validations.dataValidation
    assert any(v.type == "list" and LISTS_SHEET in v.formula1 for v in validations)
    assert "файла «Путь клиента.xlsx» из той же папки" in alerts(result)[0]


def test_roadmap_has_no_lists_to_refresh(roadmap: Path) -> None:
    assert "нет списков" in alerts(run("refresh_lists", payload_from_xlsx(roadmap)))[0]


# -- «Панель» ------------------------------------------------------------------------------------------

def test_dashboard_of_measurements(measurements: Path, tmp_path: Path) -> None:
    result = run("dashboard", payload_from_xlsx(measurements))
    replay(result, measurements, tmp_path / "panel.xlsx")
    book = openpyxl.load_workbook(tmp_path / "panel.xlsx")
    assert book.sheetnames[0] == DASHBOARD_SHEET
    rows = list(book[DASHBOARD_SHEET].iter_rows(values_only=True))
    total = next(r for r in rows if r[0] == ALL_TOUCHPOINTS)
    # independently: the CSAT answers of rows without errors (F7 and F17 have errors)
    answers = [r["value"] for i, r in enumerate(measurement_rows()) if i not in (5, 15)]
    expected = csat(answers)
    assert total[1] == expected.n == 38
    assert total[2] == round(expected.value or 0, 1)
    tk01 = next(r for r in rows if r[0] == "ТК-01")
    assert tk01[2] == "мало данных"  # fewer than 30 answers


def test_dashboard_replaces_the_previous_one(measurements: Path, tmp_path: Path) -> None:
    first = run("dashboard", payload_from_xlsx(measurements))
    replay(first, measurements, tmp_path / "once.xlsx")
    second = run("dashboard", payload_from_xlsx(tmp_path / "once.xlsx"))
    replay(second, tmp_path / "once.xlsx", tmp_path / "twice.xlsx")
    assert openpyxl.load_workbook(tmp_path / "twice.xlsx").sheetnames.count(DASHBOARD_SHEET) == 1


# -- the table and the rest -------------------------------------------------------------------------------

def test_actions_follow_the_one_table() -> None:
    assert tuple(ACTIONS) == action_ids()


def test_desktop_only_action_on_the_server(measurements: Path) -> None:
    result = run("consolidate_folder", payload_from_xlsx(measurements))
    assert alerts(result) == ["Действие «Свод по папке» доступно только в настольной надстройке "
                              "(Python на этом компьютере)."]


def test_summary_that_cannot_be_written_is_explained(measurements: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import cxexcel.consolidate

    def locked(folder: Path, output: Path) -> None:
        # what Windows says when the previous summary is still open in Excel
        raise PermissionError(errno.EACCES, "Permission denied", str(output))

    monkeypatch.setattr(actions, "choose_folder", lambda start: tmp_path)
    monkeypatch.setattr(cxexcel.consolidate, "consolidate", locked)
    result = run("consolidate_folder", payload_from_xlsx(measurements), desktop=True)
    [text] = alerts(result)
    assert text.startswith("Свод не записан") and "открыт в другой программе" in text and "Закройте" in text
    assert "Внутренняя ошибка" not in text


def test_link_formula_quotes_the_sheet_name() -> None:
    assert link_formula("Лист 'А'", "B2") == "=HYPERLINK(\"#'Лист ''А'''!B2\",\"B2\")"
    assert link_formula('Лист "Б"', "C3") == "=HYPERLINK(\"#'Лист \"\"Б\"\"'!C3\",\"C3\")"


@pytest.mark.libreoffice
def test_workbook_filled_in_libreoffice_is_marked_and_the_copy_opens(lo: Any, tmp_path: Path) -> None:
    template = build_workbook("measurements", tmp_path / "template.xlsx", region=REGION, czn="ГКУ «ЦЗН г. Перми»",
                              report_date=dt.date(2021, 10, 15))
    filled = lo.fill_rows(template, tmp_path / "filled.xlsx", MEASUREMENTS, 2, [
        [dt.date(2021, 9, 1), "ТК-01", "Лично в ЦЗН", "Анкетирование", "CSAT", 4],
        [dt.date(2021, 9, 2), "ТК-01", "Лично в ЦЗН", "Анкетирование", "CSAT", 7],
        [dt.date(2021, 9, 3), "ТК-02", "Телефон", "Опрос", "NPS", 10],
    ])
    expected = issue_cells(filled)
    assert {(MEASUREMENTS, "F3"), (MEASUREMENTS, "D4")} <= set(expected)
    check_and_replay(filled, tmp_path / "marked.xlsx")
    marked = openpyxl.load_workbook(tmp_path / "marked.xlsx")
    for (sheet, ref), severity in expected.items():
        assert marked[sheet][ref].fill.fgColor.rgb == (ERROR_RGB if severity is Severity.ERROR else WARNING_RGB)
    assert lo.check_opens(tmp_path / "marked.xlsx").sheets[0] == CHECK_SHEET
    cleared = run("clear_marks", payload_from_xlsx(tmp_path / "marked.xlsx"))
    replay(cleared, tmp_path / "marked.xlsx", tmp_path / "cleared.xlsx")
    assert look(tmp_path / "cleared.xlsx") == look(filled)
    assert lo.check_opens(tmp_path / "cleared.xlsx").sheets == lo.check_opens(filled).sheets


def test_formula_errors_are_reported_as_for_the_file_on_disk(tmp_path: Path) -> None:
    path = write_sample("measurements", tmp_path / "m.xlsx")
    book = openpyxl.load_workbook(path)
    # openpyxl writes a known error code as an error cell, as Excel saves a formula that fails
    book[MEASUREMENTS]["F3"] = "#DIV/0!"  # «Значение», a required column
    book[MEASUREMENTS]["G4"] = "#N/A"  # «ID респондента», an optional one
    book.save(path)
    on_disk = {(i.sheet, i.cell, i.code.value, i.message) for i in check_file(path).report().issues}
    assert {(MEASUREMENTS, "F3", "formula-error"), (MEASUREMENTS, "G4", "formula-error")} <= \
        {(sheet, cell, code) for sheet, cell, code, _ in on_disk}
    check_and_replay(path, tmp_path / "marked.xlsx")
    listed = list(openpyxl.load_workbook(tmp_path / "marked.xlsx")[CHECK_SHEET].iter_rows(values_only=True))[1:]
    # Office.js sends the error's text, which xlwings turns into an empty cell unless asked for it
    in_excel = {(row[2], row[3], row[7], row[6]) for row in listed}
    assert {(sheet, link_formula(sheet, cell), code, message) for sheet, cell, code, message in on_disk} == in_excel


def test_refresh_lists_on_a_workbook_it_cannot_read_says_why_instead_of_an_internal_error(tmp_path: Path) -> None:
    path = tmp_path / "чужая.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Просто таблица"
    book.save(path)
    said = alerts(run("refresh_lists", payload_from_xlsx(path)))
    assert said[0].startswith("Списки не обновлены. Не удалось определить вид книги")
    assert "Внутренняя ошибка" not in said[0]
