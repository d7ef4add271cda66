"""The demo inbox: deterministic, its planted mistakes found where planted, and `cxexcel demo` end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import python_calamine as pc
from click.testing import CliRunner

from cxexcel.cli import cli
from cxexcel.cli.demo import INBOX_NAME, JSON_NAME, MARKER_NAME, SUMMARY_NAME
from cxexcel.consolidate import consolidate
from cxexcel.consolidate.inbox import STATUS_RU, FileStatus
from cxexcel.demo import DemoManifest, Expected, generate_inbox
from cxexcel.demo.mistakes import ANSWER_MISTAKES, ROADMAP_MISTAKES
from cxexcel.demo.places import TOWNS
from cxexcel.forms import catalog
from cxexcel.issues import Code
from cxexcel.validate import validate

SEED = 7
SMALL = {"regions": 3, "seed": SEED, "answers_per_centre": 200}
SUMMARY_SHEETS = ["Свод", "Мониторинг", "Точки контакта", "Инструменты", "Карта решений", "Совещания",
                  "Журнал консультаций", "Ошибки", "Файлы", "Панель"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return generate_inbox(tmp_path_factory.mktemp("demo") / "inbox", **SMALL)  # type: ignore[arg-type]


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, as a reader sees them (not the zip's bytes)."""
    book = pc.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}


def contents(manifest: DemoManifest) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for demo_file in manifest.files:
        path = manifest.path(demo_file)
        readable = demo_file.kind is not None
        found[demo_file.path] = workbook_values(path) if readable else path.read_bytes()
    return found


def test_same_seed_gives_the_same_files(demo: DemoManifest, tmp_path: Path) -> None:
    # built in parallel this time: the order regions are built in must not matter
    again = generate_inbox(tmp_path / "inbox", jobs=2, **SMALL)  # type: ignore[arg-type]
    assert [(f.path, f.expected) for f in again.files] == [(f.path, f.expected) for f in demo.files]
    assert again.mistakes == demo.mistakes
    assert contents(again) == contents(demo)
    on_disk = sorted(p.relative_to(again.folder).as_posix() for p in again.folder.rglob("*") if p.is_file())
    assert on_disk == sorted(f.path for f in again.files)


def test_another_seed_gives_other_files(demo: DemoManifest, tmp_path: Path) -> None:
    other = generate_inbox(tmp_path / "inbox", **{**SMALL, "seed": SEED + 1})  # type: ignore[arg-type]
    assert contents(other) != contents(demo)


def test_the_inbox_is_what_an_inbox_looks_like(demo: DemoManifest) -> None:
    kinds = {f.kind for f in demo.with_status(Expected.ACCEPTED)}
    assert {"roadmap", "journey", "measurements", "consultations"} <= kinds
    assert len(demo.regions) == 3 and set(demo.regions) <= set(catalog.REGIONS)
    for expected in (Expected.REJECTED, Expected.SUPERSEDED, Expected.SKIPPED, Expected.IGNORED):
        assert len(demo.with_status(expected)) == 1, expected
    assert demo.with_status(Expected.IGNORED)[0].path.split("/")[-1].startswith("~$")
    assert demo.with_status(Expected.SKIPPED)[0].path.endswith(".txt")
    for centre in demo.centres:
        assert centre.answers == 200
        assert 15 <= centre.touchpoints <= 30
        assert 1 <= centre.tools <= 3
    # one folder per region, plus the federal centre's
    folders = {f.path.split("/")[0] for f in demo.files}
    assert len(folders) == len(demo.regions) + 1


def test_every_kind_of_mistake_is_planted(demo: DemoManifest) -> None:
    planted = {m.code for m in demo.mistakes}
    assert set(ANSWER_MISTAKES) | set(ROADMAP_MISTAKES) <= planted


def test_each_planted_mistake_is_reported_at_its_cell(demo: DemoManifest) -> None:
    for mistake in demo.mistakes:
        paths = [demo.path(mistake.path)]
        if mistake.together_with:
            paths.append(demo.path(mistake.together_with))
        report = validate(paths)
        file_report = next(f for f in report.files if Path(f.path) == paths[0])
        found = [(i.code, i.sheet, i.cell) for i in file_report.issues]
        assert (mistake.code, mistake.sheet, mistake.cell) in found, (mistake, found)


def test_unknown_touchpoint_needs_the_journey(demo: DemoManifest) -> None:
    mistake = next(m for m in demo.mistakes if m.code is Code.TOUCHPOINT_UNKNOWN)
    alone = validate([demo.path(mistake.path)])
    assert Code.TOUCHPOINT_UNKNOWN not in {i.code for i in alone.files[0].issues}


def test_generated_workbooks_have_no_errors_but_the_planted_ones(demo: DemoManifest) -> None:
    workbooks = [demo.path(f) for f in demo.files if f.kind is not None]
    report = validate(workbooks)
    planted = {(m.path, m.cell) for m in demo.mistakes}
    relative = {str(demo.path(f)): f.path for f in demo.files}
    for file_report in report.files:
        for issue in file_report.issues:
            if issue.severity.value == "error":
                assert (relative[file_report.path], issue.cell) in planted, issue.message


def test_a_centre_is_spelt_differently_in_some_files(tmp_path: Path) -> None:
    manifest = generate_inbox(tmp_path / "inbox", regions=8, seed=2021, answers_per_centre=20)
    assert any(len(c.spellings) > 1 for c in manifest.centres)


def test_every_subject_has_towns_for_its_centres() -> None:
    assert set(TOWNS) == set(catalog.REGIONS)


def test_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "letter.txt").write_text("x")
    with pytest.raises(FileExistsError):
        generate_inbox(tmp_path, regions=1, answers_per_centre=20)
    with pytest.raises(ValueError):
        generate_inbox(tmp_path / "new", regions=0)


def test_tools_improve_what_they_target(tmp_path: Path) -> None:
    manifest = generate_inbox(tmp_path / "inbox", regions=3, seed=2021, answers_per_centre=2000)
    result = consolidate(manifest.folder, tmp_path / SUMMARY_NAME, jobs=1, use_cache=False)
    tools = result.summary.tools
    assert len(tools) == sum(c.tools for c in manifest.centres)
    better = [t for t in tools if t["effect"] is not None and (
        t["effect"] < 0 if catalog.METRICS_BY_NAME[t["metric"]].lower_is_better else t["effect"] > 0)]
    assert len(better) == len(tools)
    # an effect of fewer than 30 answers on a side is «мало данных», never confirmed (FORMS.md §5)
    measured = [t for t in tools if not t["effect_small_sample"]]
    assert not any(t["effect_confirmed"] for t in tools if t["effect_small_sample"])
    assert sum(t["effect_confirmed"] for t in measured) >= 0.6 * len(measured)


def sheet_rows(path: Path, sheet: str) -> list[dict[str, Any]]:
    rows = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_cli_demo_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "демо"
    args = ["demo", "--out", str(out), "--regions", "2", "--answers", "300", "--jobs", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    summary = out / SUMMARY_NAME
    assert str(summary.resolve()) in result.output
    assert (out / JSON_NAME).is_file() and (out / MARKER_NAME).is_file()
    assert pc.CalamineWorkbook.from_path(str(summary)).sheet_names == SUMMARY_SHEETS

    # the same settings give the same inbox, so a second one says what the first should hold
    expected = generate_inbox(tmp_path / "again", regions=2, seed=2021, answers_per_centre=300)
    listed = {str(r["Файл"]).replace("\\", "/"): r["Статус"] for r in sheet_rows(summary, "Файлы")}
    wanted = {f.path: STATUS_RU[FileStatus(f.expected.value)] for f in expected.files
              if f.expected is not Expected.IGNORED}
    assert listed == wanted
    assert STATUS_RU[FileStatus.REJECTED] in listed.values()
    assert STATUS_RU[FileStatus.SUPERSEDED] in listed.values()
    assert STATUS_RU[FileStatus.SKIPPED] in listed.values()

    issues = json.loads((out / JSON_NAME).read_text(encoding="utf-8"))["issues"]
    reported = {(i["file"].replace("\\", "/"), i["code"], i["cell"]) for i in issues}
    for mistake in expected.mistakes:
        assert (mistake.path, mistake.code.value, mistake.cell) in reported, mistake

    # a second run replaces the demo folder cleanly
    (out / INBOX_NAME / "лишний файл.txt").write_text("x", encoding="utf-8")
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0, again.output
    assert not (out / INBOX_NAME / "лишний файл.txt").exists()


def test_cli_demo_leaves_a_foreign_folder_alone(tmp_path: Path) -> None:
    mine = tmp_path / "Мои документы"
    mine.mkdir()
    (mine / "отчет.xlsx").write_bytes(b"PK")
    result = CliRunner().invoke(cli, ["demo", "--out", str(mine), "--regions", "1", "--answers", "20"])
    assert result.exit_code == 2
    assert "cxexcel demo" in result.output
    assert [p.name for p in mine.iterdir()] == ["отчет.xlsx"]
