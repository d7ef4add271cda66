"""Central mode: the add-in's actions served by xlwings Server to Excel without Python on the user's PC.

xlwings Server reads its settings from XLWINGS_* variables when it is first imported, so one process
serves one configuration: `create_app` sets them, then imports it.
"""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import sys
import tempfile
import types
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cxexcel.addin.server.guard import RequestGuard
from cxexcel.addin.server.limits import RequestSizeLimit, RequestTooLarge

DEFAULT_MAX_REQUEST_MB = 40


@dataclass(frozen=True)
class ServerConfig:
    """How the server is reached and what it accepts."""

    public_url: str  # what Excel uses, e.g. https://cx.czn.example:8443 (a path such as /cx is allowed)
    max_request_bytes: int = DEFAULT_MAX_REQUEST_MB * 1024 * 1024
    environment: str = "prod"

    @property
    def app_path(self) -> str:
        return urlsplit(self.public_url).path.rstrip("/")


class ServerUnavailable(RuntimeError):
    """xlwings Server is not installed or was already set up differently in this process."""


_configured: ServerConfig | None = None


def _settings_environment(config: ServerConfig) -> dict[str, str]:
    project = tempfile.mkdtemp(prefix="cxexcel-server-")  # empty: no .env, config.py or overrides
    atexit.register(shutil.rmtree, project, ignore_errors=True)
    return {
        "XLWINGS_PROJECT_DIR": project,
        "DOTENV_PATH": os.path.join(project, ".env"),
        "XLWINGS_ENVIRONMENT": config.environment,
        "XLWINGS_APP_PATH": config.app_path,
        "XLWINGS_STATIC_URL_PATH": f"{config.app_path}/static",
        "XLWINGS_PROJECT_NAME": "cxexcel",
        "XLWINGS_TASKPANE_HTML": "cxexcel_taskpane.html",
        "XLWINGS_ENABLE_EXAMPLES": "false",
        "XLWINGS_ENABLE_SOCKETIO": "false",
        "XLWINGS_ENABLE_HOTRELOAD": "false",
        "XLWINGS_ENABLE_WASM": "false",
        "XLWINGS_CDN_OFFICEJS": "false",
    }


def create_app(config: ServerConfig) -> Any:
    """The ASGI application: xlwings Server with cxexcel's scripts, task pane, manifest and limits."""
    global _configured
    if _configured is not None and _configured != config:
        raise ServerUnavailable("xlwings Server is already set up in this process with other settings")
    if _configured is None:
        os.environ.update(_settings_environment(config))
        # the licence of xlwings' remote engine; an administrator's own key takes precedence
        os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
        from cxexcel.addin.server import scripts

        # xlwings Server imports the top-level modules `custom_scripts` and `custom_functions`
        sys.modules["custom_scripts"] = scripts
        sys.modules.setdefault("custom_functions", types.ModuleType("custom_functions"))
    try:
        stale = sys.modules.get("xlwings_server.config")
        if stale is not None and "xlwings_server.main" not in sys.modules:
            # importing the package alone reads the settings: read them again with ours
            importlib.reload(stale)
        from xlwings_server import main as server_main
    except ImportError as exc:
        raise ServerUnavailable(
            "xlwings Server не установлен: установите дополнение server — в копии репозитория cxexcel "
            "pip install -e \".[server]\", из файла пакета pip install \"<файл>.whl[server]\"") from exc
    if _configured is None:
        _extend(server_main.app, config)
        _configured = config
    return RequestSizeLimit(_guard(server_main.main_app, config), config.max_request_bytes)


def _guard(app: Any, config: ServerConfig) -> RequestGuard:
    """Script calls checked before xlwings Server sees them; its errors answered in Russian."""
    from xlwings.server import custom_scripts_meta

    from cxexcel.addin.actions_table import ACTION_SPECS
    from cxexcel.addin.server import scripts

    names = [m["function_name"] for m in custom_scripts_meta(scripts)]
    desktop_only = {spec.id: spec.label for spec in ACTION_SPECS if spec.desktop_only}
    return RequestGuard(app, config.app_path, names, desktop_only, passthrough=(RequestTooLarge,))


def _extend(app: Any, config: ServerConfig) -> None:
    from fastapi import APIRouter
    from fastapi.responses import Response
    from jinja2 import ChoiceLoader, DictLoader
    from xlwings.server import custom_scripts_meta
    from xlwings_server.templates import templates

    from cxexcel.addin.server import scripts
    from cxexcel.addin.server.manifest import render_manifest, server_actions
    from cxexcel.addin.server.pages import (
        RIBBON_SCRIPT_PATH,
        TASKPANE_TEMPLATE,
        TASKPANE_TEMPLATE_NAME,
        ribbon_script,
    )

    templates.env.loader = ChoiceLoader([DictLoader({TASKPANE_TEMPLATE_NAME: TASKPANE_TEMPLATE}),
                                         templates.env.loader])
    templates.env.globals["cxexcel_actions"] = server_actions()
    meta = {m["function_name"]: m for m in custom_scripts_meta(scripts)}
    ribbon = ribbon_script(lambda name: meta.get(name, {}))
    manifest = render_manifest(config.public_url)

    router = APIRouter(prefix=config.app_path)

    @router.get("/manifest.xml")
    @router.get("/manifest")
    async def manifest_xml() -> Response:
        return Response(manifest, media_type="application/xml")

    @router.get("/manifest/download")
    async def manifest_download() -> Response:
        return Response(manifest, media_type="application/xml",
                        headers={"Content-Disposition": "attachment; filename=cxexcel-manifest.xml"})

    @router.get(RIBBON_SCRIPT_PATH)
    async def ribbon_js() -> Response:
        return Response(ribbon, media_type="text/javascript")

    before = len(app.router.routes)
    app.include_router(router)
    # ours first: xlwings Server has its own /manifest.xml, made for its examples
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[0:0] = added


__all__ = ["DEFAULT_MAX_REQUEST_MB", "ServerConfig", "ServerUnavailable", "create_app"]
