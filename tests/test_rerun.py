"""A re-run after a few files change: unchanged files are neither read nor unpickled in full, and the summary
is the one a run without the cache makes, whatever happened to the cache folder in between."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import cxexcel.consolidate as consolidation
from cxexcel.consolidate import CACHE_DIR_NAME, HASH_INDEX_NAME, collect, consolidate
from cxexcel.consolidate import inbox as inbox_module
from cxexcel.consolidate.inbox import HashIndex
from cxexcel.forms import catalog
from cxexcel.programme import default_programme
from cxexcel.template import build_workbook
from tests.samples import sample_data
from tests.test_consolidate import AS_OF, OTHER_CZN, OTHER_REGION, build_inbox, measurement_rows

# inbox paths of build_inbox's files (both regions have a «Замеры.xlsx»)
PERM_MEASUREMENTS = "Пермский край/Замеры.xlsx"
PERM_JOURNEY = "Пермский край/Путь клиента.xlsx"
KAZAN_ROADMAP = "Татарстан/ДК.xlsx"
KAZAN_MEASUREMENTS = "Татарстан/Замеры.xlsx"
FEDERAL_LOG = "Журнал ФЦК.xlsx"
LETTER = "Письмо.txt"
FILES = 9  # build_inbox's files the scan reports (its lock file is not one)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Which files a run hashes, checks in this process (jobs=1) or sends to workers, and which cache entries'
    bodies it reads. The files of these tests are seconds old: the racy window is closed so that their stamps
    are recorded as an older file's would be."""
    seen = SimpleNamespace(hashed=[], checked=[], pooled=[], bodies=[])
    monkeypatch.setattr(inbox_module, "RACY_NS", 0)
    real_sha, real_check, real_run, real_read = (inbox_module.sha256_of, collect.check_entry,
                                                 collect._PooledCheck.run, collect._Body._read)

    def sha256_of(path: Path) -> str:
        seen.hashed.append(path)
        return real_sha(path)

    def check_entry(entry: Any, settings: Any) -> Any:
        if not entry.skip_reason:
            seen.checked.append(entry.path)
        return real_check(entry, settings)

    def run(self: Any, todo: Any, jobs: int) -> None:
        todo = list(todo)
        seen.pooled.extend(self.entries[i].path for i in todo)
        real_run(self, todo, jobs)

    def read(self: Any) -> Any:
        seen.bodies.append(self.path)
        return real_read(self)

    monkeypatch.setattr(inbox_module, "sha256_of", sha256_of)
    monkeypatch.setattr(collect, "check_entry", check_entry)
    monkeypatch.setattr(collect._PooledCheck, "run", run)
    monkeypatch.setattr(collect._Body, "_read", read)
    return seen


def reset(seen: SimpleNamespace) -> None:
    for name in vars(seen):
        getattr(seen, name).clear()


def run_json(inbox: Path, out: Path, *, jobs: int = 1, use_cache: bool = True) -> bytes:
    consolidate(inbox, out / "Свод.xlsx", as_of=AS_OF, json_output=out / "Свод.json", jobs=jobs, use_cache=use_cache)
    return (out / "Свод.json").read_bytes()


def fresh_json(inbox: Path, tmp_path: Path) -> bytes:
    """What a run without the cache makes of the inbox as it is now."""
    out = tmp_path / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    return run_json(inbox, out, use_cache=False)


def entry_file(out: Path, relative: str) -> Path:
    """The cache entry of the inbox file at `relative`."""
    for path in (out / CACHE_DIR_NAME).glob("*.pickle"):
        # the head is the first pickle of an entry: pickle.loads ignores the body after it
        if not path.name.startswith("summary-") and \
                Path(pickle.loads(path.read_bytes()).entry.relative) == Path(relative):
            return path
    raise AssertionError(f"no cache entry for {relative}")


def body_offset(path: Path) -> int:
    with path.open("rb") as fh:
        pickle.load(fh)
        return fh.tell()


def alter_body_text(path: Path) -> None:
    """A change that unpickles without error: a touchpoint code of the journey (ТК-01 -> ТК-09)."""
    data = path.read_bytes()
    start = body_offset(path)
    assert b"-01" in data[start:]
    path.write_bytes(data[:start] + data[start:].replace(b"-01", b"-09", 1))


def flip_body_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    start = body_offset(path)
    data[start + (len(data) - start) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def resubmit_measurements(inbox: Path, relative: str, *, pad_to: int | None = None) -> Path:
    """A centre sends its measurements again with other answers: a new file in place of the old one."""
    data = sample_data("measurements")
    if relative == KAZAN_MEASUREMENTS:
        data["Замеры"] = measurement_rows(10, codes=["ТК-01"], start=dt.date(2021, 9, 12), seed=5)
        data[catalog.TITLE_SHEET].update(region=OTHER_REGION, czn=OTHER_CZN)
    else:
        data["Замеры"] = measurement_rows(50, codes=["ТК-01", "ТК-02"], start=dt.date(2021, 9, 3), seed=9)
        data[catalog.TITLE_SHEET]["czn"] = "ГКУ ЦЗН г. Перми"
    target = inbox / relative
    new = target.with_name("новый.part")
    build_workbook("measurements", new, data=data)
    if pad_to is not None:
        # a zip comment makes the new file exactly as long as the old one
        missing = pad_to - new.stat().st_size
        assert 0 < missing < 60_000, missing
        with zipfile.ZipFile(new, "a") as book:
            book.comment = b"x" * missing
        assert new.stat().st_size == pad_to
    os.replace(new, target)
    return target


@pytest.fixture
def warm(tmp_path: Path, spy: SimpleNamespace) -> SimpleNamespace:
    """An inbox consolidated once with the cache (cold), and the JSON of that run."""
    build_inbox(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = run_json(inbox, out)
    reset(spy)
    return SimpleNamespace(inbox=inbox, out=out, json=first)


def test_a_warm_rerun_reads_no_unchanged_file_and_only_the_bodies_it_needs(warm: SimpleNamespace,
                                                                           spy: SimpleNamespace) -> None:
    assert run_json(warm.inbox, warm.out) == warm.json
    assert spy.hashed == [] and spy.checked == []
    # every region's rows are reused: the bodies read are the federal log's (its rows are listed whole) and
    # that of Perm's measurements, whose answers name a touchpoint its journey lacks (ТК-42)
    assert sorted(spy.bodies) == sorted(entry_file(warm.out, f) for f in (FEDERAL_LOG, PERM_MEASUREMENTS))


def test_other_code_checks_every_file_again(warm: SimpleNamespace, spy: SimpleNamespace,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """An outcome cached by other code (a rule changed, the version did not) is never reused."""
    assert collect.code_fingerprint() == collect.code_fingerprint()  # one digest per run, cached
    monkeypatch.setattr(collect, "code_fingerprint", lambda: "other code")
    assert run_json(warm.inbox, warm.out) == warm.json
    assert spy.hashed == []  # the hash index is about the files, not the code
    workbooks = {p for p in warm.inbox.rglob("*.xlsx") if not p.name.startswith("~$")}
    assert sorted(spy.checked) == sorted(workbooks)


def test_another_reader_version_checks_every_file_again(warm: SimpleNamespace, spy: SimpleNamespace,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """python-calamine decides what a file holds as much as cxexcel does: an upgrade is a cold cache."""
    monkeypatch.setattr(collect, "_installed_version", lambda package: "another")
    assert run_json(warm.inbox, warm.out) == warm.json
    assert sorted(spy.checked) == sorted(p for p in warm.inbox.rglob("*.xlsx") if not p.name.startswith("~$"))


def test_a_touched_file_is_hashed_again_but_not_checked_again(warm: SimpleNamespace, spy: SimpleNamespace) -> None:
    journey = warm.inbox / PERM_JOURNEY
    info = journey.stat()
    os.utime(journey, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    assert run_json(warm.inbox, warm.out) == warm.json
    assert spy.hashed == [journey]
    assert spy.checked == []


def test_a_replaced_file_of_the_same_size_and_time_is_hashed_and_checked(warm: SimpleNamespace, tmp_path: Path,
                                                                         spy: SimpleNamespace) -> None:
    old = (warm.inbox / KAZAN_MEASUREMENTS).stat()
    target = resubmit_measurements(warm.inbox, KAZAN_MEASUREMENTS, pad_to=old.st_size)
    os.utime(target, ns=(old.st_atime_ns, old.st_mtime_ns))  # forged: the old file's time
    new = target.stat()
    assert (new.st_size, new.st_mtime_ns) == (old.st_size, old.st_mtime_ns) and new.st_ino != old.st_ino
    again = run_json(warm.inbox, warm.out)
    assert spy.hashed == [target] and spy.checked == [target]
    assert again != warm.json
    assert again == fresh_json(warm.inbox, tmp_path)


@pytest.mark.skipif(sys.platform == "win32", reason="st_ctime is the creation time on Windows, not the change time")
def test_a_file_changed_in_place_keeping_size_and_time_is_hashed(warm: SimpleNamespace, spy: SimpleNamespace,
                                                                 tmp_path: Path) -> None:
    letter = warm.inbox / LETTER
    old = letter.stat()
    with letter.open("r+b") as fh:  # the same inode, the same size
        fh.write(b"X")
    os.utime(letter, ns=(old.st_atime_ns, old.st_mtime_ns))
    again = run_json(warm.inbox, warm.out)
    assert spy.hashed == [letter]  # its change time moved
    assert hashlib.sha256(letter.read_bytes()).hexdigest() in again.decode()
    assert again == fresh_json(warm.inbox, tmp_path)


@pytest.mark.parametrize("field", ["st_size", "st_mtime_ns", "st_ino", "st_dev", "st_ctime_ns"])
def test_any_difference_in_the_stamp_means_hashing(tmp_path: Path, field: str) -> None:
    index = HashIndex(tmp_path / HASH_INDEX_NAME)
    info = SimpleNamespace(st_size=10, st_mtime_ns=10**18, st_ino=7, st_dev=3, st_ctime_ns=10**18)
    index.record("/x", info, "a" * 64, hashed_at_ns=2 * 10**18)  # type: ignore[arg-type]
    index.save()
    again = HashIndex.load(tmp_path / HASH_INDEX_NAME)
    assert again.lookup("/x", info) == "a" * 64  # type: ignore[arg-type]
    assert again.lookup("/y", info) is None  # type: ignore[arg-type]
    changed = SimpleNamespace(**{**vars(info), field: getattr(info, field) + 1})
    assert again.lookup("/x", changed) is None  # type: ignore[arg-type]


def test_a_file_hashed_within_the_racy_window_or_without_an_inode_is_not_recorded(tmp_path: Path) -> None:
    index = HashIndex(tmp_path / HASH_INDEX_NAME)
    now = 2 * 10**18
    recent = SimpleNamespace(st_size=10, st_mtime_ns=10**18, st_ino=7, st_dev=3, st_ctime_ns=now - 1_000_000)
    index.record("/x", recent, "a" * 64, hashed_at_ns=now)  # type: ignore[arg-type]
    no_inode = SimpleNamespace(st_size=10, st_mtime_ns=10**18, st_ino=0, st_dev=3, st_ctime_ns=10**18)
    index.record("/y", no_inode, "b" * 64, hashed_at_ns=now)  # type: ignore[arg-type]
    assert index.seen == {}


def test_files_written_just_before_a_run_are_hashed_again(tmp_path: Path, spy: SimpleNamespace,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # a minute: every file of the inbox was written within it
    monkeypatch.setattr(inbox_module, "RACY_NS", 60_000_000_000)
    build_inbox(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    first = run_json(inbox, out)
    reset(spy)
    assert run_json(inbox, out) == first
    assert len(spy.hashed) == FILES and spy.checked == []


def junk_values(index: Path) -> bytes:
    _, entries = pickle.loads(index.read_bytes())
    damaged = {}
    for n, (key, (stamp, digest)) in enumerate(entries.items()):
        damaged[key] = [("not a stamp",), (stamp, digest[:10]), (stamp, None), "x"][n % 4]
    return pickle.dumps((HashIndex.FORMAT, damaged))


@pytest.mark.parametrize("damage", ["empty", "garbage", "junk values", "other format"])
def test_a_damaged_hash_index_is_ignored(warm: SimpleNamespace, spy: SimpleNamespace, damage: str) -> None:
    index = warm.out / CACHE_DIR_NAME / HASH_INDEX_NAME
    index.write_bytes({"empty": b"", "garbage": b"\x80\x05garbage", "junk values": junk_values(index),
                       "other format": pickle.dumps((HashIndex.FORMAT + 1, {}))}[damage])
    assert run_json(warm.inbox, warm.out) == warm.json
    assert len(spy.hashed) == FILES and spy.checked == []
    reset(spy)
    assert run_json(warm.inbox, warm.out) == warm.json
    assert spy.hashed == []  # written anew


def test_without_the_cache_every_file_is_hashed_and_no_index_is_written(tmp_path: Path,
                                                                         spy: SimpleNamespace) -> None:
    build_inbox(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    run_json(inbox, out, use_cache=False)
    run_json(inbox, out, use_cache=False)
    assert len(spy.hashed) == 2 * FILES
    assert not (out / CACHE_DIR_NAME).exists()


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("damage", ["flipped", "altered", "truncated", "no body", "old format"])
def test_a_damaged_cache_entry_degrades_to_checking_the_file_again(warm: SimpleNamespace, spy: SimpleNamespace,
                                                                   tmp_path: Path, damage: str, jobs: int) -> None:
    # Perm's journey, whose body is read once Perm's rows are computed again (its measurements change)
    entry = entry_file(warm.out, PERM_JOURNEY)
    if damage == "flipped":
        flip_body_byte(entry)  # found only when the body is read, long after the head
    elif damage == "altered":
        alter_body_text(entry)  # found by the body's digest only
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:-100])
    elif damage == "no body":
        entry.write_bytes(entry.read_bytes()[:body_offset(entry)])
    else:  # what the previous format of the cache stored: one pickled outcome
        head = pickle.loads(entry.read_bytes())
        entry.write_bytes(pickle.dumps(collect.FileOutcome(head.entry, None, None, [], head.status)))
    changed = resubmit_measurements(warm.inbox, PERM_MEASUREMENTS)

    again = run_json(warm.inbox, warm.out, jobs=jobs)
    checked = spy.pooled if jobs > 1 else spy.checked
    assert sorted(set(checked)) == sorted({warm.inbox / PERM_JOURNEY, changed})
    assert again == fresh_json(warm.inbox, tmp_path)
    # the entry is whole again: the next run reads no file and no body of Perm
    reset(spy)
    assert run_json(warm.inbox, warm.out, jobs=jobs) == again
    assert spy.checked == spy.pooled == spy.hashed == []


def test_a_cache_entry_damaged_after_its_head_was_read_degrades_too(warm: SimpleNamespace, spy: SimpleNamespace,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Another run or the disk may change an entry between the reading of its head and that of its body: the
    body's digest no longer matches, and the run starts over, reading every body with its head."""
    entry = entry_file(warm.out, PERM_JOURNEY)
    real_attribute = consolidation.attribute
    attempts: list[int] = []

    def damaging(outcomes: Any, today: dt.date | None = None) -> None:
        if not attempts:
            flip_body_byte(entry)
        attempts.append(len(outcomes))
        real_attribute(outcomes, today)

    monkeypatch.setattr(consolidation, "attribute", damaging)
    changed = resubmit_measurements(warm.inbox, PERM_MEASUREMENTS)
    again = run_json(warm.inbox, warm.out)
    assert attempts == [FILES, FILES]
    assert spy.checked == [changed, warm.inbox / PERM_JOURNEY]
    monkeypatch.setattr(consolidation, "attribute", real_attribute)
    assert again == fresh_json(warm.inbox, tmp_path)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_rerun_after_one_file_changes_is_a_run_without_the_cache(warm: SimpleNamespace, spy: SimpleNamespace,
                                                                    tmp_path: Path, jobs: int) -> None:
    changed = resubmit_measurements(warm.inbox, KAZAN_MEASUREMENTS)
    again = run_json(warm.inbox, warm.out, jobs=jobs)
    assert spy.hashed == [changed] and (spy.pooled if jobs > 1 else spy.checked) == [changed]
    # bodies read: Kazan's roadmap (Kazan's rows are computed again) and those of a warm re-run
    assert sorted(spy.bodies) == sorted(entry_file(warm.out, f) for f in (KAZAN_ROADMAP, FEDERAL_LOG,
                                                                           PERM_MEASUREMENTS))
    assert again != warm.json
    assert again == fresh_json(warm.inbox, tmp_path)


def test_an_outcome_read_back_is_the_outcome_that_was_stored(warm: SimpleNamespace) -> None:
    """Head and body together give back every part of the outcome a check made."""
    settings = collect.CheckSettings(default_programme(), AS_OF)
    entries = {Path(e.relative): e for e in inbox_module.scan_inbox(warm.inbox)}
    for relative in (PERM_JOURNEY, PERM_MEASUREMENTS, FEDERAL_LOG, "Татарстан/Битый.xlsx"):
        path = entry_file(warm.out, relative)
        loaded = collect.ResultCache(path.parent).load(path.stem, entries[Path(relative)])
        fresh = collect.check_entry(entries[Path(relative)], settings)
        assert loaded is not None and type(loaded) is not collect.FileOutcome
        assert (loaded.status, loaded.reason, loaded.issues) == (fresh.status, fresh.reason, fresh.issues)
        assert loaded.answers == fresh.answers
        if fresh.workbook is None:
            assert loaded.workbook is None
            continue
        assert loaded.workbook is not None
        for name in ("path", "kind", "meta", "size", "title", "title_cells", "sheet_names", "forms", "form_cells"):
            assert getattr(loaded.workbook, name) == getattr(fresh.workbook, name), name
        assert list(loaded.workbook.tables) == list(fresh.workbook.tables)
        assert all(loaded.workbook.records(n) == fresh.workbook.records(n) for n in fresh.workbook.tables)


def test_entries_of_the_previous_cache_format_are_not_read(tmp_path: Path, spy: SimpleNamespace) -> None:
    """Where format 1 stored one pickled outcome per file (its key had no format in it), a bogus outcome is
    left for every file: none of them is read, every workbook is checked."""
    from cxexcel import __version__
    build_inbox(tmp_path)
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    settings = collect.CheckSettings(default_programme(), AS_OF)
    old_settings = hashlib.sha256(f"{__version__}|{settings.as_of}|{settings.limits}|"
                                  f"{settings.programme.model_dump_json()}".encode()).hexdigest()
    (out / CACHE_DIR_NAME).mkdir(parents=True)
    workbooks = [e for e in inbox_module.scan_inbox(inbox) if not e.skip_reason]
    for entry in workbooks:
        key = hashlib.sha256(f"{old_settings}|{entry.sha256}".encode()).hexdigest()
        bogus = collect.FileOutcome(entry, status=consolidation.FileStatus.REJECTED, reason="из старого кэша")
        (out / CACHE_DIR_NAME / f"{key}.pickle").write_bytes(pickle.dumps(bogus))
    reset(spy)
    data = run_json(inbox, out)
    assert sorted(spy.checked) == sorted(e.path for e in workbooks)
    assert data == fresh_json(inbox, tmp_path)
