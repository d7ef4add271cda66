"""`cxexcel addin`: build the desktop Excel add-in (cxexcel.xlam) from the sources in macros/."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("addin")
def addin() -> None:
    """Надстройка Excel «Клиентский опыт» для рабочих мест с Python (xlwings)."""


@addin.command("build")
@click.option(
    "--out",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("cxexcel.xlam"),
    show_default=True,
    help="Куда записать надстройку.",
)
@click.option(
    "--interpreter",
    metavar="ПУТЬ",
    help="Полный путь к python.exe на компьютерах пользователей (строка Interpreter_Win листа "
    "xlwings.conf). Если не задан, берется из %USERPROFILE%\\.xlwings\\xlwings.conf или python из PATH.",
)
@click.option(
    "--pythonpath",
    metavar="ПАПКИ",
    help="Дополнительные папки с модулями Python через точку с запятой (строка PYTHONPATH).",
)
@click.option(
    "--export-sources",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="ПАПКА",
    help="Также сохранить модули VBA (.bas в кодировке Windows-1251) и customUI14.xml "
    "для ручной сборки надстройки в Excel.",
)
def build(out: Path, interpreter: str | None, pythonpath: str | None, export_sources: Path | None) -> None:
    """Собрать cxexcel.xlam из исходников (macros/) и модуля VBA установленного xlwings."""
    from cxexcel.addin import xlam

    try:
        report = xlam.build_xlam(out, interpreter=interpreter, pythonpath=pythonpath)
        exported = xlam.export_sources(export_sources) if export_sources is not None else []
    except xlam.BuildError as e:
        click.echo(f"Ошибка: {e}", err=True)
        sys.exit(1)
    click.echo(f"Надстройка собрана: {report.path}")
    click.echo(f"Модули VBA: {', '.join(report.modules)} (модуль xlwings из xlwings {report.xlwings_version}).")
    settings = "; ".join(f"{key} = {value}" for key, value in report.settings.items())
    click.echo(f"Лист {xlam.CONFIG_SHEET}: {settings}.")
    if exported:
        click.echo(f"Исходники для ручной сборки: {export_sources} ({', '.join(p.name for p in exported)}).")
