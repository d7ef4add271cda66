"""Broken and hostile inputs (issue 7): every corpus case gives its outcome without a traceback,
inputs stay byte-identical, bombs cost no memory, a consolidation of good files mixed with the whole
corpus keeps the good figures, and every file of the inbox is listed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from cxexcel.consolidate import consolidate
from cxexcel.issues import Code, Severity
from cxexcel.read import Limits, ValuesSource
from cxexcel.read.container import DEFAULT_LIMITS, _extent, _plain_extent, _quick_extent, _walk_extent
from cxexcel.validate import check_files, check_values
from tests.hostile_corpus import (
    HOSTILE_REGION,
    NON_UTF8_NAME,
    REJECTED,
    SKIPPED,
    Case,
    build_corpus,
    cases,
    markdown_table,
)
from tests.samples import REGION, write_sample
from tests.test_consolidate import AS_OF, OTHER_REGION, build_inbox

CASES = cases()
GOOD_REGIONS = (REGION, OTHER_REGION)
# the lists of the summary; a good region's rows in each must not change when the corpus is mixed in
SUMMARY_LISTS = ("regions", "monitoring", "touchpoints", "channels", "tools", "decisions", "meetings", "consultations")

# Runs a command under a 4 GB address-space limit (a runaway allocation fails instead of swapping the
# machine) and reports its peak resident memory. The launcher forks and waits itself: the peak a
# child inherits at fork is the launcher's (10 MB), not the test process's.
_MEASURE = """
import os, resource, sys
limit = int(os.environ["MEASURE_LIMIT"])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
with open(os.environ["MEASURE_OUT"], "w") as fh:
    fh.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def cxexcel(args: list[str], tmp: Path, timeout: float = 300) -> tuple[int, str, str, int]:
    """`cxexcel ARGS` as a process: exit status, output, errors, peak memory in MB (it and its workers)."""
    tmp.mkdir(parents=True, exist_ok=True)
    out = tmp / "maxrss"
    env = {**os.environ, "MEASURE_LIMIT": str(4 << 30), "MEASURE_OUT": str(out), "HOME": str(tmp),
           "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-c", _MEASURE, "-m", "cxexcel", *args], capture_output=True, env=env,
                          timeout=timeout)
    return (done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"),
            int(out.read_text()) // 1024)


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every regular file below `folder` (links and pipes are not followed)."""
    found = {}
    for root, _, files in os.walk(os.fsencode(folder)):
        for name in files:
            path = os.path.join(root, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as fh:
                    found[os.fsdecode(path)] = hashlib.sha256(fh.read()).hexdigest()
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "corpus"
    build_corpus(folder)
    return folder


def test_corpus_is_generated_and_large() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    codes = {c.code for c in CASES if c.code is not None and not c.readable}
    # every way a file can be refused as a whole (issue 3's list and this one's)
    assert {Code.FILE_EMPTY, Code.FILE_XLS, Code.FILE_ODS, Code.FILE_ENCRYPTED, Code.FILE_NOT_WORKBOOK,
            Code.FILE_CORRUPT, Code.FILE_TOO_LARGE, Code.FILE_UNKNOWN_KIND, Code.FILE_OLD_TEMPLATE,
            Code.FILE_WRONG_KIND, Code.FILE_NOT_A_FILE} <= codes
    names = {c.name for c in CASES}
    committed = [p for p in Path(__file__).parent.rglob("*") if p.name in names]
    assert committed == [], "the corpus is generated, never committed"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_outcome(corpus: Path, case: Case) -> None:
    start = time.perf_counter()
    result = check_files([corpus / case.name], expected_kind=case.expected_kind)[0]
    elapsed = time.perf_counter() - start
    report = result.report()
    codes = [i.code for i in report.issues]
    assert Code.INTERNAL_ERROR not in codes
    if not case.readable:
        assert not report.readable
        (issue,) = report.issues
        assert issue.code is case.code, issue.message
        assert case.fragment in issue.message
        assert issue.cell is None and issue.severity is Severity.ERROR
    elif case.code is None:
        assert report.readable
        assert [i.message for i in report.issues if i.severity is Severity.ERROR] == []
    else:
        assert report.readable
        found = [i for i in report.issues if i.code is case.code]
        assert found, [i.message for i in report.issues]
        assert any(case.fragment in i.message for i in found), [i.message for i in found]
    assert elapsed < 5, f"{case.name}: {elapsed:.1f} s"


def test_file_name_that_is_not_utf8(corpus: Path) -> None:
    path = Path(os.fsdecode(os.path.join(os.fsencode(corpus), NON_UTF8_NAME)))
    report = check_files([path])[0].report()
    assert report.readable and report.errors == 0
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8", "replace")


def _validate_json(corpus: Path, tmp: Path, *extra: str) -> tuple[dict[str, Any], str, int]:
    # folders give their *.xlsx; the .xls and .ods cases are named explicitly
    others = [str(corpus / c.name) for c in CASES if not c.name.endswith(".xlsx")]
    status, out, err, rss = cxexcel(["validate", str(corpus), *others, "--format", "json", *extra], tmp)
    assert status == 2, err
    return json.loads(out), err, rss


def test_validate_cli_on_the_whole_corpus(corpus: Path, tmp_path: Path) -> None:
    report, err, _ = _validate_json(corpus, tmp_path / "json")
    assert "Traceback" not in err and err.strip() == ""
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    for case in CASES:
        if case.expected_kind:
            continue  # checked as an ordinary file here
        codes = [i["code"] for i in by_name[case.name]["issues"]]
        assert "internal-error" not in codes
        if case.code is not None:
            assert case.code.value in codes, (case.name, codes)
        assert by_name[case.name]["readable"] == case.readable, case.name
    assert not (tmp_path / "json" / ".cxexcel-error.log").exists()
    status, out, err, _ = cxexcel(["validate", str(corpus)], tmp_path / "text")
    assert status == 2 and "Traceback" not in out + err
    assert "НЕ ПРОЧИТАН" in out
    # a control character typed into a cell reaches the console as U+FFFD, never as itself
    assert "Лично\ufffd в ЦЗН" in out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", out + err)


def test_mark_copies_of_the_corpus(corpus: Path, tmp_path: Path) -> None:
    """--mark on every readable case: a copy, or one Russian line saying why not; never a crash."""
    marked = tmp_path / "marked"
    status, out, err, rss = cxexcel(["validate", str(corpus), "--mark", str(marked)], tmp_path)
    assert status == 2
    assert "Traceback" not in out + err and "Внутренняя ошибка" not in err
    for line in err.splitlines():
        assert line.startswith(("Копию с отметками", str(corpus))), line
    copies = list(marked.iterdir())
    assert len(copies) >= 20
    for copy in copies:
        book = pc.CalamineWorkbook.from_path(str(copy))
        assert book.sheet_names[0] == "Проверка"
    assert rss < 1500, f"--mark peaked at {rss} MB"


def test_inputs_stay_byte_identical(corpus: Path, tmp_path: Path) -> None:
    before = hashes(corpus)
    readable = [corpus / c.name for c in CASES if c.readable and not c.bomb][:12]
    results = check_files([corpus / c.name for c in CASES])
    from cxexcel.validate.mark import NotMarkable, write_marked_copy

    for result in results:
        if result.path in readable and result.workbook is not None:
            try:
                write_marked_copy(result.path, result.report().issues, tmp_path / "m")
            except NotMarkable:
                pass
            except Exception:  # openpyxl refusing a file is reported by the CLI; the input is what matters here
                pass
    consolidate(corpus, tmp_path / "Свод.xlsx", json_output=tmp_path / "Свод.json", jobs=1, use_cache=False)
    assert hashes(corpus) == before
    assert [p for p in corpus.iterdir() if p.name.startswith(".")] == []


def test_bombs_cost_no_memory(corpus: Path, tmp_path: Path) -> None:
    """Each resource attack is refused (or read) in a process whose peak stays near an idle run's."""
    _, _, _, idle = cxexcel(["validate", str(corpus / "=1+1.xlsx")], tmp_path / "idle")
    peaks = {}
    for case in (c for c in CASES if c.bomb):
        start = time.perf_counter()
        status, out, err, rss = cxexcel(["validate", str(corpus / case.name)], tmp_path / case.name)
        peaks[case.name] = rss
        assert "Traceback" not in out + err
        assert status == (0 if case.code is None else (1 if case.readable else 2)), (case.name, out)
        assert time.perf_counter() - start < 10, case.name
        refused_unread = not case.readable
        # refused from the zip's directory: nothing was inflated; read cases keep within their sheet's size
        assert rss < idle + (16 if refused_unread else 120), (case.name, rss, idle)
    print(f"idle {idle} MB; bombs: {peaks}")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The consolidation test's inbox alone (in process, two workers), and the same inbox with the whole
    corpus mixed in (the command, one process)."""
    root = tmp_path_factory.mktemp("mixed")
    build_inbox(root)
    good = root / "good"
    shutil.copytree(root / "inbox", good, symlinks=True)
    build_corpus(root / "inbox" / "Чужие файлы")  # built again: a named pipe cannot be copied
    alone = consolidate(good, root / "out" / "good.xlsx", as_of=AS_OF, json_output=root / "out" / "good.json",
                        jobs=2, use_cache=False)
    inputs = hashes(root / "inbox")
    status, out, err, rss = cxexcel(
        ["consolidate", str(root / "inbox"), "-o", str(root / "out" / "mixed.xlsx"), "--json",
         str(root / "out" / "mixed.json"), "--as-of", AS_OF.strftime("%d.%m.%Y"), "--jobs", "1", "--no-cache"],
        root / "run")
    return {"root": root, "alone": alone, "status": status, "out": out, "err": err, "rss": rss, "inputs": inputs,
            "good": json.loads((root / "out" / "good.json").read_text(encoding="utf-8")),
            "mixed": json.loads((root / "out" / "mixed.json").read_text(encoding="utf-8"))}


def test_mixed_consolidation_completes_without_traceback(mixed: dict[str, Any]) -> None:
    assert mixed["status"] == 0, mixed["err"]
    assert "Traceback" not in mixed["out"] + mixed["err"]
    assert "Свод на 15.10.2021" in mixed["out"]
    # the inbox is as it was
    assert hashes(mixed["root"] / "inbox") == mixed["inputs"]
    # one process (--jobs 1), so that the peak is the whole run's: the corpus' largest sheet XML and no more
    assert mixed["rss"] < 300, f"consolidation peaked at {mixed['rss']} MB"


def test_good_figures_unchanged_by_the_corpus(mixed: dict[str, Any]) -> None:
    for key in SUMMARY_LISTS:
        alone = [r for r in mixed["good"][key] if r.get("region") in GOOD_REGIONS]
        together = [r for r in mixed["mixed"][key] if r.get("region") in GOOD_REGIONS]
        assert alone == together, key
    assert any(r["region"] == HOSTILE_REGION for r in mixed["mixed"]["regions"])


def test_every_file_of_the_inbox_is_listed_with_its_status(mixed: dict[str, Any]) -> None:
    inbox = mixed["root"] / "inbox"
    on_disk = set()
    for root, dirs, files in os.walk(inbox):
        for name in files + [d for d in dirs if d.endswith(".xlsx")]:
            if not name.startswith("~$"):
                on_disk.add(str((Path(root) / name).relative_to(inbox)))
    listed = {f["path"]: f for f in mixed["mixed"]["files"]}
    readable_names = {p.encode("utf-8", "surrogateescape").decode("utf-8", "replace") for p in on_disk}
    assert set(listed) == readable_names
    for case in CASES:
        entry = listed[f"Чужие файлы/{case.name}"]
        assert entry["status"] == case.status, (case.name, entry)
        if case.status == REJECTED:
            assert entry["reason"]
        if case.status == SKIPPED:
            assert "не обрабатывается" in entry["reason"]
    book = pc.CalamineWorkbook.from_path(str(mixed["root"] / "out" / "mixed.xlsx"))
    rows = book.get_sheet_by_name("Файлы").to_python()
    assert len(rows) - 1 == len(listed)


def test_sheet_scan_fast_path_agrees_with_the_walk(corpus: Path, tmp_path: Path) -> None:
    files = [write_sample(k, tmp_path / f"{k}.xlsx") for k in ("roadmap", "journey", "measurements")]
    files += [corpus / c.name for c in CASES if c.readable and not c.bomb]
    sheets = []
    for path in files:
        with zipfile.ZipFile(path) as z:
            sheets += [z.read(i) for i in z.infolist() if re.search(r"worksheets[/\\]sheet\d+\.xml$", i.filename)]
    fast = [_plain_extent(data, DEFAULT_LIMITS) for data in sheets]
    quick = [_quick_extent(data) for data in sheets]
    walked = [_walk_extent(data, "x", DEFAULT_LIMITS) for data in sheets]
    compared = [(f.rows, f.columns, f.values, w.rows, w.columns, w.values) for f, w in zip(fast, walked, strict=True)
                if f is not None]
    assert len(compared) > 20
    assert all(c[:3] == c[3:] for c in compared)
    # the quick scan proves bounds: never smaller than the walk finds, the count of values exact
    bounded = [(q, w) for q, w in zip(quick, walked, strict=True) if q is not None]
    assert len(bounded) > 20
    assert all(q.rows >= w.rows and q.columns >= w.columns and q.values == w.values for q, w in bounded)
    # every sheet of the standard templates (measurements included) takes the quick path
    assert all(q is not None for q in quick[:3])


_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://schemas'
               b'.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C5001"/><sheetData>')


def _sheet(cells: bytes, head: bytes = _SHEET_HEAD) -> bytes:
    return head + b'<row r="1"><c r="A1" t="s"><v>0</v></c>' + cells + b"</row></sheetData></worksheet>"


@pytest.mark.parametrize(("cells", "why"), [
    (b'<c r="XFD1048576"><v>1</v></c>', "a value far outside the dimension"),
    (b'<c r="C6000"><v>1</v></c>', "a row past the bound the dimension suggests"),
    (b'<c r="AA2"><v>1</v></c>', "a column past the dimension"),
    (b'<c r="B2" s="1" r="XFD1048576"><v>1</v></c>', "a second reference (the parser takes the last)"),
    (b'<c s="1" r="B2"><v>1</v></c>', "the reference not first"),
    (b'<c><v>1</v></c>', "a cell without a reference"),
    (b'<x:c r="B2"><v>1</v></x:c>', "a prefixed cell"),
    (b"<c r='B2'><v>1</v></c>", "single quotes"),
    (b'<c\tr="B2"><v>1</v></c>', "a tab inside a tag"),
    (b'<c r="B2" s="x r=y"><v>1</v></c>', "an r= inside another value"),
    (b'<c r="b2"><v>1</v></c>', "a reference in lower case"),
    (b'<c r="B02"><v>1</v></c>', "a row with a leading zero"),
])
def test_quick_sheet_scan_gives_way_to_the_exact_scan_on_anything_unusual(cells: bytes, why: str) -> None:
    assert _quick_extent(_sheet(b'<c r="B1"><v>1</v></c>')) is not None
    assert _quick_extent(_sheet(cells)) is None, why


def test_quick_sheet_scan_bounds_come_from_the_dimension_and_are_proved() -> None:
    scan = _quick_extent(_sheet(b'<c r="C5999"><v>1</v></c><c r="B3" s="2"/>'))
    assert scan is not None and (scan.rows, scan.columns, scan.values) == (5999, 3, 2)
    assert _quick_extent(_sheet(b'<c r="D2"><v>1</v></c>')) is None
    wide = _SHEET_HEAD.replace(b"A1:C5001", b"A1:CB17")
    scan = _quick_extent(_sheet(b'<c r="CB19"><v>1</v></c><c r="BZ2"><v>1</v></c><c r="Z3"><v>1</v></c>', wide))
    assert scan is not None and (scan.rows, scan.columns) == (19, 80)
    assert _quick_extent(_sheet(b'<c r="CC1"><v>1</v></c>', wide)) is None
    assert _quick_extent(_sheet(b'<c r="DA1"><v>1</v></c>', wide)) is None
    assert _quick_extent(_sheet(b"", _SHEET_HEAD.replace(b'<dimension ref="A1:C5001"/>', b""))) is None


def test_a_dimension_that_lies_cannot_hide_a_huge_sheet(tmp_path: Path) -> None:
    # the dimension says A1:C3, a cell sits at XFD1048576: the exact scan measures it and refuses it
    cells = b'<c r="XFD1048576"><v>1</v></c>'
    data = _sheet(cells, _SHEET_HEAD.replace(b"A1:C5001", b"A1:C3"))
    scan = _extent(data, "Замеры", DEFAULT_LIMITS)
    assert (scan.rows, scan.columns) == (1_048_576, 16_384) or not scan.complete
    assert DEFAULT_LIMITS.sheet_breach("Замеры", scan.rows, scan.columns, scan.values) is not None


def test_values_in_memory_respect_the_limits() -> None:
    header = ["Дата*", "Код точки контакта*", "Канал*", "Метод*", "Метрика*", "Значение*"]
    rows: list[list[Any]] = [header] + [[None] * 6 for _ in range(50)]
    source = ValuesSource("addin.xlsx", {"Замеры": rows, "Титул": [["Субъект РФ", REGION]]})
    result = check_values(source, limits=Limits(max_rows=20))
    assert result.workbook is not None
    too_large = [i for i in result.workbook.issues if i.code is Code.SHEET_TOO_LARGE]
    assert too_large and "51 строка при пределе 20" in too_large[0].message


def test_xml_parsers_never_expand_entities(corpus: Path) -> None:
    assert openpyxl.DEFUSEDXML is True, "defusedxml must be installed: openpyxl parses with it then"
    # python-calamine itself, without our refusal of DTDs in front of it
    start = time.perf_counter()
    with pytest.raises(pc.CalamineError, match="entity"):
        pc.CalamineWorkbook.from_path(str(corpus / "laughs-shared-strings.xlsx"))
    book = pc.CalamineWorkbook.from_path(str(corpus / "laughs-sheet.xlsx"))
    with pytest.raises(pc.CalamineError, match="entity"):
        book.get_sheet_by_name("Замеры").to_python()
    assert time.perf_counter() - start < 1
    with pytest.raises(Exception, match=r"invalid XML|forbidden|Entit"):
        openpyxl.load_workbook(corpus / "laughs-sheet.xlsx")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample("measurements", tmp_path_factory.mktemp("limits") / "Замеры.xlsx")


@pytest.mark.parametrize(
    ("option", "value", "code", "fragment"),
    [
        ("--max-file-mb", "0.001", "file-too-large", "Файл слишком большой"),
        ("--max-unpacked-mb", "0.05", "file-too-large", "в распакованном виде"),
        ("--max-rows", "20", "sheet-too-large", "41 строка при пределе 20"),
        ("--max-columns", "5", "sheet-too-large", "столбцов при пределе 5"),
        ("--max-cells", "100", "sheet-too-large", "при пределе 100"),
        ("--max-cell-chars", "3", "text-too-long", "длиннее 3 символов"),
    ],
)
def test_each_limit_has_an_option_and_a_message(sample: Path, option: str, value: str, code: str,
                                                fragment: str) -> None:
    from click.testing import CliRunner

    from cxexcel.cli import cli

    result = CliRunner().invoke(cli, ["validate", str(sample), "--format", "json", option, value])
    assert result.exit_code in (1, 2), result.output
    issues = json.loads(result.output)["files"][0]["issues"]
    assert any(i["code"] == code and fragment in i["message"] for i in issues), issues
    assert CliRunner().invoke(cli, ["validate", str(sample)]).exit_code == 0


def test_ratio_and_files_limits(corpus: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cxexcel.cli import cli

    # the 2 GiB sheet: allowed a ratio of 2000 it is refused by its unpacked size instead
    result = CliRunner().invoke(cli, ["validate", str(corpus / "bomb-sheet.xlsx"), "--max-ratio", "2000",
                                      "--format", "json"])
    (issue,) = json.loads(result.output)["files"][0]["issues"]
    assert issue["code"] == "file-too-large" and "в распакованном виде" in issue["message"]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(4):
        (inbox / f"{n}.xlsx").write_bytes(b"")
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(tmp_path / "s.xlsx"), "--json",
                                      str(tmp_path / "s.json"), "--max-files", "2", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    files = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["files"]
    assert len(files) == 4
    assert [f["status"] for f in files] == ["rejected", "rejected", "skipped", "skipped"]
    assert "--max-files" in files[3]["reason"]
    # a file over --max-file-mb is refused without being read, not even to hash it
    shutil.copyfile(corpus / "=1+1.xlsx", inbox / "big.xlsx")
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "-o", str(tmp_path / "s.xlsx"), "--json",
                                      str(tmp_path / "s.json"), "--max-file-mb", "0.01", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    big = next(f for f in json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["files"]
               if f["path"] == "big.xlsx")
    assert big["status"] == "rejected" and "Файл слишком большой" in big["reason"] and big["sha256"] == ""


def test_reliability_doc_lists_every_case() -> None:
    doc = (Path(__file__).parent.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    assert markdown_table() in doc, "docs/reliability.md is stale: paste `python -m tests.hostile_corpus --markdown`"


_cells = st.lists(st.tuples(st.integers(1, 12_000), st.integers(1, 80), st.sampled_from(["plain", "styled-first",
                                                                                         "empty", "twice"])),
                  max_size=40)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(cells=_cells, hint=st.tuples(st.integers(1, 12_000), st.integers(1, 80)))
def test_quick_sheet_scan_never_claims_less_than_the_walk(cells: list[tuple[int, int, str]],
                                                          hint: tuple[int, int]) -> None:
    from cxexcel.read.normalize import column_letter

    def ref(row: int, col: int) -> bytes:
        return f"{column_letter(col - 1)}{row}".encode()

    body = b""
    for row, col, form in cells:
        at = ref(row, col)
        body += {
            "plain": b'<c r="' + at + b'"><v>1</v></c>',
            "styled-first": b'<c s="1" r="' + at + b'"><v>1</v></c>',
            "empty": b'<c r="' + at + b'" s="3"/>',
            "twice": b'<c r="A1" r="' + at + b'"><v>1</v></c>',
        }[form]
    head = _SHEET_HEAD.replace(b"A1:C5001", b"A1:" + ref(*hint))
    data = head + b'<row r="1">' + body + b"</row></sheetData></worksheet>"
    quick = _quick_extent(data)
    try:
        walked = _walk_extent(data, "x", Limits(max_rows=10**7, max_columns=10**5, max_cells=10**12))
    except Exception:
        assert quick is None  # what the walk refuses as corrupt, the quick scan must not pass
        return
    if quick is not None:
        assert quick.rows >= walked.rows and quick.columns >= walked.columns and quick.values == walked.values
