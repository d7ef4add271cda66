"""Options and parameter types shared by several commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cxexcel.programme import Programme, ProgrammeError, default_programme, load_programme
from cxexcel.validate.cells import parse_text_date


class DateParam(click.ParamType):
    """A date typed as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД."""

    name = "ДАТА"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        parsed = parse_text_date(str(value))
        if parsed is None:
            self.fail(f"«{value}» — не дата; укажите ДД.ММ.ГГГГ, например 01.10.2021.", param, ctx)
        return parsed


DATE = DateParam()


def as_of_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--as-of", "as_of", type=DATE, default=None,
        help="Дата, на которую оцениваются сроки (ДД.ММ.ГГГГ). По умолчанию — «Отчетная дата» книги.",
    )(fn)


def programme_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--programme", "programme_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Файл программы (JSON) другого года; по умолчанию — программа от 26.07.2021.",
    )(fn)


def load_programme_or_exit(path: Path | None) -> Programme:
    if path is None:
        return default_programme()
    try:
        return load_programme(path)
    except ProgrammeError as exc:
        raise click.ClickException(str(exc)) from exc


def expand_paths(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders replaced by the workbooks inside them (Office lock files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found += sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith("~$"))
        else:
            found.append(path)
    return found
