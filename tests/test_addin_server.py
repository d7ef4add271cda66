"""xlwings Server mode: the endpoints Office.js calls, the manifest, the task pane, limits and `cxexcel serve`."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

if importlib.util.find_spec("xlwings_server") is None:  # not imported here: it reads its settings on import
    pytest.skip("xlwings Server is not installed (pip install \"cxexcel[server]\")", allow_module_level=True)

import httpx  # comes with xlwings Server, like the other imports below
import xlwings as xw
from addin_payload import payload_from_xlsx, perform_on_payload, replay
from click.testing import CliRunner
from samples import write_sample
from starlette.testclient import TestClient
from xlwings.pro import _xlremote

from cxexcel.addin.actions_table import action_ids, action_spec
from cxexcel.addin.marks import CHECK_SHEET
from cxexcel.addin.server import ServerConfig, create_app
from cxexcel.addin.server.manifest import MANIFEST_ID
from cxexcel.cli import cli

PUBLIC_URL = "http://localhost:8765"
MAX_REQUEST = 2 * 1024 * 1024
NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides"}


@pytest.fixture(autouse=True)
def _licence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(ServerConfig(public_url=PUBLIC_URL, max_request_bytes=MAX_REQUEST))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def measurements(tmp_path: Path) -> Path:
    from samples import sample_data

    rows = sample_data("measurements")["Замеры"]
    rows[5]["value"] = 9
    return write_sample("measurements", tmp_path / "Замеры.xlsx", **{"Замеры": rows})


def call(client: TestClient, script: str, payload: dict[str, Any]) -> httpx.Response:
    return client.post(f"/xlwings/custom-scripts-call/{script}", json=payload)


def direct(action_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return perform_on_payload(action_id, payload)


def test_check_through_the_server_is_the_shared_action(client: TestClient, measurements: Path,
                                                       tmp_path: Path) -> None:
    payload = payload_from_xlsx(measurements)
    response = call(client, "check_workbook", payload)
    assert response.status_code == 200
    assert response.json() == direct("check_workbook", payload)
    colours = [a for a in response.json()["actions"] if a["func"] == "setRangeColor"
               and a["start_row"] == 6 and a["start_column"] == 5]
    assert colours and colours[0]["args"] == ["#FFC7CE"]
    player = replay(response.json(), measurements, tmp_path / "marked.xlsx")
    assert player.alerts[-1][0].startswith("Найдено: 1 ошибка")


def test_every_server_action_is_a_script(client: TestClient, measurements: Path) -> None:
    meta = client.get("/xlwings/custom-scripts-meta.json").json()
    assert sorted(m["function_name"] for m in meta) == sorted(action_ids(desktop=False))
    payload = payload_from_xlsx(measurements)
    for action_id in action_ids(desktop=False):
        response = call(client, action_id, payload)
        assert response.status_code == 200, action_id
        assert response.json()["actions"], action_id
    assert call(client, "consolidate_folder", payload).status_code >= 400


def test_next_issue_asks_only_for_the_check_sheet(client: TestClient) -> None:
    meta = {m["function_name"]: m for m in client.get("/xlwings/custom-scripts-meta.json").json()}
    assert meta["next_issue"]["include"] == CHECK_SHEET
    assert 'cxexcelRun("next_issue", "Проверка", event)' in client.get("/cxexcel/ribbon.js").text


def test_nothing_of_the_workbook_stays_after_a_request(client: TestClient, measurements: Path) -> None:
    assert call(client, "check_workbook", payload_from_xlsx(measurements)).status_code == 200
    assert _xlremote.get_range_api.cache_info().currsize == 0
    # only the engine's own empty default book is left
    assert [b.name for b in xw.engines["remote"].apps.active.books] == ["Book1"]


def test_an_oversized_workbook_is_refused_in_russian(client: TestClient) -> None:
    body = b'{"x": "' + b"a" * (MAX_REQUEST + 1) + b'"}'
    response = client.post("/xlwings/custom-scripts-call/check_workbook", content=body,
                           headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Книга слишком велика для проверки через сервер (предел — 2 МБ")


def test_manifest_has_a_russian_button_per_server_action(client: TestClient) -> None:
    response = client.get("/manifest.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.findtext("o:Id", namespaces=NS) == MANIFEST_ID
    assert root.findtext("o:DefaultLocale", namespaces=NS) == "ru-RU"
    functions = [e.text for e in root.iter(f"{{{NS['v']}}}FunctionName")]
    assert functions == list(action_ids(desktop=False))
    strings = {e.get("id"): e.get("DefaultValue") for e in root.iter(f"{{{NS['bt']}}}String")}
    for action_id in functions:
        assert action_id is not None
        assert strings[f"{action_id}.Label"] == action_spec(action_id).label
        assert strings[f"{action_id}.Tip"] == action_spec(action_id).screentip
    urls = [e.get("DefaultValue") or "" for e in root.iter() if e.tag.endswith(("Url", "SourceLocation", "Image"))
            and e.get("DefaultValue")]
    assert urls and all(u.startswith(PUBLIC_URL + "/") for u in urls)
    assert client.get("/static/images/icons/xlwings-32.png").status_code == 200


def test_task_pane_is_russian_with_a_button_per_action(client: TestClient) -> None:
    page = client.get("/taskpane.html").text
    for action_id in action_ids(desktop=False):
        assert f'xw-click="{action_id}"' in page
        assert action_spec(action_id).label in page
    assert "consolidate_folder" not in page
    assert "/cxexcel/ribbon.js" in page


def test_serve_writes_the_manifest_for_a_given_url(tmp_path: Path) -> None:
    target = tmp_path / "manifest.xml"
    result = CliRunner().invoke(cli, ["serve", "--url", "https://cx.czn.example/cx", "--write-manifest",
                                      str(target)])
    assert result.exit_code == 0, result.output
    root = ET.fromstring(target.read_bytes())
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == \
        "https://cx.czn.example/cx/taskpane.html"  # type: ignore[union-attr]


@pytest.mark.parametrize(("args", "message"), [
    (["--host", "0.0.0.0"], "Без HTTPS сервер слушает только этот компьютер"),
    (["--cert", __file__], "--cert и --key указываются вместе"),
])
def test_serve_refuses_unsafe_settings(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert message in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.mark.parametrize("https", [False, True], ids=["http-localhost", "https"])
def test_a_running_cxexcel_serve_answers_office_js(https: bool, measurements: Path, tmp_path: Path) -> None:
    port = _free_port()
    args = [sys.executable, "-m", "cxexcel", "serve", "--port", str(port)]
    if https:
        cert, key = _self_signed(tmp_path)
        args += ["--cert", str(cert), "--key", str(key)]
    scheme = "https" if https else "http"
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    server = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"{scheme}://localhost:{port}", verify=False, timeout=30) as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if http.get("/").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, "cxexcel serve did not start"
                time.sleep(0.3)
            response = http.post("/xlwings/custom-scripts-call/check_workbook", json=payload_from_xlsx(measurements))
            assert response.status_code == 200
            assert any(a["func"] == "addNote" and a["args"][0] == "$F$7" for a in response.json()["actions"])
            manifest = http.get("/manifest.xml").text
            assert f"{scheme}://localhost:{port}/taskpane.html" in manifest
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_serve_on_a_taken_port_says_so_in_russian_before_announcing_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the server must not start on a taken port")

    monkeypatch.setattr(uvicorn, "run", never)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"Порт {port} уже занят другой программой" in result.output
    assert "Сервер надстройки:" not in result.output


def test_serve_names_an_ipv6_host_in_brackets_and_takes_localhost_in_any_case(tmp_path: Path) -> None:
    from cxexcel.cli.serve import default_url, is_loopback

    assert default_url("2001:db8::1", 8000, True) == "https://[2001:db8::1]:8000"
    assert default_url("::1", 8000, False) == "http://localhost:8000"
    assert is_loopback("LOCALHOST")
    manifest = tmp_path / "m.xml"
    result = CliRunner().invoke(cli, ["serve", "--host", "LOCALHOST", "--write-manifest", str(manifest)])
    assert result.exit_code == 0, result.output
