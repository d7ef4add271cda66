"""The Russian task pane and the JavaScript that ties the ribbon buttons to the server's scripts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cxexcel.addin.server.manifest import server_actions

TASKPANE_TEMPLATE_NAME = "cxexcel_taskpane.html"
RIBBON_SCRIPT_PATH = "/cxexcel/ribbon.js"

# Jinja, rendered by xlwings Server inside its base page (Office.js, xlwings' client, Bootstrap)
TASKPANE_TEMPLATE = """{% extends "base.html" %}
{% block extra_head %}
  <script src="{{ settings.app_path }}""" + RIBBON_SCRIPT_PATH + """" defer></script>
{% endblock extra_head %}
{% block content %}
  <div class="container-fluid pt-3 px-3" lang="ru">
    <h1 class="h6 mb-2">Проверка книги по стандарту</h1>
    <p class="small text-body-secondary mb-3">
      Книга отправляется на сервер только на время нажатия кнопки; сервер ничего не сохраняет.
    </p>
    {% for action in cxexcel_actions %}
      <button xw-click="{{ action.id }}" type="button" title="{{ action.screentip }}"
              class="btn btn-primary btn-sm w-100 mb-1">{{ action.label }}</button>
      <p class="small text-body-secondary mb-2">{{ action.screentip }}.</p>
    {% endfor %}
    <hr />
    <p class="small text-body-secondary">
      Красным отмечены ошибки, желтым — предупреждения; пояснение — в примечании к ячейке.
      «Снять отметки» возвращает ячейкам вид шаблона и удаляет лист «Проверка».
      «Свод по папке» и поиск книги «Путь клиента» в соседних файлах доступны в настольной надстройке.
    </p>
    <p class="small text-body-secondary">
      Работает на xlwings Server (лицензия PolyForm Noncommercial 1.0.0: разрешено некоммерческим
      организациям, в том числе государственным учреждениям).
    </p>
  </div>
{% endblock content %}
"""

RIBBON_SCRIPT = """// Ribbon buttons of the cxexcel add-in: each calls the server script of the same id.
async function cxexcelRun(scriptName, include, event) {
  try {
    const authResult =
      typeof globalThis.getAuth === "function"
        ? await globalThis.getAuth()
        : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      include: include,
      auth: authResult.token,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
}
"""


def ribbon_script(script_meta: Callable[[str], dict[str, Any]]) -> str:
    """The ribbon's JavaScript: one Office.actions.associate per server action, with its sheets to send."""
    lines = [RIBBON_SCRIPT]
    for spec in server_actions():
        include = script_meta(spec.id).get("include") or ""
        if isinstance(include, list | tuple):
            include = ",".join(include)
        lines.append(f"Office.actions.associate({json.dumps(spec.id)}, (event) => "
                     f"cxexcelRun({json.dumps(spec.id)}, {json.dumps(include, ensure_ascii=False)}, event));")
    return "\n".join(lines) + "\n"
