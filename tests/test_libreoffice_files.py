"""Our files in a real LibreOffice: workbooks filled there are validated right; marked copies and
the summary open there without repair."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from libreoffice import LibreOffice

from cxexcel.consolidate import consolidate
from cxexcel.forms import catalog
from cxexcel.issues import Code
from cxexcel.template import build_workbook
from cxexcel.validate import check_files, validate
from cxexcel.validate.mark import marked_copy_path, write_marked_copy
from tests.samples import CZN, REGION, sample_data

pytest_plugins = ["libreoffice"]
pytestmark = pytest.mark.libreoffice
TEMPLATES = Path(__file__).parent.parent / "workbooks"


def test_measurements_typed_in_libreoffice_are_validated_at_their_cells(lo: LibreOffice, tmp_path: Path) -> None:
    title = [(catalog.TITLE_SHEET, "B1", REGION), (catalog.TITLE_SHEET, "B2", CZN),
             (catalog.TITLE_SHEET, "B3", "Иванова М.П."), (catalog.TITLE_SHEET, "B7", dt.date(2021, 10, 15))]
    filled = lo.fill(TEMPLATES / "Замеры.xlsx", tmp_path / "titled.xlsx", title)
    rows: list[list[object]] = []
    for i in range(300):
        rows.append([dt.date(2021, 9, 1) + dt.timedelta(days=i % 40), f"ТК-0{1 + i % 3}", "Лично в ЦЗН",
                     "Анкетирование", catalog.CSAT, 1 + i % 5, f"R{i}", "Соискатель", ""])
    rows[9][5] = 7                       # F11: off the CSAT scale
    rows[19][5] = "4,5"                  # F21: a number typed as text
    rows[29][0] = "1 сентября 2021"      # A31: a date typed as text
    rows[39][2] = "Телефон "             # C41: trailing space, corrected
    rows[49][3] = "Опрос"                # D51: not in the list
    rows[59][1] = ""                     # B61: required
    done = lo.fill_rows(filled, tmp_path / "Замеры LibreOffice.xlsx", "Замеры", 2, rows)
    report = validate([done])
    found = {(i.code, i.cell) for i in report.files[0].issues}
    assert (Code.VALUE_OFF_SCALE, "F11") in found
    assert (Code.NUMBER_AS_TEXT, "F21") in found
    assert (Code.DATE_AS_TEXT, "A31") in found
    assert (Code.CHOICE, "D51") in found
    assert (Code.REQUIRED, "B61") in found
    results = check_files([done])
    ok_rows = [r for r in results[0].workbook.records("Замеры") if r.ok]
    assert len(ok_rows) == 300 - 4     # F11, F21 (4.5 is off the integer scale), D51, B61


def test_marked_copy_and_summary_open_in_libreoffice(lo: LibreOffice, tmp_path: Path) -> None:
    data = sample_data("journey")
    data["Путь клиента"][1]["emotion"] = 5
    journey = build_workbook("journey", tmp_path / "inbox" / "Путь клиента.xlsx", data=data)
    report = validate([journey])
    marked = write_marked_copy(journey, report.files[0].issues, tmp_path / "marked")
    assert marked == marked_copy_path(journey, tmp_path / "marked")
    opened = lo.check_opens(marked)
    assert opened.sheets[0] == catalog.CHECK_SHEET
    listed = lo.recalc_read(marked, catalog.CHECK_SHEET, "B2:D2")
    assert listed == [["ошибка", "Путь клиента", "I3"]]

    build_workbook("measurements", tmp_path / "inbox" / "Замеры.xlsx", data=sample_data("measurements"))
    build_workbook("roadmap", tmp_path / "inbox" / "ДК.xlsx", data=sample_data("roadmap"))
    summary = tmp_path / "Свод.xlsx"
    consolidate(tmp_path / "inbox", summary, as_of=dt.date(2021, 10, 15), jobs=1)
    opened = lo.check_opens(summary)
    assert "Панель" in opened.sheets and "Свод" in opened.sheets
    with zipfile.ZipFile(summary) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4
    resaved = lo.resave(summary, tmp_path / "Свод LibreOffice.xlsx")
    with zipfile.ZipFile(resaved) as z:
        assert [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    svod = lo.recalc_read(summary, "Свод", "A3:A3")
    assert svod == [[REGION]]


def _title_edits(template: Path, values: dict[str, object]) -> list[tuple[str, str, object]]:
    """«Титул» edits by label, wherever the template puts each field."""
    import python_calamine as pc

    labels = pc.CalamineWorkbook.from_path(str(template)).get_sheet_by_name(catalog.TITLE_SHEET).to_python()
    rows = {str(row[0]).rstrip("*"): n + 1 for n, row in enumerate(labels) if row and row[0]}
    return [(catalog.TITLE_SHEET, f"B{rows[label]}", value) for label, value in values.items()]


def test_inbox_filled_in_libreoffice_consolidates_to_independent_figures(lo: LibreOffice, tmp_path: Path) -> None:
    import json

    from cxexcel.programme import default_programme

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    report_date = dt.date(2021, 10, 15)
    items = default_programme().items
    roadmap_template = TEMPLATES / "Дорожная карта.xlsx"
    edits = _title_edits(roadmap_template, {"Субъект РФ": REGION, "Ответственный (ФИО)": "Иванова М.П.",
                                            "Отчетная дата": report_date})
    for n in range(2, len(items) + 2):
        done = n % 2 == 0
        edits += [("Дорожная карта", f"F{n}", "Петров С.С."),
                  ("Дорожная карта", f"G{n}", catalog.STATUS_DONE if done else catalog.STATUS_IN_PROGRESS)]
        if done:
            edits.append(("Дорожная карта", f"H{n}", dt.date(2021, 8, 1)))
    lo.fill(roadmap_template, inbox / "ДК.xlsx", edits)

    measurements_template = TEMPLATES / "Замеры.xlsx"
    titled = lo.fill(measurements_template, tmp_path / "m-title.xlsx", _title_edits(measurements_template, {
        "Субъект РФ": REGION, "Наименование ЦЗН": CZN, "Ответственный (ФИО)": "Иванова М.П.",
        "Отчетная дата": report_date}))
    answers = [[dt.date(2021, 9, 1) + dt.timedelta(days=i % 30), f"ТК-0{1 + i % 2}", "Телефон", "Интервью",
                catalog.NPS if i % 3 == 0 else catalog.CSAT, (i * 7) % 11 if i % 3 == 0 else 1 + i % 5]
               for i in range(240)]
    lo.fill_rows(titled, inbox / "Замеры.xlsx", "Замеры", 2, answers)

    consolidate(inbox, tmp_path / "Свод.xlsx", as_of=report_date, json_output=tmp_path / "Свод.json", jobs=1)
    data = json.loads((tmp_path / "Свод.json").read_text(encoding="utf-8"))
    (row,) = data["regions"]
    done = sum(1 for n, _ in enumerate(items, start=2) if n % 2 == 0)
    overdue = sum(1 for n, item in enumerate(items, start=2)
                  if n % 2 and item.final_deadline is not None and item.final_deadline < report_date)
    csat = [a[5] for a in answers if a[4] == catalog.CSAT]
    nps = [a[5] for a in answers if a[4] == catalog.NPS]
    assert row["roadmap_done_pct"] == round(100 * done / len(items), 1)
    assert row["overdue_items"] == overdue
    assert row["answers"] == 240
    assert row["csat_pct"] == round(100 * sum(v >= 4 for v in csat) / len(csat), 2)
    assert row["csat_mean"] == round(sum(csat) / len(csat), 2)
    assert row["nps"] == round(100 * (sum(v >= 9 for v in nps) - sum(v <= 6 for v in nps)) / len(nps), 2)
    monitoring = {m["item"]: m for m in data["monitoring"]}
    assert monitoring[items[0].code]["status"] == catalog.STATUS_DONE
    assert monitoring[items[1].code]["overdue"] is (items[1].final_deadline is not None
                                                    and items[1].final_deadline < report_date)
    tp = {(t["code"], t["metric"]): t for t in data["touchpoints"]}
    first = [a[5] for a in answers if a[1] == "ТК-01" and a[4] == catalog.CSAT]
    assert tp[("ТК-01", catalog.CSAT)]["n"] == len(first)
    assert tp[("ТК-01", catalog.CSAT)]["value"] == round(100 * sum(v >= 4 for v in first) / len(first), 2)


def test_summary_lists_read_the_same_in_libreoffice(lo: LibreOffice, tmp_path: Path) -> None:
    """The lists' rows are XML of our own (consolidate/sheetxml.py): LibreOffice reads every cell of
    them as python-calamine does, a user's odd text, dates and numbers included."""
    import python_calamine as pc

    from cxexcel.consolidate.figures import Summary
    from cxexcel.consolidate.workbook import write_summary_xlsx

    texts = ["<r><t>x</t></r>", "=HYPERLINK(\"x\")", "  края  ", "&lt; <b>", "строка\nвторая", "_x0041_"]
    summary = Summary(dt.date(2021, 10, 15), "federal", "test")
    for n, text in enumerate(texts):
        summary.tools.append({"region": REGION, "czn": CZN, "tool": text, "launch_date": f"2021-09-{n + 10}",
                              "before": n + 0.25, "before_n": n, "effect_confirmed": n % 2 == 0})
    path = tmp_path / "Свод.xlsx"
    write_summary_xlsx(summary, path)
    assert lo.check_opens(path).sheets[0] == "Свод"
    ours = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Инструменты").to_python()
    theirs = lo.recalc_read(path, "Инструменты", f"A1:O{len(texts) + 1}")
    assert [row[2] for row in theirs[1:]] == texts == [row[2] for row in ours[1:]]
    for lo_row, our_row in zip(theirs[1:], ours[1:], strict=True):
        # LibreOffice gives dates as serial numbers
        assert lo_row[5] == (our_row[5] - dt.date(1899, 12, 30)).days
        assert lo_row[8:10] == our_row[8:10] and lo_row[14] == our_row[14]
