"""The pilot programme (regulation items, deadlines, cadence) as validated package data."""

from cxexcel.programme.model import (
    DEFAULT_PROGRAMME_FILE,
    Programme,
    ProgrammeError,
    ProgrammeItem,
    default_programme,
    load_programme,
)

__all__ = [
    "DEFAULT_PROGRAMME_FILE",
    "Programme",
    "ProgrammeError",
    "ProgrammeItem",
    "default_programme",
    "load_programme",
]
