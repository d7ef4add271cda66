"""Benchmark: `cxexcel validate` of one 5,000-answer measurements workbook, as a whole process.

Prints wall times (median of rounds) and ratios to baselines measured in the same run:
the interpreter starting and importing cxexcel, and the floor of unzipping the sheet XML
and parsing it with no handlers. Budget (issue 3): under 1 s for the whole process.
Usage: python benchmarks/bench_validate.py [--answers 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import xml.parsers.expat
import zipfile
from pathlib import Path

# the same workbook builder and timer as the add-in benchmark (run as a script, this folder is on sys.path)
from bench_addin import make_workbook, timed


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
        path = make_workbook(Path(tmp) / "Замеры.xlsx", args.answers, off_scale_every=None)
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
