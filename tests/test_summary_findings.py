"""Findings of a QA pass on the summary: centre names, centres without a journey, charts, effects, medians, overdue."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc

from cxexcel.consolidate import FileStatus, collect, consolidate
from cxexcel.consolidate.figures import Summary
from cxexcel.consolidate.workbook import write_summary_xlsx
from cxexcel.forms import catalog
from cxexcel.issues import Code, Severity
from cxexcel.metrics import tool_effect
from cxexcel.read.normalize import normalize_name
from cxexcel.template import build_workbook
from cxexcel.validate import centre_key
from tests.samples import CZN, REGION, sample_data
from tests.test_consolidate import AS_OF, OTHER_CZN, OTHER_REGION, measurement_rows, region_row

KURSK = "Курская область"
KURSK_CZN = "ОГКУ «ЦЗН г. Курска»"
# a second centre of Kursk, spelled one way in its journey and another in its measurements
ZHEL_JOURNEY = "ОГКУ «ЦЗН г. Железногорска»"
ZHEL_MEASURED = "ОГКУ «ЦЗН города Железногорска»"
# Perm's centre as its resubmitted measurements spell it: no space after «г.»
PERM_NO_SPACE = "ГКУ «ЦЗН г.Перми»"
LAUNCH = dt.date(2021, 9, 15)


def answers(metric: str, values: list[float], code: str, start: dt.date) -> list[dict[str, Any]]:
    return [{"date": start + dt.timedelta(days=i), "touchpoint_code": code, "channel": "Лично в ЦЗН",
             "method": "Анкетирование", "metric": metric, "value": v} for i, v in enumerate(values)]


def journey(path: Path, region: str, czn: str, tools: list[dict[str, Any]] | None = None) -> None:
    data = sample_data("journey")
    data[catalog.TITLE_SHEET].update(region=region, czn=czn)
    if tools is not None:
        data["Инструменты"] = tools
    build_workbook("journey", path, data=data)


def measurements(path: Path, region: str, czn: str, rows: list[dict[str, Any]],
                 report_date: dt.date | None = None) -> None:
    data = sample_data("measurements")
    data[catalog.TITLE_SHEET].update(region=region, czn=czn)
    if report_date is not None:
        data[catalog.TITLE_SHEET]["report_date"] = report_date
    data["Замеры"] = rows
    build_workbook("measurements", path, data=data)


def build_findings_inbox(root: Path) -> dict[str, Any]:
    """Perm: measurements resubmitted with the centre spelled without a space (an older file spelled as the
    journey is). Kursk: no roadmap; a tool measured on 5 answers before and 2 after; 10 waiting times; a
    second centre spelled «города» in its measurements, «г.» in its journey. Tatarstan: measurements of a
    centre that sent no journey."""
    inbox = root / "inbox"
    perm, kursk, kazan = inbox / REGION, inbox / KURSK, inbox / "Татарстан"
    for folder in (perm, kursk, kazan):
        folder.mkdir(parents=True)
    truth: dict[str, Any] = {}

    build_workbook("roadmap", perm / "Дорожная карта.xlsx", data=sample_data("roadmap"))
    journey(perm / "Путь клиента.xlsx", REGION, CZN)
    old = measurement_rows(60, codes=["ТК-01", "ТК-02"], start=dt.date(2021, 9, 1), seed=2)
    measurements(perm / "Замеры (первые).xlsx", REGION, CZN, old, report_date=dt.date(2021, 10, 1))
    perm_rows = measurement_rows(20, codes=["ТК-01", "ТК-02", "ТК-03"], start=dt.date(2021, 9, 1), seed=4)
    perm_rows.append({**perm_rows[0], "touchpoint_code": "ТК-42"})  # not in the journey
    measurements(perm / "Замеры (исправленные).xlsx", REGION, PERM_NO_SPACE, perm_rows)
    truth["perm_rows"] = perm_rows[:-1]

    nps_tool = {"tool": "Обратный звонок", "description": "Перезваниваем", "touchpoint_code": "ТК-02",
                "launch_date": LAUNCH, "metric": catalog.NPS, "before": 10, "after": 40}
    journey(kursk / "Путь клиента.xlsx", KURSK, KURSK_CZN, tools=[nps_tool])
    kursk_rows = (answers(catalog.CSAT, [1 + i % 5 for i in range(40)], "ТК-01", dt.date(2021, 9, 1))
                  + answers(catalog.NPS, [0, 1, 2, 0, 3], "ТК-02", dt.date(2021, 9, 5))
                  + answers(catalog.NPS, [10, 10], "ТК-02", dt.date(2021, 9, 20))
                  + answers(catalog.WAIT_TIME, [5, 7, 9, 11, 13, 15, 17, 19, 21, 40], "ТК-03", dt.date(2021, 9, 2)))
    measurements(kursk / "Замеры.xlsx", KURSK, KURSK_CZN, kursk_rows)
    journey(kursk / "Путь клиента — Железногорск.xlsx", KURSK, ZHEL_JOURNEY)
    measurements(kursk / "Замеры — Железногорск.xlsx", KURSK, ZHEL_MEASURED,
                 answers(catalog.CSAT, [4, 5, 3], "ТК-01", dt.date(2021, 9, 3)))

    build_workbook("roadmap", kazan / "ДК.xlsx", data={**sample_data("roadmap"), catalog.TITLE_SHEET: {
        **sample_data("roadmap")[catalog.TITLE_SHEET], "region": OTHER_REGION}})
    measurements(kazan / "Замеры.xlsx", OTHER_REGION, OTHER_CZN,
                 measurement_rows(20, codes=["ТК-01"], start=dt.date(2021, 9, 10), seed=3))
    return truth


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("findings")
    truth = build_findings_inbox(root)
    result = consolidate(root / "inbox", root / "out" / "Свод.xlsx", as_of=AS_OF,
                         json_output=root / "out" / "Свод.json", jobs=1)
    data = json.loads((root / "out" / "Свод.json").read_text(encoding="utf-8"))
    return {"root": root, "truth": truth, "result": result, "json": data}


def issues_of(data: dict[str, Any], code: Code) -> list[dict[str, Any]]:
    return [i for i in data["issues"] if i["code"] == code.value]


def sheet(path: Path, name: str) -> list[list[Any]]:
    rows: list[list[Any]] = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return rows


def svod_row(path: Path, region: str) -> dict[str, Any]:
    rows = sheet(path, "Свод")
    return dict(zip(rows[1], next(r for r in rows[2:] if r[0] == region), strict=True))


# --- 1. centre names match whatever the white space ------------------------------------------------------

def test_centre_names_that_differ_only_in_spaces_are_one_centre() -> None:
    assert centre_key(KURSK, "ОГКУ «Центр занятости населения г.Курска»") == \
        centre_key(KURSK, "ОГКУ «Центр занятости населения г. Курска»")
    assert centre_key(KURSK, "ОГКУ «ЦЗН г. Курска»") == centre_key(KURSK, "огку цзн  г .курска")
    assert centre_key(KURSK, "ОГКУ «ЦЗН г. Курска»") != centre_key(KURSK, "ОГКУ «ЦЗН города Курска»")
    # team units and other names compared by normalize_name keep their words apart
    assert normalize_name("Отдел  трудоустройства") == "отдел трудоустройства"


def test_a_resubmission_spelled_without_a_space_replaces_the_first_one(run: dict[str, Any]) -> None:
    statuses = {o.entry.relative: o.status for o in run["result"].outcomes}
    assert statuses[f"{REGION}/Замеры (первые).xlsx"] is FileStatus.SUPERSEDED
    assert statuses[f"{REGION}/Замеры (исправленные).xlsx"] is FileStatus.ACCEPTED
    perm = region_row(run["json"], REGION)
    assert perm["answers"] == len(run["truth"]["perm_rows"])
    assert perm["csat_pct_small_sample"] is True


def test_measurements_spelled_without_a_space_count_for_their_journey(run: dict[str, Any]) -> None:
    data = run["json"]
    perm = region_row(data, REGION)
    assert perm["touchpoints_mapped"] == 3 and perm["touchpoints_measured"] == 3
    tool = next(t for t in data["tools"] if t["region"] == REGION)
    assert tool["before_n"] + tool["after_n"] == sum(
        r["metric"] == catalog.CSAT and r["touchpoint_code"] == "ТК-03" for r in run["truth"]["perm_rows"])
    # the cross-check ran: the answer at a touchpoint the journey lacks is reported and not counted
    unknown = [i for i in issues_of(data, Code.TOUCHPOINT_UNKNOWN) if i["region"] == REGION]
    assert [i["value"] for i in unknown] == ["ТК-42"]
    assert not [i for i in issues_of(data, Code.CENTRE_WITHOUT_JOURNEY) if i["region"] == REGION]
    # «Точки контакта» name the centre as its journey spells it
    assert {t["czn"] for t in data["touchpoints"] if t["region"] == REGION} == {CZN}


# --- 2. measurements of a centre without a journey --------------------------------------------------------

def test_measurements_named_otherwise_than_the_journey_are_warned_about(run: dict[str, Any]) -> None:
    found = [(o.entry.relative, i) for o in run["result"].outcomes for i in o.issues
             if i.code is Code.CENTRE_WITHOUT_JOURNEY]
    assert sorted(path for path, _ in found) == sorted([f"{KURSK}/Замеры — Железногорск.xlsx", "Татарстан/Замеры.xlsx"])
    issue = next(i for path, i in found if path.startswith(KURSK))
    outcome = next(o for o in run["result"].outcomes if o.entry.relative == f"{KURSK}/Замеры — Железногорск.xlsx")
    title_cell = outcome.workbook.title_cells["czn"]
    assert issue.severity is Severity.WARNING and title_cell
    assert (issue.sheet, issue.cell, issue.column, issue.value) == ("Титул", title_cell, "Наименование ЦЗН",
                                                                    ZHEL_MEASURED)
    assert f"Замеры ЦЗН «{ZHEL_MEASURED}»" in issue.message and "не сверены" in issue.message
    assert f"Похожее название в пути клиента: «{ZHEL_JOURNEY}»" in issue.message
    assert "сверьте «Наименование ЦЗН»" in issue.message
    # no journey of Tatarstan is alike: nothing is suggested
    kazan = next(i for path, i in found if path.startswith("Татарстан"))
    assert "Похожее название" not in kazan.message and "сверьте «Наименование ЦЗН»" in kazan.message
    assert region_row(run["json"], OTHER_REGION)["warnings"] >= 1


def test_the_most_similar_centre_is_named_only_when_close() -> None:
    towns = ["ОГКУ «Центр занятости населения г. Мурманска»", "ОГКУ «Центр занятости населения г. Апатиты»"]
    assert collect.similar_centre("ОГКУ «ЦЗН города Мурманска»", towns) == towns[0]
    assert collect.similar_centre("ОГКУ «ЦЗН г. Кировска»", towns) is None
    assert collect.similar_centre("ЦЗН Ленинского района", ["ЦЗН Кировского района"]) is None


def test_a_cached_rerun_warns_once_and_gives_the_same_bytes(run: dict[str, Any], tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(run["root"] / "inbox", inbox)
    first = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "1.json", jobs=1)
    second = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "2.json", jobs=1)
    consolidate(inbox, tmp_path / "fresh" / "Свод.xlsx", as_of=AS_OF, json_output=tmp_path / "fresh.json", jobs=1,
                use_cache=False)
    assert (out / "1.json").read_bytes() == (out / "2.json").read_bytes() == (tmp_path / "fresh.json").read_bytes()
    for result in (first, second):
        assert sum(i.code is Code.CENTRE_WITHOUT_JOURNEY for o in result.outcomes for i in o.issues) == 2


def test_a_regional_summary_warns_too(run: dict[str, Any], tmp_path: Path) -> None:
    consolidate(run["root"] / "inbox" / KURSK, tmp_path / "r.xlsx", as_of=AS_OF, level="region",
                json_output=tmp_path / "r.json", jobs=1, use_cache=False)
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [i["czn"] for i in issues_of(data, Code.CENTRE_WITHOUT_JOURNEY)] == [ZHEL_MEASURED]
    # the charts of a regional summary name their bars by centre
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    categories = re.findall(r"<c:f>(.*?)</c:f>", chart_parts(tmp_path / "r.xlsx")[0])[0]
    # each centre names its bar; the region's own row says it is the whole region
    assert referenced_cells(book, categories) == [
        f"{r['region']}: {r['czn']}" if r["czn"] == "в целом по субъекту" else r["czn"] for r in data["regions"]]


# --- 3. «Панель» plots no text as 0 -----------------------------------------------------------------------

def chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as package:
        names = sorted(n for n in package.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        return [package.read(n).decode() for n in names]


def referenced_cells(book: Any, ref: str) -> list[Any]:
    """The values of a chart's range reference such as Панель!$AB$3:$AB$5."""
    name, cells = ref.rsplit("!", 1)
    ws = book[name.strip("'")]
    return [row[0].value for row in ws[cells.replace("$", "")]]


def test_charts_leave_small_samples_and_missing_figures_out(tmp_path: Path) -> None:
    summary = Summary(AS_OF, "federal", "test")
    summary.regions += [
        {"region": "Алтайский край", "files": {}, "roadmap_done_pct": 50.0, "answers": 12, "csat_pct": 63.8,
         "csat_pct_small_sample": True, "nps": 10.0, "nps_small_sample": True},
        {"region": "Пермский край", "files": {}, "roadmap_done_pct": None, "answers": 120, "csat_pct": 71.5,
         "csat_pct_small_sample": False, "nps": -4.0, "nps_small_sample": False},
        {"region": "Тверская область", "files": {}, "roadmap_done_pct": 80.0, "answers": 0, "csat_pct": None,
         "csat_pct_small_sample": True, "nps": None, "nps_small_sample": True},
    ]
    path = tmp_path / "s.xlsx"
    write_summary_xlsx(summary, path)
    # «Свод» itself is unchanged: the small sample is still shown as text
    assert svod_row(path, "Алтайский край")["CSAT, % (4–5)"] == "мало данных (63,8)"
    book = openpyxl.load_workbook(path)
    plotted = {}
    for xml in chart_parts(path):
        title = re.search(r"<c:tx><c:rich>.*?<a:t>(.*?)</a:t>", xml, re.S)
        assert title is not None
        categories, values = re.findall(r"<c:f>(.*?)</c:f>", xml)
        assert referenced_cells(book, categories) == ["Алтайский край", "Пермский край", "Тверская область"]
        cells = referenced_cells(book, values)
        assert all(v is None or isinstance(v, int | float) for v in cells), cells
        cached = dict(re.findall(r'<c:pt idx="(\d+)"><c:v>([^<]*)</c:v>', xml.split("<c:val>")[1]))
        assert cached == {str(n): f"{v:g}" for n, v in enumerate(cells) if v is not None}
        plotted[title.group(1)] = cells
    assert plotted["CSAT, % довольных (4–5)"] == [None, 71.5, None]
    assert plotted["NPS"] == [None, -4, None]
    assert plotted["Выполнение программы, %"] == [50, None, 80]
    assert plotted["Ответов (замеров)"] == [12, 120, 0]
    for xml in chart_parts(path):
        # blanks as gaps (the default, so no element) and hidden cells plotted (no plotVisOnly)
        assert "<c:dispBlanksAs" not in xml and "<c:plotVisOnly" not in xml
    hidden = [(d.min, d.max) for d in book["Панель"].column_dimensions.values() if d.hidden]
    data_columns = {openpyxl.utils.column_index_from_string(ref.split("!")[1].split("$")[1])
                    for xml in chart_parts(path) for ref in re.findall(r"<c:f>(.*?)</c:f>", xml)}
    assert len(data_columns) == 5 and all(any(low <= c <= high for low, high in hidden) for c in data_columns)


def test_charts_of_a_real_summary_hold_no_text(run: dict[str, Any]) -> None:
    path = run["root"] / "out" / "Свод.xlsx"
    book = openpyxl.load_workbook(path)
    for xml in chart_parts(path):
        values = re.findall(r"<c:f>(.*?)</c:f>", xml)[1]
        assert all(v is None or isinstance(v, int | float) for v in referenced_cells(book, values))
    assert svod_row(path, OTHER_REGION)["CSAT, % (4–5)"].startswith("мало данных (")


# --- 4. an effect of too few answers is not confirmed -----------------------------------------------------

def test_an_effect_of_a_few_answers_is_not_confirmed(run: dict[str, Any]) -> None:
    data = run["json"]
    tool = next(t for t in data["tools"] if t["region"] == KURSK and t["metric"] == catalog.NPS)
    assert (tool["before_n"], tool["after_n"]) == (5, 2)
    assert tool["p_value"] is not None and tool["p_value"] < 0.05 and tool["effect"] > 0  # what the test says
    assert tool["effect_confirmed"] is False and tool["effect_small_sample"] is True
    assert tool["before_small_sample"] is True and tool["after_small_sample"] is True
    assert region_row(data, KURSK)["tools_confirmed"] == 0
    path = run["root"] / "out" / "Свод.xlsx"
    rows = sheet(path, "Инструменты")
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == KURSK and r[4] == catalog.NPS), strict=True))
    assert row["Эффект подтвержден"] == "мало данных"
    assert row["До запуска (по замерам)"] == "мало данных (\u2212100)"
    assert svod_row(path, KURSK)["Инструментов с подтвержденным эффектом"] == 0


def test_an_effect_of_enough_answers_is_still_confirmed() -> None:
    effect = tool_effect(catalog.CSAT, [2] * 20 + [4] * 10, [5] * 25 + [2] * 5)
    assert effect.significant and not effect.small_sample
    few = tool_effect(catalog.CSAT, [2] * 29, [5] * 40)
    assert few.significant and few.small_sample and few.to_dict()["small_sample"] is True


# --- 5. medians carry n and «мало данных» -----------------------------------------------------------------

def test_medians_have_n_and_are_small_samples_like_the_means(run: dict[str, Any]) -> None:
    kursk = region_row(run["json"], KURSK)
    assert kursk["wait_time_median"] == 14.0
    assert kursk["wait_time_median_n"] == kursk["wait_time_mean_n"] == 10
    assert kursk["wait_time_median_small_sample"] is True
    assert kursk["service_time_median_n"] == 0 and kursk["service_time_median"] is None
    row = svod_row(run["root"] / "out" / "Свод.xlsx", KURSK)
    assert row["Ожидание, мин (среднее)"].startswith("мало данных (")
    assert row["Ожидание, мин (медиана)"] == "мало данных (14)"


# --- 6. without a roadmap overdue is unknown, in «Свод» and «Мониторинг» alike ----------------------------

def test_a_region_without_a_roadmap_has_no_overdue_items_anywhere(run: dict[str, Any]) -> None:
    data = run["json"]
    assert region_row(data, KURSK)["overdue_items"] is None
    cells = [m for m in data["monitoring"] if m["region"] == KURSK]
    assert cells and all(m["status"] == "нет данных" and m["overdue"] is None and m["done_late"] is None
                         for m in cells)
    # a region with a roadmap still has its overdue items
    assert any(m["overdue"] is True for m in data["monitoring"] if m["region"] == REGION) or \
        region_row(data, REGION)["overdue_items"] == 0
    path = run["root"] / "out" / "Свод.xlsx"
    assert svod_row(path, KURSK)["Просрочено пунктов"] == ""
    ws = openpyxl.load_workbook(path)["Мониторинг"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[0].value == KURSK)
    assert {c.value for c in row[1:]} == {"нет данных"}
    assert not [c for c in row[1:] if c.fill.fgColor.rgb and c.fill.fgColor.rgb.endswith("FFC7CE")]
    legend = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str) and c.value.startswith("Красным")]
    assert legend and "«нет данных»" in legend[0]


def test_issues_say_whether_their_file_counts_and_the_screen_counts_apart(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cxexcel.cli import cli
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    out = tmp_path / "out"
    result = consolidate(tmp_path / "inbox", out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=1)
    data = json.loads((out / "Свод.json").read_text(encoding="utf-8"))
    statuses = {f["path"]: f["status"] for f in data["files"]}
    assert all(i["file_status"] == statuses[i["file"]] for i in data["issues"])
    broken = [i for i in data["issues"] if i["file"] == "Татарстан/Битый.xlsx"]
    assert broken and all(i["file_status"] == "rejected" for i in broken)
    # «Ошибки» shows it beside each file
    sheet = openpyxl.load_workbook(out / "Свод.xlsx", read_only=True)["Ошибки"]
    rows = list(sheet.iter_rows(values_only=True))
    at = rows[0].index("Статус файла")
    assert {row[at] for row in rows[1:] if row[0] == "Татарстан/Битый.xlsx"} == {"отклонен"}
    # the screen counts what «Свод» counts, and the rest apart
    counted = [i for i in data["issues"] if i["file_status"] == "accepted"]
    shown = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "inbox"), "-o", str(tmp_path / "cli.xlsx"),
                                     "--as-of", AS_OF.strftime("%d.%m.%Y"), "--jobs", "1"]).output
    errors = sum(i["severity"] == "error" for i in counted)
    assert f"в принятых файлах {errors} ошиб" in shown
    assert "в файлах, не вошедших в свод" in shown
    assert sum(r["errors"] for r in data["regions"]) == errors
    assert result.count(FileStatus.REJECTED) >= 1


def test_a_duplicate_of_the_same_report_date_says_how_the_other_was_chosen(tmp_path: Path) -> None:
    import os

    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    perm = tmp_path / "inbox" / "Пермский край"
    (perm / "Дорожная карта (старая).xlsx").unlink()
    corrected = sample_data("roadmap")
    corrected["Дорожная карта"][0]["comment"] = "исправлено"  # other content, the same report date
    build_workbook("roadmap", perm / "Дорожная карта (исправлено).xlsx", data=corrected)
    first, second = perm / "Дорожная карта.xlsx", perm / "Дорожная карта (исправлено).xlsx"
    os.utime(first, (1_700_000_000, 1_700_000_000))
    os.utime(second, (1_700_000_600, 1_700_000_600))  # saved ten minutes later
    result = consolidate(tmp_path / "inbox", tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=1, use_cache=False)
    by_path = {o.entry.relative: o for o in result.outcomes}
    pushed = by_path["Пермский край/Дорожная карта.xlsx"]
    assert by_path["Пермский край/Дорожная карта (исправлено).xlsx"].status is FileStatus.ACCEPTED
    assert pushed.status is FileStatus.SUPERSEDED
    assert "отчетная дата у обоих" in pushed.reason and "учтен файл, сохраненный позже" in pushed.reason
    assert "уберите другой из папки" in pushed.reason
    # saved at the same moment: the name decides, and the reason says so
    os.utime(first, (1_700_000_600, 1_700_000_600))
    again = consolidate(tmp_path / "inbox", tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=1, use_cache=False)
    loser = next(o for o in again.outcomes if o.status is FileStatus.SUPERSEDED and "Пермский край/Дорожная" in
                 o.entry.relative)
    assert "оба сохранены в одно время; учтен последний по имени" in loser.reason


def test_a_region_whose_every_file_was_rejected_has_a_row_that_says_so(tmp_path: Path) -> None:
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    tula = tmp_path / "inbox" / "Тульская область"
    tula.mkdir()
    (tula / "Дорожная карта.xlsx").write_bytes(b"PK\x03\x04broken")
    no_centre = sample_data("measurements")
    no_centre[catalog.TITLE_SHEET]["czn"] = None  # readable, but cannot be attributed to a centre
    build_workbook("measurements", tmp_path / "inbox" / "Пермский край" / "Замеры без ЦЗН.xlsx", data=no_centre)
    out = tmp_path / "out"
    consolidate(tmp_path / "inbox", out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=1)
    data = json.loads((out / "Свод.json").read_text(encoding="utf-8"))
    rows = {r["region"]: r for r in data["regions"]}
    assert rows["Тульская область"]["files_rejected"] == 1
    assert all(count == 0 for count in rows["Тульская область"]["files"].values())
    assert rows[REGION]["files_rejected"] == 1  # by its «Титул»
    assert rows[OTHER_REGION]["files_rejected"] == 0  # «Татарстан/Битый.xlsx»: a folder that names no region
    assert [r["region"] for r in data["regions"]] == sorted(r["region"] for r in data["regions"])
    tula_items = [m for m in data["monitoring"] if m["region"] == "Тульская область"]
    assert tula_items and all(m["overdue"] is None for m in tula_items)
    sheet = openpyxl.load_workbook(out / "Свод.xlsx", read_only=True)[catalog.SUMMARY_SHEET]
    header = next(row for row in sheet.iter_rows(values_only=True) if "Файлов отклонено" in row)
    at = header.index("Файлов отклонено")
    assert any(row[0] == "Тульская область" and row[at] == 1 for row in sheet.iter_rows(values_only=True))


def test_p_values_have_four_places_and_every_figure_of_the_summary_its_n(tmp_path: Path) -> None:
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    out = tmp_path / "out"
    consolidate(tmp_path / "inbox", out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=1)
    data = json.loads((out / "Свод.json").read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(out / "Свод.xlsx")
    tools = book["Инструменты"]
    header = [c.value for c in next(r for r in tools.iter_rows() if any(c.value == "p-значение" for c in r))]
    at = header.index("p-значение")
    p_cells = [row[at] for row in tools.iter_rows(min_row=2) if isinstance(row[at].value, float)]
    assert p_cells and all(c.number_format == "0.0000" for c in p_cells)  # p = 0.0002 was shown «0,0»
    summary = book[catalog.SUMMARY_SHEET]
    rows = [[c.value for c in r] for r in summary.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if "CSAT, n" in r)
    header = rows[header_at]
    perm = next(r for r in rows[header_at + 1:] if r[0] == REGION)
    json_row = region_row(data, REGION)
    for title, key in (("CSAT, n", "csat_pct_n"), ("Ожидание, n", "wait_time_mean_n"),
                       ("Обслуживание, n", "service_time_mean_n"), ("Решено с первого обращения, n", "fcr_pct_n")):
        assert perm[header.index(title)] == json_row[key], title
    assert json_row["csat_pct_n"] > 0


def test_a_touchpoint_is_named_by_its_journeys_code_whatever_an_answer_typed(tmp_path: Path) -> None:
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    perm = tmp_path / "inbox" / "Пермский край"
    data = sample_data("measurements")
    rows = measurement_rows(60, codes=["ТК-01"], start=dt.date(2021, 9, 1), seed=1)
    rows[0]["touchpoint_code"] = "тк-01"  # the first answer typed in lower case: one touchpoint still
    data["Замеры"] = rows
    data[catalog.TITLE_SHEET]["czn"] = "ГКУ ЦЗН г. Перми"
    build_workbook("measurements", perm / "Замеры.xlsx", data=data)
    out = tmp_path / "out"
    consolidate(tmp_path / "inbox", out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=1)
    found = json.loads((out / "Свод.json").read_text(encoding="utf-8"))
    codes = {t["code"] for t in found["touchpoints"] if t["region"] == REGION}
    assert codes == {"ТК-01"}


def test_the_screen_of_a_regional_summary_counts_centres_and_an_early_as_of_is_said(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cxexcel.cli import cli
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    perm = tmp_path / "inbox" / "Пермский край"
    runner = CliRunner()
    regional = runner.invoke(cli, ["consolidate", str(perm), "-o", str(tmp_path / "r.xlsx"), "--level", "region",
                                   "--as-of", AS_OF.strftime("%d.%m.%Y"), "--jobs", "1"]).output
    assert "ЦЗН: 1;" in regional and "Субъектов РФ" not in regional
    assert "раньше «Отчетной даты»" not in regional  # the files' report date is the summary's
    early = runner.invoke(cli, ["consolidate", str(perm), "-o", str(tmp_path / "e.xlsx"), "--as-of", "01.09.2021",
                                "--jobs", "1"]).output
    assert "Дата свода 01.09.2021 раньше «Отчетной даты»" in early
    assert f"(самая поздняя {AS_OF:%d.%m.%Y}): выполненное, проведенное и замеренное в них после 01.09.2021" \
        in early


def test_monitoring_says_which_items_were_done_late(tmp_path: Path) -> None:
    from tests.test_consolidate import build_inbox

    build_inbox(tmp_path)
    roadmap = sample_data("roadmap")
    done = next(r for r in roadmap["Дорожная карта"] if r.get("done_date") and r.get("planned"))
    done["done_date"] = done["planned"] + dt.timedelta(days=3)  # three days after the regulation's deadline
    # a date after the deadline beside «В работе» or «Отменено» is no item done late
    others = [r for r in roadmap["Дорожная карта"] if r.get("done_date") and r.get("planned") and r is not done][:2]
    for row, status in zip(others, (catalog.STATUS_IN_PROGRESS, catalog.STATUS_CANCELLED), strict=True):
        row.update(status=status, done_date=row["planned"] + dt.timedelta(days=3))
    build_workbook("roadmap", tmp_path / "inbox" / "Пермский край" / "Дорожная карта.xlsx", data=roadmap)
    out = tmp_path / "out"
    consolidate(tmp_path / "inbox", out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=1)
    data = json.loads((out / "Свод.json").read_text(encoding="utf-8"))
    late = {(m["region"], m["item"]) for m in data["monitoring"] if m["done_late"]}
    assert late == {(REGION, done["code"])}
    sheet = openpyxl.load_workbook(out / "Свод.xlsx")[catalog.MONITORING_SHEET]
    items = [c.value for c in sheet[2]]
    shown = {(row[0].value, items[c]): row[c].value for row in sheet.iter_rows(min_row=4) if row[0].value
             for c in range(1, len(items)) if row[c].value}
    assert all(shown[key].endswith("(с опозданием)") for key in late)
    assert not any(v.endswith("(с опозданием)") for key, v in shown.items() if key not in late)


def test_a_roadmap_code_typed_as_a_number_counts_in_the_summary_as_validate_reads_it(tmp_path: Path) -> None:
    figures = {}
    for name, code in (("text", "1.4"), ("number", 1.4)):
        inbox = tmp_path / name / "inbox" / REGION
        inbox.mkdir(parents=True)
        roadmap = sample_data("roadmap")
        row = next(r for r in roadmap["Дорожная карта"] if r["code"] == "1.4")
        row["code"] = code
        build_workbook("roadmap", inbox / "ДК.xlsx", data=roadmap)
        out = tmp_path / name / "Свод.json"
        consolidate(inbox.parent, tmp_path / name / "Свод.xlsx", as_of=AS_OF, json_output=out, jobs=1,
                    use_cache=False)
        data = json.loads(out.read_text(encoding="utf-8"))
        item = next(m for m in data["monitoring"] if m["item"] == "1.4")
        figures[name] = (item["status"], region_row(data, REGION)["roadmap_done_pct"],
                         region_row(data, REGION)["overdue_items"])
    assert figures["number"] == figures["text"]
    assert figures["number"][0] != "нет строки"


def test_a_regional_summary_of_two_regions_counts_and_labels_centres_by_region(tmp_path: Path) -> None:
    from cxexcel.cli.consolidate import units_of

    summary = Summary(AS_OF, "region", "test")
    summary.regions += [
        {"region": "Курская область", "czn": "ЦЗН Ленинского района", "files": {}, "answers": 40},
        {"region": "Курская область", "czn": "в целом по субъекту", "files": {}, "answers": 40},
        {"region": "Пермский край", "czn": "ЦЗН Ленинского района", "files": {}, "answers": 50},
        {"region": "Пермский край", "czn": "в целом по субъекту", "files": {}, "answers": 50},
    ]
    assert units_of(summary) == "ЦЗН: 2"  # two centres of one name, in two regions
    path = tmp_path / "s.xlsx"
    write_summary_xlsx(summary, path)
    panel = openpyxl.load_workbook(path)[catalog.DASHBOARD_SHEET]
    labels = [panel.cell(row=r, column=27).value for r in range(3, 7)]
    assert labels == ["Курская область: ЦЗН Ленинского района", "Курская область: в целом по субъекту",
                      "Пермский край: ЦЗН Ленинского района", "Пермский край: в целом по субъекту"]
    facts = {row[0].value: row[1].value for row in panel.iter_rows(min_row=2, max_col=2) if row[0].value}
    assert facts.get("ЦЗН в своде") == 2


def test_a_space_between_digits_still_tells_centres_apart() -> None:
    assert centre_key(REGION, "ЦЗН № 1 1") != centre_key(REGION, "ЦЗН № 11")
    assert centre_key(REGION, "ЦЗН №11") == centre_key(REGION, "ЦЗН № 11")
    assert centre_key(REGION, "ОГКУ «ЦЗН г.Курска»") == centre_key(REGION, "ОГКУ «ЦЗН г. Курска»")
