"""The references consolidation is measured against: a coordinator's naive pandas script, the parse floor,
and the reader cxexcel uses doing nothing but read.

Run as a script so that each is timed as a whole process, like `cxexcel consolidate`:
    python benchmarks/references.py naive FILE_LIST
    python benchmarks/references.py floor FILE_LIST [--jobs N]
    python benchmarks/references.py reader FILE_LIST [--jobs N]
FILE_LIST holds one workbook path a line. Each prints one JSON line with what it did.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import xml.parsers.expat
import zipfile
from collections.abc import Callable
from pathlib import Path

# the measurements sheet of the standard, as a coordinator's script would name it
MEASUREMENTS_SHEET = "Замеры"


def naive_read(paths: list[Path]) -> dict[str, int]:
    """What a coordinator's script does: every sheet of every file with pandas + openpyxl, then concat the answers."""
    import pandas as pd

    answers = []
    failed = 0
    for path in paths:
        try:
            sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
        except Exception:  # a broken file: the script notes it and goes on
            failed += 1
            continue
        if MEASUREMENTS_SHEET in sheets:
            answers.append(sheets[MEASUREMENTS_SHEET])
    frame = pd.concat(answers, ignore_index=True) if answers else pd.DataFrame()
    return {"files": len(paths), "failed": failed, "answer_rows": len(frame)}


def _xml_members(archive: zipfile.ZipFile) -> list[str]:
    return [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet") or n == "xl/sharedStrings.xml"]


def parse_floor_one(path: Path) -> int:
    """Unzip every sheet's XML and the shared strings and parse them with expat, no handlers; returns bytes parsed."""
    parsed = 0
    try:
        with zipfile.ZipFile(path) as archive:
            for name in _xml_members(archive):
                data = archive.read(name)
                xml.parsers.expat.ParserCreate().Parse(data, True)
                parsed += len(data)
    except (zipfile.BadZipFile, OSError, xml.parsers.expat.ExpatError):
        return 0  # the floor does not care why a file is broken
    return parsed


def over_files(one: Callable[[Path], int], paths: list[Path], jobs: int) -> list[int]:
    """`one` of every path, in `jobs` processes."""
    if jobs <= 1:
        return [one(p) for p in paths]
    # this process holds no threads, so fork is safe here and starts fastest
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(one, paths, chunksize=4)


def parse_floor(paths: list[Path], jobs: int) -> dict[str, int]:
    parsed = over_files(parse_floor_one, paths, jobs)
    return {"files": len(paths), "failed": sum(p == 0 for p in parsed), "xml_mb": round(sum(parsed) / 1e6)}


def reader_one(path: Path) -> int:
    """Every sheet of one workbook as Python values with python-calamine, as cxexcel reads them; returns cells."""
    import python_calamine

    cells = 0
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(row) for row in rows)
    except Exception:  # a broken file: the reader's share of it is what it cost to refuse it
        return 0
    return cells


def read_only(paths: list[Path], jobs: int) -> dict[str, int]:
    """The reader alone: what cxexcel's checks, summary and start-up add comes on top of this."""
    cells = over_files(reader_one, paths, jobs)
    return {"files": len(paths), "failed": sum(c == 0 for c in cells), "cells": sum(cells)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("reference", choices=("naive", "floor", "reader"))
    parser.add_argument("file_list", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    paths = [Path(line) for line in args.file_list.read_text(encoding="utf-8").splitlines() if line]
    if args.reference == "naive":
        result = naive_read(paths)
    elif args.reference == "floor":
        result = parse_floor(paths, args.jobs)
    else:
        result = read_only(paths, args.jobs)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
