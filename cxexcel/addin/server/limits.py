"""A cap on the size of a request: a workbook larger than the server accepts gets a Russian 413."""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class RequestTooLarge(Exception):
    """Raised from `receive` once a streamed body passes the limit; the middleware answers 413."""


class RequestSizeLimit:
    """ASGI middleware: refuses bodies over `max_bytes`, by Content-Length or while they stream in."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def message(self) -> str:
        limit = self.max_bytes / (1024 * 1024)
        return (f"Книга слишком велика для проверки через сервер (предел — {limit:.0f} МБ данных). "
                "Проверьте ее командой «cxexcel validate» или в настольной надстройке.")

    async def _refuse(self, send: Any) -> None:
        body = json.dumps({"detail": self.message()}, ensure_ascii=False).encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def limited_receive() -> Any:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge
            return message

        async def tracked_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except RequestTooLarge:
            if not started:
                await self._refuse(send)
