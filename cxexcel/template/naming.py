"""File names of generated workbooks: the kind's title plus the region or centre, safe on any disk."""

from __future__ import annotations

import re

from cxexcel.fileio import safe_file_name, safe_name_part
from cxexcel.forms import Level, WorkbookKind

# a straight double quote is dropped rather than replaced, so «ГКУ "ЦЗН г. Перми"» reads «ГКУ ЦЗН г. Перми»
_SPACES = re.compile(r"\s+")
# leaves room for the folder path within Windows' 260-character limit
_MAX_PART = 120
EXTENSION = ".xlsx"


def _safe_part(text: str) -> str:
    # separators, "..", control and format characters, Windows' forbidden characters: see safe_name_part
    return safe_name_part(_SPACES.sub(" ", text.replace('"', "")))[:_MAX_PART].rstrip(" .")


def template_filename(kind: WorkbookKind, region: str | None = None, czn: str | None = None) -> str:
    """E.g. "Дорожная карта — Пермский край.xlsx", "Путь клиента — ГКУ ЦЗН г. Перми.xlsx".

    A centre's workbook is named after the centre when one is given, otherwise after the
    region; the federal journal carries neither.
    """
    owner: str | None = None
    if kind.level is Level.CZN:
        owner = czn or region
    elif kind.level is Level.REGION:
        owner = region
    parts = [kind.title]
    if owner and _safe_part(owner):
        parts.append(_safe_part(owner))
    # the whole name within 255 bytes: 120 Cyrillic letters of a centre's name are 240 bytes alone
    return safe_file_name(" — ".join(parts), EXTENSION)
