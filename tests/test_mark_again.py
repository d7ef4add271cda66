"""A marked copy sent back corrected and checked again: the earlier check's marks go, the user's stay."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from openpyxl.comments import Comment

from cxexcel.cli import cli
from cxexcel.forms import catalog
from cxexcel.read import read_workbook
from cxexcel.template import build_workbook
from cxexcel.template.styles import PREFILLED_FILL
from cxexcel.validate.mark import template_fills
from tests.samples import sample_data

RED = "FFC7CE"


def _marked_bad_participants(tmp_path: Path) -> Path:
    data = sample_data("participants")
    data["Участники"][0]["event"] = "Семинар"  # not in the list: an error at A2
    bad = build_workbook("participants", tmp_path / "bad.xlsx", data=data)
    result = CliRunner().invoke(cli, ["validate", str(bad), "--mark", str(tmp_path / "marked")])
    assert result.exit_code == 1
    marked = tmp_path / "marked" / "bad — проверка.xlsx"
    cell = openpyxl.load_workbook(marked)["Участники"]["A2"]
    assert cell.fill.start_color.rgb.endswith(RED) and cell.comment is not None
    return marked


def test_a_corrected_marked_copy_checked_again_loses_the_old_marks(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    book = openpyxl.load_workbook(marked)
    sheet = book["Участники"]
    good_event = sample_data("participants")["Участники"][0]["event"]
    sheet["A2"] = good_event  # the mistake corrected in the marked copy
    sheet["C3"].comment = Comment("уточнить должность", "Иванова")  # the user's own note
    corrected = tmp_path / "back" / "bad — проверка.xlsx"
    corrected.parent.mkdir()
    book.save(corrected)
    result = CliRunner().invoke(cli, ["validate", str(corrected), "--mark", str(tmp_path / "again")])
    assert result.exit_code == 0, result.output
    # named as the first copy, not «bad — проверка — проверка»
    again = openpyxl.load_workbook(tmp_path / "again" / "bad — проверка.xlsx")
    cell = again["Участники"]["A2"]
    assert cell.fill.fill_type is None
    assert cell.comment is None
    assert again["Участники"]["C3"].comment.text == "уточнить должность"
    check = again[catalog.CHECK_SHEET]
    assert check["G2"].value == "Ошибок и предупреждений нет."


def test_a_mistake_left_in_a_marked_copy_is_noted_once(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    result = CliRunner().invoke(cli, ["validate", str(marked), "--mark", str(tmp_path / "again")])
    assert result.exit_code == 1
    note = openpyxl.load_workbook(tmp_path / "again" / "bad — проверка.xlsx")["Участники"]["A2"].comment.text
    assert note.count("Ошибка:") == 1


def test_checking_a_marked_copy_into_its_own_folder_never_replaces_it(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    before = hashlib.sha256(marked.read_bytes()).hexdigest()
    result = CliRunner().invoke(cli, ["validate", str(marked), "--mark", str(marked.parent)])
    assert result.exit_code == 1
    assert hashlib.sha256(marked.read_bytes()).hexdigest() == before
    assert (marked.parent / "bad — проверка (2).xlsx").exists()


def test_template_fills_give_prefilled_programme_cells_their_grey(tmp_path: Path) -> None:
    roadmap = build_workbook("roadmap", tmp_path / "ДК.xlsx", data=sample_data("roadmap"))
    read = read_workbook(roadmap)
    table = read.tables["Дорожная карта"]
    first = table.row_numbers[0] + 1  # 1-based row of the first programme item
    title_col = "B"  # «Мероприятие», prefilled from the programme
    status_col = "G"
    cells = [("Дорожная карта", f"{title_col}{first}"), ("Дорожная карта", f"{status_col}{first}")]
    fills = template_fills(read, cells)
    assert fills[("Дорожная карта", f"{title_col}{first}")] == PREFILLED_FILL
    assert fills[("Дорожная карта", f"{status_col}{first}")] is None


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_corrected_copy_beside_its_original_is_never_replaced(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    folder = tmp_path / "back"
    folder.mkdir()
    shutil.copyfile(tmp_path / "bad.xlsx", folder / "bad.xlsx")  # the original, still with its mistake
    corrected = folder / "bad — проверка.xlsx"  # and the copy the region corrected, sent back beside it
    book = openpyxl.load_workbook(marked)
    book["Участники"]["A2"] = sample_data("participants")["Участники"][0]["event"]
    book.save(corrected)
    before = _sha(corrected)
    result = CliRunner().invoke(cli, ["validate", str(folder), "--mark", str(folder)])
    assert result.exit_code == 1  # the original still has its mistake
    assert _sha(corrected) == before
    written = sorted(p.name for p in folder.glob("*.xlsx"))
    assert written == ["bad — проверка (2).xlsx", "bad — проверка (3).xlsx", "bad — проверка.xlsx", "bad.xlsx"]


def test_a_marked_copy_checked_again_replaces_no_other_copy(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    second = marked.parent / "bad — проверка (2).xlsx"
    shutil.copyfile(marked, second)
    before = _sha(marked)
    result = CliRunner().invoke(cli, ["validate", str(second), "--mark", str(marked.parent)])
    assert result.exit_code == 1
    assert _sha(marked) == before  # «bad — проверка.xlsx» belongs to someone else now
    assert (marked.parent / "bad — проверка (3).xlsx").exists()


def test_a_hand_edited_check_sheet_cannot_break_the_copy(tmp_path: Path) -> None:
    marked = _marked_bad_participants(tmp_path)
    book = openpyxl.load_workbook(marked)
    check = book[catalog.CHECK_SHEET]
    check["D3"], check["C3"] = "A9999999", "Участники"  # beyond Excel's last row
    check["D4"], check["C4"] = "ZZZ1", "Участники"  # beyond its last column
    book.save(marked)
    result = CliRunner().invoke(cli, ["validate", str(marked), "--mark", str(tmp_path / "again")])
    assert result.exit_code == 1
    assert "не удалось" not in result.output
    again = openpyxl.load_workbook(tmp_path / "again" / "bad — проверка.xlsx")
    assert again["Участники"].max_column < 100
