"""`cxexcel demo`: generate a realistic inbox, consolidate it and show where the summary is."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from cxexcel.cli.consolidate import run_with_progress, summary_screen
from cxexcel.cli.options import PROCESSES, NumberParam
from cxexcel.consolidate import default_jobs
from cxexcel.demo import DEFAULT_REGIONS, DEFAULT_SEED, DemoManifest, Expected, generate_inbox
from cxexcel.demo.inbox import MIN_ANSWERS
from cxexcel.fileio import os_error_reason
from cxexcel.forms import catalog
from cxexcel.programme import default_programme
from cxexcel.validate.report import plural

DEFAULT_OUT = Path("cxexcel-demo")
INBOX_NAME = "Входящие"
SUMMARY_NAME = "Свод.xlsx"
JSON_NAME = "Свод.json"
# a folder with this file was made by `cxexcel demo` and may be wiped by it; no other folder is
MARKER_NAME = ".cxexcel-demo"
MARKER_TEXT = (
    "Эта папка создана командой «cxexcel demo» и пересоздается при каждом ее запуске.\n"
    "Не храните здесь свои файлы: они будут удалены.\n"
)
_EXPECTED_RU = {
    Expected.REJECTED: "нечитаемый файл",
    Expected.SUPERSEDED: "прежняя версия (дубликат)",
    Expected.SKIPPED: "не книга Excel",
    Expected.IGNORED: "файл блокировки Excel",
}


class FolderRefused(Exception):
    """The --out folder is not the demo's to wipe; the message is for the user."""


def prepare_folder(out: Path) -> None:
    """Empty `out` if the demo made it; refuse to touch a folder with anything else in it."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise FolderRefused(f"«{out}» — не папка; укажите в --out папку для демонстрации.")
    if out.exists() and any(out.iterdir()):
        if not (out / MARKER_NAME).is_file():
            raise FolderRefused(
                f"папка «{out}» не пуста и создана не командой «cxexcel demo», поэтому очищать ее нельзя. "
                "Укажите в --out новую или пустую папку."
            )
        for child in out.iterdir():
            # a link inside is removed as a link: what it points to is not the demo's
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER_NAME).write_text(MARKER_TEXT, encoding="utf-8")


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def generated_text(manifest: DemoManifest) -> str:
    """What the inbox holds and which mistakes were planted, for the person who runs the demo."""
    workbooks = sum(f.expected is Expected.ACCEPTED for f in manifest.files)
    lines = [
        f"Входящие: {manifest.folder.resolve()}",
        f"  {plural(len(manifest.regions), 'субъект РФ', 'субъекта РФ', 'субъектов РФ')}, "
        f"{plural(len(manifest.centres), 'пилотный ЦЗН', 'пилотных ЦЗН', 'пилотных ЦЗН')}, "
        f"{plural(len(manifest.files), 'файл', 'файла', 'файлов')} "
        f"(из них {plural(workbooks, 'книга', 'книги', 'книг')} по стандарту), "
        f"{_number(manifest.answers)} ответов в замерах; отчетная дата {manifest.report_date:%d.%m.%Y}.",
        "  Намеренные ошибки (их должна найти проверка):",
    ]
    for mistake in manifest.mistakes:
        lines.append(f"    — {mistake.path}, лист «{mistake.sheet}», {mistake.cell}: {mistake.description}")
    for expected, label in _EXPECTED_RU.items():
        for demo_file in manifest.with_status(expected):
            lines.append(f"  {label[0].upper()}{label[1:]}: {demo_file.path}")
    spelt = [c for c in manifest.centres if len(c.spellings) > 1]
    if spelt:
        centres = plural(len(spelt), "центра", "центров", "центров")
        lines.append(f"  Наименование ЦЗН написано в файлах по-разному у {centres}, например: "
                     f"«{spelt[0].spellings[0]}» и «{spelt[0].spellings[1]}»")
    return "\n".join(lines)


@click.command(name="demo")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
              metavar="ПАПКА",
              help=f"Папка демонстрации (по умолчанию {DEFAULT_OUT}): в ней будут «{INBOX_NAME}», «{SUMMARY_NAME}» "
                   f"и «{JSON_NAME}». Пересоздается при каждом запуске.")
@click.option("--regions", type=NumberParam(int, 1, len(catalog.REGIONS)), default=DEFAULT_REGIONS, metavar="N",
              help=f"Число пилотных субъектов РФ, от 1 до {len(catalog.REGIONS)} (по умолчанию {DEFAULT_REGIONS}).")
@click.option("--seed", type=int, default=DEFAULT_SEED, metavar="ЧИСЛО",
              help=f"Начальное число генератора (по умолчанию {DEFAULT_SEED}): одно и то же число дает "
                   "одни и те же файлы.")
@click.option("--answers", type=NumberParam(int, MIN_ANSWERS), default=None, metavar="N",
              help=f"Ответов в книге замеров каждого ЦЗН, не меньше {MIN_ANSWERS} (по умолчанию около 2000).")
@click.option("--jobs", type=PROCESSES, default=None, metavar="N",
              help="Число параллельных процессов (по умолчанию — все ядра).")
@click.help_option("-h", "--help", help="Показать эту справку и выйти.")
def demo(out_dir: Path, regions: int, seed: int, answers: int | None, jobs: int | None) -> None:
    """Создать демонстрационную папку входящих файлов пилотных регионов (с намеренными ошибками),
    свести ее в свод и показать, где он."""
    try:
        prepare_folder(out_dir)
    except FolderRefused as exc:
        click.echo(f"Ошибка: {exc}", err=True)
        raise SystemExit(2) from exc
    except OSError as exc:
        click.echo(f"Ошибка: не удалось подготовить папку «{out_dir}»: {os_error_reason(exc)}", err=True)
        raise SystemExit(1) from exc
    inbox = out_dir / INBOX_NAME
    workers = jobs or default_jobs()
    click.echo("Создаю демонстрационные файлы…")
    try:
        manifest = generate_inbox(inbox, regions=regions, seed=seed, answers_per_centre=answers, jobs=workers)
    except OSError as exc:
        click.echo(f"Ошибка: не удалось записать файлы в папку «{inbox}»: {os_error_reason(exc)}", err=True)
        raise SystemExit(1) from exc
    click.echo(generated_text(manifest))
    click.echo("Свожу файлы…")
    result = run_with_progress(inbox, out_dir / SUMMARY_NAME, as_of=manifest.report_date, level="federal",
                               json_output=out_dir / JSON_NAME, jobs=workers, programme=default_programme(),
                               use_cache=False)
    click.echo(summary_screen(result))
    click.echo(f"Готово. Откройте свод в Excel или LibreOffice: {result.output.resolve()}")
