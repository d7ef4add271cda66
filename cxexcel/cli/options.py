"""Options and parameter types shared by several commands."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cxexcel.programme import Programme, ProgrammeError, default_programme, load_programme
from cxexcel.read import DEFAULT_LIMITS, Limits
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


class NumberParam(click.ParamType):
    """A whole or a decimal number within bounds, refused with a message that says the bounds in words
    (click's own says "0 вне диапазона x>=1"). A decimal may be typed with a comma: 1,5."""

    def __init__(self, kind: type[int] | type[float], low: float, high: float | None = None, *,
                 low_open: bool = False) -> None:
        self.kind, self.low, self.high, self.low_open = kind, low, high, low_open
        self.name = "целое число" if kind is int else "число"
        noun = "целое число" if kind is int else "число"
        if high is not None:
            self.rule = f"нужно {noun} от {low:g} до {high:g}".replace(".", ",")
        else:
            self.rule = f"нужно {noun} {'больше' if low_open else 'не меньше'} {low:g}".replace(".", ",")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = value
        else:
            text = str(value).strip()
            try:
                number = self.kind(text.replace(",", ".") if self.kind is float else text)
            except ValueError:
                self.fail(f"«{value}» — не {self.name}; {self.rule}.", param, ctx)
        too_low = number <= self.low if self.low_open else number < self.low
        if too_low or (self.high is not None and number > self.high) or number != number:
            self.fail(f"{value} не подходит: {self.rule}.", param, ctx)
        return number


# how many processes check files at once
PROCESSES = NumberParam(int, 1)


AS_OF_HELP = "Дата, на которую оцениваются сроки (ДД.ММ.ГГГГ). По умолчанию — «Отчетная дата» каждой книги."
CONSOLIDATE_AS_OF_HELP = (
    "Дата свода (ДД.ММ.ГГГГ): на нее оцениваются сроки всех книг. По умолчанию свод строится на самую позднюю "
    "«Отчетную дату» принятых книг (кроме дат позже сегодняшней), а сроки каждой книги — на ее «Отчетную дату».")


def as_of_option(fn: Callable[..., Any], help_text: str = AS_OF_HELP) -> Callable[..., Any]:
    return click.option("--as-of", "as_of", type=DATE, default=None, help=help_text)(fn)


def consolidate_as_of_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return as_of_option(fn, CONSOLIDATE_AS_OF_HELP)


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
        # a usage error (exit 2), like any wrong option: 1 means «the files have errors» to scripts
        raise click.BadParameter(str(exc), param_hint="--programme") from exc


def expand_paths(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders replaced by the workbooks inside them (Office lock files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            found += sorted(p for p in path.rglob("*.xlsx") if not p.name.startswith("~$"))
        else:
            found.append(path)
    return found


_MB = 1024**2
# option name -> (Limits field, type, default in the option's unit, help); sizes are typed in MB
_LIMIT_OPTIONS: dict[str, tuple[str, click.ParamType, float, str]] = {
    "--max-file-mb": ("max_file_bytes", NumberParam(float, 0, low_open=True), DEFAULT_LIMITS.max_file_bytes / _MB,
                      "Предел размера одного файла на диске, МБ."),
    "--max-unpacked-mb": ("max_uncompressed_bytes", NumberParam(float, 0, low_open=True),
                          DEFAULT_LIMITS.max_uncompressed_bytes / _MB,
                          "Предел объема файла в распакованном виде, МБ (защита от «zip-бомб»)."),
    "--max-ratio": ("max_compression_ratio", NumberParam(float, 1), DEFAULT_LIMITS.max_compression_ratio,
                    "Предел степени сжатия части файла больше 10 МБ (во сколько раз она распаковывается)."),
    "--max-rows": ("max_rows", NumberParam(int, 1), DEFAULT_LIMITS.max_rows, "Предел числа строк на листе."),
    "--max-columns": ("max_columns", NumberParam(int, 1), DEFAULT_LIMITS.max_columns,
                      "Предел числа столбцов на листе."),
    "--max-cells": ("max_cells", NumberParam(int, 1), DEFAULT_LIMITS.max_cells,
                    "Предел числа ячеек листа (строки × столбцы, считая от A1)."),
    "--max-cell-chars": ("max_cell_chars", NumberParam(int, 1), DEFAULT_LIMITS.max_cell_chars,
                         "Предел длины текста в одной ячейке, символов."),
}
_FILES_OPTION = ("max_files", NumberParam(int, 1), DEFAULT_LIMITS.max_files,
                 "Предел числа файлов в папке; остальные файлы отмечаются на листе «Файлы» как пропущенные.")


def limits_options(*, files: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --max-… options of cxexcel.read.Limits; the command receives them as one `limits` argument.

    A file over a limit is not processed and gets one message saying which limit and by how much.
    """
    options = dict(_LIMIT_OPTIONS)
    if files:
        options["--max-files"] = _FILES_OPTION

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            values: dict[str, Any] = {}
            for name, (field, _, _, _) in options.items():
                value = kwargs.pop(name.lstrip("-").replace("-", "_"))
                values[field] = int(value * _MB) if field.endswith("_bytes") else value
            return fn(*args, limits=Limits(**values), **kwargs)

        command: Callable[..., Any] = wrapper
        for name, (_, kind, default, text) in reversed(options.items()):
            shown = f"{default:g}".replace(".", ",") if isinstance(default, float) else str(default)
            command = click.option(name, type=kind, default=default, metavar="N",
                                   help=f"{text} По умолчанию {shown}.")(command)
        return command

    return decorate
