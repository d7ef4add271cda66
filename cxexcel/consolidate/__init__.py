"""Consolidation: an inbox of regional workbooks into the federal (or regional) summary."""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cxexcel.consolidate.collect import (
    CachedBodyLost,
    CheckSettings,
    FileOutcome,
    ResultCache,
    attribute,
    check_entries,
    check_region_folders,
    check_report_dates,
    cross_check_touchpoints,
)
from cxexcel.consolidate.figures import Summary, build_summary
from cxexcel.consolidate.inbox import CACHE_DIR_NAME, FileStatus, HashIndex, InboxEntry, scan_inbox
from cxexcel.consolidate.workbook import write_summary_xlsx
from cxexcel.fileio import atomic_output, remove_stale_temporaries
from cxexcel.programme import Programme, default_programme
from cxexcel.read import DEFAULT_LIMITS, Limits
from cxexcel.validate.report_date import plausible_report_date
from cxexcel.workers import start_early

LEVELS = ("federal", "region")
# in the cache folder: the sha256 of the inbox's files by path and stamp (inbox.HashIndex)
HASH_INDEX_NAME = "sha256.index"


@dataclass
class ConsolidationResult:
    summary: Summary
    outcomes: list[FileOutcome]
    output: Path
    json_output: Path | None

    def count(self, status: FileStatus) -> int:
        return sum(o.status is status for o in self.outcomes)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def consolidate(
    inbox: str | Path,
    output: str | Path,
    *,
    as_of: dt.date | None = None,
    level: str = "federal",
    json_output: str | Path | None = None,
    jobs: int | None = None,
    programme: Programme | None = None,
    limits: Limits = DEFAULT_LIMITS,
    use_cache: bool = True,
    on_total: Callable[[int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ConsolidationResult:
    """Check every file below `inbox`, decide which count, and write the summary (and JSON).

    With jobs > 1 files are checked in worker processes: a script calling this must guard its
    entry point with `if __name__ == "__main__":` (the CLI does).
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    inbox, output = Path(inbox), Path(output)
    if (jobs or default_jobs()) > 1:
        start_early()  # the CLI has done it already; a script calling this gets it here
    programme = programme or default_programme()
    cache = ResultCache(output.parent / CACHE_DIR_NAME if use_cache else None)
    hashes = HashIndex.load(cache.folder / HASH_INDEX_NAME) if cache.folder is not None else None
    entries = list(scan_inbox(inbox, limits.max_files, limits.max_file_bytes, exclude=output, hashes=hashes))
    if hashes is not None:
        hashes.save()
    if on_total:
        on_total(len(entries))
    # the run builds millions of small objects that all live to the end: collecting them again and
    # again is wasted work (measured: a third of the time at national scale)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _consolidate(entries, output, as_of, level, json_output, jobs, programme, limits, cache,
                            on_progress)
    finally:
        if gc_was_enabled:
            # what was made meanwhile is all in the youngest generation: the first collection after
            # enabling would walk every object of the summary (0.9 s at national scale) to free none.
            # freeze() + unfreeze() moves them to the oldest generation without a walk.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _consolidate(entries: list[InboxEntry], output: Path, as_of: dt.date | None, level: str,
                 json_output: str | Path | None, jobs: int | None, programme: Programme, limits: Limits,
                 cache: ResultCache, on_progress: Callable[[int], None] | None) -> ConsolidationResult:
    settings = CheckSettings(programme, as_of, limits)
    try:
        outcomes, summary = _summarise(entries, settings, level, jobs, cache, on_progress)
    except CachedBodyLost:
        # a cached body (read only when a region is computed again) was damaged or replaced meanwhile: start
        # over with every body read with its head, so that an unreadable one is a miss and its file is
        # checked again, like any file not in the cache (the first attempt's outcomes are dropped)
        cache.eager = True
        outcomes, summary = _summarise(entries, settings, level, jobs, cache, None)
    json_path = Path(json_output) if json_output else None
    # a run killed while writing leaves a dot-file beside the output; the next run removes it
    for target in (output, json_path):
        if target is not None:
            remove_stale_temporaries(target)
    write_summary_xlsx(summary, output)
    if json_path is not None:
        # errors="replace": a file name that was not UTF-8 must not stop the summary
        with atomic_output(json_path) as tmp, tmp.open("w", encoding="utf-8", errors="replace") as out:
            summary.write_json(out)
    # only after a run that finished: an interrupted one has not yet marked what it uses
    cache.prune()
    return ConsolidationResult(summary, outcomes, output, json_path)


def _summarise(entries: list[InboxEntry], settings: CheckSettings, level: str, jobs: int | None,
               cache: ResultCache, on_progress: Callable[[int], None] | None) -> tuple[list[FileOutcome], Summary]:
    outcomes = check_entries(entries, settings, jobs=jobs or default_jobs(), cache=cache, progress=on_progress)
    today = dt.date.today()
    check_report_dates(outcomes, settings.programme, today)
    check_region_folders(outcomes)
    attribute(outcomes, today)
    cross_check_touchpoints(outcomes)
    effective_as_of = settings.as_of or latest_report_date(outcomes, today) or today
    return outcomes, build_summary(outcomes, settings.programme, effective_as_of, level, cache)


def latest_report_date(outcomes: list[FileOutcome], today: dt.date) -> dt.date | None:
    """Without --as-of the summary is as of the newest «Отчетная дата» among the files that count, leaving out
    dates after today: one mistyped year (2031 for 2021) would move every region's deadlines with it."""
    dates = [day for o in outcomes if o.status is FileStatus.ACCEPTED and o.workbook is not None
             and (day := plausible_report_date(o.workbook.report_date, today))]
    return max(dates) if dates else None


__all__ = ["LEVELS", "ConsolidationResult", "FileStatus", "Summary", "consolidate"]
