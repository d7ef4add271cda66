"""Outputs are safe and nothing is lost (issue 7): user text stays text in every output, names made
from user text are safe, outputs replace their previous version only when complete, even when the
run is killed."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import python_calamine as pc

from cxexcel.consolidate import consolidate
from cxexcel.fileio import atomic_output, remove_stale_temporaries, safe_file_name, xml_text
from cxexcel.forms import KINDS, ColumnType, TableSheet, catalog
from cxexcel.template import build_workbook, template_filename
from cxexcel.validate.mark import marked_copy_path
from tests.hostile_corpus import PAYLOADS, add_sheet, set_cell, sheet_part
from tests.samples import REGION, sample_data

# payloads as file names (a name cannot hold "/")
NAME_PAYLOADS = ('=HYPERLINK("http:evil.example","x")', "+cmd|' -C calc'!A0", "@SUM(1+1)", "-2+3", "=1+1")
TEXT_TYPES = (ColumnType.TEXT, ColumnType.CHOICE, ColumnType.EMAIL, ColumnType.PHONE)


def poisoned_data(kind: str) -> dict[str, Any]:
    """The sample of `kind` with a formula-like payload in every text cell (the title's region and
    centre kept, so that the file is accepted and its rows reach the summary's lists)."""
    data = sample_data(kind)
    n = 0
    for sheet_name, content in data.items():
        if sheet_name == catalog.TITLE_SHEET:
            for key in ("responsible", "position", "phone", "email"):
                content[key] = PAYLOADS[n % len(PAYLOADS)]
                n += 1
            continue
        decl = KINDS[kind].sheet(sheet_name)
        columns = decl.columns if isinstance(decl, TableSheet) else decl.fields
        targets = [c.key for c in columns if c.type in TEXT_TYPES]
        for row in content if isinstance(content, list) else [content]:
            for key in targets:
                row[key] = PAYLOADS[n % len(PAYLOADS)]
                n += 1
    return data


def formulas(path: Path, sheet_filter: str = "") -> Counter[bytes]:
    """Every <f> element of every worksheet of an .xlsx, with its content."""
    found: Counter[bytes] = Counter()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if "worksheets/" in name and name.endswith(".xml") and sheet_filter in name:
                found.update(re.findall(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>|<(?:\w+:)?f\s[^>]*/>",
                                        z.read(name), re.S))
    return found


def all_values(path: Path) -> set[Any]:
    book = pc.CalamineWorkbook.from_path(str(path))
    return {v for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python() for v in row}


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("poisoned")
    inbox = root / "inbox"
    inbox.mkdir()
    sources = []
    for n, kind in enumerate(sorted(KINDS)):
        path = build_workbook(kind, inbox / f"{NAME_PAYLOADS[n % len(NAME_PAYLOADS)]} {kind}.xlsx",
                              data=poisoned_data(kind))
        sources.append(path)
    # payloads as sheet names and as the title of an extra column
    measurements = next(p for p in sources if p.name.endswith("measurements.xlsx"))
    with zipfile.ZipFile(measurements) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    part = sheet_part(parts, "Замеры")
    for col, payload in (("J", "=1+1"), ("K", "@SUM(1+1)")):
        escaped = payload.replace("&", "&amp;").encode()
        parts[part] = set_cell(parts[part], f"{col}1", b'<c r="' + col.encode() + b'1" t="inlineStr"><is><t>'
                               + escaped + b"</t></is></c>")
        parts[part] = set_cell(parts[part], f"{col}2", b'<c r="' + col.encode() + b'2" t="inlineStr"><is><t>'
                               + escaped + b"</t></is></c>")
    for n, name in enumerate(("=1+1", "@SUM(1+1)", "-2+3", "+cmd|' -C calc'!A0")):
        parts = add_sheet(parts, name, parts["xl/worksheets/sheet1.xml"], rid=f"rId{90 + n}")
    with zipfile.ZipFile(measurements, "w", zipfile.ZIP_DEFLATED) as z:
        for name, blob in parts.items():
            z.writestr(name, blob)
    out = root / "out"
    consolidate(inbox, out / "Свод.xlsx", json_output=out / "Свод.json", jobs=1, use_cache=False)
    env = {**os.environ, "HOME": str(root), "PYTHONIOENCODING": "utf-8"}
    marked = subprocess.run([sys.executable, "-m", "cxexcel", "validate", str(inbox), "--mark", str(root / "marked")],
                            capture_output=True, env=env)
    report = subprocess.run([sys.executable, "-m", "cxexcel", "validate", str(inbox), "--format", "json"],
                            capture_output=True, env=env)
    return {"root": root, "sources": sources, "out": out, "marked": marked, "report": report}


def test_summary_holds_no_formula_and_payloads_stay_text(poisoned: dict[str, Any]) -> None:
    summary = poisoned["out"] / "Свод.xlsx"
    assert formulas(summary) == Counter()
    values = all_values(summary)
    for payload in PAYLOADS:
        assert payload in values, payload
    for name in NAME_PAYLOADS:
        assert any(isinstance(v, str) and name in v for v in values), name
    with zipfile.ZipFile(summary) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if "worksheets/" in n)
    # no cell of the summary is typed as a formula string or a number parsed from text
    assert b't="str"' not in sheets and b"<f>" not in sheets and b"<f " not in sheets


def test_json_keeps_payloads_verbatim(poisoned: dict[str, Any]) -> None:
    text = (poisoned["out"] / "Свод.json").read_text(encoding="utf-8")
    data = json.loads(text)

    def strings(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return [node] if isinstance(node, str) else []

    found = set(strings(data))
    for payload in PAYLOADS:
        assert payload in found, payload
    report = json.loads(poisoned["report"].stdout.decode("utf-8"))
    found = set(strings(report))
    for payload in (*PAYLOADS, *NAME_PAYLOADS):
        assert any(payload in s for s in found), payload


def test_marked_copies_add_no_formula(poisoned: dict[str, Any]) -> None:
    run = poisoned["marked"]
    assert run.returncode == 1, run.stderr.decode()
    assert b"Traceback" not in run.stdout + run.stderr
    copies = sorted((poisoned["root"] / "marked").iterdir())
    assert len(copies) == len(poisoned["sources"])
    for source in poisoned["sources"]:
        copy = marked_copy_path(source, poisoned["root"] / "marked")
        assert copy in copies
        # every formula of the copy was in the source already (the template's own «Сводка»)
        assert formulas(copy) == formulas(source), copy.name
        book = pc.CalamineWorkbook.from_path(str(copy))
        check = book.get_sheet_by_name(catalog.CHECK_SHEET).to_python()
        assert any(isinstance(v, str) and v in PAYLOADS for row in check for v in row), copy.name


def test_names_made_from_user_text_are_safe(tmp_path: Path) -> None:
    journey = KINDS["journey"]
    hostile = ["../../etc/passwd", "..\\..\\Windows\\win.ini", "CON", "nul.txt", "a\x00b\x1f\u202eexe.xlsx",
               "Ж" * 400, "  ..  ", "ГКУ «ЦЗН г. Перми»", 'ГКУ "ЦЗН"', "C:\\temp", "x" * 300 + "/y"]
    for czn in hostile:
        name = template_filename(journey, REGION, czn)
        assert name.startswith(journey.title) and name.endswith(".xlsx")
        assert len(name.encode("utf-8")) <= 255 and len(name) <= 255
        assert not set(name) & set('/\\:*?"<>|\x00') and ".." not in name
        assert not any(ch in name for ch in "\u202e\x1f")
        path = tmp_path / name
        path.write_bytes(b"")
        assert path.parent == tmp_path
    assert template_filename(journey, REGION, "ГКУ «ЦЗН г. Перми»") == "Путь клиента — ГКУ «ЦЗН г. Перми».xlsx"
    assert template_filename(journey, REGION, 'ГКУ "ЦЗН" г. Перми') == "Путь клиента — ГКУ ЦЗН г. Перми.xlsx"
    for stem in ("CON", "..", "", "a/b", "Ж" * 300, "=1+1"):
        name = safe_file_name(stem, ".xlsx")
        assert name.endswith(".xlsx") and len(name.encode()) <= 255 and "/" not in name
        assert name.split(".")[0].upper() not in ("CON", "")
    taken: set[Path] = set()
    first = marked_copy_path(Path("a") / ("Ж" * 200 + ".xlsx"), tmp_path, taken)
    second = marked_copy_path(Path("b") / ("Ж" * 200 + ".xlsx"), tmp_path, taken)
    assert first != second and len(second.name.encode()) <= 255 and second.name.endswith("(2).xlsx")
    assert xml_text("a\x00b\ud800c\ufffe\td") == "a\ufffdb\ufffdc\ufffd\td"
    assert len(xml_text("я" * 40_000)) == 32_767


def test_atomic_output_and_stale_temporaries(tmp_path: Path) -> None:
    target = tmp_path / "Свод.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["Свод.xlsx"]
    # what a SIGKILL leaves: a dot-file of atomic_output's pattern
    stale = tmp_path / ".Свод.ab12cd34.xlsx"
    fresh = tmp_path / ".Свод.zz99yy88.xlsx"
    other = tmp_path / ".Свод.notmine.xlsx"
    for path in (stale, fresh, other):
        path.write_bytes(b"partial")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert remove_stale_temporaries(target) == [stale]
    assert fresh.exists() and other.exists() and target.read_bytes() == b"previous"


def _biggish_inbox(root: Path, files: int) -> Path:
    """`files` measurement workbooks of 1,500 answers each (one built, the rest copied)."""
    inbox = root / "inbox"
    inbox.mkdir(parents=True)
    data = sample_data("measurements")
    data["Замеры"] = [
        {"date": dt.date(2021, 9, 1) + dt.timedelta(days=i % 40), "touchpoint_code": f"ТК-0{1 + i % 3}",
         "channel": "Лично в ЦЗН", "method": "Анкетирование", "metric": catalog.CSAT, "value": 1 + i % 5}
        for i in range(1500)]
    first = build_workbook("measurements", inbox / "ЦЗН 00.xlsx", data=data)
    for n in range(1, files):
        folder = inbox / f"Регион {n % 7}"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(first, folder / f"ЦЗН {n:02d}.xlsx")
    return inbox


def _consolidate_process(inbox: Path, out: Path, home: Path, slow_writer: Path | None = None
                         ) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HOME": str(home)}
    command = ["-c", _SLOW_WRITER, str(slow_writer)] if slow_writer else ["-m", "cxexcel"]
    return subprocess.Popen(
        [sys.executable, *command, "consolidate", str(inbox), "-o", str(out / "Свод.xlsx"), "--json",
         str(out / "Свод.json"), "--no-cache", "--jobs", "2", "--as-of", "15.10.2021"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)


# `cxexcel consolidate` whose summary writer pauses after each zip member it writes to a file (not the
# package XlsxWriter builds in memory), having first touched a marker file: a kill then lands while the
# summary file is half written, every time
_SLOW_WRITER = """
import sys, time, zipfile
marker = sys.argv.pop(1)
for name in ("write", "writestr"):
    real = getattr(zipfile.ZipFile, name)
    def slow(self, *args, _real=real, **kwargs):
        _real(self, *args, **kwargs)
        if self.filename:
            open(marker, "a").close()
            time.sleep(0.2)
    setattr(zipfile.ZipFile, name, slow)
from cxexcel.cli import main
sys.argv[0] = "cxexcel"
main()
"""


def test_killed_consolidation_leaves_the_previous_summary(tmp_path: Path) -> None:
    """SIGKILL at several moments of a run: each output is the previous one or the new one whole,
    never a partial file; what a kill leaves is a dot-file the next run removes."""
    inbox = _biggish_inbox(tmp_path, 24)
    reference = tmp_path / "reference"
    start = time.perf_counter()
    run = _consolidate_process(inbox, reference, tmp_path)
    assert run.wait(timeout=300) == 0
    duration = time.perf_counter() - start
    final = {name: (reference / name).read_bytes() for name in ("Свод.xlsx", "Свод.json")}
    # the previous summary: the same inbox before its last files arrived
    small = tmp_path / "small"
    shutil.copytree(inbox, small)
    for path in sorted(small.rglob("*.xlsx"))[-6:]:
        path.unlink()
    out = tmp_path / "out"
    assert _consolidate_process(small, out, tmp_path).wait(timeout=300) == 0
    previous = {name: (out / name).read_bytes() for name in final}
    assert previous != final
    outcomes = []
    for fraction in (0.2, 0.5, 0.8, 0.95, 1.05, None):
        if fraction is None:
            # killed while the summary is being written: a half-written temporary file, the old summary
            marker = tmp_path / "writing"
            run = _consolidate_process(inbox, out, tmp_path, slow_writer=marker)
            deadline = time.time() + 120
            while not marker.exists() and time.time() < deadline:
                time.sleep(0.02)
            assert marker.exists()
        else:
            run = _consolidate_process(inbox, out, tmp_path)
            time.sleep(duration * fraction)
        os.killpg(run.pid, signal.SIGKILL)
        run.wait(timeout=60)
        names = sorted(p.name for p in out.iterdir())
        assert [n for n in names if not n.startswith(".")] == ["Свод.json", "Свод.xlsx"], names
        assert all(re.fullmatch(r"\.Свод\.[a-z0-9_]{8}\.(xlsx|json)", n) for n in names if n.startswith("."))
        for name in final:
            now = (out / name).read_bytes()
            assert now in (previous[name], final[name]), f"{name} is partial after a kill at {fraction}"
            outcomes.append((fraction, name, "previous" if now == previous[name] else "new"))
        for name in final:  # the next kill starts from the previous summary again
            (out / name).write_bytes(previous[name])
    assert any(o[2] == "previous" for o in outcomes)
    assert outcomes[-1][2] == "previous" and any(p.name.startswith(".Свод.") for p in out.iterdir())
    # the next complete run removes what the kills left (once it is old enough to be nobody's)
    old = time.time() - 7200
    for path in out.iterdir():
        if path.name.startswith("."):
            os.utime(path, (old, old))
    done = _consolidate_process(inbox, out, tmp_path)
    assert done.wait(timeout=300) == 0
    assert sorted(p.name for p in out.iterdir()) == ["Свод.json", "Свод.xlsx"]
    assert {name: (out / name).read_bytes() for name in final} == final
    print(f"run {duration:.1f} s; after kills: {outcomes}")


def test_region_level_inputs_named_like_payloads_are_listed(poisoned: dict[str, Any]) -> None:
    data = json.loads((poisoned["out"] / "Свод.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in data["files"]}
    assert listed == {p.name for p in poisoned["sources"]}
    assert {f["status"] for f in data["files"]} <= {"accepted", "rejected"}
    assert any(r["region"] == REGION for r in data["regions"])
