"""Benchmark: `cxexcel consolidate` at pilot and national scale against a naive pandas script and the parse floor.

One run on the same generated inboxes (benchmarks/inbox.py) times, each as a whole process with the peak
memory of its process tree: the consolidation (--no-cache), the naive reference (pandas + openpyxl on every
sheet, then concat), the floor (unzip + expat with no handlers), the reader alone (python-calamine on every
sheet, nothing checked), an incremental re-run after one region resubmits; and on one 5,000-answer workbook:
`cxexcel templates`, `cxexcel validate`, the add-in's «Проверить книгу». Prints a table with ratios and the
targets of issue 6; writes benchmarks/results.json and benchmarks/RESULTS.md.
Usage: python benchmarks/bench_consolidate.py [--scale pilot|national|all] [--jobs N] [--rounds N]
[--naive-sample N] [--worktree] [--report-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from snapshots import BENCH_DIR, PYTHON_M_CXEXCEL, commit_snapshot, environment_for

# set when this process runs on a snapshot of the committed cxexcel/ (see run_on_committed_code)
SNAPSHOT_ENV = "CXEXCEL_BENCH_COMMIT"


def run_on_committed_code() -> None:
    """Start again on HEAD's cxexcel/, extracted once into benchmarks/.data/code-<commit>/.

    Others edit the working tree while benchmarks run: a file saved half-way would break a run or
    mix two versions in one table. PYTHONPATH puts the snapshot before the editable install, for
    this process, every `python -m cxexcel` it starts and their workers.
    """
    if os.environ.get(SNAPSHOT_ENV):
        return
    commit, folder = commit_snapshot("HEAD")
    env = {**environment_for(folder), SNAPSHOT_ENV: commit}
    os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]], env)


if __name__ == "__main__" and "--worktree" not in sys.argv:
    run_on_committed_code()

sys.path.insert(0, str(BENCH_DIR))

import inbox as generated  # noqa: E402  (benchmarks/ is not a package)
from inbox import NATIONAL, PILOT, Inbox  # noqa: E402

RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
REFERENCES = BENCH_DIR / "references.py"
SAMPLE_INTERVAL_S = 0.05
SMALL_ROUNDS = 5
MB = 1024 * 1024

# issue 6
PILOT_SPEEDUP_MIN = 15.0
PILOT_FLOOR_RATIO_MAX = 2.0
PILOT_MEMORY_MAX_MB = 2048
NATIONAL_SECONDS_MAX = 180.0
NATIONAL_MEMORY_MAX_MB = 4096
INCREMENTAL_SHARE_MAX = 0.05
VALIDATE_SECONDS_MAX = 1.0
# issue 5 (the add-in's request)
ADDIN_SECONDS_MAX = 1.5
# linear growth: the time per file at the biggest size is at most this much above that at the smallest
# (R² of a 3-point fit is printed too, but one noisy round on this shared machine moves it more than growth does)
LINEAR_GROWTH_MAX = 1.25

PACKAGES = ("cxexcel", "python-calamine", "XlsxWriter", "openpyxl", "pydantic", "click", "pandas", "numpy",
            "xlwings", "xlwings-server")


# --- measuring a process tree ----------------------------------------------------------------------------


@dataclass
class ProcessRun:
    """One whole-process run: wall time, peak summed RSS of the process and all its descendants."""

    seconds: float
    peak_mb: float
    peak_processes: int
    returncode: int
    output: str
    # every round's time, when there were several (the machine is shared: the spread shows its noise)
    round_seconds: list[float] = field(default_factory=list)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(c) for c in fh.read().split()]
    except OSError:
        pass  # the process ended between two reads
    return found


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(root: int) -> tuple[int, int]:
    """(summed VmRSS of root and every descendant, how many processes); shared pages count in each process."""
    total, count, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        count += 1
        todo += _children(pid)
    return total, count


def run_measured(command: Sequence[str], cwd: Path | None = None) -> ProcessRun:
    """Run command to its end, sampling the memory of its whole process tree every SAMPLE_INTERVAL_S."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        peak_kb, peak_count = 0, 0
        while process.poll() is None:
            rss, count = tree_rss_kb(process.pid)
            if rss > peak_kb:
                peak_kb, peak_count = rss, count
            time.sleep(SAMPLE_INTERVAL_S)
        seconds = time.perf_counter() - start
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    return ProcessRun(seconds, peak_kb / 1024, peak_count, process.returncode, output)


def run_rounds(command: Sequence[str], rounds: int, *, before: Callable[[], None] | None = None) -> ProcessRun:
    """The median time and the highest peak of `rounds` runs; `before` runs (untimed) before each."""
    runs = []
    for _ in range(rounds):
        if before:
            before()
        run = run_measured(command)
        if run.returncode not in (0, 1):  # consolidate and validate exit 1 when files have errors
            raise RuntimeError(f"{' '.join(command)} failed ({run.returncode}):\n{run.output[-3000:]}")
        runs.append(run)
    median = statistics.median(r.seconds for r in runs)
    highest = max(runs, key=lambda r: r.peak_mb)
    return ProcessRun(median, highest.peak_mb, highest.peak_processes, runs[-1].returncode, runs[-1].output,
                      [round(r.seconds, 2) for r in runs])


# --- the measurements --------------------------------------------------------------------------------------


CXEXCEL = list(PYTHON_M_CXEXCEL)


def workbooks_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith("~$"))


def consolidate_command(folder: Path, output: Path, jobs: int, *, cache: bool) -> list[str]:
    return [*CXEXCEL, "consolidate", str(folder), "-o", str(output), "--jobs", str(jobs),
            *([] if cache else ["--no-cache"])]


def reference_command(reference: str, paths: Sequence[Path], list_file: Path, jobs: int = 1) -> list[str]:
    list_file.write_text("\n".join(str(p) for p in paths), encoding="utf-8")
    return [sys.executable, str(REFERENCES), reference, str(list_file), "--jobs", str(jobs)]


def measure_scale(box: Inbox, work: Path, jobs: int, rounds: int, *, naive_every: int,
                  incremental: bool) -> dict[str, Any]:
    """Everything measured on one inbox; naive_every=1 reads every file, N reads every N-th and extrapolates."""
    paths = workbooks_of(box.path)
    result: dict[str, Any] = {"inbox": {k: v for k, v in asdict(box).items() if k != "path"},
                              "workbooks": len(paths), "jobs": jobs, "rounds": rounds}
    out = work / box.name
    out.mkdir()
    print(f"[{box.name}] cxexcel consolidate --no-cache --jobs {jobs} ...", flush=True)
    full = run_rounds(consolidate_command(box.path, out / "Свод.xlsx", jobs, cache=False), rounds)
    result["consolidate"] = asdict(full) | {"output": full.output[-2000:]}
    print(f"[{box.name}] floor ...", flush=True)
    floor_jobs = run_rounds(reference_command("floor", paths, out / "files.txt", jobs), rounds)
    floor_one = run_rounds(reference_command("floor", paths, out / "files.txt", 1), rounds)
    result["floor"] = {"jobs": asdict(floor_jobs), "single": asdict(floor_one)}
    print(f"[{box.name}] reader alone ...", flush=True)
    result["reader"] = asdict(run_rounds(reference_command("reader", paths, out / "files.txt", jobs), rounds))
    if naive_every:
        sample = paths[::naive_every]
        print(f"[{box.name}] naive pandas + openpyxl on {len(sample)} of {len(paths)} workbooks ...", flush=True)
        naive = run_rounds(reference_command("naive", sample, out / "sample.txt"), 1)
        scale_up = len(paths) / len(sample)
        result["naive"] = asdict(naive) | {"files_read": len(sample), "extrapolated": naive_every > 1,
                                           "estimated_seconds": naive.seconds * scale_up}
    if incremental:
        result["incremental"] = measure_incremental(box, out, jobs)
    return result


def measure_incremental(box: Inbox, out: Path, jobs: int) -> dict[str, Any]:
    """Cold cache, then warm with nothing changed, then after one region resubmits all its files."""
    scale = PILOT if box.name == PILOT else NATIONAL
    copy = out / "inbox"
    generated.link_copy(box.path, copy)
    summary = out / "incremental" / "Свод.xlsx"
    summary.parent.mkdir()
    command = consolidate_command(copy, summary, jobs, cache=True)
    print(f"[{box.name}] incremental: cold cache, warm cache, one region resubmits ...", flush=True)
    cold = run_rounds(command, 1)
    warm = run_rounds(command, 1)
    folder = generated.resubmit_region(scale, copy)
    changed = len(workbooks_of(copy / folder))
    resubmitted = run_rounds(command, 1)
    shutil.rmtree(copy)
    return {"region": folder, "workbooks_changed": changed, "cold_cache": asdict(cold), "warm_cache": asdict(warm),
            "after_resubmission": asdict(resubmitted)}


def measure_single_workbook(workbook: Path, work: Path) -> dict[str, Any]:
    """`cxexcel templates`, `cxexcel validate` of one workbook, and the add-in's «Проверить книгу» on it."""
    print("[workbook] templates, validate, add-in ...", flush=True)
    templates_dir = work / "templates"

    def clean() -> None:
        shutil.rmtree(templates_dir, ignore_errors=True)

    templates = run_rounds([*CXEXCEL, "templates", "--out", str(templates_dir)], SMALL_ROUNDS, before=clean)
    validate = run_rounds([*CXEXCEL, "validate", str(workbook)], SMALL_ROUNDS)
    result: dict[str, Any] = {"workbook": workbook.name, "templates": asdict(templates) | {"output": ""},
                              "validate": asdict(validate) | {"output": validate.output[-500:]}}
    logging.disable(logging.INFO)  # xlwings Server and httpx log every request
    warnings.filterwarnings("ignore", message=".*httpx.*")  # starlette's test client on a newer httpx
    try:
        from bench_addin import time_check_workbook

        result["addin"] = asdict(time_check_workbook(workbook, SMALL_ROUNDS))
    except ImportError as error:  # xlwings and its server are the `server` extra
        result["addin"] = {"skipped": f"{error}"}
    return result


def measurements_workbook(folder: Path) -> Path:
    """A realistic 5,000-answer measurements workbook of the pilot inbox (the first that is whole)."""
    for path in workbooks_of(folder):
        if path.name.startswith("Замеры") and "(повторно)" not in path.name:
            return path
    raise FileNotFoundError(f"no measurements workbook in {folder}")


# --- targets and the table ---------------------------------------------------------------------------------


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """(intercept, slope, R²) of the least-squares line."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    intercept = mean_y - slope * mean_x
    residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    total = sum((y - mean_y) ** 2 for y in ys)
    return intercept, slope, 1 - residual / total if total else 1.0


@dataclass
class Target:
    name: str
    value: float
    limit: float
    unit: str
    at_most: bool = True

    @property
    def ok(self) -> bool:
        return self.value <= self.limit if self.at_most else self.value >= self.limit

    def line(self) -> str:
        sign = "<" if self.at_most else "≥"
        value = f"{self.value:.0f}" if abs(self.value) >= 100 else f"{self.value:.2f}"
        verdict = "OK  " if self.ok else "OVER"
        return f"{verdict}  {self.name}: {value}{self.unit} (target {sign} {self.limit:g}{self.unit})"


def naive_seconds(scale: dict[str, Any]) -> float | None:
    naive = scale.get("naive")
    return naive["estimated_seconds"] if naive else None


def targets(results: dict[str, Any]) -> list[Target]:
    found: list[Target] = []
    pilot = results["scales"].get(PILOT)
    if pilot:
        seconds = pilot["consolidate"]["seconds"]
        naive = naive_seconds(pilot)
        if naive:
            found.append(Target("pilot: times faster than naive pandas+openpyxl", naive / seconds,
                                PILOT_SPEEDUP_MIN, "×", at_most=False))
        found.append(Target(f"pilot: time / floor ({pilot['jobs']} processes)",
                            seconds / pilot["floor"]["jobs"]["seconds"], PILOT_FLOOR_RATIO_MAX, "×"))
        found.append(Target("pilot: peak memory", pilot["consolidate"]["peak_mb"], PILOT_MEMORY_MAX_MB, " MB"))
        if "incremental" in pilot:
            share = pilot["incremental"]["after_resubmission"]["seconds"] / seconds
            found.append(Target("pilot: incremental re-run / full run", 100 * share, 100 * INCREMENTAL_SHARE_MAX, " %"))
    sizes = results["scales"].get(NATIONAL)
    if sizes:
        biggest = sizes["sizes"][-1]
        found.append(Target(f"national ({biggest['inbox']['centres']} centres): time",
                            biggest["consolidate"]["seconds"], NATIONAL_SECONDS_MAX, " s"))
        found.append(Target("national: peak memory", biggest["consolidate"]["peak_mb"], NATIONAL_MEMORY_MAX_MB, " MB"))
        per_file = sizes["growth"]["ms_per_file_at_size"]
        found.append(Target("national: time per file, biggest size / smallest (linear: no growth)",
                            per_file[-1] / per_file[0], LINEAR_GROWTH_MAX, "×"))
        if "incremental" in biggest:
            share = biggest["incremental"]["after_resubmission"]["seconds"] / biggest["consolidate"]["seconds"]
            found.append(Target("national: incremental re-run / full run", 100 * share,
                                100 * INCREMENTAL_SHARE_MAX, " %"))
    single = results.get("workbook")
    if single:
        found.append(Target("cxexcel validate, one 5,000-answer workbook", single["validate"]["seconds"],
                            VALIDATE_SECONDS_MAX, " s"))
        if "request_s" in single["addin"]:
            found.append(Target("add-in «Проверить книгу» request (issue 5)", single["addin"]["request_s"],
                                ADDIN_SECONDS_MAX, " s"))
    return found


def budgets(results: dict[str, Any]) -> list[str]:
    """How a scale's time splits between the reader and what cxexcel does around it (checks, summary, start-up),
    and what the pilot targets leave for the latter."""
    lines: list[str] = []
    scales = [(PILOT, results["scales"].get(PILOT))]
    national = results["scales"].get(NATIONAL)
    if national:
        scales.append((f"national {national['sizes'][-1]['inbox']['centres']}", national["sizes"][-1]))
    for label, scale in scales:
        if not scale or "reader" not in scale:
            continue
        seconds, reader = scale["consolidate"]["seconds"], scale["reader"]["seconds"]
        floor = scale["floor"]["jobs"]["seconds"]
        line = (f"{label}: the reader alone {reader:.2f} s ({reader / floor:.2f}× floor), cxexcel's own work on top "
                f"{seconds - reader:.2f} s")
        naive = naive_seconds(scale)
        if label == PILOT and naive:
            for what, limit in ((f"≥ {PILOT_SPEEDUP_MIN:g}× naive", naive / PILOT_SPEEDUP_MIN),
                                (f"< {PILOT_FLOOR_RATIO_MAX:g}× floor", PILOT_FLOOR_RATIO_MAX * floor)):
                line += f"; {what} leaves it {limit - reader:.2f} s"
        lines.append(line)
    return lines


def growth_of(sizes: list[dict[str, Any]]) -> dict[str, Any]:
    files = [s["workbooks"] for s in sizes]
    seconds = [s["consolidate"]["seconds"] for s in sizes]
    intercept, slope, r2 = linear_fit(files, seconds)
    steps = [(seconds[i + 1] - seconds[i]) / (files[i + 1] - files[i]) for i in range(len(sizes) - 1)]
    return {"files": files, "seconds": seconds, "intercept_s": intercept, "ms_per_file": 1000 * slope, "r2": r2,
            "ms_per_file_at_size": [1000 * s / f for s, f in zip(seconds, files, strict=True)],
            "ms_per_extra_file": [1000 * s for s in steps], "slope_growth": steps[-1] / steps[0]}


def spread(run: dict[str, Any]) -> str:
    times = run.get("round_seconds") or []
    return f"rounds {min(times):.1f}–{max(times):.1f} s" if len(times) > 1 else ""


def _row(what: str, files: int | str, seconds: float, naive: float | None, floor: float | None,
         peak_mb: float | None, note: str = "") -> list[str]:
    return [what, str(files), f"{seconds:.2f}", f"{naive / seconds:.1f}×" if naive else "",
            f"{seconds / floor:.2f}" if floor else "", f"{peak_mb:.0f}" if peak_mb is not None else "", note]


def _scale_rows(label: str, scale: dict[str, Any]) -> list[list[str]]:
    n = scale["workbooks"]
    naive = naive_seconds(scale)
    floor = scale["floor"]["jobs"]["seconds"]
    jobs = scale["jobs"]
    rows = [_row(f"{label}: cxexcel consolidate --no-cache --jobs {jobs}", n, scale["consolidate"]["seconds"],
                 naive, floor, scale["consolidate"]["peak_mb"], spread(scale["consolidate"]))]
    if scale.get("naive"):
        nv = scale["naive"]
        note = (f"read {nv['files_read']} of {n} files, scaled ×{n / nv['files_read']:.0f}" if nv["extrapolated"]
                else "")
        rows.append(_row(f"{label}: naive pandas.read_excel(openpyxl) + concat", n, nv["estimated_seconds"], naive,
                         floor, nv["peak_mb"], note))
    rows.append(_row(f"{label}: floor unzip + expat, {jobs} processes", n, floor, naive, floor,
                     scale["floor"]["jobs"]["peak_mb"]))
    rows.append(_row(f"{label}: floor unzip + expat, 1 process", n, scale["floor"]["single"]["seconds"], naive, floor,
                     scale["floor"]["single"]["peak_mb"]))
    if scale.get("reader"):  # measured since 2026-11-27
        rows.append(_row(f"{label}: reader alone, python-calamine to_python, {jobs} processes", n,
                         scale["reader"]["seconds"], naive, floor, scale["reader"]["peak_mb"],
                         "every sheet read, nothing checked"))
    inc = scale.get("incremental")
    if inc:
        full = scale["consolidate"]["seconds"]
        resubmitted = f"re-run after 1 region resubmits ({inc['workbooks_changed']} files)"
        for key, what in (("cold_cache", "first run with cache (filling it)"),
                          ("warm_cache", "re-run, nothing changed"), ("after_resubmission", resubmitted)):
            run = inc[key]
            rows.append(_row(f"{label}: {what}", n, run["seconds"], None, None, run["peak_mb"],
                             f"{100 * run['seconds'] / full:.1f} % of full run"))
    return rows


def table(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    header = ["measurement", "files", "s", "naive/this", "this/floor", "peak MB", "note"]
    rows: list[list[str]] = []
    if PILOT in results["scales"]:
        rows += _scale_rows(PILOT, results["scales"][PILOT])
    national = results["scales"].get(NATIONAL)
    if national:
        for size in national["sizes"]:
            label = f"national {size['inbox']['centres']}"
            if size is national["sizes"][-1]:
                rows += _scale_rows(label, size)
            else:
                c = size["consolidate"]
                rows.append(_row(f"{label}: cxexcel consolidate --no-cache --jobs {size['jobs']}", size["workbooks"],
                                 c["seconds"], naive_seconds(size), size["floor"]["jobs"]["seconds"], c["peak_mb"],
                                 spread(c)))
        g = national["growth"]
        rows.append(["national: fit time = a + b·files", "", "", "", "", "",
                     f"a {g['intercept_s']:.1f} s, b {g['ms_per_file']:.1f} ms/file, R² {g['r2']:.4f}; ms/file at "
                     f"each size {', '.join(f'{v:.1f}' for v in g['ms_per_file_at_size'])}; per extra file "
                     f"{', '.join(f'{v:.1f}' for v in g['ms_per_extra_file'])}"])
    single = results.get("workbook")
    if single:
        rows.append(_row("cxexcel templates (6 empty workbooks)", 6, single["templates"]["seconds"], None, None,
                         single["templates"]["peak_mb"]))
        rows.append(_row("cxexcel validate, 5,000 answers", 1, single["validate"]["seconds"], None, None,
                         single["validate"]["peak_mb"]))
        addin = single["addin"]
        if "request_s" in addin:
            rows.append(_row("add-in «Проверить книгу»: request via xlwings Server", 1, addin["request_s"], None,
                             None, None, f"{addin['request_mb']:.1f} MB request, {addin['marked']} notes"))
            rows.append(_row("add-in «Проверить книгу»: action on xw.Book(json)", 1, addin["action_s"], None, None,
                             None, f"check_file in-process {addin['baseline_s']:.2f} s"))
    return header, rows


def text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = []
    for r in [header, *rows]:
        cells = [r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(len(widths))]
        lines.append("  ".join([*cells, r[-1]]))
    return "\n".join(lines)


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    return "\n".join(lines)


# --- the machine and the results files ---------------------------------------------------------------------


def code_version() -> str:
    """The commit measured: HEAD's snapshot, or the working tree (with a note when cxexcel/ has edits)."""
    if os.environ.get(SNAPSHOT_ENV):
        return f"{os.environ[SNAPSHOT_ENV]} (committed code, from a snapshot)"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=BENCH_DIR).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--", "cxexcel"], capture_output=True, text=True,
                                cwd=BENCH_DIR).stdout.strip())
    return commit + (" + uncommitted changes in cxexcel/" if dirty else "")


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        ram_kb = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(ram_kb / 1024 / 1024, 1),
            "os": platform.platform(), "python": platform.python_version(), "packages": versions,
            "commit": code_version(),
            "date": dt.datetime.now().isoformat(timespec="seconds")}


def merged_results(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Scales not run this time keep their last results (each carries its own machine and date)."""
    scales = {**previous.get("scales", {}), **current["scales"]}
    return {**previous, **current, "scales": scales}


def write_results(results: dict[str, Any], header: list[str], rows: list[list[str]], checks: list[Target]) -> None:
    RESULTS_JSON.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v)
    inboxes = []
    for name, scale in results["scales"].items():
        for size in scale.get("sizes", [scale]):
            box = size["inbox"]
            inboxes.append(f"- `{box['name']}`: {box['regions']} regions, {box['centres']} centres × "
                           f"{box['answers_per_centre']} answers, {size['workbooks']} workbooks "
                           f"({box['megabytes']} MB); generated in {box['generated_s']} s "
                           f"(measured {size['measured']}{', whole national inbox' if name == NATIONAL else ''})")
    text = f"""# Benchmark results: consolidation at pilot and national scale

Written by `python benchmarks/bench_consolidate.py` (see `benchmarks/README.md` for what each number means).

## Machine
- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; {m['os']}
- Python {m['python']}; {versions}
- cxexcel at {m['commit']}; run finished {m['date']}

## Inboxes
{chr(10).join(inboxes)}

## Times
Seconds are wall time of the whole process (median of the rounds); peak MB is the highest sum of VmRSS over
the process and all its descendants (workers included), sampled every {int(SAMPLE_INTERVAL_S * 1000)} ms.
"naive/this" is how many times faster than the naive reference; "this/floor" is time over the floor run
with the same number of processes.

{markdown_table(header, rows)}

## Targets (issue 6)
{chr(10).join(f"- {t.line()}" for t in checks)}

## The reader's share
{chr(10).join(f"- {line}" for line in budgets(results)) or "- not measured in this run"}
"""
    RESULTS_MD.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=(PILOT, NATIONAL, "all"), default="all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="processes for consolidation, the floor and inbox generation (default: all cores)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of each consolidation and floor run (median)")
    parser.add_argument("--naive-sample", type=int, default=10, metavar="N",
                        help="national scale: the naive reference reads every N-th workbook and is scaled up "
                             "(0: skip it there; 1: read them all). Pilot always reads every workbook.")
    parser.add_argument("--worktree", action="store_true",
                        help="measure the working tree as it is (default: a snapshot of the committed cxexcel/)")
    parser.add_argument("--report-only", action="store_true",
                        help="measure nothing: print the table of results.json again and rewrite RESULTS.md")
    args = parser.parse_args()
    if args.report_only:
        results = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
        report(results)
        write_results(results, *table(results), targets(results))
        return

    started = time.perf_counter()
    code_at_start = code_version()
    current: dict[str, Any] = {"scales": {}}
    with tempfile.TemporaryDirectory(dir=generated.DATA_DIR.parent, prefix=".bench-") as tmp:
        work = Path(tmp)
        if args.scale in (PILOT, "all"):
            (pilot,) = generated.inboxes(PILOT, args.jobs)
            scale = measure_scale(pilot, work, args.jobs, args.rounds, naive_every=1, incremental=True)
            scale["measured"] = dt.date.today().isoformat()
            current["scales"][PILOT] = scale
            current["workbook"] = measure_single_workbook(measurements_workbook(pilot.path), work)
            save(current, code_at_start, started)  # a later failure must not lose what was measured
        if args.scale in (NATIONAL, "all"):
            boxes = generated.inboxes(NATIONAL, args.jobs)
            sizes = []
            for box in boxes:
                last = box is boxes[-1]
                size = measure_scale(box, work, args.jobs, args.rounds,
                                     naive_every=args.naive_sample if last else 0, incremental=last)
                size["measured"] = dt.date.today().isoformat()
                sizes.append(size)
            current["scales"][NATIONAL] = {"sizes": sizes, "growth": growth_of(sizes)}
    results = save(current, code_at_start, started)
    report(results)
    print(f"\nwritten {RESULTS_JSON.relative_to(BENCH_DIR.parent)} and {RESULTS_MD.relative_to(BENCH_DIR.parent)} "
          f"(benchmark took {current['benchmark_seconds']} s; cxexcel {current['machine']['commit']})")


def report(results: dict[str, Any]) -> None:
    print()
    print(text_table(*table(results)))
    print()
    print("\n".join(t.line() for t in targets(results)))
    print("\n".join(budgets(results)))


def save(current: dict[str, Any], code_at_start: str, started: float) -> dict[str, Any]:
    """Merge what was measured into results.json (other scales keep theirs) and write RESULTS.md."""
    current["machine"] = machine()
    if current["machine"]["commit"] != code_at_start:
        current["machine"]["commit"] = f"{code_at_start} at the start, {current['machine']['commit']} at the end"
        print(f"\nWARNING: cxexcel changed during the run ({current['machine']['commit']}): run it again", flush=True)
    current["benchmark_seconds"] = round(time.perf_counter() - started)
    previous = json.loads(RESULTS_JSON.read_text(encoding="utf-8")) if RESULTS_JSON.exists() else {}
    results = merged_results(previous, current)
    header, rows = table(results)
    write_results(results, header, rows, targets(results))
    return results


if __name__ == "__main__":
    main()
