"""`cxexcel serve`: the add-in for Excel without Python on users' PCs (xlwings Server)."""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from pathlib import Path

import click

from cxexcel.addin.server import DEFAULT_MAX_REQUEST_MB, ServerConfig
from cxexcel.cli.options import NumberParam

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:  # host names ignore case: LOCALHOST is localhost
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (taken, or not this computer's address), in Russian; None
    when it can. Asked before the server starts: uvicorn would say it in English after «Сервер надстройки: …»."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if sys.platform != "win32":
            # as uvicorn binds: a port left in TIME_WAIT by a server just stopped is free to it
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE or getattr(exc, "winerror", None) == 10048:
                return (f"Порт {port} уже занят другой программой (возможно, сервер надстройки уже запущен). "
                        "Остановите ее или укажите другой порт: --port.")
            return f"Сервер не может слушать {host}:{port}: {exc.strerror or exc}. Проверьте --host и --port."
    return None


def default_url(host: str, port: int, https: bool) -> str:
    name = "localhost" if is_loopback(host) or host in ("0.0.0.0", "::") else host
    if ":" in name:
        name = f"[{name}]"  # an IPv6 address in a URL stands in brackets: https://[2001:db8::1]:8000
    return f"{'https' if https else 'http'}://{name}:{port}"


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="АДРЕС",
              help="Адрес, на котором слушает сервер.")
@click.option("--port", type=NumberParam(int, 1, 65535), default=8000, show_default=True, metavar="N",
              help="Порт (от 1 до 65535).")
@click.option("--url", "public_url", default=None, metavar="АДРЕС",
              help="Адрес, по которому Excel обращается к серверу (для манифеста), например "
                   "https://cx.czn.example или https://portal.example/cx. По умолчанию — из --host и --port.")
@click.option("--cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Файл сертификата HTTPS (PEM, с цепочкой).")
@click.option("--key", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Файл закрытого ключа HTTPS (PEM).")
@click.option("--behind-proxy", is_flag=True,
              help="HTTPS обеспечивает обратный прокси (nginx и т. п.): разрешить HTTP на любом адресе.")
@click.option("--max-request-mb", type=NumberParam(int, 1, 1024), default=DEFAULT_MAX_REQUEST_MB,
              show_default=True, metavar="N", help="Наибольший размер данных одной книги в запросе, МБ (от 1 до 1024).")
@click.option("--write-manifest", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Записать манифест надстройки в файл и выйти, не запуская сервер.")
def serve(host: str, port: int, public_url: str | None, cert: Path | None, key: Path | None, behind_proxy: bool,
          max_request_mb: int, write_manifest: Path | None) -> None:
    """Запустить сервер надстройки Excel (xlwings Server).

    Без --cert и --key сервер работает по HTTP и только на этом компьютере (для проверки и
    разработки); Excel подключает надстройки только по HTTPS. Манифест для установки в Excel —
    по адресу <url>/manifest.xml.
    """
    if (cert is None) != (key is None):
        raise click.UsageError("--cert и --key указываются вместе.")
    https = cert is not None
    if not https and not behind_proxy and not is_loopback(host):
        raise click.UsageError(
            f"Без HTTPS сервер слушает только этот компьютер (например, --host 127.0.0.1), а не {host}. "
            "Укажите --cert и --key или, если HTTPS обеспечивает прокси, --behind-proxy.")
    url = (public_url or default_url(host, port, https)).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter("адрес должен начинаться с https:// (или http:// для проверки)",
                                 param_hint="--url")
    config = ServerConfig(public_url=url, max_request_bytes=max_request_mb * 1024 * 1024)
    if write_manifest is not None:
        from cxexcel.addin.server.manifest import render_manifest
        from cxexcel.fileio import atomic_output

        with atomic_output(write_manifest) as tmp:
            tmp.write_text(render_manifest(url), encoding="utf-8")
        click.echo(f"Манифест записан: {write_manifest}")
        return

    problem = port_problem(host, port)
    if problem is not None:
        raise click.ClickException(problem)
    from cxexcel.addin.server import ServerUnavailable, create_app

    try:
        import uvicorn

        app = create_app(config)
    except (ImportError, ServerUnavailable) as exc:
        raise click.ClickException(
            "Сервер надстройки не установлен: установите дополнение server — в копии репозитория cxexcel "
            "pip install -e \".[server]\", из файла пакета pip install \"<файл>.whl[server]\".") from exc
    click.echo(f"Сервер надстройки: {url} (манифест: {url}/manifest.xml). Остановка — Ctrl+C.")
    uvicorn.run(app, host=host, port=port, ssl_certfile=str(cert) if cert else None,
                ssl_keyfile=str(key) if key else None, proxy_headers=behind_proxy,
                forwarded_allow_ips="*" if behind_proxy else None, log_level="info",
                server_header=False)
