"""Realistic benchmark inboxes (pilot and national scale), generated once into benchmarks/.data/ and reused."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from cxexcel import __version__
from cxexcel.demo import generate_inbox
from cxexcel.demo.inbox import FEDERAL_FOLDER, centre_name, consultation_log, plan_regions, spelling_of
from cxexcel.demo.places import CITY_DISTRICTS, towns_of
from cxexcel.demo.region import CentrePlan, RegionPlan, build_region
from cxexcel.forms import catalog
from cxexcel.programme import default_programme

# bump when what is generated changes: cached inboxes with another version are generated anew
GENERATOR_VERSION = "1"
DATA_DIR = Path(__file__).resolve().parent / ".data"
SEED = 2021

PILOT = "pilot"
NATIONAL = "national"
SCALES = (PILOT, NATIONAL)
# pilot: 85 regions, every kind; generate_inbox gives each region 1-3 centres (about 1.85 on average)
PILOT_REGIONS = 85
PILOT_ANSWERS = 5000
# national: every region, 2,400 centres spread evenly (26-27 a region), 1,000 answers per centre
NATIONAL_REGIONS = len(catalog.REGIONS)
NATIONAL_CENTRES = 2400
NATIONAL_ANSWERS = 1000
# the national inbox at three sizes (centres, rounded to whole regions) to show how time grows with files
NATIONAL_SIZES = (600, 1200, 2400)
# the region that resubmits in the incremental benchmark: index into the scale's plans
RESUBMITTING_REGION = 0


@dataclass(frozen=True)
class Inbox:
    """A generated inbox on disk and what it holds."""

    name: str
    path: Path
    regions: int
    centres: int
    answers_per_centre: int
    files: int
    workbooks: int
    megabytes: float
    generated_s: float

    @property
    def answers(self) -> int:
        return self.centres * self.answers_per_centre


def version_string(scale: str) -> str:
    if scale == PILOT:
        params = f"{PILOT_REGIONS} regions, {PILOT_ANSWERS} answers"
    else:
        params = f"{NATIONAL_REGIONS} regions, {NATIONAL_CENTRES} centres, {NATIONAL_ANSWERS} answers"
    return (f"benchmarks/inbox {GENERATOR_VERSION}; cxexcel {__version__}; template {catalog.TEMPLATE_VERSION}; "
            f"seed {SEED}; {params}")


def _process_pool(jobs: int) -> ProcessPoolExecutor:
    # no fork of a process that may hold threads (READERS.md): forkserver, as the demo and consolidation do
    context = multiprocessing.get_context("spawn" if sys.platform == "win32" else "forkserver")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


# --- plans -------------------------------------------------------------------------------------------------


def pilot_plans(inbox: Path) -> list[RegionPlan]:
    """The plans generate_inbox makes for the pilot inbox (deterministic: the same seed gives the same plans)."""
    return plan_regions(inbox, regions=PILOT_REGIONS, seed=SEED, answers=PILOT_ANSWERS, programme=default_programme())


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _more_centres(plan: RegionPlan, count: int) -> tuple[CentrePlan, ...]:
    """`count` more centres of the region, named as real ones are: by town, by city district, then by number."""
    rng = random.Random(f"{plan.seed}:national")
    towns = towns_of(plan.region)
    places = [(t, t.genitive) for t in towns]
    places += [(t, f"{district} района {t.genitive}") for t in towns for district in CITY_DISTRICTS]
    places += [(towns[n % len(towns)], f"{towns[n % len(towns)].genitive}, отдел № {n}") for n in range(1, 100)]
    taken = {c.name for c in plan.centres}
    added: list[CentrePlan] = []
    for town, place in places:
        if len(added) == count:
            break
        name = centre_name(plan.region, place)
        if name not in taken:
            taken.add(name)
            added.append(CentrePlan(name, spelling_of(rng, name), town, NATIONAL_ANSWERS))
    return tuple(added)


def national_plans(inbox: Path) -> list[RegionPlan]:
    """Every region of the demo (its planted mistakes and odd files kept), grown to 2,400 centres in all."""
    plans = plan_regions(inbox, regions=NATIONAL_REGIONS, seed=SEED, answers=NATIONAL_ANSWERS,
                         programme=default_programme())
    quotas = _spread(NATIONAL_CENTRES, len(plans))
    return [replace(plan, centres=plan.centres + _more_centres(plan, quota - len(plan.centres)))
            for plan, quota in zip(plans, quotas, strict=True)]


def plans_of(scale: str, inbox: Path) -> list[RegionPlan]:
    return pilot_plans(inbox) if scale == PILOT else national_plans(inbox)


def regions_for_size(plans: Sequence[RegionPlan], centres: int) -> int:
    """How many of the first regions hold the number of centres nearest to `centres`."""
    totals, running = [], 0
    for plan in plans:
        running += len(plan.centres)
        totals.append(running)
    return min(range(1, len(plans) + 1), key=lambda k: abs(totals[k - 1] - centres))


# --- writing -----------------------------------------------------------------------------------------------


def _build_regions(plans: Sequence[RegionPlan], jobs: int) -> None:
    if jobs <= 1:
        for plan in plans:
            build_region(plan)
        return
    # the biggest regions first, so no worker is left with a long one at the end
    ordered = sorted(plans, key=lambda p: -sum(c.answers for c in p.centres))
    with _process_pool(min(jobs, len(plans))) as pool:
        for _ in pool.map(build_region, ordered, chunksize=1):
            pass


def _write_pilot(folder: Path, jobs: int) -> None:
    generate_inbox(folder, regions=PILOT_REGIONS, seed=SEED, answers_per_centre=PILOT_ANSWERS, jobs=jobs)


def _write_national(folder: Path, jobs: int) -> None:
    plans = national_plans(folder)
    for plan in plans:
        (folder / plan.folder).mkdir(parents=True, exist_ok=True)
    _build_regions(plans, jobs)
    consultation_log(folder, plans, SEED, default_programme())


def resubmit_region(scale: str, inbox: Path) -> str:
    """One region sends all its files again with changed values (new content, same names); returns its folder.

    Meant for a hard-linked working copy: the region's links are removed first, so the cached inbox is untouched.
    """
    plan = plans_of(scale, inbox)[RESUBMITTING_REGION]
    shutil.rmtree(inbox / plan.folder)
    (inbox / plan.folder).mkdir()
    build_region(replace(plan, seed=f"{plan.seed}:resubmitted"))
    return plan.folder


def link_copy(source: Path, target: Path, folders: Sequence[str] | None = None) -> None:
    """A copy of an inbox made of hard links (instant, no disk space); `folders` limits it to those top folders."""
    target.mkdir(parents=True)
    for entry in sorted(source.iterdir()):
        if folders is not None and entry.name not in folders:
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, copy_function=os.link)
        else:
            os.link(entry, target / entry.name)


# --- the cache ---------------------------------------------------------------------------------------------


def _stamp_path(name: str) -> Path:
    return DATA_DIR / f"{name}.json"


def _describe(name: str, folder: Path, plans: Sequence[RegionPlan], answers: int, generated_s: float) -> Inbox:
    files = [p for p in folder.rglob("*") if p.is_file()]
    workbooks = [p for p in files if p.suffix == ".xlsx" and not p.name.startswith("~$")]
    return Inbox(name, folder, len(plans), sum(len(p.centres) for p in plans), answers, len(files), len(workbooks),
                 round(sum(p.stat().st_size for p in files) / 1e6, 1), round(generated_s, 1))


def _cached(name: str, version: str) -> Inbox | None:
    try:
        stamp = json.loads(_stamp_path(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folder = DATA_DIR / name
    if stamp.get("version") != version or not folder.is_dir():
        return None
    return Inbox(**{**stamp["inbox"], "path": folder})


def _store(inbox: Inbox, version: str) -> None:
    data = {"version": version, "inbox": {**inbox.__dict__, "path": str(inbox.path)}}
    _stamp_path(inbox.name).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fresh_folder(name: str) -> Path:
    for stale in (DATA_DIR / name, DATA_DIR / f".{name}.partial"):
        if stale.exists():
            shutil.rmtree(stale)
    _stamp_path(name).unlink(missing_ok=True)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return DATA_DIR / f".{name}.partial"


def pilot_inbox(jobs: int, *, force: bool = False) -> Inbox:
    """The pilot inbox, generated when missing or made by another generator version."""
    version = version_string(PILOT)
    found = None if force else _cached(PILOT, version)
    if found is not None:
        return found
    partial = _fresh_folder(PILOT)
    start = time.perf_counter()
    _write_pilot(partial, jobs)
    elapsed = time.perf_counter() - start
    partial.rename(DATA_DIR / PILOT)
    inbox = _describe(PILOT, DATA_DIR / PILOT, pilot_plans(partial), PILOT_ANSWERS, elapsed)
    _store(inbox, version)
    return inbox


def national_inboxes(jobs: int, *, force: bool = False) -> list[Inbox]:
    """The national inbox at NATIONAL_SIZES (smaller sizes are hard-linked subsets of the whole)."""
    version = version_string(NATIONAL)
    names = [f"{NATIONAL}-{size}" for size in NATIONAL_SIZES]
    found = [None if force else _cached(name, version) for name in names]
    if all(found):
        return [f for f in found if f is not None]
    whole = DATA_DIR / NATIONAL
    for name in names:
        _fresh_folder(name)
    partial = _fresh_folder(NATIONAL)
    start = time.perf_counter()
    _write_national(partial, jobs)
    elapsed = time.perf_counter() - start
    partial.rename(whole)
    plans = national_plans(whole)
    inboxes = []
    for size, name in zip(NATIONAL_SIZES, names, strict=True):
        count = regions_for_size(plans, size)
        link_copy(whole, DATA_DIR / name, [p.folder for p in plans[:count]] + [FEDERAL_FOLDER])
        inbox = _describe(name, DATA_DIR / name, plans[:count], NATIONAL_ANSWERS, elapsed)
        _store(inbox, version)
        inboxes.append(inbox)
    shutil.rmtree(whole)  # every file lives on as a hard link in the biggest size
    return inboxes


def inboxes(scale: str, jobs: int, *, force: bool = False) -> list[Inbox]:
    """The inboxes of `scale` ("pilot", "national" or "all"), generating what is missing."""
    found: list[Inbox] = []
    if scale in (PILOT, "all"):
        found.append(pilot_inbox(jobs, force=force))
    if scale in (NATIONAL, "all"):
        found += national_inboxes(jobs, force=force)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", choices=(*SCALES, "all"), default="all")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--force", action="store_true", help="generate again even when a cached inbox is current")
    args = parser.parse_args()
    for inbox in inboxes(args.scale, args.jobs, force=args.force):
        print(f"{inbox.name}: {inbox.regions} regions, {inbox.centres} centres x {inbox.answers_per_centre} answers, "
              f"{inbox.workbooks} workbooks ({inbox.files} files, {inbox.megabytes} MB) in {inbox.path}; "
              f"generated in {inbox.generated_s} s")


if __name__ == "__main__":
    main()
