"""The result of a check: per-file reports and the whole report, as JSON and as text."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from cxexcel.issues import SEVERITY_RU, Issue, IssueCounts
from cxexcel.read.container import plural_noun

REPORT_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FileReport(IssueCounts):
    """What one file is and everything found in it."""

    path: str
    kind: str | None
    kind_title: str | None
    region: str | None
    czn: str | None
    readable: bool
    issues: tuple[Issue, ...]


    @property
    def valid(self) -> bool:
        return self.readable and self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "region": self.region,
            "czn": self.czn,
            "readable": self.readable,
            "valid": self.valid,
            "counts": {"error": self.errors, "warning": self.warnings},
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass(frozen=True)
class Report:
    files: tuple[FileReport, ...]

    @property
    def valid(self) -> bool:
        return all(f.valid for f in self.files)

    @property
    def errors(self) -> int:
        return sum(f.errors for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(f.warnings for f in self.files)

    @property
    def unreadable(self) -> int:
        return sum(not f.readable for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "valid": self.valid,
            "counts": {
                "files": len(self.files),
                "unreadable": self.unreadable,
                "error": self.errors,
                "warning": self.warnings,
            },
            "files": [f.to_dict() for f in self.files],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 ошибка, 2 ошибки, 5 ошибок."""
    return f"{n} {plural_noun(n, one, few, many)}"


def counts_text(errors: int, warnings: int) -> str:
    return (f"{plural(errors, 'ошибка', 'ошибки', 'ошибок')}, "
            f"{plural(warnings, 'предупреждение', 'предупреждения', 'предупреждений')}")


def render_text(report: Report, *, max_per_sheet: int | None = None) -> str:
    """Issues grouped by file and sheet, for a console (Windows included)."""
    lines: list[str] = []
    for f in report.files:
        what = f" — {f.kind_title}" if f.kind_title else ""
        place = ", ".join(p for p in (f.region, f.czn) if p)
        lines.append(f"Файл: {f.path}{what}" + (f" ({place})" if place else ""))
        if not f.readable:
            lines.append(f"  НЕ ПРОЧИТАН: {f.issues[0].message if f.issues else ''}")
            lines.append("")
            continue
        if not f.issues:
            lines.append("  Ошибок и предупреждений нет.")
            lines.append("")
            continue
        for sheet, issues in _group_by_sheet(f.issues):
            lines.append(f"  Лист «{sheet}»:" if sheet else "  Книга в целом:")
            shown = issues if max_per_sheet is None else issues[:max_per_sheet]
            for issue in shown:
                # the message loses its «Лист …, ячейка …, «столбец»» prefix to the grouping: the column stays
                where = f"{issue.cell} «{issue.column}»" if issue.cell and issue.column else issue.cell or ""
                cell = f"{where}: " if where else ""
                severity = SEVERITY_RU[issue.severity]
                lines.append(f"    [{severity}] {cell}{_strip_place(issue)} ({issue.code})")
            if len(shown) < len(issues):
                lines.append(f"    … и еще {len(issues) - len(shown)}")
        lines.append(f"  Итого: {counts_text(f.errors, f.warnings)}.")
        lines.append("")
    total = counts_text(report.errors, report.warnings)
    unreadable = f", не прочитано файлов: {report.unreadable}" if report.unreadable else ""
    lines.append(f"Проверено файлов: {len(report.files)}; {total}{unreadable}.")
    return "\n".join(lines)


def _group_by_sheet(issues: Iterable[Issue]) -> list[tuple[str | None, list[Issue]]]:
    groups: dict[str | None, list[Issue]] = {}
    for issue in issues:
        groups.setdefault(issue.sheet, []).append(issue)
    return list(groups.items())


def _strip_place(issue: Issue) -> str:
    """The message without its «Лист …, ячейка …» prefix, which the grouping already shows."""
    message = issue.message
    if issue.sheet and message.startswith(f"Лист «{issue.sheet}»"):
        _, _, rest = message.partition(": ")
        return rest or message
    return message
