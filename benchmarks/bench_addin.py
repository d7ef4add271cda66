"""Benchmark: «Проверить книгу» server-side on a 5,000-answer measurements workbook (Office.js payload -> actions).

Prints wall times (median of rounds) of the request through xlwings Server's endpoint and of the
action alone on `xw.Book(json=...)`, with ratios to a baseline measured in the same run: the core
check of the same file (`check_file`, what `cxexcel validate` does in-process).
Budget (issue 5): under 1.5 s for the request. The payload is built as Excel sends it, by the
test helper tests/addin_payload.py. Usage: python benchmarks/bench_addin.py [--answers 5000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# xlwings reads its licence key when first imported (PolyForm Noncommercial for its remote engine)
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from cxexcel.forms import catalog
from cxexcel.template import build_workbook
from cxexcel.validate import check_file

BUDGET_SECONDS = 1.5
# every OFF_SCALE_EVERY-th answer is off its scale: a realistic handful of marked cells
OFF_SCALE_EVERY = 250


def make_workbook(path: Path, answers: int, off_scale_every: int | None = OFF_SCALE_EVERY) -> Path:
    """A measurements workbook of `answers` rows; every `off_scale_every`-th value is off its scale."""
    rows = [{"date": dt.date(2021, 8, 1) + dt.timedelta(days=i % 90), "touchpoint_code": f"ТК-{1 + i % 25:02d}",
             "channel": catalog.CHANNELS[i % 4], "method": catalog.METHODS[i % 3],
             "metric": catalog.METRIC_NAMES[i % 3],
             "value": 99 if off_scale_every and i % off_scale_every == 0 else 1 + i % 5,
             "respondent": f"R{i:05d}", "client_category": "Соискатель",
             "comment": "Удобно, но долго ждал" if i % 7 == 0 else None}
            for i in range(answers)]
    title = {"region": "Пермский край", "czn": "ГКУ ЦЗН г. Перми", "responsible": "Иванова М.П.",
             "report_date": dt.date(2021, 11, 1)}
    return build_workbook("measurements", path, data={"Замеры": rows, catalog.TITLE_SHEET: title})


def timed(fn: Callable[[], Any], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class AddinTimes:
    """«Проверить книгу» on one workbook: medians in seconds, and what the request carried."""

    baseline_s: float
    action_s: float
    request_s: float
    request_mb: float
    marked: int


def time_check_workbook(path: Path, rounds: int) -> AddinTimes:
    """Time «Проверить книгу» on the workbook at path: the request, the action alone, and check_file as baseline."""
    import xlwings as xw
    from addin_payload import payload_from_xlsx
    from starlette.testclient import TestClient

    from cxexcel.addin.actions import perform
    from cxexcel.addin.server import ServerConfig, create_app

    payload = payload_from_xlsx(path)
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    client = TestClient(create_app(ServerConfig(public_url="http://localhost:8000")))
    response = client.post("/xlwings/custom-scripts-call/check_workbook", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    marked = sum(a["func"] == "addNote" for a in response.json()["actions"])

    def request() -> None:
        client.post("/xlwings/custom-scripts-call/check_workbook", content=body,
                    headers={"content-type": "application/json"}).raise_for_status()

    def action() -> None:
        book = xw.Book(json=copy.deepcopy(payload))
        perform("check_workbook", book, desktop=False)
        json.dumps(book.json())
        book.close()

    return AddinTimes(timed(lambda: check_file(path), rounds), timed(action, rounds), timed(request, rounds),
                      len(body) / 1e6, marked)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = time_check_workbook(make_workbook(Path(tmp) / "Замеры.xlsx", args.answers), args.rounds)
    baseline = times.baseline_s
    print(f"workbook: {args.answers} answers, request {times.request_mb:.1f} MB, {times.marked} cells marked")
    print(f"baseline check_file (cxexcel validate core):   {baseline:.3f} s  1.00")
    print(f"action on xw.Book(json=...):                   {times.action_s:.3f} s  {times.action_s / baseline:.2f}")
    print(f"request through xlwings Server (payload -> actions): {times.request_s:.3f} s  "
          f"{times.request_s / baseline:.2f}  budget {BUDGET_SECONDS} s: "
          f"{'within' if times.request_s < BUDGET_SECONDS else 'OVER'}")


if __name__ == "__main__":
    main()
