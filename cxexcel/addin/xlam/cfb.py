"""A minimal MS-CFB (compound file) writer: version 3, 512-byte sectors, mini stream, no DIFAT sectors."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_ENTRY = 128
_FAT_PER_SECTOR = SECTOR // 4
_HEADER_DIFAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class Stream:
    name: str
    data: bytes


@dataclass
class Storage:
    name: str
    children: list[Storage | Stream] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # 2.6.4: a shorter name sorts first; equal lengths compare upper-cased code points
    return (len(name), name.upper())


def _check_name(name: str) -> None:
    if not 0 < len(name) <= 31 or any(ch in name for ch in "/\\:!"):
        raise ValueError(f"invalid compound-file entry name: {name!r}")


def _link_siblings(entries: list[_Entry], ids: list[int]) -> int:
    """Arrange one storage's children as a balanced binary search tree coloured as a red-black tree.

    Built by halving the sorted list, every leaf sits on the deepest or the next level; painting
    only the deepest level red keeps the black height equal on every path.
    """
    ids = sorted(ids, key=lambda i: _sort_key(entries[i].name))
    for a, b in itertools.pairwise(ids):
        if _sort_key(entries[a].name) == _sort_key(entries[b].name):
            raise ValueError(f"duplicate compound-file entry name: {entries[a].name!r}")
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = ids[mid]
        depth_of[node] = depth
        entries[node].left = build(lo, mid, depth + 1)
        entries[node].right = build(mid + 1, hi, depth + 1)
        return node

    root = build(0, len(ids), 0)
    if depth_of:
        deepest = max(depth_of.values())
        perfect = len(ids) == 2 ** (deepest + 1) - 1
        for node, depth in depth_of.items():
            entries[node].color = _RED if depth == deepest and deepest > 0 and not perfect else _BLACK
    return root


def _flatten(root: Storage) -> list[_Entry]:
    entries = [_Entry("Root Entry", _ROOT)]
    pending: list[tuple[int, Storage]] = [(0, root)]
    while pending:
        parent, storage = pending.pop(0)
        for child in storage.children:
            _check_name(child.name)
            entries[parent].children.append(len(entries))
            if isinstance(child, Stream):
                entries.append(_Entry(child.name, _STREAM, data=child.data, size=len(child.data)))
            else:
                entries.append(_Entry(child.name, _STORAGE, start=0))
                pending.append((len(entries) - 1, child))
    for entry in entries:
        if entry.children:
            entry.child = _link_siblings(entries, entry.children)
    return entries


def _chain(table: list[int], first: int, count: int) -> None:
    for i in range(count):
        table[first + i] = first + i + 1 if i + 1 < count else ENDOFCHAIN


def _entry_bytes(entry: _Entry | None) -> bytes:
    if entry is None:
        return (
            bytes(64)
            + bytes(2)
            + bytes([0, 0])
            + NOSTREAM.to_bytes(4, "little") * 3
            + bytes(16 + 4 + 16)
            + bytes(4)
            + bytes(8)
        )
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return b"".join(
        [
            name.ljust(64, b"\x00"),
            len(name).to_bytes(2, "little"),
            bytes([entry.kind, entry.color]),
            entry.left.to_bytes(4, "little"),
            entry.right.to_bytes(4, "little"),
            entry.child.to_bytes(4, "little"),
            bytes(16),  # CLSID
            bytes(4),  # state bits
            bytes(16),  # creation and modification times
            entry.start.to_bytes(4, "little"),
            entry.size.to_bytes(8, "little"),
        ]
    )


def write_compound_file(root: Storage) -> bytes:
    """The bytes of a compound file whose root storage holds `root.children` (its name is ignored)."""
    entries = _flatten(root)

    # streams under the cutoff live in the mini stream (the root entry's data), in 64-byte mini sectors
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != _STREAM or entry.size == 0:
            continue
        if entry.size < MINI_CUTOFF:
            count = math.ceil(entry.size / MINI_SECTOR)
            entry.start = len(mini_fat)
            mini_fat.extend([FREESECT] * count)
            _chain(mini_fat, entry.start, count)
            mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\x00")
        else:
            big.append(entry)

    dir_sectors = math.ceil(len(entries) * _ENTRY / SECTOR)
    minifat_sectors = math.ceil(len(mini_fat) * 4 / SECTOR)
    ministream_sectors = math.ceil(len(mini_stream) / SECTOR)
    big_sectors = [math.ceil(entry.size / SECTOR) for entry in big]
    others = dir_sectors + minifat_sectors + ministream_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * _FAT_PER_SECTOR < fat_sectors + others:
        fat_sectors += 1
    if fat_sectors > _HEADER_DIFAT:
        raise ValueError("compound file too large for this writer (it writes no DIFAT sectors)")

    fat = [FREESECT] * (fat_sectors * _FAT_PER_SECTOR)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    cursor = fat_sectors
    dir_start = cursor
    _chain(fat, cursor, dir_sectors)
    cursor += dir_sectors
    minifat_start = cursor if minifat_sectors else ENDOFCHAIN
    _chain(fat, cursor, minifat_sectors)
    cursor += minifat_sectors
    if ministream_sectors:
        entries[0].start = cursor
        entries[0].size = len(mini_stream)
        _chain(fat, cursor, ministream_sectors)
        cursor += ministream_sectors
    for entry, count in zip(big, big_sectors, strict=True):
        entry.start = cursor
        _chain(fat, cursor, count)
        cursor += count

    header = b"".join(
        [
            bytes.fromhex("D0CF11E0A1B11AE1"),
            bytes(16),  # CLSID
            (0x003E).to_bytes(2, "little"),  # minor version
            (0x0003).to_bytes(2, "little"),  # major version 3: 512-byte sectors
            (0xFFFE).to_bytes(2, "little"),  # byte order: little-endian
            (9).to_bytes(2, "little"),  # sector shift
            (6).to_bytes(2, "little"),  # mini sector shift
            bytes(6),
            (0).to_bytes(4, "little"),  # directory sectors: must be 0 in version 3
            fat_sectors.to_bytes(4, "little"),
            dir_start.to_bytes(4, "little"),
            (0).to_bytes(4, "little"),  # transaction signature
            MINI_CUTOFF.to_bytes(4, "little"),
            minifat_start.to_bytes(4, "little"),
            minifat_sectors.to_bytes(4, "little"),
            ENDOFCHAIN.to_bytes(4, "little"),  # first DIFAT sector: none
            (0).to_bytes(4, "little"),
            b"".join(i.to_bytes(4, "little") for i in range(fat_sectors)),
            FREESECT.to_bytes(4, "little") * (_HEADER_DIFAT - fat_sectors),
        ]
    )
    assert len(header) == SECTOR

    def pad(blob: bytes | bytearray, sectors: int) -> bytes:
        return bytes(blob).ljust(sectors * SECTOR, b"\x00")

    directory = b"".join(_entry_bytes(e) for e in entries)
    directory += _entry_bytes(None) * (dir_sectors * SECTOR // _ENTRY - len(entries))
    body = [
        header,
        b"".join(i.to_bytes(4, "little") for i in fat),
        directory,
        pad(b"".join(i.to_bytes(4, "little") for i in mini_fat), minifat_sectors) if minifat_sectors else b"",
        pad(mini_stream, ministream_sectors),
    ]
    body += [pad(entry.data, count) for entry, count in zip(big, big_sectors, strict=True)]
    return b"".join(body)
