"""`cxexcel templates`: write the empty standard workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from cxexcel.fileio import os_error_reason
from cxexcel.forms import KINDS, catalog
from cxexcel.programme import Programme, ProgrammeError, load_programme
from cxexcel.template import build_templates, find_region, similar_regions

TITLE = catalog.TITLE_SHEET
_KINDS_HELP = "; ".join(f"{key} — «{kind.title}»" for key, kind in KINDS.items())


def _region_or_exit(typed: str) -> str:
    region = find_region(typed)
    if region is not None:
        return region
    lines = [f"Ошибка: неизвестный субъект РФ «{typed}»."]
    hint = similar_regions(typed)
    if hint:
        lines.append("Возможно, имелся в виду: " + "; ".join(f"«{name}»" for name in hint) + ".")
    lines.append(
        "Название пишется как в статье 65 Конституции РФ, например «Пермский край», «г. Москва», "
        "«Республика Саха (Якутия)». Полный список — в раскрывающемся списке субъектов "
        f"на листе «{TITLE}» любого шаблона (команда без --region)."
    )
    click.echo("\n".join(lines), err=True)
    raise SystemExit(2)


@click.command(help="Создать пустые шаблоны стандартных книг (по одному файлу на вид книги).")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("workbooks"),
    metavar="ПАПКА", help="Папка, в которую записываются шаблоны (по умолчанию workbooks).",
)
@click.option(
    "--region", metavar="СУБЪЕКТ",
    help=f"Субъект РФ: заполняется на листе «{TITLE}» и входит в имя файла (кроме журнала консультаций: его "
         "ведет ФЦК, субъект в нем указывается в каждой строке).",
)
@click.option(
    "--czn", metavar="ЦЗН",
    help=f"Наименование ЦЗН: заполняется на листе «{TITLE}» книг ЦЗН и входит в имя их файлов.",
)
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(list(KINDS)),
    help=f"Вид книги (можно указать несколько раз; по умолчанию все): {_KINDS_HELP}.",
)
@click.option(
    "--programme", "programme_file", type=click.Path(dir_okay=False, path_type=Path), metavar="ФАЙЛ",
    help="Файл программы пилотной апробации (JSON); по умолчанию — программа от 26.07.2021.",
)
@click.help_option("-h", "--help", help="Показать эту справку и выйти.")
def templates(
    out_dir: Path, region: str | None, czn: str | None, kinds: tuple[str, ...], programme_file: Path | None
) -> None:
    programme: Programme | None = None
    if programme_file is not None:
        try:
            programme = load_programme(programme_file)
        except ProgrammeError as exc:
            click.echo(f"Ошибка: {exc}", err=True)
            raise SystemExit(2) from exc
    if region is not None:
        region = _region_or_exit(region)
    czn = czn.strip() or None if czn else None
    try:
        paths = build_templates(out_dir, kinds or None, programme=programme, region=region, czn=czn)
    except OSError as exc:
        click.echo(f"Ошибка: не удалось записать шаблоны в папку {out_dir}: {os_error_reason(exc)}", err=True)
        raise SystemExit(1) from exc
    for path in paths:
        click.echo(str(path))
