"""The add-in's actions, written once against the xlwings Book API and dispatched by their ids."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlwings as xw

from cxexcel.addin.actions_table import action_ids, action_spec
from cxexcel.addin.book_io import Place, book_folder, find_sheet, is_remote, selection_place, values_source
from cxexcel.addin.dashboard import DASHBOARD_SHEET, write_dashboard
from cxexcel.addin.lists import ListsUnavailable, refresh_lists
from cxexcel.addin.marks import (
    CHECK_SHEET,
    MAX_MARKED_CELLS,
    CellKey,
    mark_cells,
    read_check_state,
    remove_marks,
    write_check_sheet,
)
from cxexcel.fileio import os_error_reason
from cxexcel.read import UnreadableWorkbook
from cxexcel.read.normalize import normalize_title, parse_cell_ref
from cxexcel.validate import FileResult, check_values
from cxexcel.validate.report import counts_text

logger = logging.getLogger(__name__)

# sheets the add-in itself writes: never part of what is checked
ADDIN_SHEETS = (CHECK_SHEET, DASHBOARD_SHEET)
CHECK_FIRST = "Сначала нажмите «Проверить книгу»: список ошибок берется с листа «Проверка»."


@dataclass(frozen=True)
class ActionContext:
    """Where an action runs: the desktop add-in (local Python) or xlwings Server."""

    desktop: bool


Action = Callable[[xw.Book, ActionContext], None]


def alert(book: xw.Book, text: str, *, title: str, critical: bool = False) -> None:
    book.app.alert(text, title=title, buttons="ok", mode="critical" if critical else "info")


def check(book: xw.Book) -> FileResult:
    """The workbook checked as it is now, without the add-in's own sheets."""
    return check_values(values_source(book, skip=ADDIN_SHEETS))


def check_workbook(book: xw.Book, context: ActionContext) -> None:
    """«Проверить книгу»: earlier marks removed, every issue marked at its cell and listed on «Проверка»."""
    title = action_spec("check_workbook").label
    remove_marks(book)
    result = check(book)
    if result.workbook is None:
        assert result.unreadable is not None
        alert(book, f"Книгу не удалось проверить. {result.unreadable.message}", title=title, critical=True)
        return
    report = result.report()
    done = mark_cells(book, report.issues)
    sheet = write_check_sheet(book, report.issues, done)
    sheet.activate()
    if not report.issues:
        alert(book, f"Ошибок и предупреждений нет: книга «{report.kind_title}» заполнена по стандарту.",
              title=title)
        return
    cells = len(done)
    text = (f"Найдено: {counts_text(report.errors, report.warnings)}. Отмечено ячеек: {cells} "
            "(красным — ошибки, желтым — предупреждения; описание — в примечании к ячейке). "
            "Полный список со ссылками — на листе «Проверка»; «Следующая ошибка» переходит по ним.")
    listed_cells = {(i.sheet, i.cell) for i in report.issues if i.sheet and i.cell}
    if len(listed_cells) > MAX_MARKED_CELLS and cells >= MAX_MARKED_CELLS:
        text += f" Отмечены первые {MAX_MARKED_CELLS} ячеек, остальные — только в списке."
    alert(book, text, title=title, critical=report.errors > 0)


def clear_marks(book: xw.Book, context: ActionContext) -> None:
    """«Снять отметки»: exactly the cells the last check marked get their template look back."""
    title = action_spec("clear_marks").label
    restored = remove_marks(book)
    if restored is None:
        alert(book, "Отметок проверки нет: в книге нет листа «Проверка».", title=title)
        return
    alert(book, f"Отметки сняты: ячеек восстановлено — {restored}, лист «Проверка» удален.", title=title)


def _order(book: xw.Book) -> dict[str, int]:
    return {normalize_title(s.name): n for n, s in enumerate(book.sheets)}


def next_target(book: xw.Book, targets: list[CellKey], here: Place | None) -> CellKey | None:
    """The listed cell after the selection in workbook order (wrapping round); on «Проверка», the selected row's."""
    order = _order(book)
    present = [(s, ref) for s, ref in targets if normalize_title(s) in order]
    if not present:
        return None
    if here is not None and normalize_title(here.sheet) == normalize_title(CHECK_SHEET):
        return _target_of_check_row(book, here.row) or present[0]

    def key(target: CellKey) -> tuple[int, int, int]:
        row, col = parse_cell_ref(target[1])
        return order[normalize_title(target[0])], row, col

    if here is None:
        return min(present, key=key)
    current = (order.get(normalize_title(here.sheet), -1), here.row, here.col)
    after = [t for t in present if key(t) > current]
    return min(after or present, key=key)


def _target_of_check_row(book: xw.Book, row: int) -> CellKey | None:
    state = read_check_state(book)
    found = next((r for r in state.rows if r.row == row), None) if state is not None else None
    return (found.sheet, found.cell) if found is not None and found.cell else None


def next_issue(book: xw.Book, context: ActionContext) -> None:
    """«Следующая ошибка»: select the next listed cell after the current selection."""
    title = action_spec("next_issue").label
    state = read_check_state(book)
    if state is None:
        alert(book, CHECK_FIRST, title=title)
        return
    target = next_target(book, state.targets(), selection_place(book))
    if target is None:
        alert(book, "На листе «Проверка» нет ячеек, к которым можно перейти.", title=title)
        return
    sheet = find_sheet(book, target[0])
    assert sheet is not None
    sheet.activate()
    sheet.range(target[1]).select()


def refresh_lists_action(book: xw.Book, context: ActionContext) -> None:
    """«Обновить списки»: the touchpoint drop-downs from the journey of the same centre."""
    title = action_spec("refresh_lists").label
    try:
        text = refresh_lists(book, desktop=context.desktop)
    except ListsUnavailable as reason:
        alert(book, str(reason), title=title)
        return
    except UnreadableWorkbook as error:
        # not a standard workbook, an old template: the user's file, not a fault of the add-in
        alert(book, f"Списки не обновлены. {error.message}", title=title, critical=True)
        return
    alert(book, text, title=title)


def dashboard(book: xw.Book, context: ActionContext) -> None:
    """«Панель»: a sheet with this workbook's results."""
    title = action_spec("dashboard").label
    result = check(book)
    if result.workbook is None:
        assert result.unreadable is not None
        alert(book, f"Панель не построена. {result.unreadable.message}", title=title, critical=True)
        return
    write_dashboard(book, result.workbook)


def consolidate_folder(book: xw.Book, context: ActionContext) -> None:
    """«Свод по папке» (desktop): the summary of every workbook of a chosen folder, opened in Excel."""
    title = action_spec("consolidate_folder").label
    try:
        from cxexcel.consolidate import FileStatus, consolidate
    except ImportError:
        alert(book, "Свод по папке недоступен: в этой версии cxexcel нет модуля свода (cxexcel.consolidate). "
                    "Обновите cxexcel.", title=title, critical=True)
        return
    folder = choose_folder(book_folder(book))
    if folder is None:
        return
    # beside the folder, not in it: the summary must not become one of the next run's inputs
    output = folder.parent / f"Свод — {folder.name}.xlsx"
    try:
        result = consolidate(folder, output)
    except OSError as exc:
        # the usual case: the previous summary is still open in Excel, which locks it
        alert(book, f"Свод не записан: не удалось записать или прочитать «{exc.filename or output}» — "
                    f"{os_error_reason(exc)}. Закройте прежний свод в Excel и повторите.", title=title, critical=True)
        return
    accepted, rejected = result.count(FileStatus.ACCEPTED), result.count(FileStatus.REJECTED)
    alert(book, f"Свод по папке «{folder}» готов: {output}. Принято файлов: {accepted}, отклонено: {rejected} "
                "(причины — на листе «Файлы»).", title=title)
    xw.Book(str(output))


def choose_folder(start: Path | None) -> Path | None:
    """Ask for a folder (the workbook's own folder first); None when the user cancels."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:  # Python without Tk: the workbook's folder is the only sensible choice
        return start
    root = tkinter.Tk()
    root.withdraw()
    root.attributes("-topmost", True)
    try:
        chosen = filedialog.askdirectory(initialdir=str(start or Path.home()),
                                         title="Папка с книгами для свода", mustexist=True)
    finally:
        root.destroy()
    return Path(chosen) if chosen else None


ACTIONS: dict[str, Action] = {
    "check_workbook": check_workbook,
    "clear_marks": clear_marks,
    "next_issue": next_issue,
    "refresh_lists": refresh_lists_action,
    "dashboard": dashboard,
    "consolidate_folder": consolidate_folder,
}
assert set(ACTIONS) == set(action_ids()), "ACTIONS and ACTION_SPECS must name the same actions"


def perform(action_id: str, book: xw.Book, *, desktop: bool) -> None:
    """Run one action on a workbook; a failure becomes a Russian message, never a traceback in Excel."""
    spec = action_spec(action_id)
    if spec.desktop_only and not desktop:
        alert(book, f"Действие «{spec.label}» доступно только в настольной надстройке (Python на этом "
                    "компьютере).", title=spec.label)
        return
    try:
        ACTIONS[action_id](book, ActionContext(desktop=desktop))
    except Exception:
        # only the traceback is logged: cell values stay out of the server's logs
        logger.error("action %s failed:\n%s", action_id, traceback.format_exc(limit=20))
        if is_remote(book):
            # half-applied marks without their record on «Проверка» could never be removed
            book.json()["actions"].clear()
            changed = "Книга не изменена."
        else:
            changed = "Если в книге остались отметки, нажмите «Снять отметки»."
        alert(book, f"Внутренняя ошибка надстройки («{spec.label}»). {changed} Сообщите о ней координатору, "
                    "приложив книгу.", title=spec.label, critical=True)
