"""Tolerant comparison of what people type: case, spaces, ё/е, quotes, Latin look-alikes."""

from __future__ import annotations

import functools
import re
import unicodedata

# Latin letters that look like Cyrillic ones: a user who types "Bыполнено" with a Latin "B"
# means «Выполнено». Applied after casefold, so only lower-case forms are needed.
_LOOKALIKES = str.maketrans(
    {
        "a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "k": "к", "m": "м",
        "o": "о", "p": "р", "t": "т", "x": "х", "y": "у", "ё": "е",
    }
)
_SPACES = re.compile(r"\s+")
_QUOTES = re.compile(r"[«»\"'“”„‘’`]")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})


def clean_text(value: str) -> str:
    """Collapse every kind of white space (non-breaking too) and trim; keep the spelling."""
    return _SPACES.sub(" ", value.replace("\u00a0", " ")).strip()


_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")
# thousands of cells repeat a few dozen values: remember the answers
@functools.lru_cache(maxsize=1 << 16)
def normalize_title(value: str) -> str:
    """A header or label as compared: case, spaces, ё/е and a trailing "*" ignored."""
    text = clean_text(unicodedata.normalize("NFC", value)).casefold().replace("ё", "е")
    return text.rstrip("*").rstrip()


_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")
# thousands of cells repeat a few dozen values: remember the answers
@functools.lru_cache(maxsize=1 << 16)
def normalize_choice(value: str) -> str:
    """A closed-list value as compared: also Latin look-alike letters and dash kinds ignored."""
    text = clean_text(unicodedata.normalize("NFC", value)).casefold()
    return _SPACES.sub(" ", text.translate(_LOOKALIKES).translate(_DASHES).replace(" - ", "-")).strip()


_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")
# thousands of cells repeat a few dozen values: remember the answers
@functools.lru_cache(maxsize=1 << 16)
def normalize_name(value: str) -> str:
    """An organisation's name as compared: quotes dropped too («ЦЗН» and ЦЗН are one)."""
    return _SPACES.sub(" ", normalize_choice(_QUOTES.sub(" ", value))).strip()


_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d) | (?!\d)")
# thousands of cells repeat a few dozen values: remember the answers
@functools.lru_cache(maxsize=1 << 16)
def normalize_unit_name(value: str) -> str:
    """A region's or centre's name as files of one unit are matched (FORMS.md §2): `normalize_name` with no
    white space at all, since «г.Курска» and «г. Курска» are one centre however the space was typed."""
    # a space between two digits is kept: «ЦЗН № 1 1» and «ЦЗН № 11» are not one centre
    return _SPACE_NOT_BETWEEN_DIGITS.sub("", normalize_name(value))


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    """0-based row and column -> A1 reference."""
    return f"{column_letter(col)}{row + 1}"


def parse_cell_ref(ref: str) -> tuple[int, int]:
    """A1 reference -> 0-based (row, column)."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", ref.strip())
    if not match:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in match.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1
