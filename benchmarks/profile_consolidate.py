"""Where consolidation's time goes: phase wall times, a cProfile breakdown by area and function, pickling costs.

Runs `consolidate()` in-process on a generated inbox (benchmarks/inbox.py), without the cache:
- phases (wall time) with --jobs N: what the parent does alone and what the workers do in parallel;
- a cProfile run with one process (--profile-jobs 1): own time of every function, grouped by area;
- what sending each file's result from a worker costs: pickled size and (un)pickling time by kind.
Usage: python benchmarks/profile_consolidate.py [--scale pilot|national-600|...] [--jobs N] [--top 40]
[--phases-only]; or --collapsed FILE [--rate HZ] to summarise a py-spy raw profile by the same areas.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pickle
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

# benchmarks/ is not a package: its modules import each other from this folder
sys.path.insert(0, str(Path(__file__).resolve().parent))

import inbox as generated

import cxexcel.consolidate as consolidation

PHASES = ("scan_inbox", "check_entries", "attribute", "cross_check_touchpoints", "build_summary",
          "write_summary_xlsx")
# (area, substring of "file:function") in order: the first match names a function's area
AREAS = (
    ("calamine: parse (to_python, open)", "python_calamine"),
    ("calamine: parse (to_python, open)", "CalamineWorkbook"),
    ("calamine: parse (to_python, open)", "to_python"),
    ("read: container checks (zip, XML scan)", "read/container.py"),
    ("read: grid and raw rows", "read/"),
    ("validate: typing cells", "validate/cells.py"),
    ("validate: typing cells", "validate/checked.py"),
    ("validate: rules", "validate/"),
    ("consolidate: answer digest", "consolidate/answers.py"),
    ("consolidate: hashing files", "consolidate/inbox.py"),
    ("consolidate: hashing files", "_hashlib"),
    ("consolidate: summary figures", "consolidate/figures.py"),
    ("consolidate: summary figures", "metrics/"),
    ("consolidate: writing the summary (XlsxWriter)", "xlsxwriter"),
    ("consolidate: writing the summary (XlsxWriter)", "consolidate/workbook.py"),
    ("consolidate: collect, cache, attribution", "consolidate/"),
    ("issues and messages", "cxexcel/issues.py"),
    ("normalising names and cells", "read/normalize.py"),
    ("pickling", "pickle"),
    ("dataclass __init__ / __eq__ (generated code)", "<string>"),
    ("zip and XML (stdlib)", "zipfile"),
    ("zip and XML (stdlib)", "zlib"),
    ("zip and XML (stdlib)", "expat"),
    ("zip and XML (stdlib)", "xml/"),
    ("pydantic (programme)", "pydantic"),
)


# (area, frame names): a py-spy sample belongs to the first area with one of its frames on the stack
STACK_AREAS = (
    ("summary: writing the xlsx (XlsxWriter)", ("write_summary_xlsx",)),
    ("summary: figures (metrics, lists, touchpoint rows)", ("build_summary",)),
    ("files: hashing (scan_inbox)", ("scan_inbox",)),
    ("read: XML pre-scan for limits (container.scan_sheet)", ("scan_sheet",)),
    ("read: zip container checks (open_container)", ("open_container",)),
    ("read: calamine open + parse + to_python (native)", ("CalamineSource.sheet", "CalamineSource.__init__",
                                                         "_open_book")),
    ("validate: typing every cell (check_cells)", ("check_cells",)),
    ("read: raw rows from the grid (_read_table)", ("WorkbookReader._read_table",)),
    ("read: grid, forms, kind (rest of read_workbook)", ("read_workbook",)),
    ("consolidate: answer digest (digest_answers)", ("digest_answers",)),
    ("validate: rules of the kind", ("_check_read",)),
    ("worker: sending results (pickle + pipe)", ("_sendback_result",)),
    ("parent: receiving results (unpickle)", ("_ExecutorManagerThread.run",)),
    ("cache: store/load pickles", ("ResultCache.store", "ResultCache.load")),
    ("consolidate: rest of checking a file", ("_check_entry", "check_entries")),
)


def collapsed_breakdown(path: Path, rate: float, top: int) -> None:
    """Summarise a py-spy `--format raw` file: share of samples by area and by leaf function."""
    by_area: dict[str, int] = defaultdict(int)
    by_leaf: dict[str, int] = defaultdict(int)
    total = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        names = {f.split(" (", 1)[0] for f in frames}
        n = int(count)
        total += n
        area = next((a for a, wanted in STACK_AREAS if names.intersection(wanted)), "start-up, imports, other")
        by_area[area] += n
        by_leaf[frames[-1].rsplit(":", 1)[0] + ")" if frames else "?"] += n
    print(f"{path}: {total} samples ({total / rate:.1f} s at {rate:g} Hz), by area:")
    for area, n in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * n / total:5.1f} %  {n / rate:7.1f} s  {area}")
    print(f"\ntop {top} leaf functions (own time):")
    for leaf, n in sorted(by_leaf.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {100 * n / total:5.1f} %  {leaf}")


def timed_phases(jobs: int, folder: Path, output: Path) -> dict[str, float]:
    """Wall time of each phase of consolidate() with `jobs` processes (the functions it calls are wrapped)."""
    spent: dict[str, float] = defaultdict(float)
    originals = {name: getattr(consolidation, name) for name in PHASES}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            if name == "scan_inbox":  # a generator: the work happens when it is consumed
                result = list(result)
            spent[name] += time.perf_counter() - start
            return result
        return wrapper

    for name, fn in originals.items():
        setattr(consolidation, name, wrap(name, fn))
    try:
        start = time.perf_counter()
        consolidation.consolidate(folder, output, jobs=jobs, use_cache=False)
        spent["total"] = time.perf_counter() - start
    finally:
        for name, fn in originals.items():
            setattr(consolidation, name, fn)
    spent["other (programme, paths, as_of)"] = spent["total"] - sum(spent[n] for n in PHASES)
    return dict(spent)


def area_of(key: tuple[str, int, str]) -> str:
    file, _, function = key
    text = f"{file}:{function}".replace("\\", "/")
    return next((area for area, part in AREAS if part in text), "other Python")


def profiled(folder: Path, output: Path, jobs: int) -> tuple[pstats.Stats, Any]:
    profile = cProfile.Profile()
    profile.enable()
    result = consolidation.consolidate(folder, output, jobs=jobs, use_cache=False)
    profile.disable()
    return pstats.Stats(profile), result


def print_profile(stats: pstats.Stats, top: int) -> None:
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values())
    by_area: dict[str, float] = defaultdict(float)
    for key, (_, _, own, _, _) in entries.items():
        by_area[area_of(key)] += own
    print(f"\nown time by area (cProfile, {total:.1f} s profiled; profiling inflates per-call Python costs):")
    for area, own in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * own / total:5.1f} %  {own:7.2f} s  {area}")
    print(f"\ntop {top} functions by own time:")
    print("   own %   own s   cum s       calls  function")
    rows = sorted(entries.items(), key=lambda kv: -kv[1][2])[:top]
    for (file, line, function), (_, calls, own, cumulative, _) in rows:
        where = f"{Path(file).parent.name}/{Path(file).name}:{line}" if line else file
        print(f"  {100 * own / total:5.1f}  {own:7.2f} {cumulative:7.2f} {calls:11d}  {function}  ({where})")


def print_pickling(outcomes: list[Any]) -> None:
    by_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0])
    for outcome in outcomes:
        start = time.perf_counter()
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        dumped = time.perf_counter()
        pickle.loads(data)
        loaded = time.perf_counter()
        row = by_kind[outcome.kind or outcome.status.value]
        row[0] += 1
        row[1] += len(data)
        row[2] += dumped - start
        row[3] += loaded - dumped
    print("\nresults sent back by the workers (pickled as ProcessPoolExecutor does):")
    print("  kind            files   MB total   KB/file   dump s   load s (in the parent, serial)")
    for kind, (count, size, dump_s, load_s) in sorted(by_kind.items(), key=lambda kv: -kv[1][1]):
        print(f"  {kind:14s} {count:6d} {size / 1e6:10.1f} {size / count / 1e3:9.1f} {dump_s:8.2f} {load_s:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="pilot", help="pilot, or national-600 / national-1200 / national-2400")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the phase timing")
    parser.add_argument("--profile-jobs", type=int, default=1, help="processes for the cProfile run (1: all in one)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--phases-only", action="store_true", help="only the phase timing (quick at national scale)")
    parser.add_argument("--collapsed", type=Path, metavar="FILE",
                        help="only summarise a py-spy `record --format raw` file (see README)")
    parser.add_argument("--rate", type=float, default=100, help="the py-spy sampling rate of --collapsed")
    args = parser.parse_args()
    if args.collapsed:
        collapsed_breakdown(args.collapsed, args.rate, args.top)
        return
    boxes = generated.inboxes(generated.PILOT if args.scale == generated.PILOT else generated.NATIONAL, args.jobs)
    box = next(b for b in boxes if b.name == args.scale)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "Свод.xlsx"
        phases = timed_phases(args.jobs, box.path, output)
        print(f"{box.name}: {box.workbooks} workbooks; phases of consolidate() with --jobs {args.jobs} (wall s):")
        for name, seconds in phases.items():
            print(f"  {seconds:7.2f}  {100 * seconds / phases['total']:5.1f} %  {name}")
        if args.phases_only:
            return
        stats, result = profiled(box.path, output, args.profile_jobs)
        print_profile(stats, args.top)
        print_pickling(result.outcomes)


if __name__ == "__main__":
    main()
