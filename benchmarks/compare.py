"""A/B of two versions of cxexcel on the same machine in the same run: is a change faster, and by how much?

This machine is shared and its speed drifts by 10 % within an hour, so two versions measured an hour apart
cannot be compared; run alternately, round by round, they can. Each version runs from a frozen snapshot
(benchmarks/snapshots.py): a commit, or the working tree as it was when the comparison started.

- full: `cxexcel consolidate --no-cache` of the inbox, the versions alternating (the first of each round
  alternates too);
- rerun: each version with its own cache on a hard-linked copy of the inbox, filled by a first run; then
  each round one region resubmits all its files (new values, same names) and both versions re-run on that
  same inbox.

Prints every round, the medians and the ratio new/old (below 1: the new version is faster). Writes nothing
into the repository. Usage:
  python benchmarks/compare.py OLD [NEW] [--scale pilot|national-600|national-1200|national-2400]
                               [--what full|rerun|both] [--rounds N] [--jobs N]
OLD and NEW are commits (anything git names) or "worktree"; NEW defaults to "worktree".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import inbox as generated
from snapshots import DATA_DIR, PYTHON_M_CXEXCEL, WORKTREE, environment_for, snapshot


def consolidate(folder: Path, inbox: Path, output: Path, jobs: int, *, cache: bool) -> float:
    """Wall time of one whole `python -m cxexcel consolidate` process running the code in `folder`."""
    command = [*PYTHON_M_CXEXCEL, "consolidate", str(inbox), "-o", str(output), "--jobs", str(jobs),
               *([] if cache else ["--no-cache"])]
    start = time.perf_counter()
    done = subprocess.run(command, env=environment_for(folder), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the files have errors, as the demo's do on purpose
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return seconds


def alternating(labels: list[str], rounds: int, measure: Callable[[str, int], float]) -> dict[str, list[float]]:
    """Each label measured once a round, the first of each round alternating."""
    times: dict[str, list[float]] = {label: [] for label in labels}
    for r in range(rounds):
        order = labels if r % 2 == 0 else labels[::-1]
        for label in order:
            times[label].append(measure(label, r))
        print(f"  round {r + 1}: " + ", ".join(f"{label} {times[label][-1]:.2f} s" for label in labels), flush=True)
    return times


def report(what: str, labels: list[str], times: dict[str, list[float]]) -> None:
    old, new = (statistics.median(times[label]) for label in labels)
    print(f"{what}: {labels[0]} median {old:.2f} s, {labels[1]} median {new:.2f} s, "
          f"{labels[1]}/{labels[0]} = {new / old:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default=WORKTREE)
    parser.add_argument("--scale", default=generated.PILOT,
                        help="pilot, or national-600 / national-1200 / national-2400 (default: pilot)")
    parser.add_argument("--what", choices=("full", "rerun", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    kind = generated.PILOT if args.scale == generated.PILOT else generated.NATIONAL
    boxes = {box.name: box for box in generated.inboxes(kind, args.jobs)}
    if args.scale not in boxes:
        parser.error(f"unknown scale {args.scale!r}: one of {', '.join(boxes)}")
    box = boxes[args.scale]
    with tempfile.TemporaryDirectory(dir=DATA_DIR, prefix=".compare-") as tmp:
        work = Path(tmp)
        versions = dict(snapshot(rev, work) for rev in (args.old, args.new))
        labels = list(versions)
        if len(labels) != 2:
            parser.error("OLD and NEW are the same code")
        print(f"{box.name}: {box.workbooks} workbooks; {labels[0]} against {labels[1]}, {args.rounds} rounds, "
              f"--jobs {args.jobs}", flush=True)
        if args.what in ("full", "both"):
            print("full run (--no-cache):", flush=True)
            times = alternating(labels, args.rounds, lambda label, r: consolidate(
                versions[label], box.path, work / f"full-{label}" / "Свод.xlsx", args.jobs, cache=False))
            report("full run", labels, times)
        if args.what == "full":
            return
        copy = work / "inbox"
        generated.link_copy(box.path, copy)
        outputs = {label: work / f"rerun-{label}" / "Свод.xlsx" for label in labels}
        for label in labels:
            consolidate(versions[label], copy, outputs[label], args.jobs, cache=True)  # fills its own cache
        plan = generated.plans_of(kind, copy)[generated.RESUBMITTING_REGION]
        resubmitted = {-1}

        def rerun(label: str, r: int) -> float:
            if r not in resubmitted:  # the round's first version finds the region resubmitted, the second too
                shutil.rmtree(copy / plan.folder)
                (copy / plan.folder).mkdir()
                generated.build_region(replace(plan, seed=f"{plan.seed}:compare-{r}"))
                resubmitted.add(r)
            return consolidate(versions[label], copy, outputs[label], args.jobs, cache=True)

        print(f"re-run after «{plan.folder}» resubmits:", flush=True)
        report("re-run", labels, alternating(labels, args.rounds, rerun))


if __name__ == "__main__":
    main()
