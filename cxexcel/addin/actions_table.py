"""The add-in's actions: ids, Russian labels and ribbon looks, shared by the ribbon, the VBA and Python."""

from __future__ import annotations

from dataclasses import dataclass

from cxexcel.forms import catalog


@dataclass(frozen=True)
class ActionSpec:
    """One add-in action: `id` is what the ribbon button, the VBA callback and `run()` all use."""

    id: str
    label: str
    screentip: str
    image_mso: str  # a built-in Office icon, so the add-in ships no pictures
    desktop_only: bool = False


ACTION_SPECS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "check_workbook",
        catalog.CHECK_BUTTON,
        "Проверить книгу по стандарту и отметить ошибки в ячейках; список — на листе «Проверка»",
        "AcceptInvitation",
    ),
    ActionSpec(
        "clear_marks",
        "Снять отметки",
        "Убрать отметки проверки и вернуть ячейкам вид шаблона",
        "ClearFormats",
    ),
    ActionSpec(
        "next_issue",
        "Следующая ошибка",
        "Перейти к следующей ячейке с ошибкой",
        "ReviewNextComment",
    ),
    ActionSpec(
        "refresh_lists",
        "Обновить списки",
        "Обновить раскрывающиеся списки книги (например, коды точек контакта пути клиента)",
        "RefreshAll",
    ),
    ActionSpec(
        "dashboard",
        "Панель",
        "Показать лист с результатами по этой книге",
        "ChartInsert",
    ),
    ActionSpec(
        "consolidate_folder",
        "Свод по папке",
        "Собрать свод по всем книгам выбранной папки",
        "FolderOpen",
        desktop_only=True,
    ),
)


def action_ids(*, desktop: bool = True) -> tuple[str, ...]:
    """The ids in ribbon order; without `desktop`, the desktop-only actions are left out."""
    return tuple(spec.id for spec in ACTION_SPECS if desktop or not spec.desktop_only)


def action_spec(action_id: str) -> ActionSpec:
    """The spec of `action_id`; KeyError for an unknown id."""
    for spec in ACTION_SPECS:
        if spec.id == action_id:
            return spec
    raise KeyError(action_id)
