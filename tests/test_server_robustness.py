"""The add-in server under bad and concurrent requests: Russian 4xx for every malformed call, no state kept
between requests, and a bounded loopback load test with a mix of valid and malformed calls."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("xlwings_server") is None:  # not imported here: it reads its settings on import
    pytest.skip("xlwings Server is not installed (pip install \"cxexcel[server]\")", allow_module_level=True)

import httpx
import xlwings as xw
from addin_payload import payload_from_xlsx
from samples import sample_data, write_sample
from starlette.testclient import TestClient

from cxexcel.addin.actions import perform
from cxexcel.addin.server import ServerConfig, create_app
from cxexcel.addin.server.guard import RequestGuard, validate_payload

# the same settings as test_addin_server.py: one process holds one xlwings Server configuration
CONFIG = ServerConfig(public_url="http://localhost:8765", max_request_bytes=2 * 1024 * 1024)
SCRIPT = "/xlwings/custom-scripts-call/check_workbook"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
ENGLISH_FRAMEWORK = ("Not Found", "Method Not Allowed", "An error occurred", "Traceback", "Internal Server Error",
                     "Unprocessable", "detail\": \"Field required", "Expecting value")


@pytest.fixture(autouse=True)
def _licence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(CONFIG), raise_server_exceptions=False) as test_client:
        yield test_client


def measurements_with_error(folder: Path, name: str, row_index: int) -> Path:
    """A measurements workbook whose only error is an out-of-scale value in data row `row_index`."""
    rows = sample_data("measurements")["Замеры"]
    rows[row_index]["value"] = 9
    return write_sample("measurements", folder / name, **{"Замеры": rows})


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Two workbooks with their errors in different cells: F7 and F3."""
    folder = tmp_path_factory.mktemp("books")
    return {"A": payload_from_xlsx(measurements_with_error(folder, "A.xlsx", 5)),
            "B": payload_from_xlsx(measurements_with_error(folder, "B.xlsx", 1))}


def direct(payload: dict[str, Any]) -> dict[str, Any]:
    book = xw.Book(json=copy.deepcopy(payload))
    try:
        perform("check_workbook", book, desktop=False)
        return book.json()
    finally:
        book.close()


@pytest.fixture(scope="module")
def expected(books: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key: direct(payload) for key, payload in books.items()}


def noted_cells(answer: dict[str, Any]) -> set[str]:
    return {a["args"][0] for a in answer["actions"] if a["func"] == "addNote"}


def assert_russian_refusal(response: httpx.Response, status: int | tuple[int, ...]) -> str:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and CYRILLIC.search(detail), detail
    assert not any(word in response.text for word in ENGLISH_FRAMEWORK), response.text
    return detail


def _sheet(payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    bad = copy.deepcopy(payload)
    bad["sheets"][0].update(changes)
    return bad


def _without(payload: dict[str, Any], *path: str | int) -> dict[str, Any]:
    bad = copy.deepcopy(payload)
    target: Any = bad
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return bad


def _with(payload: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**copy.deepcopy(payload), key: value}


JSON = {"content-type": "application/json"}
# name → (how to build the request from a good payload, expected status, a word the message must contain)
Request = Callable[[dict[str, Any]], dict[str, Any]]
BAD_REQUESTS: dict[str, tuple[Request, int, str]] = {
    "malformed JSON": (lambda p: {"content": b'{"client": "Office.js", ', "headers": JSON}, 400, "JSON"),
    "truncated JSON": (lambda p: {"content": json.dumps(p).encode()[:-7], "headers": JSON}, 400, "JSON"),
    "empty body": (lambda p: {"content": b"", "headers": JSON}, 400, "пустое"),
    "not UTF-8": (lambda p: {"content": b'{"client": "\xff\xfe"}', "headers": JSON}, 400, "UTF-8"),
    "NaN": (lambda p: {"content": b'{"client": NaN}', "headers": JSON}, 400, "JSON"),
    "huge nesting": (lambda p: {"content": b"[" * 100_000 + b"]" * 100_000, "headers": JSON}, 400, "вложенность"),
    "nesting under the parser's limit": (
        lambda p: {"json": {**p, "names": [{"name": "x", "nested": json.loads("[" * 500 + "]" * 500)}]}}, 422,
        "вложенность"),
    "body is a list": (lambda p: {"json": [p]}, 422, "объектом JSON"),
    "body is a string": (lambda p: {"json": "книга"}, 422, "объектом JSON"),
    "body is a number": (lambda p: {"json": 42}, 422, "объектом JSON"),
    "body is null": (lambda p: {"content": b"null", "headers": JSON}, 422, "объектом JSON"),
    "empty object": (lambda p: {"json": {}}, 422, "client"),
    "not from Office.js": (lambda p: {"json": _with(p, "client", "VBA")}, 422, "Office.js"),
    "no sheets": (lambda p: {"json": _without(p, "sheets")}, 422, "sheets"),
    "sheets not a list": (lambda p: {"json": _with(p, "sheets", {"Замеры": []})}, 422, "sheets"),
    "sheets empty": (lambda p: {"json": _with(p, "sheets", [])}, 422, "sheets"),
    "sheet not an object": (lambda p: {"json": _with(p, "sheets", ["Замеры"])}, 422, "sheets[0]"),
    "no book": (lambda p: {"json": _without(p, "book")}, 422, "book"),
    "book a string": (lambda p: {"json": _with(p, "book", "Замеры.xlsx")}, 422, "book"),
    "book name missing": (lambda p: {"json": _without(p, "book", "name")}, 422, "book.name"),
    "active sheet out of range": (
        lambda p: {"json": {**p, "book": {**p["book"], "active_sheet_index": 99}}}, 422, "active_sheet_index"),
    "sheet name a number": (lambda p: {"json": _sheet(p, name=5)}, 422, "name"),
    "sheet without values": (lambda p: {"json": _without(p, "sheets", 0, "values")}, 422, "values"),
    "values a string": (lambda p: {"json": _sheet(p, values="A1")}, 422, "values"),
    "values 1-D": (lambda p: {"json": _sheet(p, values=[1, 2, 3])}, 422, "values[0]"),
    "values ragged": (lambda p: {"json": _sheet(p, values=[[1, 2], [3]])}, 422, "разной длины"),
    "cell an object": (lambda p: {"json": _sheet(p, values=[[{"v": 1}]])}, 422, "values[0][0]"),
    "cell nested lists": (lambda p: {"json": _sheet(p, values=[[[[[1]]]]])}, 422, "values[0][0]"),
    "visibility unknown": (lambda p: {"json": _sheet(p, visibility="Invisible")}, 422, "visibility"),
    "notes not a list": (lambda p: {"json": _sheet(p, notes="F7")}, 422, "notes"),
    "duplicate sheets": (lambda p: {"json": _with(p, "sheets", p["sheets"] + p["sheets"][:1])}, 422, "дважды"),
    "names not a list": (lambda p: {"json": _with(p, "names", {"x": 1})}, 422, "names"),
    "arguments": (lambda p: {"json": _with(p, "args", ["F7"])}, 422, "параметров"),
    "args not a list": (lambda p: {"json": _with(p, "args", "F7")}, 422, "параметров"),
    "text/plain": (lambda p: {"content": json.dumps(p).encode(), "headers": {"content-type": "text/plain"}}, 415,
                   "JSON"),
    "form": (lambda p: {"data": {"bookData": json.dumps(p)}}, 415, "JSON"),
    "no content type": (lambda p: {"content": json.dumps(p).encode()}, 415, "JSON"),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_a_bad_request_gets_a_russian_4xx_and_the_server_goes_on(case: str, client: TestClient,
                                                                 books: dict[str, dict[str, Any]],
                                                                 expected: dict[str, dict[str, Any]]) -> None:
    build, status, word = BAD_REQUESTS[case]
    detail = assert_russian_refusal(client.post(SCRIPT, **build(books["A"])), status)
    assert word in detail
    good = client.post(SCRIPT, json=books["A"])
    assert good.status_code == 200 and good.json() == expected["A"]


@pytest.mark.parametrize(("method", "path", "status", "word"), [
    ("POST", "/xlwings/custom-scripts-call/no_such_button", 404, "no_such_button"),
    ("POST", "/xlwings/custom-scripts-call/run_action", 404, "Неизвестное действие"),  # a helper, not a script
    ("POST", "/xlwings/custom-scripts-call/__init__", 404, "Неизвестное действие"),
    ("POST", "/xlwings/custom-scripts-call/consolidate_folder", 404, "настольной надстройке"),
    ("POST", "/xlwings/custom-scripts-call/", 404, "Неизвестное действие"),
    ("POST", "/xlwings/custom-functions-call", 404, "Функции листа"),
    ("GET", SCRIPT, 405, "POST"),
    ("PUT", SCRIPT, 405, "POST"),
    ("DELETE", SCRIPT, 405, "POST"),
    ("POST", "/", 405, "метод"),
    ("POST", "/manifest.xml", 405, "метод"),
    ("GET", "/no/such/page", 404, "нет такого адреса"),
    ("GET", "/static/no-such-file.js", 404, "нет такого адреса"),
])
def test_unknown_names_and_wrong_methods_are_refused_in_russian(method: str, path: str, status: int, word: str,
                                                                client: TestClient,
                                                                books: dict[str, dict[str, Any]]) -> None:
    response = client.request(method, path, json=books["A"] if method in ("POST", "PUT") else None)
    assert word in assert_russian_refusal(response, status)
    if status == 405 and path == SCRIPT:
        assert response.headers["allow"] == "POST"


def test_a_cors_preflight_still_reaches_xlwings_server(client: TestClient) -> None:
    response = client.options(SCRIPT, headers={"origin": "https://excel.officeapps.live.com",
                                               "access-control-request-method": "POST"})
    assert response.status_code != 405


def test_a_streamed_oversized_body_is_still_refused_with_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"client": "Office.js", "x": "'
        for _ in range(3):
            yield b"a" * 1024 * 1024
        yield b'"}'

    response = client.post(SCRIPT, content=chunks(), headers=JSON)  # chunked: no Content-Length to refuse by
    assert "слишком велика" in assert_russian_refusal(response, 413)


def test_a_crash_behind_the_guard_is_a_russian_500() -> None:
    async def crashing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("секретное значение ячейки")

    test = TestClient(RequestGuard(crashing, "", ["check_workbook"], {}), raise_server_exceptions=False)
    response = test.get("/")
    detail = assert_russian_refusal(response, 500)
    assert "секретное" not in response.text and "Внутренняя ошибка" in detail


def test_the_real_client_payload_passes_validation(books: dict[str, dict[str, Any]]) -> None:
    for payload in books.values():
        validate_payload(payload)
    excluded = copy.deepcopy(books["A"])  # what Office.js sends for a sheet left out by @script(include=...)
    excluded["sheets"][0].update(values=[[]], tables=[], pictures=[], shapes=[], pivot_tables=None)
    validate_payload(excluded)


def test_two_workbooks_one_after_the_other_get_their_own_answers(client: TestClient,
                                                                 books: dict[str, dict[str, Any]],
                                                                 expected: dict[str, dict[str, Any]]) -> None:
    assert noted_cells(expected["A"]) == {"$F$7"} and noted_cells(expected["B"]) == {"$F$3"}
    for key in ("A", "B", "A", "B", "B", "A"):
        response = client.post(SCRIPT, json=books[key])
        assert response.status_code == 200
        assert response.json() == expected[key], key


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """The real app under uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(CONFIG), host="127.0.0.1", port=port, log_level="warning",
                                           server_header=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


CLIENTS, REQUESTS_EACH, TIME_BOUND = 4, 25, 60.0
MALFORMED = ["malformed JSON", "body is a list", "values 1-D", "sheets not a list", "huge nesting", "text/plain"]


def test_concurrent_clients_on_loopback_all_get_their_answers(live_server: str,
                                                              books: dict[str, dict[str, Any]],
                                                              expected: dict[str, dict[str, Any]]) -> None:
    """4 clients × 25 requests, interleaving workbooks A and B with malformed calls, within 60 s."""
    plan = []
    for worker in range(CLIENTS):
        calls = []
        for i in range(REQUESTS_EACH):
            if i % 3 == 2:
                calls.append(("bad", MALFORMED[(worker + i) % len(MALFORMED)]))
            else:
                calls.append(("good", "AB"[(worker + i) % 2]))
        plan.append(calls)
    started = time.monotonic()

    def run(calls: list[tuple[str, str]]) -> list[tuple[str, str, httpx.Response]]:
        results = []
        with httpx.Client(base_url=live_server, timeout=TIME_BOUND) as http:
            for kind, name in calls:
                assert time.monotonic() - started < TIME_BOUND, "load test over its time bound"
                if kind == "good":
                    response = http.post(SCRIPT, json=books[name])
                else:
                    response = http.post(SCRIPT, **BAD_REQUESTS[name][0](books["A"]))
                results.append((kind, name, response))
        return results

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [r for batch in pool.map(run, plan) for r in batch]
    elapsed = time.monotonic() - started
    assert len(answers) == CLIENTS * REQUESTS_EACH
    assert elapsed < TIME_BOUND
    good = 0
    for kind, name, response in answers:
        if kind == "good":
            assert response.status_code == 200, response.text[:300]
            assert response.json() == expected[name], name
            good += 1
        else:
            assert BAD_REQUESTS[name][2] in assert_russian_refusal(response, BAD_REQUESTS[name][1])
    with httpx.Client(base_url=live_server, timeout=10) as http:
        assert http.get("/").json() == {"status": "ok"}  # still answering afterwards
    print(f"\nload test: {len(answers)} requests ({good} checks, {len(answers) - good} malformed) from {CLIENTS} "
          f"clients in {elapsed:.2f} s: {len(answers) / elapsed:.1f} requests/s")
