"""The template builder: sheets, headers, validations, prefilled rows, formulas, charts, CLI, workbooks/."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from click.testing import CliRunner
from libreoffice import LibreOffice
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

from cxexcel.cli import cli
from cxexcel.forms import KINDS, Column, ColumnType, TableSheet, catalog
from cxexcel.programme import default_programme
from cxexcel.template import build_templates, build_workbook, template_filename
from cxexcel.template.lists import LISTS_SHEET
from cxexcel.template.validation import list_values

pytest_plugins = ["libreoffice"]

REPO = Path(__file__).resolve().parents[1]
WORKBOOKS = REPO / "workbooks"

# Literally as FORMS.md §2–3 spells them: a change to the declaration that breaks the
# standard must fail here, so these are not derived from cxexcel.forms.
SHEETS = {
    "roadmap": ["Дорожная карта", "Рабочая группа", "Совещания"],
    "journey": ["Целевая аудитория", "Услуга", "Показатели", "Портрет клиента", "Путь клиента",
                "Карта решений", "Инструменты"],
    "measurements": ["Замеры", "Сводка"],
    "final_report": ["Отчет"],
    "consultations": ["Журнал консультаций"],
    "participants": ["Участники"],
}
TABLE_HEADERS = {
    "Дорожная карта": ["№ п/п", "Мероприятие", "Срок по регламенту", "Результат", "Плановый срок",
                       "Ответственный*", "Статус*", "Дата выполнения", "Подтверждающий документ", "Комментарий"],
    "Рабочая группа": ["ФИО*", "Должность*", "Подразделение*", "Роль*", "Этап пути клиента", "Телефон", "E-mail"],
    "Совещания": ["Дата*", "Номер протокола*", "Число участников", "Повестка", "Принятые решения"],
    "Целевая аудитория": ["Категория*", "Описание*", "Численность (оценка)", "Обоснование выбора"],
    "Показатели": ["Показатель*", "Единица измерения*", "Метод расчета", "Базовое значение", "Целевое значение",
                   "Источник данных", "Периодичность"],
    "Путь клиента": ["Этап*", "№ шага*", "Действие клиента*", "Код точки контакта*", "Точка контакта*", "Канал*",
                     "Ответственное подразделение", "Мысли и чувства", "Эмоция", "Боли", "Длительность, мин",
                     "Возможности улучшения"],
    "Карта решений": ["№*", "Код точки контакта*", "Проблема*", "Решение*", "Тип решения", "Ответственный*",
                      "Срок*", "Ожидаемый эффект", "Статус*"],
    "Инструменты": ["Инструмент*", "Описание*", "Код точки контакта*", "Дата запуска*", "Метрика эффекта*",
                    "Значение до", "Значение после", "Вывод"],
    "Замеры": ["Дата*", "Код точки контакта*", "Канал*", "Метод*", "Метрика*", "Значение*", "ID респондента",
               "Категория клиента", "Комментарий"],
    "Журнал консультаций": ["Дата*", "Субъект РФ*", "ЦЗН", "Форма*", "Тема*", "Вопрос*", "Ответ", "Консультант*",
                            "Статус*", "Дата закрытия"],
    "Участники": ["Мероприятие*", "Дата*", "ФИО*", "Должность", "Субъект РФ*", "ЦЗН"],
}
FORM_LABELS = {
    "Услуга": ["Услуга СЗН*"],
    "Портрет клиента": ["Имя персонажа", "Возраст", "Пол", "Образование", "Жизненная ситуация", "Цели",
                        "Потребности", "Боли и страхи", "Предпочитаемые каналы", "Цитата"],
}
TITLE_LABELS = {
    "czn": ["Субъект РФ*", "Наименование ЦЗН*", "Ответственный (ФИО)*", "Должность", "Телефон", "E-mail",
            "Отчетная дата*"],
    "region": ["Субъект РФ*", "Ответственный (ФИО)*", "Должность", "Телефон", "E-mail", "Отчетная дата*"],
    "federal": ["Субъект РФ", "Ответственный (ФИО)*", "Должность", "Телефон", "E-mail", "Отчетная дата*"],
}
FILE_NAMES = {
    "roadmap": "Дорожная карта.xlsx",
    "journey": "Путь клиента.xlsx",
    "measurements": "Замеры.xlsx",
    "final_report": "Отчет о результатах.xlsx",
    "consultations": "Журнал консультаций.xlsx",
    "participants": "Участники.xlsx",
}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    paths = build_templates(out)
    return {key: path for key, path in zip(KINDS, paths, strict=True)}


@pytest.fixture(scope="module")
def books(templates: dict[str, Path]) -> dict[str, openpyxl.Workbook]:
    return {key: openpyxl.load_workbook(path) for key, path in templates.items()}


def header_row(ws: Worksheet) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def form_labels(ws: Worksheet) -> list[str]:
    # section headings are bold rows; labels have a value cell with a border beside them
    return [row[0].value for row in ws.iter_rows(max_col=2) if row[0].value and row[1].border.left.style]


def validations_of(ws: Worksheet, cell: str) -> list[object]:
    return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]


def defined_list(wb: openpyxl.Workbook, formula: str) -> list[str]:
    name = wb.defined_names[formula.lstrip("=")]
    ((sheet, ref),) = name.destinations
    return [row[0].value for row in wb[sheet][ref.replace("$", "")]]


# -- structure ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind_key", list(KINDS))
def test_sheet_names_and_order(books: dict[str, openpyxl.Workbook], kind_key: str) -> None:
    expected = ["Инструкция", "Титул", *SHEETS[kind_key], "_meta", "_lists"]
    assert books[kind_key].sheetnames == expected


@pytest.mark.parametrize("kind_key", list(KINDS))
def test_file_names(templates: dict[str, Path], kind_key: str) -> None:
    assert templates[kind_key].name == FILE_NAMES[kind_key]


@pytest.mark.parametrize("kind_key", list(KINDS))
def test_meta_sheet_is_hidden_and_identifies_the_kind(books: dict[str, openpyxl.Workbook], kind_key: str) -> None:
    ws = books[kind_key]["_meta"]
    assert ws.sheet_state == "hidden"
    meta = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    assert meta == {
        "kind": kind_key,
        "template_version": catalog.TEMPLATE_VERSION,
        "programme_version": default_programme().version,
        "generator": meta["generator"],
    }
    assert meta["generator"].startswith("cxexcel ")
    assert books[kind_key][LISTS_SHEET].sheet_state == "hidden"


@pytest.mark.parametrize("kind_key", list(KINDS))
def test_title_sheet(books: dict[str, openpyxl.Workbook], kind_key: str) -> None:
    wb = books[kind_key]
    ws = wb["Титул"]
    assert form_labels(ws) == TITLE_LABELS[KINDS[kind_key].level.value]
    (region_dv,) = validations_of(ws, "B1")
    assert region_dv.type == "list"
    assert defined_list(wb, region_dv.formula1) == list(catalog.REGIONS)
    assert len(catalog.REGIONS) == 89
    date_row = form_labels(ws).index("Отчетная дата*") + 1
    (date_dv,) = validations_of(ws, f"B{date_row}")
    assert date_dv.type == "date"


@pytest.mark.parametrize("sheet_name", list(TABLE_HEADERS))
def test_table_headers_literally_as_the_standard(books: dict[str, openpyxl.Workbook], sheet_name: str) -> None:
    kind_key = next(k for k, names in SHEETS.items() if sheet_name in names)
    ws = books[kind_key][sheet_name]
    assert header_row(ws) == TABLE_HEADERS[sheet_name]
    table = KINDS[kind_key].sheet(sheet_name)
    assert isinstance(table, TableSheet)
    assert list(ws.tables) == [table.table_name]
    xl_table = ws.tables[table.table_name]
    assert xl_table.ref.startswith("A1:")
    assert [c.name for c in xl_table.tableColumns] == TABLE_HEADERS[sheet_name]
    assert xl_table.tableStyleInfo is not None and xl_table.tableStyleInfo.name
    assert ws.freeze_panes == "A2"


@pytest.mark.parametrize("sheet_name", list(FORM_LABELS))
def test_form_labels(books: dict[str, openpyxl.Workbook], sheet_name: str) -> None:
    assert form_labels(books["journey"][sheet_name]) == FORM_LABELS[sheet_name]


def test_final_report_has_sections_as_bold_rows(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["final_report"]["Отчет"]
    fields = KINDS["final_report"].form_sheets[0].fields
    sections = list(dict.fromkeys(f.section for f in fields))
    bold_rows = [row[0].value for row in ws.iter_rows(max_col=1) if row[0].value and row[0].font.b]
    assert bold_rows == sections
    assert form_labels(ws) == [f.header for f in fields]


def test_tables_have_the_declared_blank_rows(books: dict[str, openpyxl.Workbook]) -> None:
    for kind_key, kind in KINDS.items():
        for sheet in kind.table_sheets:
            ref = books[kind_key][sheet.name].tables[sheet.table_name].ref
            programme_rows = len(default_programme().items) if sheet.name == "Дорожная карта" else 0
            assert ref.endswith(str(1 + programme_rows + sheet.blank_rows)), (sheet.name, ref)


# -- validations and notes ---------------------------------------------------------------------------


def _table_columns() -> Iterator[tuple[str, TableSheet, int, Column]]:
    for kind_key, kind in KINDS.items():
        for sheet in kind.table_sheets:
            for index, column in enumerate(sheet.columns):
                yield kind_key, sheet, index, column


def test_every_closed_list_column_has_a_stop_drop_down(books: dict[str, openpyxl.Workbook]) -> None:
    checked = 0
    for kind_key, sheet, index, column in _table_columns():
        if not column.is_closed_list:
            continue
        wb = books[kind_key]
        letter = openpyxl.utils.get_column_letter(index + 1)
        for row in (2, 100, 2000):
            (dv,) = validations_of(wb[sheet.name], f"{letter}{row}")
            assert dv.type == "list", (sheet.name, column.title)
            assert dv.errorStyle in (None, "stop"), (sheet.name, column.title)
            assert dv.showInputMessage and dv.prompt
        assert defined_list(wb, dv.formula1) == list(list_values(column))
        checked += 1
    assert checked >= 12


def test_open_lists_accept_other_values(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["journey"]["Показатели"]
    (dv,) = validations_of(ws, "G2")  # «Периодичность»: suggestions only
    assert dv.type == "list"
    assert dv.errorStyle == "information"
    (service,) = validations_of(books["journey"]["Услуга"], "B1")
    assert service.errorStyle == "information"


def test_dates_and_numbers_are_validated(books: dict[str, openpyxl.Workbook]) -> None:
    for kind_key, sheet, index, column in _table_columns():
        letter = openpyxl.utils.get_column_letter(index + 1)
        found = validations_of(books[kind_key][sheet.name], f"{letter}2")
        if column.type is ColumnType.DATE:
            (dv,) = found
            assert dv.type == "date" and dv.operator in (None, "between")  # "between" is the default
            assert "ДД.ММ.ГГГГ" in dv.prompt
        elif column.type is ColumnType.INTEGER:
            (dv,) = found
            assert dv.type == "whole"
            if column.minimum is not None:
                assert float(dv.formula1) == column.minimum
            if column.maximum is not None:
                assert float(dv.formula2) == column.maximum
        elif column.type is ColumnType.NUMBER:
            (dv,) = found
            assert dv.type == "decimal"


def test_measurements_are_validated_on_twenty_thousand_rows(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["measurements"]["Замеры"]
    assert validations_of(ws, "E20000")
    assert validations_of(books["roadmap"]["Совещания"], "A2000")


def test_headers_carry_notes(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["measurements"]["Замеры"]
    metric_note = ws["E1"].comment.text
    assert all(name in metric_note for name in catalog.METRIC_NAMES)
    assert "Обязательно" in metric_note
    assert "ДД.ММ.ГГГГ" in ws["A1"].comment.text
    assert "от -2 до 2" in books["journey"]["Путь клиента"]["I1"].comment.text


def test_print_setup(books: dict[str, openpyxl.Workbook]) -> None:
    for kind_key, kind in KINDS.items():
        for sheet in kind.table_sheets:
            ws = books[kind_key][sheet.name]
            assert ws.page_setup.orientation == "landscape"
            assert int(ws.page_setup.paperSize) == 9
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
            assert ws.print_title_rows == "$1:$1"


# -- programme rows, instruction ---------------------------------------------------------------------


def test_roadmap_lists_every_programme_item_with_its_deadline(templates: dict[str, Path]) -> None:
    rows = CalamineWorkbook.from_path(str(templates["roadmap"])).get_sheet_by_name("Дорожная карта").to_python()
    items = default_programme().items
    assert len(items) == 20
    got = [(r[0], r[1], r[2], r[3]) for r in rows[1:21]]
    assert got == [(i.code, i.title, i.deadline_text, i.result) for i in items]
    assert rows[1 + [i.code for i in items].index("2.1.9")][2] == "31.08.2021; 20.09.2021; 11.10.2021; 01.11.2021"
    assert rows[1 + [i.code for i in items].index("1.5")][2] == "на протяжении всего периода"
    assert all(not any(r) for r in rows[21:])


def test_roadmap_prefilled_cells_are_grey_but_editable(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["roadmap"]["Дорожная карта"]
    for cell in ("A2", "B2", "C21", "D21"):
        assert ws[cell].fill.fgColor.rgb.endswith("D9D9D9"), cell
        assert ws[cell].protection.locked is False
    assert ws["E2"].fill.fgColor.rgb in (None, "00000000")
    assert ws["A22"].value is None


def test_instruction_sheet(templates: dict[str, Path]) -> None:
    rows = CalamineWorkbook.from_path(str(templates["roadmap"])).get_sheet_by_name("Инструкция").to_python()
    text = "\n".join(str(r[0]) for r in rows)
    assert "31.08.2021; 20.09.2021; 11.10.2021; 01.11.2021" in text
    # the button and the tab as the ribbon names them (macros/customUI.xml)
    assert "«Проверить книгу» на вкладке «Клиентский опыт»" in text and "cxexcel validate ФАЙЛ" in text
    assert KINDS["roadmap"].contact in text
    for sheet in ("Титул", "Дорожная карта", "Рабочая группа", "Совещания"):
        assert f"Лист «{sheet}»" in text
    assert "на протяжении всего периода" in text  # 2.1.10


# -- the summary and the chart -----------------------------------------------------------------------


def test_summary_has_live_formulas_on_whole_columns(books: dict[str, openpyxl.Workbook]) -> None:
    ws = books["measurements"]["Сводка"]
    assert ws["A1"].value == "Код точки контакта"
    codes = [ws.cell(row, 1).value for row in range(2, 2 + catalog.SUMMARY_TOUCHPOINT_ROWS)]
    assert codes == [f"ТК-{n:02d}" for n in range(1, 41)]
    assert ws.cell(2 + catalog.SUMMARY_TOUCHPOINT_ROWS, 1).value == "Все точки"
    formulas = [c.value for c in ws[2][1:]]
    assert all(isinstance(f, str) and f.startswith("=") for f in formulas)
    joined = " ".join(formulas)
    for function in ("COUNTIFS(", "AVERAGEIFS(", "IFERROR("):
        assert function in joined
    # «Код точки контакта» is column B, «Метрика» E and «Значение» F of «Замеры»
    assert "'Замеры'!$B:$B" in joined and "'Замеры'!$E:$E" in joined and "'Замеры'!$F:$F" in joined
    assert "Zamery[" not in joined and "[#" not in joined
    assert catalog.SMALL_SAMPLE_LABEL in ws.cell(2, ws.max_column).value
    headers = header_row(ws)
    assert headers[1:4] == ["n CSAT", "CSAT, средний балл", "CSAT, % (4–5)"]
    assert "NPS" in headers and "n CES" in headers


def test_journey_has_an_emotion_chart_over_the_table(templates: dict[str, Path]) -> None:
    with zipfile.ZipFile(templates["journey"]) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
        drawing_rels = [n for n in package.namelist() if n.startswith("xl/worksheets/_rels/")]
        owner = [n for n in drawing_rels if "/drawings/drawing" in package.read(n).decode()]
    journey = KINDS["journey"].sheet("Путь клиента")
    assert isinstance(journey, TableSheet)
    keys = [c.key for c in journey.columns]
    emotion = openpyxl.utils.get_column_letter(keys.index("emotion") + 1)
    code = openpyxl.utils.get_column_letter(keys.index("touchpoint_code") + 1)
    last = 1 + journey.blank_rows
    assert "<c:lineChart>" in chart
    assert f"'Путь клиента'!${emotion}$2:${emotion}${last}" in chart
    assert f"'Путь клиента'!${code}$2:${code}${last}" in chart
    sheet_index = 3 + [s.name for s in KINDS["journey"].sheets].index("Путь клиента")
    assert owner == [f"xl/worksheets/_rels/sheet{sheet_index}.xml.rels"]


# -- filled workbooks --------------------------------------------------------------------------------


def test_filled_workbook_reads_back_with_types(tmp_path: Path) -> None:
    answers = [
        {"date": dt.date(2021, 9, 1), "touchpoint_code": "ТК-01", "channel": "Телефон",
         "method": "Анкетирование", "metric": "CSAT", "value": 5, "respondent": "007"},
        {"date": "1 сентября 2021", "touchpoint_code": "=1+1", "metric": "NPS", "value": 4.5,
         "comment": "@ЦЗН"},
    ] * 40
    path = build_workbook(
        "measurements", tmp_path / "m.xlsx", region="Пермский край", czn="ГКУ «ЦЗН г. Перми»",
        report_date=dt.date(2021, 10, 1),
        data={"Замеры": answers, "Титул": {"responsible": "Иванова А. А.", "phone": "+7 342 000-00-00"},
              "Сводка": ["ТК-01", "ТК-02"]},
    )
    book = CalamineWorkbook.from_path(str(path))
    title = book.get_sheet_by_name("Титул").to_python()
    assert [r[1] for r in title] == ["Пермский край", "ГКУ «ЦЗН г. Перми»", "Иванова А. А.", "", "+7 342 000-00-00",
                                     "", dt.date(2021, 10, 1)]
    rows = book.get_sheet_by_name("Замеры").to_python()
    assert rows[1][:7] == [dt.date(2021, 9, 1), "ТК-01", "Телефон", "Анкетирование", "CSAT", 5.0, "007"]
    assert rows[2][:6] == ["1 сентября 2021", "=1+1", "", "", "NPS", 4.5]
    assert rows[2][8] == "@ЦЗН"
    assert len(rows) == 81
    wb = openpyxl.load_workbook(path)
    assert wb["Замеры"].tables["Zamery"].ref == "A1:I81"
    assert wb["Замеры"]["B3"].data_type == "s"  # text, not a formula
    assert wb["Замеры"]["A2"].number_format == "dd.mm.yyyy"
    summary = wb["Сводка"]
    assert [summary.cell(r, 1).value for r in (2, 3, 4)] == ["ТК-01", "ТК-02", None]
    assert summary.cell(2 + catalog.SUMMARY_TOUCHPOINT_ROWS, 1).value == "Все точки"


def test_roadmap_data_completes_programme_rows_and_adds_own_items(tmp_path: Path) -> None:
    path = build_workbook("roadmap", tmp_path / "r.xlsx", data={"Дорожная карта": [
        {"code": "1.2", "status": "Выполнено", "done_date": dt.date(2021, 8, 10), "responsible": "Петров"},
        {"code": "2.2.2", "status": "В работе"},
        {"code": "Р.1", "title": "Свое мероприятие", "status": "Не начато"},
    ]})
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Дорожная карта").to_python()
    by_code = {r[0]: r for r in rows[1:]}
    assert len(rows) == 1 + 20 + 1
    assert by_code["1.2"][5:8] == ["Петров", "Выполнено", dt.date(2021, 8, 10)]
    assert by_code["2.2.2"][1] == default_programme().item("2.1.2").title  # the alias keeps its row
    assert rows[-1][:2] == ["Р.1", "Свое мероприятие"]


def test_tables_grow_to_fit_the_data(tmp_path: Path) -> None:
    steps = [{"stage": "Этап", "step": n, "action": "…", "touchpoint_code": f"ТК-{n:03d}", "touchpoint": "…",
              "channel": "Телефон", "emotion": n % 5 - 2} for n in range(1, 101)]
    path = build_workbook("journey", tmp_path / "j.xlsx", data={"Путь клиента": steps})
    ws = openpyxl.load_workbook(path)["Путь клиента"]
    assert ws.tables["PutKlienta"].ref == "A1:L101"
    with zipfile.ZipFile(path) as package:
        assert "'Путь клиента'!$I$2:$I$101" in package.read("xl/charts/chart1.xml").decode()


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown column keys"):
        build_workbook("participants", tmp_path / "p.xlsx", data={"Участники": [{"fio": "x"}]})
    with pytest.raises(ValueError, match="no sheets"):
        build_workbook("participants", tmp_path / "p.xlsx", data={"Лист": []})
    assert not (tmp_path / "p.xlsx").exists()


def test_a_column_added_to_the_declaration_appears(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kind = KINDS["measurements"]
    sheet = kind.sheet("Замеры")
    assert isinstance(sheet, TableSheet)
    extra = Column("office", "Офис приема", ColumnType.CHOICE, required=True, choices=("Центральный", "Северный"))
    # inserted first, so every column the summary counts moves one letter right
    patched = replace(kind, sheets=(replace(sheet, columns=(extra, *sheet.columns)),))
    monkeypatch.setitem(KINDS, "measurements", patched)
    wb = openpyxl.load_workbook(build_workbook("measurements", tmp_path / "m.xlsx"))
    assert header_row(wb["Замеры"])[:3] == ["Офис приема*", "Дата*", "Код точки контакта*"]
    (dv,) = validations_of(wb["Замеры"], "A2")
    assert defined_list(wb, dv.formula1) == ["Центральный", "Северный"]
    formula = wb["Сводка"]["B2"].value
    assert "'Замеры'!$C:$C" in formula and "'Замеры'!$F:$F" in formula and "'Замеры'!$G:$G" in formula


def test_same_input_same_bytes(tmp_path: Path) -> None:
    first = build_workbook("journey", tmp_path / "a.xlsx", region="Пермский край", czn="ЦЗН")
    second = build_workbook("journey", tmp_path / "b.xlsx", region="Пермский край", czn="ЦЗН")
    assert first.read_bytes() == second.read_bytes()


# -- naming and the command line ---------------------------------------------------------------------


def test_file_names_with_region_and_centre() -> None:
    assert template_filename(KINDS["journey"], "Пермский край", 'ГКУ "ЦЗН г. Перми"') == (
        "Путь клиента — ГКУ ЦЗН г. Перми.xlsx")
    assert template_filename(KINDS["journey"], "Пермский край") == "Путь клиента — Пермский край.xlsx"
    assert template_filename(KINDS["roadmap"], "Пермский край", "ЦЗН") == "Дорожная карта — Пермский край.xlsx"
    assert template_filename(KINDS["consultations"], "Пермский край") == "Журнал консультаций.xlsx"
    unsafe = template_filename(KINDS["measurements"], None, "ЦЗН: г. Пермь/Центр?")
    assert unsafe == "Замеры — ЦЗН- г. Пермь-Центр-.xlsx"


def test_cli_writes_every_kind(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["templates", "--out", str(tmp_path), "--region", "пермский край",
                                      "--czn", "ГКУ ЦЗН г. Перми"])
    assert result.exit_code == 0, result.output
    written = result.output.splitlines()
    assert len(written) == 6
    assert {Path(p).name for p in written} == {
        "Дорожная карта — Пермский край.xlsx", "Путь клиента — ГКУ ЦЗН г. Перми.xlsx",
        "Замеры — ГКУ ЦЗН г. Перми.xlsx", "Отчет о результатах — Пермский край.xlsx",
        "Журнал консультаций.xlsx", "Участники — Пермский край.xlsx",
    }
    title = openpyxl.load_workbook(tmp_path / "Путь клиента — ГКУ ЦЗН г. Перми.xlsx")["Титул"]
    assert (title["B1"].value, title["B2"].value) == ("Пермский край", "ГКУ ЦЗН г. Перми")


def test_cli_kind_selection_and_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["templates", "--kind", "measurements"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(Path("workbooks") / "Замеры.xlsx")
    assert (tmp_path / "workbooks" / "Замеры.xlsx").exists()


def test_cli_unknown_region_explains(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["templates", "--out", str(tmp_path), "--region", "Татарстан"])
    assert result.exit_code == 2
    assert "неизвестный субъект РФ «Татарстан»" in result.output
    assert "«Республика Татарстан»" in result.output
    assert not list(tmp_path.iterdir())


def test_cli_bad_programme_file(tmp_path: Path) -> None:
    bad = tmp_path / "programme.json"
    bad.write_text("{", encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "--out", str(tmp_path), "--programme", str(bad)])
    assert result.exit_code == 2
    assert "не является корректным JSON" in result.output


def programme_file(folder: Path, data: dict[str, Any]) -> Path:
    """A programme JSON as a coordinator would hand-edit it."""
    path = folder / "programme.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["templates", "validate", "consolidate"])
def test_a_programme_file_with_mistakes_is_explained_in_russian(tmp_path: Path, command: str) -> None:
    data = default_programme().model_dump(mode="json")
    del data["items"][0]["title"]
    data["items"][1]["deadlines"][0] = "2021-13-01"
    data["year"] = 2022
    bad = programme_file(tmp_path, data)
    args = {"templates": ["templates", "--out", str(tmp_path / "t")],
            "validate": ["validate", str(WORKBOOKS / "Участники.xlsx")],
            "consolidate": ["consolidate", str(WORKBOOKS), "-o", str(tmp_path / "s.xlsx")]}[command]
    result = CliRunner().invoke(cli, [*args, "--programme", str(bad)])
    assert result.exit_code == 2  # a usage error: 1 would say «the files have errors»
    assert "«items» № 1 «title»: нет обязательного поля" in result.output
    assert "«items» № 2 «deadlines» № 1: не дата" in result.output
    assert "«year»: лишнее поле" in result.output
    assert "Field required" not in result.output and "Input should" not in result.output


def test_more_programme_mistakes_are_explained_and_a_boolean_cadence_refused(tmp_path: Path) -> None:
    data = default_programme().model_dump(mode="json")
    data["items"][0]["code"] = "1,1"
    meeting = next(i for i in data["items"] if i.get("cadence_days"))
    meeting["cadence_days"] = True  # JSON's true must not pass for a one-day cadence
    data["items"][1]["deadlines"] = [20210731]
    result = CliRunner().invoke(cli, ["templates", "--out", str(tmp_path / "t"), "--programme",
                                      str(programme_file(tmp_path, data))])
    assert result.exit_code == 2
    assert "«items» № 1 «code»: номер пункта пишется цифрами через точку" in result.output
    assert "«cadence_days»" in result.output
    assert "«items» № 2 «deadlines» № 1: не дата; нужна дата в кавычках" in result.output
    assert "should" not in result.output and "Input" not in result.output


def test_cli_programme_file_is_used(tmp_path: Path) -> None:
    data = default_programme().model_dump(mode="json")
    data["version"] = "2022-01-01"
    data["items"] = data["items"][:3]
    source = tmp_path / "p.json"
    source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["templates", "--out", str(tmp_path), "--kind", "roadmap",
                                      "--programme", str(source)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "Дорожная карта.xlsx")
    assert dict(wb["_meta"].iter_rows(values_only=True))["programme_version"] == "2022-01-01"
    assert [wb["Дорожная карта"].cell(r, 1).value for r in (2, 3, 4, 5)] == ["1.1", "1.2", "1.3", None]


# -- workbooks/ is what the generator makes now ------------------------------------------------------


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        parts = {}
        for name in package.namelist():
            content = package.read(name)
            try:
                parts[name] = ET.canonicalize(content.decode("utf-8")).encode()
            except (ET.ParseError, UnicodeDecodeError):
                parts[name] = content
        return parts


def test_committed_workbooks_are_current(tmp_path: Path) -> None:
    refresh = "run `cxexcel templates` to refresh workbooks/"
    fresh = build_templates(tmp_path)
    committed = sorted(p.name for p in WORKBOOKS.glob("*.xlsx"))
    assert committed == sorted(p.name for p in fresh), refresh
    for path in fresh:
        old, new = _parts(WORKBOOKS / path.name), _parts(path)
        assert sorted(old) == sorted(new), f"{path.name}: other parts; {refresh}"
        changed = [name for name in new if old[name] != new[name]]
        assert not changed, f"{path.name}: {changed} differ; {refresh}"


# -- LibreOffice -------------------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_every_template_opens_in_libreoffice(lo: LibreOffice, templates: dict[str, Path]) -> None:
    for kind_key, path in templates.items():
        report = lo.check_opens(path)
        assert report.sheets == ["Инструкция", "Титул", *SHEETS[kind_key], "_meta", "_lists"]
        pdf = lo.convert(path, "pdf", path.with_suffix(".pdf"))
        assert pdf.read_bytes().startswith(b"%PDF")


def _expected_summary(answers: list[tuple[str, str, float]], code: str | None) -> list[object]:
    def values(metric: str, low: float, high: float) -> list[float]:
        return [v for c, m, v in answers if (code is None or c == code) and m == metric and low <= v <= high]

    def pct(part: int, whole: int) -> object:
        return part / whole * 100 if whole else None

    csat, nps, ces = values("CSAT", 1, 5), values("NPS", 0, 10), values("CES", 1, 7)
    wait, service = values(catalog.WAIT_TIME, 0, 1e9), values(catalog.SERVICE_TIME, 0, 1e9)
    solved = values(catalog.FIRST_CONTACT, 0, 1)

    def mean(xs: list[float]) -> object:
        return sum(xs) / len(xs) if xs else None

    small = [name for name, xs in (("CSAT", csat), ("NPS", nps), ("CES", ces)) if 0 < len(xs) < 30]
    return [
        float(len(csat)), mean(csat), pct(sum(v >= 4 for v in csat), len(csat)),
        float(len(nps)), pct(sum(v >= 9 for v in nps) - sum(v <= 6 for v in nps), len(nps)),
        float(len(ces)), mean(ces), pct(sum(v >= 5 for v in ces), len(ces)),
        mean(wait), mean(service), pct(sum(v == 1 for v in solved), len(solved)),
        "мало данных: " + ", ".join(small) if small else None,
    ]


@pytest.mark.libreoffice
def test_summary_computes_in_libreoffice_including_rows_typed_below_the_table(
    lo: LibreOffice, tmp_path: Path
) -> None:
    scores = {"CSAT": [5, 4, 3, 1, 5, 2], "NPS": [10, 9, 6, 0, 7, 8, 3], "CES": [7, 5, 4, 1],
              catalog.WAIT_TIME: [3.5, 10, 0], catalog.FIRST_CONTACT: [1, 0, 1, 1]}
    answers = [("ТК-01", metric, float(v)) for metric, vs in scores.items() for v in vs]
    answers += [("ТК-02", "CSAT", float(v)) for v in [4, 5] * 20]  # 40 answers: enough data
    answers += [("ТК-02", "CSAT", 9.0), ("ТК-02", "NPS", 11.0)]  # off the scale: not counted
    in_table = answers[:10]
    typed_below = answers[10:]
    rows = [{"date": dt.date(2021, 9, 1), "touchpoint_code": c, "channel": "Телефон", "method": "Анкетирование",
             "metric": m, "value": v} for c, m, v in in_table]
    built = build_workbook("measurements", tmp_path / "m.xlsx", data={"Замеры": rows})
    # a user types the rest below the table, where LibreOffice does not extend it
    below = [[dt.date(2021, 9, 2), c, "Телефон", "Анкетирование", m, v] for c, m, v in typed_below]
    filled = lo.fill_rows(built, tmp_path / "filled.xlsx", "Замеры", 2 + len(in_table), below)
    last = openpyxl.utils.get_column_letter(13)
    got = lo.recalc_read(filled, "Сводка", f"B2:{last}4")
    total = lo.recalc_read(filled, "Сводка", f"B{2 + catalog.SUMMARY_TOUCHPOINT_ROWS}:{last}"
                           f"{2 + catalog.SUMMARY_TOUCHPOINT_ROWS}")[0]
    for actual, expected in zip([*got, total], [_expected_summary(answers, "ТК-01"),
                                                _expected_summary(answers, "ТК-02"),
                                                _expected_summary(answers, "ТК-03"),
                                                _expected_summary(answers, None)], strict=True):
        assert [None if a == "" else a for a in actual] == pytest.approx(expected), (actual, expected)

