"""`cxexcel consolidate`: merge a folder of regional workbooks into the summary."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from cxexcel.cli.options import (
    PROCESSES,
    consolidate_as_of_option,
    limits_options,
    load_programme_or_exit,
    programme_option,
)
from cxexcel.consolidate import LEVELS, ConsolidationResult, FileStatus, OutputConflict, consolidate
from cxexcel.consolidate.figures import Summary
from cxexcel.consolidate.inbox import ARCHIVE_SUFFIXES
from cxexcel.fileio import os_error_reason, printable
from cxexcel.issues import Code
from cxexcel.read import Limits
from cxexcel.validate.report import counts_text, plural
from cxexcel.validate.report_date import plausible_report_date


@click.command(name="consolidate")
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="ПАПКА")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Файл свода (.xlsx), например «Свод.xlsx».")
@consolidate_as_of_option
@click.option("--level", type=click.Choice(LEVELS), default="federal", show_default=True,
              help="federal — строка на каждый субъект РФ; region — строка на каждый ЦЗН субъекта.")
@click.option("--json", "json_output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Записать те же показатели в JSON для программ.")
@click.option("--jobs", type=PROCESSES, default=None, metavar="N",
              help="Число параллельных процессов (по умолчанию — все ядра).")
@click.option("--no-cache", is_flag=True, help="Не использовать кэш разобранных файлов.")
@programme_option
@limits_options(files=True)
def consolidate_command(inbox: Path, output: Path, as_of: dt.date | None, level: str, json_output: Path | None,
                        jobs: int | None, no_cache: bool, programme_file: Path | None, limits: Limits) -> None:
    """Свести все книги из ПАПКИ (со вложенными папками) в один свод.

    Файл сверх пределов (--max-…) не обрабатывается: он есть на листе «Файлы» со статусом
    «отклонен» и причиной (файлы сверх --max-files — со статусом «пропущен»).
    Свод и JSON не записываются на место файлов из ПАПКИ (прежний свод в ней заменяется).
    """
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter("файл свода должен иметь расширение .xlsx", param_hint="--output")
    programme = load_programme_or_exit(programme_file)
    try:
        result = run_with_progress(inbox, output, as_of=as_of, level=level, json_output=json_output, jobs=jobs,
                                   programme=programme, use_cache=not no_cache, limits=limits)
    except OutputConflict as exc:
        raise click.BadParameter(printable(str(exc)), param_hint=OUTPUT_OPTIONS[exc.argument]) from exc
    click.echo(printable(summary_screen(result)))


# consolidate()'s parameter -> the option that gives it
OUTPUT_OPTIONS = {"output": "--output", "json_output": "--json"}


def run_with_progress(inbox: Path, output: Path, **kwargs: object) -> ConsolidationResult:
    """Consolidate with a progress bar when a person watches the terminal."""
    show = sys.stderr.isatty()
    state: dict[str, object] = {}

    def on_total(total: int) -> None:
        if show:
            bar = click.progressbar(length=total, label="Проверка файлов", file=sys.stderr)
            state["bar"] = bar
            bar.__enter__()

    def on_progress(done: int) -> None:
        bar = state.get("bar")
        if bar is not None:
            bar.update(done)  # type: ignore[attr-defined]

    try:
        return consolidate(inbox, output, on_total=on_total, on_progress=on_progress, **kwargs)  # type: ignore[arg-type]
    except OSError as exc:
        # every input's own failure is an issue of that file: what escapes is the output (or the inbox itself)
        where = exc.filename or output
        click.echo(printable(f"Ошибка: не удалось записать или прочитать «{where}»: {os_error_reason(exc)}. "
                             "Свод не записан; укажите другую папку для свода (-o) или закройте файл свода, "
                             "если он открыт."), err=True)
        raise SystemExit(1) from exc
    finally:
        bar = state.get("bar")
        if bar is not None:
            bar.__exit__(None, None, None)  # type: ignore[attr-defined]


def units_of(s: Summary) -> str:
    """«Субъектов РФ: 3», or in a regional summary the centres it holds: «ЦЗН: 12»."""
    return f"ЦЗН: {s.centre_count()}" if s.level == "region" else f"Субъектов РФ: {s.region_count()}"


def summary_screen(result: ConsolidationResult) -> str:
    s = result.summary
    counted = [i for i in s.issues if i["file_status"] == FileStatus.ACCEPTED.value]
    errors = sum(1 for i in counted if i["severity"] == "error")
    warnings = len(counted) - errors
    # the issues of superseded and rejected files: «Свод» does not count them, so they are said apart
    other_errors = sum(1 for i in s.issues if i["severity"] == "error") - errors
    other_warnings = len(s.issues) - len(counted) - other_errors
    # files over --max-files are skipped too, but unread: neither «не книги» nor «своды»
    over_limit = result.over_file_limit()
    lines = [
        f"Свод на {s.as_of:%d.%m.%Y} ({'федеральный' if s.level == 'federal' else 'региональный'}).",
        f"Файлов: {len(result.outcomes)} — принято {result.count(FileStatus.ACCEPTED)}, "
        f"отклонено {result.count(FileStatus.REJECTED)}, заменено более новыми "
        f"{result.count(FileStatus.SUPERSEDED)}, пропущено (не книги и своды) "
        f"{result.count(FileStatus.SKIPPED) - over_limit}"
        + (f", не обработано из-за предела --max-files ({result.max_files}): "
           f"{plural(over_limit, 'файл', 'файла', 'файлов')}." if over_limit else "."),
    ]
    if over_limit:
        lines.append(f"  В папке больше {plural(result.max_files, 'файла', 'файлов', 'файлов')}: остальные не "
                     "проверены и в свод не вошли (они перечислены на листе «Файлы»). Чтобы свести все, "
                     "увеличьте --max-files.")
    others = (f"; еще {counts_text(other_errors, other_warnings)} в файлах, не вошедших в свод"
              if other_errors or other_warnings else "")
    lines.append(f"{units_of(s)}; в принятых файлах {counts_text(errors, warnings)}{others}.")
    rejected = [o for o in result.outcomes if o.status is FileStatus.REJECTED]
    for outcome in rejected[:10]:
        lines.append(f"  отклонен: {outcome.entry.relative} — {outcome.reason}")
    if len(rejected) > 10:
        lines.append(f"  … и еще {plural(len(rejected) - 10, 'файл', 'файла', 'файлов')} (лист «Файлы»).")
    later = sorted(reported for o in result.outcomes if o.status is FileStatus.ACCEPTED and o.workbook is not None
                   and (reported := plausible_report_date(o.workbook.report_date, dt.date.today()))
                   and reported > s.as_of)
    if later:
        # the files are read as they are: what they record after the summary's date is not taken out
        lines.append(f"  Дата свода {s.as_of:%d.%m.%Y} раньше «Отчетной даты» "
                     f"{plural(len(later), 'принятого файла', 'принятых файлов', 'принятых файлов')} (самая поздняя "
                     f"{later[-1]:%d.%m.%Y}): выполненное, проведенное и замеренное в них после "
                     f"{s.as_of:%d.%m.%Y} учтено как есть.")
    future = [o for o in result.outcomes if any(i.code is Code.REPORT_DATE_FUTURE for i in o.issues)]
    for outcome in future[:10]:
        wb = outcome.workbook
        day = f" ({wb.report_date:%d.%m.%Y})" if wb is not None and wb.report_date else ""
        lines.append(f"  отчетная дата позже сегодняшней{day}, проверьте год: {outcome.entry.relative}")
    # skipped once opened (a summary among the inputs) or an archive to unpack: worth a line of its own
    for outcome in [o for o in result.outcomes if o.status is FileStatus.SKIPPED and not o.entry.over_file_limit and (
            not o.entry.skip_reason or o.entry.path.suffix.lower() in ARCHIVE_SUFFIXES)]:
        lines.append(f"  пропущен: {outcome.entry.relative} — {outcome.reason}")
    lines.append(f"Свод: {result.output}")
    if result.json_output:
        lines.append(f"JSON: {result.json_output}")
    return "\n".join(lines)
