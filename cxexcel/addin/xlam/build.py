"""Assemble cxexcel.xlam from the text sources in macros/ and the xlwings custom add-in VBA module."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import xlsxwriter

from cxexcel.addin.actions_table import ACTION_SPECS
from cxexcel.addin.xlam.vbaproject import (
    WORKBOOK_BASE,
    WORKSHEET_BASE,
    VbaModule,
    build_vba_project,
    document_module,
    normalise_source,
)
from cxexcel.fileio import atomic_output

# the repository's macros/ folder: the builder runs from a checkout (pip install -e .)
DEFAULT_MACROS_DIR = Path(__file__).resolve().parents[3] / "macros"
CUSTOM_UI_FILE = "customUI.xml"
PROJECT_NAME = "cxexcel"  # the VBA project's name, as the VBA editor shows it
CODEPAGE = 1251  # the VBA source holds Russian messages; Russian Windows' ANSI code page
RIBBON_MODULE = "CxRibbon"
CALLBACK = f"{RIBBON_MODULE}.CxAction"
RUN_PYTHON = 'RunPython "import cxexcel.addin; cxexcel.addin.run(\'" & actionId & "\')"'
XLWINGS_MODULE = "xlwings"
XLWINGS_SOURCE = "xlwings_custom_addin.bas"  # what `xlwings copy vba --addin` copies
# The xlwings module reads its settings from a sheet and files named after PROJECT_NAME. "xlwings"
# keeps xlwings' own names: the sheet «xlwings.conf» here and %USERPROFILE%\.xlwings\xlwings.conf,
# which `xlwings addin install` / `xlwings config create` fill with the interpreter's path.
CONFIG_NAME = "xlwings"
CONFIG_SHEET = f"{CONFIG_NAME}.conf"
WORKBOOK_CODENAME = "ThisWorkbook"
SHEET_CODENAME = "Sheet1"
# the user's folder holds workbooks, not our code: a stray .py there must not shadow a module
DEFAULT_SETTINGS: dict[str, str] = {"ADD_WORKBOOK_TO_PYTHONPATH": "false"}

CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
CUSTOM_UI_PART = "customUI/customUI14.xml"
CUSTOM_UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLAM_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

NO_XLWINGS = (
    "Для сборки надстройки нужен пакет xlwings: из него берется модуль VBA RunPython. "
    "Установите дополнение в копии репозитория cxexcel: pip install -e \".[addin]\""
)


class BuildError(Exception):
    """The add-in cannot be built; the message is in Russian, for the person who runs the build."""


@dataclass(frozen=True)
class RibbonButton:
    id: str
    label: str
    screentip: str
    image_mso: str
    on_action: str


@dataclass(frozen=True)
class AddinSources:
    """Everything the .xlam is made of, read and checked."""

    modules: tuple[VbaModule, ...]  # document modules first, then ours, then xlwings
    custom_ui: str
    xlwings_version: str


@dataclass(frozen=True)
class BuildReport:
    path: Path
    modules: tuple[str, ...]
    xlwings_version: str
    settings: dict[str, str]


# -- reading and checking the sources -------------------------------------------------------------


def ribbon_buttons(custom_ui: str) -> list[RibbonButton]:
    """The ribbon's buttons in document order."""
    root = ET.fromstring(custom_ui.encode("utf-8"))
    if root.tag != f"{{{CUSTOM_UI_NS}}}customUI":
        raise BuildError(f"{CUSTOM_UI_FILE}: корневой элемент должен быть customUI с пространством имен {CUSTOM_UI_NS}")
    return [
        RibbonButton(
            id=b.get("id", ""),
            label=b.get("label", ""),
            screentip=b.get("screentip", ""),
            image_mso=b.get("imageMso", ""),
            on_action=b.get("onAction", ""),
        )
        for b in root.iter(f"{{{CUSTOM_UI_NS}}}button")
    ]


def vba_action_ids(source: str) -> tuple[str, ...]:
    """The ids the ribbon callback accepts: the quoted values of its `Case` lines."""
    ids: list[str] = []
    for line in source.splitlines():
        match = re.match(r'\s*Case\s+(".*)$', line)
        if match:
            ids += re.findall(r'"([^"]*)"', match.group(1))
    return tuple(ids)


def check_sources(custom_ui: str, ribbon_source: str) -> list[str]:
    """Where the ribbon XML, the VBA callback and the action table disagree (empty when in step)."""
    problems: list[str] = []
    try:
        buttons = ribbon_buttons(custom_ui)
    except ET.ParseError as e:
        return [f"{CUSTOM_UI_FILE}: XML с ошибкой: {e}"]
    table_ids = [spec.id for spec in ACTION_SPECS]
    button_ids = [b.id for b in buttons]
    if button_ids != table_ids:
        problems.append(
            f"кнопки ленты {button_ids} не совпадают с таблицей действий {table_ids} "
            "(cxexcel/addin/actions_table.py), в том же порядке"
        )
    by_id = {b.id: b for b in buttons}
    for spec in ACTION_SPECS:
        button = by_id.get(spec.id)
        if button is None:
            continue
        for what, got, want in (
            ("label", button.label, spec.label),
            ("screentip", button.screentip, spec.screentip),
            ("imageMso", button.image_mso, spec.image_mso),
            ("onAction", button.on_action, CALLBACK),
        ):
            if got != want:
                problems.append(f"кнопка {spec.id}: {what}={got!r}, а должно быть {want!r}")
    vba_ids = vba_action_ids(ribbon_source)
    if sorted(vba_ids) != sorted(table_ids):
        problems.append(f"макрос {CALLBACK} принимает {sorted(vba_ids)}, а таблица действий — {sorted(table_ids)}")
    if RUN_PYTHON not in ribbon_source:
        problems.append(f"макрос {CALLBACK} должен вызывать: {RUN_PYTHON}")
    return problems


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(
            f"Не найден файл {path}. Сборка надстройки идет из копии репозитория cxexcel "
            "(папка macros/ с исходниками VBA и ленты)."
        ) from None
    except UnicodeDecodeError as e:
        raise BuildError(f"{path}: файл должен быть в кодировке UTF-8 ({e})") from None


def xlwings_vba_module() -> tuple[VbaModule, str]:
    """xlwings' custom add-in module (RunPython etc.) from the installed package, and its version.

    Only the package's folder is looked up: xlwings itself is not imported.
    """
    try:
        spec = importlib.util.find_spec("xlwings")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise BuildError(NO_XLWINGS)
    path = Path(locations[0]) / XLWINGS_SOURCE
    try:
        text = path.read_bytes().decode("cp1252")
    except FileNotFoundError:
        raise BuildError(
            f"В установленном xlwings нет файла {XLWINGS_SOURCE}. Обновите xlwings: pip install -U xlwings"
        ) from None
    text, count = re.subn(
        r'^(Public Const PROJECT_NAME As String = )"[^"]*"', rf'\1"{CONFIG_NAME}"', text, flags=re.MULTILINE
    )
    if count != 1:
        raise BuildError(
            f"{path}: не найдена строка Public Const PROJECT_NAME — эта версия xlwings не подходит для сборки"
        )
    try:
        version = importlib.metadata.version("xlwings")
    except importlib.metadata.PackageNotFoundError:
        found = re.search(r"^'Version: (\S+)", text, flags=re.MULTILINE)
        version = found.group(1) if found else "?"
    try:
        module = VbaModule(XLWINGS_MODULE, text)
    except ValueError as e:
        raise BuildError(f"{path}: {e}") from None
    return module, version


def load_sources(macros_dir: Path | None = None) -> AddinSources:
    """Read macros/ and xlwings' module, and check that ribbon, VBA and the action table agree."""
    folder = macros_dir or DEFAULT_MACROS_DIR
    custom_ui = _read_text(folder / CUSTOM_UI_FILE)
    ours: list[VbaModule] = []
    for path in sorted(folder.glob("*.bas")):
        try:
            ours.append(VbaModule(path.stem, _read_text(path)))
        except ValueError as e:
            raise BuildError(f"{path}: {e}") from None
    names = {m.name.upper() for m in ours}
    if RIBBON_MODULE.upper() not in names:
        raise BuildError(f"Не найден модуль {folder / (RIBBON_MODULE + '.bas')}")
    reserved = {XLWINGS_MODULE.upper(), WORKBOOK_CODENAME.upper(), SHEET_CODENAME.upper()}
    if names & reserved:
        raise BuildError(f"Имена модулей {sorted(names & reserved)} заняты: переименуйте файлы .bas в {folder}")
    ribbon_source = next(m.source for m in ours if m.name == RIBBON_MODULE)
    problems = check_sources(custom_ui, ribbon_source)
    if problems:
        raise BuildError("Лента, макрос и таблица действий не согласованы:\n- " + "\n- ".join(problems))
    xlwings_module, version = xlwings_vba_module()
    modules = (
        document_module(WORKBOOK_CODENAME, WORKBOOK_BASE),
        document_module(SHEET_CODENAME, WORKSHEET_BASE),
        *ours,
        xlwings_module,
    )
    for module in modules:
        try:
            normalise_source(module.source).encode(f"cp{CODEPAGE}")
        except UnicodeEncodeError as e:
            raise BuildError(
                f"Модуль {module.name}: символ {module.source[e.start : e.end]!r} нельзя записать "
                f"в кодировке Windows-{CODEPAGE}, в которой VBA хранит текст"
            ) from None
    return AddinSources(modules=modules, custom_ui=custom_ui, xlwings_version=version)


# -- assembling the package -----------------------------------------------------------------------


def _workbook(vba_project: bytes, settings: Mapping[str, str]) -> bytes:
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    wb.set_properties(
        {
            # Excel's add-ins dialog shows the title and the comments
            "title": "cxexcel — клиентский опыт",
            "subject": "Надстройка Excel для пилотной апробации системы управления клиентским опытом",
            "comments": "Проверка книг по стандарту, отметки ошибок, панель результатов и свод по папке. "
            "Нужен Python с пакетами cxexcel и xlwings.",
            "author": "cxexcel",
        }
    )
    wb.set_vba_name(WORKBOOK_CODENAME)
    sheet = wb.add_worksheet(CONFIG_SHEET)
    sheet.set_vba_name(SHEET_CODENAME)
    sheet.set_column(0, 0, 32)
    sheet.set_column(1, 1, 60)
    sheet.set_column(3, 3, 100)
    for row, (key, value) in enumerate(settings.items()):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    notes = [
        "Настройки xlwings для надстройки cxexcel: название в столбце A, значение в столбце B, строки подряд с A1.",
        "Interpreter_Win — полный путь к python.exe, в котором установлены cxexcel и xlwings.",
        "PYTHONPATH — дополнительные папки с модулями Python через точку с запятой.",
        "Что не задано здесь, берется из %USERPROFILE%\\.xlwings\\xlwings.conf "
        "(его создает команда xlwings config create).",
    ]
    for row, note in enumerate(notes):
        sheet.write_string(row, 3, note)
    wb.add_vba_project(cast(Any, io.BytesIO(vba_project)), is_stream=True)
    wb.close()
    return buffer.getvalue()


def _as_addin(xlsm: bytes, custom_ui: str) -> bytes:
    """Turn XlsxWriter's .xlsm into an .xlam with the ribbon: content type, customUI part and relationship."""
    source = zipfile.ZipFile(io.BytesIO(xlsm))
    parts = {info.filename: source.read(info) for info in source.infolist()}
    content_types = parts["[Content_Types].xml"].decode("utf-8")
    if content_types.count(XLSM_TYPE) != 1:
        raise BuildError("XlsxWriter записал неожиданный [Content_Types].xml: тип книги не найден")
    parts["[Content_Types].xml"] = content_types.replace(XLSM_TYPE, XLAM_TYPE).encode("utf-8")
    rels = parts["_rels/.rels"].decode("utf-8")
    if rels.count("</Relationships>") != 1 or 'Id="rIdCustomUI"' in rels:
        raise BuildError("XlsxWriter записал неожиданный _rels/.rels")
    relationship = f'<Relationship Id="rIdCustomUI" Type="{CUSTOM_UI_REL}" Target="{CUSTOM_UI_PART}"/>'
    parts["_rels/.rels"] = rels.replace("</Relationships>", relationship + "</Relationships>").encode("utf-8")
    parts[CUSTOM_UI_PART] = custom_ui.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data)
    return out.getvalue()


def _settings(interpreter: str | None, pythonpath: str | None) -> dict[str, str]:
    settings = dict(DEFAULT_SETTINGS)
    if interpreter:
        settings["Interpreter_Win"] = interpreter
    if pythonpath:
        settings["PYTHONPATH"] = pythonpath
    return settings


def build_xlam_bytes(
    sources: AddinSources | None = None, *, interpreter: str | None = None, pythonpath: str | None = None
) -> bytes:
    """The .xlam as bytes."""
    sources = sources or load_sources()
    vba_project = build_vba_project(sources.modules, name=PROJECT_NAME, codepage=CODEPAGE)
    return _as_addin(_workbook(vba_project, _settings(interpreter, pythonpath)), sources.custom_ui)


def build_xlam(
    out: str | Path,
    *,
    macros_dir: Path | None = None,
    interpreter: str | None = None,
    pythonpath: str | None = None,
) -> BuildReport:
    """Build the add-in into `out` (written atomically)."""
    sources = load_sources(macros_dir)
    data = build_xlam_bytes(sources, interpreter=interpreter, pythonpath=pythonpath)
    out = Path(out)
    with atomic_output(out) as tmp:
        tmp.write_bytes(data)
    return BuildReport(
        path=out,
        modules=tuple(m.name for m in sources.modules),
        xlwings_version=sources.xlwings_version,
        settings=_settings(interpreter, pythonpath),
    )


def export_sources(folder: str | Path, *, macros_dir: Path | None = None) -> list[Path]:
    """Write the modules as the VBA editor imports them (Windows-1251, CRLF) and the ribbon XML.

    For building the add-in by hand in Excel: File > Import the .bas files, and paste
    customUI14.xml into an Office RibbonX / Custom UI editor.
    """
    sources = load_sources(macros_dir)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for module in sources.modules:
        if module.kind != "standard":
            continue
        path = folder / f"{module.name}.bas"
        with atomic_output(path) as tmp:
            tmp.write_bytes(normalise_source(module.source).encode(f"cp{CODEPAGE}"))
        written.append(path)
    path = folder / Path(CUSTOM_UI_PART).name
    with atomic_output(path) as tmp:
        tmp.write_bytes(sources.custom_ui.encode("utf-8"))
    written.append(path)
    return written
