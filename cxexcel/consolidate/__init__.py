"""Consolidation: an inbox of regional workbooks into the federal (or regional) summary."""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
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
from cxexcel.fileio import atomic_output, display_path, remove_stale_temporaries
from cxexcel.programme import Programme, default_programme
from cxexcel.read import DEFAULT_LIMITS, Limits
from cxexcel.read.container import open_container
from cxexcel.read.workbook import is_summary
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
    max_files: int = DEFAULT_LIMITS.max_files

    def count(self, status: FileStatus) -> int:
        return sum(o.status is status for o in self.outcomes)

    def over_file_limit(self) -> int:
        """Files left out unread because the inbox holds more than `max_files` (skipped, with that reason)."""
        return sum(o.entry.over_file_limit for o in self.outcomes)


class OutputConflict(ValueError):
    """An output path that would destroy what the run reads or writes; `argument` names the parameter
    (output or json_output) and the message says why, in Russian."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


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
    check_outputs(inbox, output, json_output)
    if (jobs or default_jobs()) > 1:
        start_early()  # the CLI has done it already; a script calling this gets it here
    programme = programme or default_programme()
    cache = ResultCache(output.parent / CACHE_DIR_NAME if use_cache else None)
    hashes = HashIndex.load(cache.folder / HASH_INDEX_NAME) if cache.folder is not None else None
    # the run's own outputs are not inputs, even when written into the inbox (check_outputs made sure they are
    # no one's file)
    exclude = [output] if json_output is None else [output, Path(json_output)]
    entries = list(scan_inbox(inbox, limits.max_files, limits.max_file_bytes, exclude=exclude, hashes=hashes))
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


def check_outputs(inbox: Path, output: Path, json_output: str | Path | None) -> None:
    """Raise OutputConflict, before anything is written, for an output that would replace a file of the inbox
    (it would be lost, and left out of the summary and of «Файлы», as the scan skips the outputs) or the other
    output. A summary or JSON an earlier run wrote into the inbox may be replaced: it is no one's data."""
    _check_not_an_input(inbox, output, "output", "свод")
    if json_output is None:
        return
    json_path = Path(json_output)
    if _same_file(json_path, output):
        raise OutputConflict("json_output", f"JSON и свод — один и тот же файл «{display_path(output)}»: JSON "
                                            "записался бы на место свода. Укажите для JSON другой файл, "
                                            f"например «{display_path(output.with_suffix('.json').name)}».")
    _check_not_an_input(inbox, json_path, "json_output", "JSON")


def _check_not_an_input(inbox: Path, path: Path, argument: str, what: str) -> None:
    try:
        folder = os.stat(inbox)
    except OSError:
        return  # no inbox: the scan says so; nothing of it can be overwritten
    # where the rename lands (a link there is replaced) and the file the scan would leave out (the link's target)
    for where in (path.parent.resolve() / path.name, path.resolve()):
        if os.path.lexists(where) and _within(folder, where) and not _earlier_output(path):
            raise OutputConflict(argument, f"«{display_path(path)}» — файл из папки входящих «{display_path(inbox)}», "
                                           f"а не прежний свод cxexcel: {what} записался бы на его место, и этот файл "
                                           "пропал бы вместе с его данными. Укажите другой файл, например вне папки "
                                           "входящих.")


def _within(folder: os.stat_result, path: Path) -> bool:
    """Whether `path` lies inside the folder whose stat is given. By identity, not by spelling: another name
    for the inbox (a mount of it, a mapped drive against its UNC path, other letter case on a disk that
    ignores case) is still the inbox."""
    for parent in path.parents:
        try:
            if os.path.samestat(os.stat(parent), folder):
                return True
        except OSError:
            continue
    return False


def _same_file(a: Path, b: Path) -> bool:
    if os.path.normcase(a.resolve()) == os.path.normcase(b.resolve()):
        return True
    try:
        return os.path.samefile(a, b)  # one file by two names that differ only in case, on a disk that ignores it
    except OSError:
        return False


# the start of the JSON a run writes (Summary.to_dict)
_SUMMARY_JSON_HEAD = re.compile(rb'\{\s*"schema_version":\s*\d+,\s*"as_of":')
# only the zip's directory and xl/workbook.xml are read to tell a summary: no limit on the data is needed
_UNLIMITED = Limits(max_file_bytes=2**62, max_uncompressed_bytes=2**62, max_compression_ratio=float("inf"))


def _earlier_output(path: Path) -> bool:
    """Whether `path` is what a run of this command writes: a summary workbook, told as the reader tells one
    (the sheets «Свод», «Мониторинг», «Файлы» without «_meta»: read/workbook.py), or a summary JSON."""
    try:
        with path.open("rb") as fh:
            head = fh.read(256)
    except OSError:
        return False
    if _SUMMARY_JSON_HEAD.match(head):
        return True
    try:
        container, archive = open_container(path, _UNLIMITED)
    except Exception:  # UnreadableWorkbook, or anything a damaged file raises: not a summary, so not replaced
        return False
    archive.close()
    return is_summary(container.sheet_targets)


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
    return ConsolidationResult(summary, outcomes, output, json_path, limits.max_files)


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


__all__ = ["LEVELS", "ConsolidationResult", "FileStatus", "OutputConflict", "Summary", "check_outputs", "consolidate"]
