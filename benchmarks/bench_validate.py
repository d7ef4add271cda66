"""Benchmark: `cxexcel validate` of one 5,000-answer measurements workbook, as a whole process.

Prints wall times (median of rounds) and ratios to baselines measured in the same run:
the interpreter starting and importing cxexcel, and the floor of unzipping the sheet XML
and parsing it with no handlers. Budget (issue 3): under 1 s for the whole process.
Usage: python benchmarks/bench_validate.py [--answers 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
import xml.parsers.expat
import zipfile
from pathlib import Path

from cxexcel.forms import catalog
from cxexcel.template import build_workbook


def make_workbook(path: Path, answers: int) -> Path:
    rows = [{"date": dt.date(2021, 8, 1) + dt.timedelta(days=i % 90), "touchpoint_code": f"ТК-{1 + i % 25:02d}",
             "channel": catalog.CHANNELS[i % 4], "method": catalog.METHODS[i % 3],
             "metric": catalog.METRIC_NAMES[i % 3], "value": 1 + i % 5, "respondent": f"R{i:05d}",
             "client_category": "Соискатель", "comment": "Удобно, но долго ждал" if i % 7 == 0 else None}
            for i in range(answers)]
    title = {"region": "Пермский край", "czn": "ГКУ ЦЗН г. Перми", "responsible": "Иванова М.П.",
             "report_date": dt.date(2021, 11, 1)}
    return build_workbook("measurements", path, data={"Замеры": rows, catalog.TITLE_SHEET: title})


def timed(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_parse(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                xml.parsers.expat.ParserCreate().Parse(z.read(name), True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = make_workbook(Path(tmp) / "Замеры.xlsx", args.answers)
        exe = [sys.executable, "-m", "cxexcel"]
        validate_s = timed(lambda: subprocess.run([*exe, "validate", str(path)], capture_output=True), args.rounds)
        startup_s = timed(lambda: subprocess.run([sys.executable, "-c", "import cxexcel.validate"],
                                                 capture_output=True), args.rounds)
        floor_s = timed(lambda: floor_parse(path), args.rounds)
    print(f"answers: {args.answers}, rounds: {args.rounds} (medians)")
    print(f"cxexcel validate (whole process): {validate_s:.3f} s   budget 1.0 s: {'OK' if validate_s < 1 else 'OVER'}")
    print(f"baseline python + import:         {startup_s:.3f} s   ratio {validate_s / startup_s:.2f}")
    print(f"floor unzip + expat (in process): {floor_s:.3f} s   ratio {validate_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
