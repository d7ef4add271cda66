"""docs/rules.md, generated from the rule catalogue: `python -m cxexcel.validate.rules_doc`."""

from __future__ import annotations

import sys
from pathlib import Path

from cxexcel.forms import catalog
from cxexcel.issues import RULES, SEVERITY_RU, Code

GROUPS: tuple[tuple[str, str], ...] = (
    ("file-", "Файл не читается"),
    ("", "Структура книги, ячейки, строки и листы"),
)


def rules_markdown() -> str:
    lines = [
        "# Правила проверки",
        "",
        "Этот файл создается из кода (`python -m cxexcel.validate.rules_doc`); тест следит, чтобы он "
        "не устаревал. Код правила стабилен: по нему можно фильтровать лист «Ошибки» свода и вывод "
        "`cxexcel validate --format json`.",
        "",
        "Важность: **ошибка** — данные строки не учитываются в своде (или файл не принят); "
        "**предупреждение** — данные учитываются, но стоит проверить.",
        "",
        f"Шаблоны версии {catalog.TEMPLATE_VERSION}. Сообщение называет лист, а если правило относится к ячейке, — "
        "ее адрес, столбец и найденное значение, и говорит, что ожидается. Примеры взяты из настоящих сообщений; "
        "адреса и значения в них — для примера.",
        "",
    ]
    for prefix, title in GROUPS:
        lines += [f"## {title}", "", "| Код | Важность | Правило | Пример сообщения |", "|---|---|---|---|"]
        for code in Code:
            in_group = code.value.startswith("file-") if prefix else not code.value.startswith("file-")
            if not in_group:
                continue
            rule = RULES[code]
            lines.append(f"| `{code.value}` | {SEVERITY_RU[rule.severity]} | {rule.title} | {rule.example} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules.md")
    target.write_text(rules_markdown(), encoding="utf-8")
    print(target)


if __name__ == "__main__":
    main()
