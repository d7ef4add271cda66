"""What a demo inbox holds: its files with the status consolidation should give them, and the planted mistakes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from cxexcel.issues import Code


class Expected(StrEnum):
    """The status consolidation should give a file (the «Файлы» sheet); a lock file is not listed at all."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    SKIPPED = "skipped"
    IGNORED = "ignored"


@dataclass(frozen=True)
class DemoFile:
    """One file written into the inbox; path is relative to the inbox, with "/" separators."""

    path: str
    kind: str | None
    region: str | None
    czn: str | None
    report_date: dt.date | None
    expected: Expected
    note: str = ""


@dataclass(frozen=True)
class DemoMistake:
    """A mistake planted on purpose, where a check must find it.

    `code` is the issue the validator reports at `sheet`!`cell` of `path`; a code that is only found
    by a check of several files names the other file in `together_with`.
    """

    code: Code
    path: str
    sheet: str
    cell: str
    value: Any
    description: str
    together_with: str | None = None


@dataclass(frozen=True)
class DemoCentre:
    region: str
    # as the journey workbook spells it; other files may spell it differently
    name: str
    spellings: tuple[str, ...]
    touchpoints: int
    tools: int
    answers: int


@dataclass
class DemoManifest:
    folder: Path
    seed: int
    # None: about 2,000 answers per centre, each a little different
    answers_per_centre: int | None
    # the latest «Отчетная дата» of the inbox: what the summary is as of
    report_date: dt.date
    regions: list[str] = field(default_factory=list)
    centres: list[DemoCentre] = field(default_factory=list)
    files: list[DemoFile] = field(default_factory=list)
    mistakes: list[DemoMistake] = field(default_factory=list)

    @property
    def answers(self) -> int:
        return sum(c.answers for c in self.centres)

    def with_status(self, expected: Expected) -> list[DemoFile]:
        return [f for f in self.files if f.expected is expected]

    def file(self, path: str) -> DemoFile:
        return next(f for f in self.files if f.path == path)

    def path(self, demo_file: DemoFile | str) -> Path:
        """The file's location on disk."""
        relative = demo_file.path if isinstance(demo_file, DemoFile) else demo_file
        return self.folder.joinpath(*relative.split("/"))
