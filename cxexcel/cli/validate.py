"""`cxexcel validate`: check filled workbooks and show every issue by file and sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from cxexcel.cli.options import (
    as_of_option,
    expand_paths,
    limits_options,
    load_programme_or_exit,
    programme_option,
)
from cxexcel.fileio import display_path, os_error_reason, printable
from cxexcel.forms import KINDS
from cxexcel.read import Limits
from cxexcel.validate import check_files, render_text
from cxexcel.validate.report import Report

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


@click.command(name="validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="ФАЙЛ_ИЛИ_ПАПКА...")
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text — для человека, json — для программ.")
@click.option("--mark", "mark_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Папка для копий книг с отмеченными ошибками и листом «Проверка». Исходные файлы "
                   "не изменяются.")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="Ожидаемый вид книги; книга другого вида не проверяется.")
@programme_option
@limits_options()
def validate_command(paths: tuple[Path, ...], as_of: dt.date | None, output_format: str,
                     mark_dir: Path | None, kind: str | None, programme_file: Path | None, limits: Limits) -> None:
    """Проверить заполненные книги (файлы или папки).

    Код завершения: 0 — ошибок нет, 1 — есть ошибки, 2 — какой-то файл не удалось прочитать.
    Файл сверх пределов (--max-…) не обрабатывается и получает одно сообщение о превышенном пределе.
    """
    programme = load_programme_or_exit(programme_file)
    files = expand_paths(paths)
    if not files:
        raise click.ClickException("В указанных папках нет файлов .xlsx.")
    results = check_files(files, programme=programme, as_of=as_of, expected_kind=kind, limits=limits)
    report = Report(tuple(r.report() for r in results))
    if output_format == "json":
        click.echo(report.to_json())
    else:
        click.echo(printable(render_text(report)))
    if mark_dir is not None:
        from cxexcel.validate.mark import NotMarkable, write_marked_copy

        taken: set[Path] = set()
        # no copy may replace a file this run checks (a corrected copy sent back beside its original)
        inputs = frozenset(path.resolve() for path in files)
        for result in results:
            if result.workbook is None:
                continue
            try:
                target = write_marked_copy(result.path, result.report().issues, mark_dir, taken, limits,
                                           inputs, programme)
            except NotMarkable as exc:
                click.echo(printable(f"{display_path(result.path)}: {exc}"), err=True)
                continue
            except OSError as exc:
                click.echo(printable(f"Копию с отметками для {display_path(result.path)} записать не удалось: "
                                     f"{os_error_reason(exc)}."), err=True)
                continue
            except Exception as exc:  # openpyxl refuses what the fast reader accepted: no copy, no crash
                click.echo(printable(f"Копию с отметками для {display_path(result.path)} сделать не удалось: "
                                     f"книга не открывается для записи ({type(exc).__name__}). Ошибки перечислены "
                                     "выше."), err=True)
                continue
            if output_format == "text":
                click.echo(printable(f"Копия с отметками: {display_path(target)}"))
    if report.unreadable:
        raise SystemExit(EXIT_UNREADABLE)
    raise SystemExit(EXIT_ERRORS if report.errors else EXIT_OK)
