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


def make_workbook(path: Path, answers: int) -> Path:
    rows = [{"date": dt.date(2021, 8, 1) + dt.timedelta(days=i % 90), "touchpoint_code": f"ТК-{1 + i % 25:02d}",
             "channel": catalog.CHANNELS[i % 4], "method": catalog.METHODS[i % 3],
             "metric": catalog.METRIC_NAMES[i % 3], "value": 99 if i % OFF_SCALE_EVERY == 0 else 1 + i % 5,
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import xlwings as xw
    from addin_payload import payload_from_xlsx
    from starlette.testclient import TestClient

    from cxexcel.addin.actions import perform
    from cxexcel.addin.server import ServerConfig, create_app

    with tempfile.TemporaryDirectory() as tmp:
        path = make_workbook(Path(tmp) / "Замеры.xlsx", args.answers)
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

        baseline = timed(lambda: check_file(path), args.rounds)
        action_time = timed(action, args.rounds)
        request_time = timed(request, args.rounds)

    print(f"workbook: {args.answers} answers, request {len(body) / 1e6:.1f} MB, {marked} cells marked")
    print(f"baseline check_file (cxexcel validate core):   {baseline:.3f} s  1.00")
    print(f"action on xw.Book(json=...):                   {action_time:.3f} s  {action_time / baseline:.2f}")
    print(f"request through xlwings Server (payload -> actions): {request_time:.3f} s  "
          f"{request_time / baseline:.2f}  budget {BUDGET_SECONDS} s: "
          f"{'within' if request_time < BUDGET_SECONDS else 'OVER'}")


if __name__ == "__main__":
    main()
