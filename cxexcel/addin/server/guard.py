"""Requests the add-in's scripts accept, checked before xlwings Server sees them; every refusal in Russian.

xlwings Server routes `POST <app>/xlwings/custom-scripts-call/<name>` to `getattr(custom_scripts, name)` and
parses the body itself: malformed JSON, a body that is not an object or an unknown name end there as a 500
with an English message, and a payload of the wrong shape reaches the script. `RequestGuard` sits in front
of it: it checks the method, the content type, the script's name and the payload's shape (what the Office.js
client of xlwings Server sends), answers a bad request with a 4xx and a Russian `detail`, and replaces the
English bodies of the framework's own errors (404, 405, 500 …) with Russian ones.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

Scope = dict[str, Any]

MAX_DEPTH = 32  # the Office.js payload nests 5 levels deep; the JSON parser itself stops near 1,000
SCALARS = (str, int, float, bool)
VISIBILITIES = ("Visible", "Hidden", "VeryHidden")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_RETRY = "Обновите надстройку (закройте и снова откройте панель) и повторите; если ошибка повторяется, " \
         "сообщите администратору сервера."

GENERIC_MESSAGES = {
    400: "Сервер надстройки не смог обработать запрос: он не соответствует формату надстройки. " + _RETRY,
    401: "Нужен вход в систему: сервер надстройки не принял учетные данные.",
    403: "Нет доступа к этой функции сервера надстройки.",
    404: "На сервере надстройки нет такого адреса.",
    405: "Этот адрес сервера надстройки не принимает запросы такого вида (метод HTTP).",
    415: "Сервер надстройки принимает данные книги только в формате JSON (application/json).",
    422: "Запрос не соответствует формату надстройки. " + _RETRY,
    500: "Внутренняя ошибка сервера надстройки. Книга не изменена. Сообщите администратору сервера.",
    503: "Сервер надстройки временно недоступен. Повторите позже.",
}


def generic_message(status: int) -> str:
    if status in GENERIC_MESSAGES:
        return GENERIC_MESSAGES[status]
    if status >= 500:
        return GENERIC_MESSAGES[500]
    return f"Сервер надстройки отклонил запрос (код {status})."


class BadRequest(Exception):
    """A request the server refuses: HTTP status and the Russian explanation."""

    def __init__(self, status: int, message: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = list(headers)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "логическое значение"
    if isinstance(value, (int, float)):
        return "число"
    if isinstance(value, str):
        return "строка"
    if isinstance(value, list):
        return "список"
    if isinstance(value, dict):
        return "объект"
    return type(value).__name__


def _shape(where: str, expected: str, value: Any) -> BadRequest:
    return BadRequest(422, f"Запрос не соответствует формату надстройки: «{where}» — ожидается {expected}, "
                           f"получено: {_kind(value)}. {_RETRY}")


def _missing(where: str) -> BadRequest:
    return BadRequest(422, f"Запрос не соответствует формату надстройки: нет поля «{where}». {_RETRY}")


def _optional(obj: dict[str, Any], key: str, where: str, check: Callable[[Any], bool], expected: str) -> None:
    if key in obj and not check(obj[key]):
        raise _shape(f"{where}.{key}" if where else key, expected, obj[key])


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_list_or_null(value: Any) -> bool:
    return value is None or isinstance(value, list)


def _is_str_or_null(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _depth(value: Any, limit: int) -> bool:
    """Whether `value` nests no deeper than `limit` containers (iteratively: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if level > limit:
            return False
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return True


def _check_values(values: Any, where: str) -> None:
    """A sheet's values: a rectangular list of rows of scalars (an excluded sheet sends [[]])."""
    if not isinstance(values, list) or not values:
        raise _shape(where, "таблица значений (непустой список строк)", values)
    width = None
    for r, row in enumerate(values):
        if not isinstance(row, list):
            raise _shape(f"{where}[{r}]", "строка таблицы (список значений)", row)
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise BadRequest(422, f"Запрос не соответствует формату надстройки: «{where}» — строки таблицы "
                                  f"разной длины ({width} и {len(row)} в строке {r + 1}). {_RETRY}")
        for c, cell in enumerate(row):
            if cell is not None and not isinstance(cell, SCALARS):
                raise _shape(f"{where}[{r}][{c}]", "значение ячейки (текст, число или логическое)", cell)


def validate_payload(payload: Any) -> None:
    """Raise BadRequest unless `payload` has the shape xlwings Server's Office.js client sends."""
    if not isinstance(payload, dict):
        raise BadRequest(422, f"Тело запроса должно быть объектом JSON с данными книги, получено: {_kind(payload)}. "
                              + _RETRY)
    for key in ("client", "version", "book", "sheets"):
        if key not in payload:
            raise _missing(key)
    if payload["client"] != "Office.js":
        raise BadRequest(422, "Запрос отправлен не веб-надстройкой Excel (поле «client» должно быть «Office.js»). "
                              "Сервер обслуживает только надстройку «Клиентский опыт».")
    if not isinstance(payload["version"], str):
        raise _shape("version", "строка", payload["version"])
    if "args" in payload and payload["args"] not in ([], None):
        raise BadRequest(422, "Кнопки надстройки не принимают параметров (поле «args» должно быть пустым). "
                              + _RETRY)
    sheets = payload["sheets"]
    if not isinstance(sheets, list) or not sheets:
        raise _shape("sheets", "непустой список листов", sheets)
    book = payload["book"]
    if not isinstance(book, dict):
        raise _shape("book", "объект", book)
    if "name" not in book:
        raise _missing("book.name")
    if not isinstance(book["name"], str):
        raise _shape("book.name", "строка", book["name"])
    _optional(book, "active_sheet_index", "book", lambda v: _is_int(v) and 0 <= v < len(sheets),
              f"номер листа от 0 до {len(sheets) - 1}")
    _optional(book, "selection", "book", _is_str_or_null, "адрес ячеек (строка)")
    _optional(book, "calculation", "book", _is_str_or_null, "строка")
    _optional(payload, "names", "", lambda v: isinstance(v, list) and all(isinstance(n, dict) for n in v),
              "список объектов")
    seen: set[str] = set()
    for i, sheet in enumerate(sheets):
        where = f"sheets[{i}]"
        if not isinstance(sheet, dict):
            raise _shape(where, "объект листа", sheet)
        for key in ("name", "visibility", "values"):
            if key not in sheet:
                raise _missing(f"{where}.{key}")
        name = sheet["name"]
        if not isinstance(name, str) or not name.strip():
            raise _shape(f"{where}.name", "непустое имя листа (строка)", name)
        if name.casefold() in seen:
            raise BadRequest(422, f"Запрос не соответствует формату надстройки: лист «{name[:100]}» указан "
                                  f"дважды. {_RETRY}")
        seen.add(name.casefold())
        if sheet["visibility"] not in VISIBILITIES:
            raise _shape(f"{where}.visibility", "Visible, Hidden или VeryHidden", sheet["visibility"])
        _check_values(sheet["values"], f"{where}.values")
        _optional(sheet, "notes", where,
                  lambda v: isinstance(v, list) and all(isinstance(n, dict) and isinstance(n.get("address"), str)
                                                        for n in v),
                  "список примечаний с адресами")
        for key in ("tables", "pictures", "shapes", "charts", "pivot_tables"):
            _optional(sheet, key, where, lambda v: _is_list_or_null(v) and all(isinstance(x, dict) for x in v or ()),
                      "список объектов")
        for key in ("used_range_row_count", "used_range_column_count"):
            _optional(sheet, key, where, lambda v: _is_int(v) and v >= 0, "неотрицательное целое число")
        for key in ("used_range_address", "print_area"):
            _optional(sheet, key, where, _is_str_or_null, "адрес (строка)")
        for key in ("show_gridlines", "notes_supported"):
            _optional(sheet, key, where, lambda v: isinstance(v, bool), "логическое значение")
    # everything but the cell values (checked above, cell by cell) is small: bound its nesting
    rest = {k: v for k, v in payload.items() if k != "sheets"}
    rest["sheets"] = [{k: v for k, v in s.items() if k != "values"} for s in sheets]
    if not _depth(rest, MAX_DEPTH):
        raise BadRequest(422, f"Запрос не соответствует формату надстройки: слишком глубокая вложенность данных "
                              f"(более {MAX_DEPTH} уровней). {_RETRY}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"недопустимое число {name}")


def parse_body(body: bytes) -> Any:
    """The JSON of a request body, or BadRequest (400) with the reason in Russian."""
    if not body.strip():
        raise BadRequest(400, "В запросе нет данных книги (пустое тело запроса). " + _RETRY)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"Тело запроса не в кодировке UTF-8 (байт {exc.start + 1}). " + _RETRY) from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(400, f"Тело запроса не является корректным JSON (строка {exc.lineno}, позиция "
                              f"{exc.colno}). " + _RETRY) from None
    except RecursionError:
        raise BadRequest(400, "Тело запроса не удалось разобрать: слишком глубокая вложенность данных. "
                              + _RETRY) from None
    except ValueError as exc:  # NaN/Infinity, an integer of thousands of digits
        raise BadRequest(400, f"Тело запроса не является корректным JSON ({_printable(str(exc), 80)}). "
                              + _RETRY) from None


def _printable(text: str, limit: int) -> str:
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[:limit] + "…"


def _is_json(headers: dict[bytes, bytes]) -> bool:
    content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return content_type == "application/json"


def json_response(status: int, message: str, extra: Iterable[tuple[bytes, bytes]] = ()) -> tuple[dict[str, Any],
                                                                                                  bytes]:
    body = json.dumps({"detail": message}, ensure_ascii=False).encode("utf-8")
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json; charset=utf-8"),
                         (b"content-length", str(len(body)).encode()), *extra]}
    return start, body


async def send_json(send: Any, status: int, message: str, extra: Iterable[tuple[bytes, bytes]] = ()) -> None:
    start, body = json_response(status, message, extra)
    await send(start)
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware in front of xlwings Server: checks script calls, translates the framework's errors."""

    def __init__(self, app: Any, app_path: str, scripts: Iterable[str], desktop_only: dict[str, str],
                 passthrough: tuple[type[BaseException], ...] = ()) -> None:
        self.app = app
        self.scripts_prefix = f"{app_path}/xlwings/custom-scripts-call/"
        self.functions_path = f"{app_path}/xlwings/custom-functions-call"
        self.scripts = frozenset(scripts)
        self.desktop_only = desktop_only  # action id → its Russian label
        self.passthrough = passthrough  # exceptions an outer middleware answers (the size limit)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        try:
            if path.startswith(self.scripts_prefix):
                receive = await self._check_script_call(scope, receive)
            elif path.rstrip("/") == self.functions_path:
                raise BadRequest(404, "Функции листа (формулы) сервер надстройки не предоставляет.")
        except BadRequest as refusal:
            await send_json(send, refusal.status, refusal.message, refusal.headers)
            return
        await self._call_translating(scope, receive, send)

    async def _check_script_call(self, scope: Scope, receive: Any) -> Any:
        headers = dict(scope.get("headers") or [])
        method = scope.get("method", "")
        if method == "OPTIONS" and b"access-control-request-method" in headers:
            return receive  # a CORS preflight: xlwings Server's CORS layer answers it
        if method != "POST":
            raise BadRequest(405, "Кнопки надстройки вызываются только запросом POST с данными книги.",
                             [(b"allow", b"POST")])
        name = scope["path"][len(self.scripts_prefix):]
        if name not in self.scripts:
            if name in self.desktop_only:
                raise BadRequest(404, f"«{self.desktop_only[name]}» работает только в настольной надстройке: "
                                      "веб-надстройка не имеет доступа к файлам компьютера.")
            raise BadRequest(404, f"Неизвестное действие надстройки «{_printable(name, 60)}». Обновите надстройку "
                                  "(манифест) или сообщите администратору сервера.")
        if not _is_json(headers):
            raise BadRequest(415, GENERIC_MESSAGES[415])
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise BadRequest(400, "Запрос прерван до получения всех данных книги.")
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        validate_payload(parse_body(body))
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: the client's disconnect, when it comes
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replay

    async def _call_translating(self, scope: Scope, receive: Any, send: Any) -> None:
        """Run xlwings Server, replacing the body of any error response with a Russian message."""
        started = finished = False
        error_status: int | None = None
        error_headers: list[tuple[bytes, bytes]] = []
        head = scope.get("method") == "HEAD"

        async def translating_send(message: Any) -> None:
            nonlocal started, finished, error_status, error_headers
            if message["type"] == "http.response.start":
                started = True
                if message["status"] >= 400 and not head:
                    error_status = message["status"]
                    error_headers = [(k, v) for k, v in message.get("headers", [])
                                     if k.lower() not in (b"content-type", b"content-length")]
                    return
            elif message["type"] == "http.response.body" and error_status is not None:
                if not message.get("more_body", False):
                    start, body = json_response(error_status, generic_message(error_status), error_headers)
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    finished = True
                return
            await send(message)

        try:
            await self.app(scope, receive, translating_send)
        except self.passthrough:
            raise
        except Exception:
            # Starlette re-raises after its 500 response so that servers log it: log it here instead
            logger.exception("request %s %s failed", scope.get("method"), _printable(scope.get("path", ""), 200))
            if not started:
                await send_json(send, 500, GENERIC_MESSAGES[500])
            elif error_status is not None and not finished:
                start, body = json_response(error_status, generic_message(error_status), error_headers)
                await send(start)
                await send({"type": "http.response.body", "body": body})
