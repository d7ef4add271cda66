"""The `cxexcel` command line: a thin click shell over the core calls."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from cxexcel import __version__
from cxexcel.cli import russian
from cxexcel.workers import start_early

# command name -> "module:function"; modules are imported only when their command runs,
# so `cxexcel --help` stays fast and a missing optional extra breaks only its own command
COMMANDS: dict[str, str] = {
    "templates": "cxexcel.cli.templates:templates",
    "addin": "cxexcel.cli.addin:addin",
    "validate": "cxexcel.cli.validate:validate_command",
    "consolidate": "cxexcel.cli.consolidate:consolidate_command",
    "demo": "cxexcel.cli.demo:demo",
    "serve": "cxexcel.cli.serve:serve",
}
# commands that check files in worker processes: their fork server is started before their modules are imported
POOLED_COMMANDS = frozenset({"consolidate", "demo"})
HELP_OPTIONS = ("-h", "--help")


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        _russian_metavars(command)
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        # called only to run a command (a help listing calls get_command alone)
        if args and args[0] in POOLED_COMMANDS and _will_use_workers(args[1:]):
            # the server imports the checking code on the other core while this process imports the command's
            start_early()
        return super().resolve_command(ctx, args)


def _will_use_workers(args: list[str]) -> bool:
    """Whether a pooled command's arguments ask for worker processes, read before click parses them. A wrong
    guess costs little either way: an idle server, or one that `consolidate()` starts itself a little later."""
    if any(a in HELP_OPTIONS for a in args):
        return False
    jobs: str | None = None
    for i, arg in enumerate(args):
        if arg == "--jobs" and i + 1 < len(args):
            jobs = args[i + 1]
        elif arg.startswith("--jobs="):
            jobs = arg.partition("=")[2]
    if jobs is None:
        return (os.cpu_count() or 1) > 1
    try:
        return int(jobs.strip()) > 1
    except ValueError:
        return False  # click will say what is wrong with it


def _russian_metavars(command: click.Command) -> None:
    command.options_metavar = "[ПАРАМЕТРЫ]"
    if isinstance(command, click.Group):
        command.subcommand_metavar = "КОМАНДА [АРГУМЕНТЫ]..."
        for sub in command.commands.values():
            _russian_metavars(sub)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxexcel", message="%(prog)s %(version)s",
                      help="Показать версию и выйти.")
def cli() -> None:
    """cxexcel — стандартные книги, проверка и свод пилотной апробации
    системы управления клиентским опытом (путь клиента)."""


_russian_metavars(cli)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: no traceback ever reaches a user; it goes to a log file instead."""
    russian.install()
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        return cli.main(args=argv, prog_name="cxexcel", standalone_mode=True)
    except SystemExit:
        raise
    except BrokenPipeError:
        # the reader of our output went away (`… | head`): nothing to tell anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("Прервано пользователем.", err=True)
        sys.exit(130)
    except Exception:
        log = Path.home() / ".cxexcel-error.log"
        try:
            log.write_text(traceback.format_exc(), encoding="utf-8")
            where = f" Подробности записаны в {log}."
        except OSError:
            where = ""
        click.echo(
            "Внутренняя ошибка cxexcel. Сообщите о ней разработчикам, приложив команду и файлы." + where,
            err=True,
        )
        sys.exit(3)
