"""Finding a subject of the Russian Federation in the official list from what a user typed."""

from __future__ import annotations

import difflib
import re

from cxexcel.forms import catalog

_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})


def _normalized(name: str) -> str:
    text = name.casefold().replace("ё", "е").translate(_DASHES).replace("\u00a0", " ")
    return _SPACES.sub(" ", text.replace(" - ", "-").replace(" -", "-").replace("- ", "-")).strip()


_BY_NORMALIZED = {_normalized(region): region for region in catalog.REGIONS}


def find_region(typed: str) -> str | None:
    """The official name of the region the user meant (case, spaces, ё/е, dashes ignored), or None."""
    return _BY_NORMALIZED.get(_normalized(typed))


def similar_regions(typed: str, limit: int = 5) -> list[str]:
    """Official names that look like what the user typed, best first, for an error message."""
    wanted = _normalized(typed)
    close = difflib.get_close_matches(wanted, _BY_NORMALIZED, n=limit, cutoff=0.5)
    # a single word such as "Пермский" should find "Пермский край" even when difflib does not
    contained = [norm for norm in _BY_NORMALIZED if wanted and wanted in norm and norm not in close]
    return [_BY_NORMALIZED[norm] for norm in (*close, *contained)][:limit]
