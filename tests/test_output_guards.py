"""The summary and its JSON never land on a file of the inbox or on each other; what a run says of its limits."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import python_calamine as pc
from click.testing import CliRunner, Result

from cxexcel.cli import cli, russian
from cxexcel.consolidate import OutputConflict, consolidate
from cxexcel.fileio import atomic_output
from tests.test_consolidate import AS_OF, build_inbox

MEASUREMENTS = "Пермский край/Замеры.xlsx"


def snapshot(root: Path) -> dict[str, str]:
    """Every path below `root` with its content's digest: any file written, replaced or removed shows."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


def run_cli(*args: str | Path) -> Result:
    russian.install()  # as `main` does: click's own words in Russian
    return CliRunner().invoke(cli, ["consolidate", *map(str, args), "--as-of", AS_OF.strftime("%d.%m.%Y"),
                                    "--jobs", "1"])


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    build_inbox(tmp_path)
    return tmp_path / "inbox"


# 1. the output on a file of the inbox

def test_an_output_onto_a_workbook_of_the_inbox_is_a_usage_error_and_writes_nothing(inbox: Path) -> None:
    before = snapshot(inbox.parent)
    result = run_cli(inbox, "-o", inbox / MEASUREMENTS)
    assert result.exit_code == 2, result.output
    assert "Неверное значение --output:" in result.output and "Замеры.xlsx" in result.output
    assert "папки входящих" in result.output
    assert "Traceback" not in result.output
    assert snapshot(inbox.parent) == before


@pytest.mark.parametrize("name", [MEASUREMENTS, "Татарстан/Битый.xlsx", "Письмо.txt",
                                  "Татарстан/../Пермский край/Замеры.xlsx"])
def test_consolidate_refuses_an_output_that_is_a_file_of_the_inbox(inbox: Path, name: str) -> None:
    before = snapshot(inbox.parent)
    with pytest.raises(OutputConflict) as raised:
        consolidate(inbox, inbox / name, as_of=AS_OF, jobs=1)
    assert isinstance(raised.value, ValueError) and raised.value.argument == "output"
    assert snapshot(inbox.parent) == before


def test_an_output_outside_the_inbox_linked_to_a_workbook_in_it_is_refused(inbox: Path) -> None:
    link = inbox.parent / "Свод.xlsx"
    try:
        link.symlink_to(inbox / MEASUREMENTS)
    except OSError:
        pytest.skip("no symbolic links here")
    # writing would replace the link, but the scan would leave the workbook it points to out of the summary
    with pytest.raises(OutputConflict):
        consolidate(inbox, link, as_of=AS_OF, jobs=1)


def test_an_output_through_another_name_of_the_inbox_is_refused(inbox: Path) -> None:
    """A second name of the inbox folder that is no link (a mount of it, a mapped drive against its UNC path,
    other letter case on a disk that ignores case): the guard goes by the folder's identity, not its spelling."""
    alias = inbox.parent / "alias"
    alias.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(inbox), str(alias)], capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("a bind mount needs root and a system that allows it")
    try:
        before = snapshot(inbox)
        with pytest.raises(OutputConflict):
            consolidate(inbox, alias / MEASUREMENTS, as_of=AS_OF, jobs=1)
        assert snapshot(inbox) == before
    finally:
        subprocess.run(["umount", str(alias)], check=False)


def test_an_earlier_summary_in_the_inbox_is_overwritten_on_a_rerun(inbox: Path) -> None:
    consolidate(inbox, inbox / "Свод.xlsx", as_of=AS_OF, jobs=1)
    result = run_cli(inbox, "-o", inbox / "Свод.xlsx")
    assert result.exit_code == 0, result.output
    # a summary copied in under another name is the same thing: not a region's file
    shutil.copyfile(inbox / "Свод.xlsx", inbox / "Свод прошлой недели.xlsx")
    again = consolidate(inbox, inbox / "Свод прошлой недели.xlsx", as_of=AS_OF, jobs=1)
    assert "Свод.xlsx" in {o.entry.relative for o in again.outcomes}


# 2. the JSON on the summary or on a file of the inbox

def test_json_and_summary_the_same_file_is_a_usage_error(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(inbox.parent)
    before = snapshot(inbox.parent)
    # one file spelled two ways: absolute, and relative with a detour
    result = run_cli(inbox, "-o", inbox.parent / "Свод.xlsx", "--json", "inbox/../Свод.xlsx")
    assert result.exit_code == 2, result.output
    assert "Неверное значение --json:" in result.output and "Свод.xlsx" in result.output
    assert snapshot(inbox.parent) == before


def test_json_onto_a_workbook_of_the_inbox_is_a_usage_error(inbox: Path) -> None:
    before = snapshot(inbox.parent)
    result = run_cli(inbox, "-o", inbox.parent / "Свод.xlsx", "--json", inbox / MEASUREMENTS)
    assert result.exit_code == 2, result.output
    assert "Неверное значение --json:" in result.output and "папки входящих" in result.output
    assert snapshot(inbox.parent) == before
    with pytest.raises(OutputConflict) as raised:
        consolidate(inbox, inbox.parent / "Свод.xlsx", json_output=inbox / "Письмо.txt", jobs=1)
    assert raised.value.argument == "json_output"


# 5. the JSON written into the inbox

def test_the_json_written_into_the_inbox_is_not_a_file_of_the_next_run(inbox: Path) -> None:
    first = consolidate(inbox, inbox / "Свод.xlsx", json_output=inbox / "Свод.json", as_of=AS_OF, jobs=1)
    # the second run overwrites both: they are this command's own outputs
    second = consolidate(inbox, inbox / "Свод.xlsx", json_output=inbox / "Свод.json", as_of=AS_OF, jobs=1)
    listed = {o.entry.relative for o in second.outcomes}
    assert "Свод.json" not in listed and "Свод.xlsx" not in listed
    assert len(second.outcomes) == len(first.outcomes)
    files = json.loads((inbox / "Свод.json").read_text(encoding="utf-8"))["files"]
    assert "Свод.json" not in {f["path"] for f in files}


# 3. files left out by --max-files

def test_files_over_max_files_are_said_to_be_left_out_by_the_limit(inbox: Path) -> None:
    out = inbox.parent / "out" / "Свод.xlsx"
    result = run_cli(inbox, "-o", out, "--json", out.with_suffix(".json"), "--max-files", "3")
    assert result.exit_code == 0, result.output
    # 9 files: 3 checked, 6 over the limit; the letter among those 6 is not counted as skipped for what it is
    assert "пропущено (не книги и своды) 0" in result.output
    assert "не обработано из-за предела --max-files (3): 6 файлов" in result.output
    files = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["files"]
    over = [f for f in files if "--max-files" in f["reason"]]
    assert len(over) == 6 and {f["status_ru"] for f in over} == {"пропущен"}
    book = pc.CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_name("Файлы").to_python()
    header = rows[0]
    listed = {r[header.index("Файл")]: (r[header.index("Статус")], r[header.index("Причина")]) for r in rows[1:]}
    assert all(listed[f["path"]][0] == "пропущен" and "--max-files" in listed[f["path"]][1] for f in over)


def test_within_max_files_nothing_is_said_of_the_limit(inbox: Path) -> None:
    result = run_cli(inbox, "-o", inbox.parent / "Свод.xlsx")
    assert result.exit_code == 0, result.output
    assert "--max-files" not in result.output and "пропущено (не книги и своды) 1" in result.output


# 4. a write that fails names the output, not its temporary file

def test_a_failed_rename_names_the_target_not_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "Свод.xlsx"
    (target / "занято").mkdir(parents=True)  # a folder where the file should go: the rename fails
    with pytest.raises(OSError) as raised, atomic_output(target) as tmp:
        tmp.write_bytes(b"summary")
    assert raised.value.filename == str(target) and raised.value.filename2 is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Свод.xlsx"]


def test_a_relative_target_is_named_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Свод.xlsx" / "занято").mkdir(parents=True)
    with pytest.raises(OSError) as raised, atomic_output(Path("Свод.xlsx")) as tmp:  # as «-o Свод.xlsx» gives it
        tmp.write_bytes(b"summary")
    assert raised.value.filename == "Свод.xlsx"


def test_a_failed_write_of_the_temporary_file_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "Свод.json"
    with pytest.raises(OSError) as raised, atomic_output(target) as tmp:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp))
    assert raised.value.filename == str(target) and raised.value.errno == errno.ENOSPC
    # an error about another file keeps its own name
    with pytest.raises(OSError) as raised, atomic_output(target):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(tmp_path / "Книга.xlsx"))
    assert raised.value.filename == str(tmp_path / "Книга.xlsx")


def test_the_screen_names_the_output_when_it_cannot_be_replaced(inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = inbox.parent / "Свод.xlsx"
    replace = os.replace

    def locked(src: str | Path, dst: str | Path) -> None:
        # what Windows says when the summary is open in Excel
        if Path(dst) == out:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(src), str(dst))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    result = run_cli(inbox, "-o", out)
    assert result.exit_code == 1, result.output
    assert f"«{out}»" in result.output and "открыт в другой программе" in result.output
    assert ".Свод." not in result.output
