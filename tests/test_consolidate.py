"""Consolidation: an inbox with known content gives independently computed figures."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import pickle
import shutil
import time
from pathlib import Path
from typing import Any

import click
import pytest
import python_calamine as pc
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from cxexcel.cli import cli
from cxexcel.consolidate import CACHE_DIR_NAME, FileStatus, consolidate
from cxexcel.consolidate import collect as collect_module
from cxexcel.consolidate.figures import Summary, SummaryBuilder, indented_json
from cxexcel.consolidate.inbox import scan_inbox
from cxexcel.consolidate.workbook import write_summary_xlsx
from cxexcel.forms import KINDS, catalog
from cxexcel.issues import Code, Severity
from cxexcel.programme import default_programme
from cxexcel.template import build_workbook
from tests.samples import CZN, REGION, sample_data

OTHER_REGION = "Республика Татарстан"
OTHER_CZN = "ГКУ ЦЗН г. Казани"
AS_OF = dt.date(2021, 10, 15)
SUMMARY_SHEETS = ["Свод", "Мониторинг", "Точки контакта", "Инструменты", "Карта решений", "Совещания",
                  "Журнал консультаций", "Ошибки", "Файлы", "Панель"]


def measurement_rows(n: int, *, codes: list[str], start: dt.date, seed: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        metric = catalog.NPS if i % 4 == 3 else catalog.CSAT
        value = (i * 7 + seed) % 11 if metric == catalog.NPS else 1 + (i * 3 + seed) % 5
        rows.append({"date": start + dt.timedelta(days=i % 40), "touchpoint_code": codes[i % len(codes)],
                     "channel": "Лично в ЦЗН" if i % 2 else "Телефон", "method": "Анкетирование",
                     "metric": metric, "value": value})
    return rows


def build_inbox(root: Path) -> dict[str, Any]:
    """Two regions, a federal log and the usual debris; returns what the test must expect."""
    inbox = root / "inbox"
    perm, kazan = inbox / "Пермский край", inbox / "Татарстан"
    for folder in (perm, kazan):
        folder.mkdir(parents=True)
    truth: dict[str, Any] = {}

    roadmap = sample_data("roadmap")
    build_workbook("roadmap", perm / "Дорожная карта.xlsx", data=roadmap)
    older = sample_data("roadmap")
    older[catalog.TITLE_SHEET]["report_date"] = dt.date(2021, 9, 1)
    build_workbook("roadmap", perm / "Дорожная карта (старая).xlsx", data=older)
    journey = sample_data("journey")
    build_workbook("journey", perm / "Путь клиента.xlsx", data=journey)
    perm_rows = measurement_rows(120, codes=["ТК-01", "ТК-02", "ТК-03"], start=dt.date(2021, 9, 1), seed=1)
    perm_rows.append({**perm_rows[0], "touchpoint_code": "ТК-42"})   # not in the journey: reported, not counted
    perm_rows.append({**perm_rows[0], "value": 9})                  # off the CSAT scale: not counted
    measurements = sample_data("measurements")
    measurements["Замеры"] = perm_rows
    measurements[catalog.TITLE_SHEET]["czn"] = "ГКУ ЦЗН г. Перми"      # the same centre without quotes
    build_workbook("measurements", perm / "Замеры.xlsx", data=measurements)

    other = sample_data("roadmap")
    other[catalog.TITLE_SHEET]["region"] = OTHER_REGION
    for row in other["Дорожная карта"]:
        if row["code"] in ("2.1.5", "2.1.6"):
            row.update(status=catalog.STATUS_IN_PROGRESS, done_date=None)
        if row["code"] == "1.5":
            row["status"] = catalog.STATUS_CANCELLED
    build_workbook("roadmap", kazan / "ДК.xlsx", data=other)
    kazan_rows = measurement_rows(20, codes=["ТК-01"], start=dt.date(2021, 9, 10), seed=3)
    km = sample_data("measurements")
    km["Замеры"] = kazan_rows
    km[catalog.TITLE_SHEET].update(region=OTHER_REGION, czn=OTHER_CZN)
    build_workbook("measurements", kazan / "Замеры.xlsx", data=km)

    build_workbook("consultations", inbox / "Журнал ФЦК.xlsx", data=sample_data("consultations"))
    (inbox / "Письмо.txt").write_text("Направляем отчет", encoding="utf-8")
    (inbox / "~$Дорожная карта.xlsx").write_bytes(b"lock")
    (kazan / "Битый.xlsx").write_bytes(b"PK\x03\x04broken")

    truth["perm_rows"] = perm_rows[:-2]
    truth["kazan_rows"] = kazan_rows
    truth["roadmap"] = roadmap
    truth["other_roadmap"] = other
    return truth


def csat_pct(values: list[float]) -> float:
    return round(100 * sum(v >= 4 for v in values) / len(values), 2)


def nps(values: list[float]) -> float:
    return round(100 * (sum(v >= 9 for v in values) - sum(v <= 6 for v in values)) / len(values), 2)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("consolidate")
    truth = build_inbox(root)
    inputs = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (root / "inbox").rglob("*") if p.is_file()}
    result = consolidate(root / "inbox", root / "out" / "Свод.xlsx", as_of=AS_OF,
                         json_output=root / "out" / "Свод.json", jobs=2)
    data = json.loads((root / "out" / "Свод.json").read_text(encoding="utf-8"))
    return {"root": root, "truth": truth, "result": result, "json": data, "inputs": inputs}


def region_row(data: dict[str, Any], region: str) -> dict[str, Any]:
    return next(r for r in data["regions"] if r["region"] == region)


def test_region_figures_match_independent_computation(run: dict[str, Any]) -> None:
    data, truth = run["json"], run["truth"]
    perm = region_row(data, REGION)
    csat = [r["value"] for r in truth["perm_rows"] if r["metric"] == catalog.CSAT]
    promoters = [r["value"] for r in truth["perm_rows"] if r["metric"] == catalog.NPS]
    assert perm["answers"] == len(truth["perm_rows"])
    assert perm["csat_pct"] == csat_pct(csat)
    assert perm["csat_pct_n"] == len(csat)
    assert perm["nps"] == nps(promoters)
    assert perm["touchpoints_mapped"] == 3 and perm["touchpoints_measured"] == 3
    assert perm["files"]["roadmap"] == 1 and perm["files"]["journey"] == 1 and perm["files"]["measurements"] == 1
    # every programme item with a deadline up to the report date is done in the sample
    programme = default_programme()
    done = sum(1 for i in programme.items if i.final_deadline and i.final_deadline <= dt.date(2021, 10, 15))
    assert perm["roadmap_done_pct"] == round(100 * done / len(programme.items), 1)
    assert perm["overdue_items"] == 0
    assert perm["meetings"] == 4 and perm["max_meeting_gap_days"] == 20 and perm["cadence_ok"] is True
    kazan = region_row(data, OTHER_REGION)
    assert kazan["overdue_items"] == 2            # 2.1.5 and 2.1.6 are in progress past their deadlines
    assert kazan["roadmap_done_pct"] == round(100 * (done - 2) / (len(programme.items) - 1), 1)
    assert kazan["answers"] == 20 and kazan["csat_pct_small_sample"] is True


def test_monitoring_and_touchpoints(run: dict[str, Any]) -> None:
    data = run["json"]
    cell = next(m for m in data["monitoring"] if m["region"] == OTHER_REGION and m["item"] == "2.1.5")
    assert cell["status"] == catalog.STATUS_IN_PROGRESS and cell["overdue"] is True
    assert len([m for m in data["monitoring"] if m["region"] == REGION]) == len(default_programme().items)
    tp = next(t for t in data["touchpoints"] if t["region"] == REGION and t["code"] == "ТК-01"
              and t["metric"] == catalog.CSAT)
    values = [r["value"] for r in run["truth"]["perm_rows"]
              if r["touchpoint_code"] == "ТК-01" and r["metric"] == catalog.CSAT]
    assert tp["n"] == len(values) and tp["value"] == csat_pct(values)
    assert tp["ci_low"] < tp["value"] < tp["ci_high"]
    assert tp["czn"] == CZN   # the centre's name as the journey spells it


def test_files_sheet_lists_every_file_with_its_status(run: dict[str, Any]) -> None:
    files = {Path(f["path"]).name: f for f in run["json"]["files"]}
    assert "~$Дорожная карта.xlsx" not in files
    assert files["Письмо.txt"]["status"] == "skipped"
    assert files["Битый.xlsx"]["status"] == "rejected" and "поврежден" in files["Битый.xlsx"]["reason"]
    assert files["Дорожная карта (старая).xlsx"]["status"] == "superseded"
    assert files["Дорожная карта.xlsx"]["status"] == "accepted"
    assert len(run["json"]["files"]) == 9
    unknown = [i for i in run["json"]["issues"] if i["code"] == "touchpoint-unknown"]
    assert [(i["sheet"], i["cell"]) for i in unknown] == [("Замеры", f"B{len(run['truth']['perm_rows']) + 2}")]


def test_summary_workbook_sheets_and_inputs_untouched(run: dict[str, Any]) -> None:
    book = pc.CalamineWorkbook.from_path(str(run["root"] / "out" / "Свод.xlsx"))
    assert book.sheet_names == SUMMARY_SHEETS
    svod = book.get_sheet_by_name("Свод").to_python()
    assert svod[1][0] == "Субъект РФ"
    assert [row[0] for row in svod[2:]] == sorted([REGION, OTHER_REGION])
    log = book.get_sheet_by_name("Журнал консультаций").to_python()
    assert log[0][0] == "Субъект РФ" and log[1][0] == REGION
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in run["inputs"]}
    assert after == run["inputs"]


def test_rerun_is_deterministic_and_uses_the_cache(run: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = run["root"]
    calls: list[Path] = []
    real = collect_module.check_entry

    def counting(entry, settings):  # type: ignore[no-untyped-def]
        calls.append(entry.path)
        return real(entry, settings)

    monkeypatch.setattr(collect_module, "check_entry", counting)
    consolidate(root / "inbox", root / "out" / "Свод.xlsx", as_of=AS_OF, json_output=root / "out" / "2.json",
                jobs=1)
    assert [p.suffix for p in calls] == [".txt"]    # only the skipped entry is looked at again
    again = json.loads((root / "out" / "2.json").read_text(encoding="utf-8"))
    assert again == run["json"]


def test_failed_run_leaves_previous_summary(run: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    root = run["root"]
    target = root / "out" / "Свод.xlsx"
    before = target.read_bytes()
    from cxexcel.consolidate import workbook as workbook_module

    def broken(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("killed")

    monkeypatch.setattr(workbook_module.SummaryWriter, "write", broken)
    with pytest.raises(RuntimeError):
        consolidate(root / "inbox", target, as_of=AS_OF, jobs=1)
    assert target.read_bytes() == before
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")and p.suffix == ".xlsx"]


def test_region_level_rows_per_centre(run: dict[str, Any], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["consolidate", str(run["root"] / "inbox" / "Пермский край"), "-o",
                                      str(tmp_path / "r.xlsx"), "--level", "region", "--json",
                                      str(tmp_path / "r.json"), "--as-of", "15.10.2021"])
    assert result.exit_code == 0, result.output
    assert "Свод на 15.10.2021" in result.output
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [(r["region"], r["czn"]) for r in data["regions"]] == [(REGION, CZN), (REGION, "в целом по субъекту")]
    assert data["regions"][0]["answers"] == data["regions"][1]["answers"]
    assert FileStatus.SUPERSEDED.value in {f["status"] for f in data["files"]}


def test_touchpoint_sheet_has_every_metric_of_a_touchpoint_on_one_row(run: dict[str, Any]) -> None:
    book = pc.CalamineWorkbook.from_path(str(run["root"] / "out" / "Свод.xlsx"))
    rows = book.get_sheet_by_name("Точки контакта").to_python()
    header = rows[1]
    row = next(r for r in rows[2:] if r[0] == REGION and r[2] == "ТК-01")
    expected = next(t for t in run["json"]["touchpoints"] if t["region"] == REGION and t["code"] == "ТК-01"
                    and t["metric"] == catalog.CSAT)
    assert row[header.index(f"{catalog.CSAT}: n")] == expected["n"]
    assert row[header.index(catalog.CSAT)] == expected["value"]
    channels_at = next(n for n, r in enumerate(rows) if r[0] == "Метрики по каналам")
    assert rows[channels_at + 1][:2] == ["Субъект РФ", "Канал"]


JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=8),
                         st.sampled_from(["},\x00{", ",\x00", "ё\n\"\\", ""]))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4),
                            st.lists(st.dictionaries(st.text(max_size=4), JSON_SCALARS, max_size=4), max_size=5)),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_summary_json_is_the_text_json_dumps_gives(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=1)


def test_summary_json_of_a_real_summary(run: dict[str, Any]) -> None:
    summary = run["result"].summary
    assert summary.to_json() == json.dumps(summary.to_dict(), ensure_ascii=False, indent=1)
    assert (run["root"] / "out" / "Свод.json").read_text(encoding="utf-8") == summary.to_json()


def test_rerun_reuses_the_rows_of_unchanged_regions(run: dict[str, Any], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(run["root"] / "inbox", inbox)
    first = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "1.json", jobs=1)
    computed: list[str] = []
    real = SummaryBuilder._region

    def counting(self: SummaryBuilder, region: str, outcomes: list[Any]) -> None:
        computed.append(region)
        real(self, region, outcomes)

    monkeypatch.setattr(SummaryBuilder, "_region", counting)
    second = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "2.json", jobs=1)
    assert computed == []
    assert second.summary.to_dict() == first.summary.to_dict()
    # Kazan resubmits its measurements: only Kazan is computed again, and the summary is what a run
    # without the cache makes
    km = sample_data("measurements")
    km["Замеры"] = measurement_rows(30, codes=["ТК-01"], start=dt.date(2021, 9, 12), seed=5)
    km[catalog.TITLE_SHEET].update(region=OTHER_REGION, czn=OTHER_CZN)
    build_workbook("measurements", inbox / "Татарстан" / "Замеры.xlsx", data=km)
    third = consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "3.json", jobs=1)
    assert computed == [OTHER_REGION]
    fresh = consolidate(inbox, tmp_path / "fresh" / "Свод.xlsx", as_of=AS_OF, json_output=tmp_path / "fresh.json",
                        jobs=1, use_cache=False)
    assert third.summary.to_dict() == fresh.summary.to_dict()
    assert region_row(third.summary.to_dict(), OTHER_REGION)["answers"] == 30
    assert (out / "3.json").read_bytes() == (tmp_path / "fresh.json").read_bytes()


def test_cached_results_name_the_declared_kind(run: dict[str, Any]) -> None:
    cached = [pickle.loads(p.read_bytes()) for p in (run["root"] / "out" / ".cxexcel-cache").glob("*.pickle")
              if not p.name.startswith("summary-")]
    kinds = [o.workbook.kind for o in cached if o.workbook is not None]
    assert kinds and all(kind is KINDS[kind.key] for kind in kinds)


def test_cells_are_written_as_before(tmp_path: Path) -> None:
    summary = Summary(AS_OF, "federal", "test")
    summary.regions.append({"region": REGION, "files": {"roadmap": 1}, "csat_pct": 50.0, "csat_pct_small_sample": True,
                            "nps": 12.5, "nps_small_sample": False, "answers": 7, "cadence_ok": False,
                            "meeting_deadlines_met": "1 из 2", "errors": True})
    summary.tools.append({"region": REGION, "czn": "=HYPERLINK(\"x\")", "tool": "", "launch_date": "2021-09-10",
                          "typed_before": math.nan, "typed_after": True, "before": 3, "effect_confirmed": True,
                          "conclusion": "строка\x01"})
    write_summary_xlsx(summary, tmp_path / "s.xlsx")
    book = pc.CalamineWorkbook.from_path(str(tmp_path / "s.xlsx"))
    svod = book.get_sheet_by_name("Свод").to_python()
    row = dict(zip(svod[1], svod[2], strict=True))
    assert row["CSAT, % (4–5)"] == "мало данных (50)" and row["NPS"] == 12.5 and row["Ответов (замеров)"] == 7
    assert row["Периодичность совещаний соблюдена"] == "нет" and row["Ошибок в файлах"] == "да"
    assert row["Совещания к срокам п. 2.1.9"] == "1 из 2" and row["Файлов: Дорожная карта"] == 1
    tools = book.get_sheet_by_name("Инструменты").to_python()
    row = dict(zip(tools[0], tools[1], strict=True))
    assert row["ЦЗН"] == "=HYPERLINK(\"x\")" and row["Инструмент"] == ""
    assert row["Дата запуска"] == dt.date(2021, 9, 10)
    assert row["Значение до (указано)"] == "nan" and row["Значение после (указано)"] == "да"
    assert row["До запуска (по замерам)"] == 3 and row["Эффект подтвержден"] == "да"
    assert row["Вывод региона"] == "строка\ufffd"


@pytest.mark.parametrize("max_files", [50, 2])
def test_the_summary_inside_the_inbox_is_left_out_as_resolving_every_path_would(tmp_path: Path,
                                                                               max_files: int) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    output = inbox / "sub" / "Свод.xlsx"
    for path in (inbox / "a.xlsx", inbox / "Свод.xlsx", output, inbox / "z.txt"):
        path.write_bytes(b"PK")
    try:
        (inbox / "ссылка.xlsx").symlink_to(output)
        (inbox / "другая ссылка.xlsx").symlink_to(inbox / "a.xlsx")
    except OSError:
        pass  # no symlinks here (Windows without the right): the plain cases still count
    expected = [e.relative for e in scan_inbox(inbox, max_files) if e.path.resolve() != output.resolve()]
    assert [e.relative for e in scan_inbox(inbox, max_files, exclude=output)] == expected
    assert "sub/Свод.xlsx" not in expected and "Свод.xlsx" in expected


def test_cache_keeps_what_runs_use_and_forgets_the_rest(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    out = tmp_path / "out" / "Свод.xlsx"
    consolidate(tmp_path / "inbox", out, as_of=AS_OF, jobs=1)
    cache = out.parent / CACHE_DIR_NAME
    used = sorted(cache.glob("*.pickle"))
    assert used
    long_ago = time.time() - (collect_module.CACHE_KEEP_DAYS + 1) * 24 * 3600
    # a file of a past round nobody sends any more, a run killed while storing, and an entry still in use
    # that was last touched long ago
    (cache / f"{'0' * 64}.pickle").write_bytes(b"old")
    (cache / ".x.pickle.123.tmp").write_bytes(b"partial")
    for path in (cache / f"{'0' * 64}.pickle", cache / ".x.pickle.123.tmp", used[0]):
        os.utime(path, (long_ago, long_ago))
    consolidate(tmp_path / "inbox", out, as_of=AS_OF, jobs=1)
    assert not (cache / f"{'0' * 64}.pickle").exists()
    assert not (cache / ".x.pickle.123.tmp").exists()
    assert used[0].exists() and used[0].stat().st_mtime > time.time() - 3600
    assert set(cache.glob("*.pickle")) >= set(used)
    # entries younger than the limit stay even when this run did not use them (another inbox, same folder)
    recent = cache / f"{'1' * 64}.pickle"
    recent.write_bytes(b"other inbox")
    consolidate(tmp_path / "inbox", out, as_of=AS_OF, jobs=1)
    assert recent.exists()


def test_an_output_that_cannot_be_written_is_explained_not_a_crash(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the summary's folder should be", encoding="utf-8")
    result = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "inbox"), "-o", str(blocker / "Свод.xlsx"),
                                      "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "не удалось записать или прочитать" in result.output and "на месте папки уже есть файл" in result.output
    assert "Traceback" not in result.output and "Внутренняя ошибка" not in result.output


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--jobs", "0", "0 не подходит: нужно целое число не меньше 1."),
    ("--jobs", "два", "«два» — не целое число; нужно целое число не меньше 1."),
    ("--max-file-mb", "0", "0 не подходит: нужно число больше 0."),
    ("--max-ratio", "0,5", "0,5 не подходит: нужно число не меньше 1."),
    ("--max-rows", "1.5", "«1.5» — не целое число; нужно целое число не меньше 1."),
])
def test_numeric_options_say_what_they_need(tmp_path: Path, option: str, value: str, message: str) -> None:
    from cxexcel.cli import russian

    russian.install()  # as `main` does
    result = CliRunner().invoke(cli, ["consolidate", str(tmp_path), "-o", str(tmp_path / "s.xlsx"), option, value])
    assert result.exit_code == 2
    assert f"Неверное значение '{option}': {message}" in result.output
    assert "x>=" not in result.output and "Traceback" not in result.output


def test_number_options_take_a_decimal_comma() -> None:
    from cxexcel.cli.options import NumberParam

    assert NumberParam(float, 0, low_open=True).convert("1,5", None, None) == 1.5
    assert NumberParam(int, 1, 89).convert(" 89 ", None, None) == 89
    with pytest.raises(click.BadParameter, match="от 1 до 89"):
        NumberParam(int, 1, 89).convert("90", None, None)
    with pytest.raises(click.BadParameter, match="больше 0"):
        NumberParam(float, 0, low_open=True).convert("nan", None, None)


def test_a_summary_left_among_the_inputs_is_skipped_not_read_as_a_form(run: dict[str, Any], tmp_path: Path) -> None:
    # an inbox without the federal log: the old summary's «Журнал консультаций» would pass for it
    truth = build_inbox(tmp_path)
    assert truth
    (tmp_path / "inbox" / "Журнал ФЦК.xlsx").unlink()
    shutil.copyfile(run["root"] / "out" / "Свод.xlsx", tmp_path / "inbox" / "Свод за прошлую неделю.xlsx")
    assert run["json"]["consultations"]  # the summary copied in holds consultation rows
    result = consolidate(tmp_path / "inbox", tmp_path / "out" / "Свод.xlsx", as_of=AS_OF,
                         json_output=tmp_path / "out" / "Свод.json", jobs=1)
    data = json.loads((tmp_path / "out" / "Свод.json").read_text(encoding="utf-8"))
    entry = next(f for f in data["files"] if f["path"] == "Свод за прошлую неделю.xlsx")
    assert entry["status"] == "skipped" and "свод, собранный cxexcel" in entry["reason"]
    assert data["consultations"] == []
    assert not [i for i in data["issues"] if i["file"] == "Свод за прошлую неделю.xlsx"]
    assert result.count(FileStatus.SKIPPED) == 2  # the summary and the cover letter
    # the command line names it, and a re-run takes the verdict from the cache
    cli_run = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "inbox"), "-o",
                                       str(tmp_path / "out" / "Свод.xlsx"), "--as-of", AS_OF.strftime("%d.%m.%Y"),
                                       "--jobs", "1"])
    assert "пропущен: Свод за прошлую неделю.xlsx — Это свод, собранный cxexcel" in cli_run.output
    again = consolidate(tmp_path / "inbox", tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=1)
    assert again.count(FileStatus.SKIPPED) == 2


def test_validate_says_a_summary_is_not_a_form(run: dict[str, Any]) -> None:
    result = CliRunner().invoke(cli, ["validate", str(run["root"] / "out" / "Свод.xlsx")])
    assert result.exit_code == 2
    assert "Это свод, собранный cxexcel" in result.output


def test_a_mistyped_report_date_does_not_move_the_summary_and_is_reported(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    future = dt.date.today() + dt.timedelta(days=3650)
    other = sample_data("roadmap")
    other[catalog.TITLE_SHEET].update(region=OTHER_REGION, report_date=future)
    build_workbook("roadmap", inbox / "Татарстан" / "ДК.xlsx", data=other)  # the year mistyped
    first = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", json_output=tmp_path / "out" / "1.json", jobs=1)
    # without --as-of: the newest plausible report date, not the mistyped one
    assert first.summary.as_of == sample_data("measurements")[catalog.TITLE_SHEET]["report_date"]
    data = json.loads((tmp_path / "out" / "1.json").read_text(encoding="utf-8"))
    (issue,) = [i for i in data["issues"] if i["code"] == "report-date-future"]
    assert issue["file"] == "Татарстан/ДК.xlsx" and issue["sheet"] == "Титул" and issue["severity"] == "error"
    assert region_row(data, OTHER_REGION)["errors"] >= 1
    shown = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(tmp_path / "cli" / "Свод.xlsx"),
                                     "--jobs", "1"])
    assert f"отчетная дата позже сегодняшней ({future:%d.%m.%Y}), проверьте год: Татарстан/ДК.xlsx" in shown.output
    # a re-run takes the file from the cache and checks the date again: the same summary
    consolidate(inbox, tmp_path / "out" / "Свод.xlsx", json_output=tmp_path / "out" / "2.json", jobs=1)
    assert (tmp_path / "out" / "2.json").read_text(encoding="utf-8") == \
        (tmp_path / "out" / "1.json").read_text(encoding="utf-8")


def test_a_mistyped_future_report_date_does_not_make_a_duplicate_the_newest(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    mistyped = sample_data("roadmap")
    future = dt.date.today() + dt.timedelta(days=3650)
    mistyped[catalog.TITLE_SHEET].update(region=OTHER_REGION, report_date=future)
    # the same region's roadmap again, newer on disk, its year mistyped
    build_workbook("roadmap", inbox / "Татарстан" / "ДК (исправленная).xlsx", data=mistyped)
    result = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", jobs=1, use_cache=False)
    by_path = {o.entry.relative: o for o in result.outcomes}
    kept, pushed = by_path["Татарстан/ДК.xlsx"], by_path["Татарстан/ДК (исправленная).xlsx"]
    assert kept.status is FileStatus.ACCEPTED
    assert pushed.status is FileStatus.SUPERSEDED
    assert pushed.reason.startswith("заменен файлом Татарстан/ДК.xlsx (отчетная дата ")
    assert f"его собственная отчетная дата {future:%d.%m.%Y} позже сегодняшней" in pushed.reason
    assert any(i.code is Code.REPORT_DATE_FUTURE for i in pushed.issues)
    # a date in the past still decides between two plausible files: the newer report wins
    older = sample_data("roadmap")
    older[catalog.TITLE_SHEET].update(region=OTHER_REGION, report_date=dt.date(2021, 9, 1))
    build_workbook("roadmap", inbox / "Татарстан" / "ДК (исправленная).xlsx", data=older)
    again = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", jobs=1, use_cache=False)
    statuses = {o.entry.relative: o.status for o in again.outcomes}
    assert statuses["Татарстан/ДК (исправленная).xlsx"] is FileStatus.SUPERSEDED
    assert statuses["Татарстан/ДК.xlsx"] is FileStatus.ACCEPTED


def test_the_same_file_twice_is_counted_once_and_called_a_copy(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    (inbox / "Почта").mkdir()
    shutil.copyfile(inbox / "Татарстан" / "ДК.xlsx", inbox / "Почта" / "ДК.xlsx")
    result = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=1, use_cache=False)
    by_path = {o.entry.relative: o for o in result.outcomes}
    pair = [by_path["Татарстан/ДК.xlsx"], by_path["Почта/ДК.xlsx"]]
    assert sorted(o.status for o in pair) == sorted([FileStatus.ACCEPTED, FileStatus.SUPERSEDED])
    kept, copy = sorted(pair, key=lambda o: o.status is FileStatus.SUPERSEDED)
    assert copy.reason == f"такой же файл, как {kept.entry.relative} (совпадает побайтно); учтен один раз"
    # a different file of the same unit is still «заменен», with the newer one's date
    assert by_path["Пермский край/Дорожная карта (старая).xlsx"].reason.startswith("заменен файлом ")


def test_a_file_in_another_regions_folder_is_warned_about(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    # another region's roadmap saved into this region's folder (or this region's data typed into its copy)
    shutil.copyfile(inbox / "Татарстан" / "ДК.xlsx", inbox / REGION / "ДК соседей.xlsx")
    result = consolidate(inbox, tmp_path / "out" / "Свод.xlsx", as_of=AS_OF, jobs=1, use_cache=False)
    found = [(o.entry.relative, i) for o in result.outcomes for i in o.issues
             if i.code is Code.REGION_FOLDER_MISMATCH]
    assert [path for path, _ in found] == [f"{REGION}/ДК соседей.xlsx"]
    issue = found[0][1]
    assert issue.severity is Severity.WARNING and issue.sheet == "Титул" and issue.cell
    assert f"в папке «{REGION}»" in issue.message and f"«{OTHER_REGION}»" in issue.message


def test_numbers_inside_text_cells_have_a_decimal_comma(run: dict[str, Any]) -> None:
    book = pc.CalamineWorkbook.from_path(str(run["root"] / "out" / "Свод.xlsx"))
    texts = [v for row in book.get_sheet_by_name("Свод").to_python() for v in row if isinstance(v, str)]
    intervals = [t for t in texts if "…" in t]
    small = [t for t in texts if t.startswith("мало данных (")]
    assert intervals and small  # both kinds are in this summary
    assert any("," in t for t in intervals + small)
    assert not [t for t in intervals + small if "." in t]


def test_the_cache_and_what_systems_leave_in_folders_are_not_files_of_the_inbox(tmp_path: Path) -> None:
    build_inbox(tmp_path)
    inbox = tmp_path / "inbox"
    before = sorted(e.relative for e in scan_inbox(inbox))
    (inbox / "__MACOSX" / REGION).mkdir(parents=True)
    (inbox / "__MACOSX" / REGION / "._Замеры.xlsx").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    (inbox / REGION / "._Путь клиента.xlsx").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    for name in ("Thumbs.db", "desktop.ini", ".DS_Store"):
        (inbox / name).write_bytes(b"\x00")
    assert sorted(e.relative for e in scan_inbox(inbox)) == before
    # the summary written into the inbox puts its cache there: the next runs do not list its files
    output = inbox / "Свод.xlsx"
    first = consolidate(inbox, output, as_of=AS_OF, jobs=1)
    assert (inbox / CACHE_DIR_NAME).is_dir() and any((inbox / CACHE_DIR_NAME).iterdir())
    second = consolidate(inbox, output, as_of=AS_OF, jobs=1)
    assert len(second.outcomes) == len(first.outcomes) == len(before)
    assert not [o for o in second.outcomes if CACHE_DIR_NAME in o.entry.relative]


def test_an_archive_in_the_inbox_is_skipped_with_a_word_on_what_to_do(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "Пермский край.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    (inbox / "Письмо.docx").write_bytes(b"PK")
    reasons = {e.relative: e.skip_reason for e in scan_inbox(inbox)}
    assert reasons["Пермский край.zip"] == ("архив (.zip): распакуйте его в папку входящих, чтобы книги из него "
                                             "вошли в свод")
    assert reasons["Письмо.docx"] == "не книга Excel (.docx)"
    shown = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(tmp_path / "out" / "Свод.xlsx")])
    assert "пропущен: Пермский край.zip — архив (.zip): распакуйте его" in shown.output
    assert "Письмо.docx" not in shown.output  # only what asks for something to be done is named
