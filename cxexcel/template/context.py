"""What every sheet writer of one workbook shares."""

from __future__ import annotations

from dataclasses import dataclass, field

from xlsxwriter.workbook import Workbook

from cxexcel.programme import Programme
from cxexcel.template.lists import ListRegistry
from cxexcel.template.styles import Styles

NOTE_AUTHOR = "cxexcel"


@dataclass
class Book:
    """An open workbook with its formats, its drop-down lists and the programme it follows."""

    workbook: Workbook
    programme: Programme
    styles: Styles = field(init=False)
    lists: ListRegistry = field(init=False, default_factory=ListRegistry)

    def __post_init__(self) -> None:
        self.styles = Styles(self.workbook)
