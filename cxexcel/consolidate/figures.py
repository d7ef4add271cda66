"""The federal (or regional) summary's figures, computed once as plain data (FORMS.md §5–6)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TextIO

from cxexcel.consolidate.collect import FileOutcome, ResultCache, folder_regions
from cxexcel.consolidate.inbox import STATUS_RU, FileStatus
from cxexcel.forms import KINDS, Level, Sheet, TableSheet, catalog
from cxexcel.forms.kinds import CONSULTATIONS, JOURNEY, ROADMAP
from cxexcel.issues import SEVERITY_RU, Severity, json_value
from cxexcel.metrics import Estimate, EstimateKind, Pool, tool_effect
from cxexcel.programme import Programme
from cxexcel.read.normalize import normalize_name, normalize_unit_name
from cxexcel.validate import Record
from cxexcel.validate.rules.journey import (
    DECISIONS_SHEET,
    JOURNEY_SHEET,
    TOOLS_SHEET,
    journey_touchpoints,
    touchpoint_key,
)
from cxexcel.validate.rules.roadmap import (
    MEETINGS_SHEET,
    ROADMAP_SHEET,
    TEAM_SHEET,
    is_own_item,
    item_code,
    max_gap_days,
    meeting_dates,
    record_item,
)

# the pooled figures of «Свод»: JSON key prefix, metric, figure
ANSWER_FIGURES = (
    ("csat_pct", catalog.CSAT, EstimateKind.SHARE),
    ("csat_mean", catalog.CSAT, EstimateKind.MEAN),
    ("nps", catalog.NPS, EstimateKind.NPS),
    ("ces_mean", catalog.CES, EstimateKind.MEAN),
    ("ces_share", catalog.CES, EstimateKind.SHARE),
    ("wait_time_mean", catalog.WAIT_TIME, EstimateKind.MEAN),
    ("service_time_mean", catalog.SERVICE_TIME, EstimateKind.MEAN),
    ("fcr_pct", catalog.FIRST_CONTACT, EstimateKind.SHARE),
)
METRICS = frozenset(catalog.METRIC_NAMES)
NO_DATA = "нет данных"
ROW_ERROR = "ошибка в строке"
WHOLE_REGION = "в целом по субъекту"


@dataclass
class Summary:
    """Everything the summary shows, as JSON-ready rows; the xlsx and the JSON are two views of it."""

    as_of: dt.date
    level: str
    programme_version: str
    regions: list[dict[str, Any]] = field(default_factory=list)
    monitoring: list[dict[str, Any]] = field(default_factory=list)
    touchpoints: list[dict[str, Any]] = field(default_factory=list)
    channels: list[dict[str, Any]] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    consultations: list[dict[str, Any]] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)

    def centre_count(self) -> int:
        """Centres of a regional summary, by region and name: two regions may each have a «ЦЗН Ленинского района»."""
        return len({(r["region"], r.get("czn")) for r in self.regions if r.get("czn") not in (None, WHOLE_REGION)})

    def region_count(self) -> int:
        return len({r["region"] for r in self.regions})

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "as_of": self.as_of.isoformat(),
            "level": self.level,
            "programme_version": self.programme_version,
            "regions": self.regions,
            "monitoring": self.monitoring,
            "touchpoints": self.touchpoints,
            "channels": self.channels,
            "tools": self.tools,
            "decisions": self.decisions,
            "meetings": self.meetings,
            "consultations": self.consultations,
            "issues": self.issues,
            "files": self.files,
        }

    def to_json(self) -> str:
        """`json.dumps(self.to_dict(), ensure_ascii=False, indent=1)`, the same text."""
        return indented_json(self.to_dict())

    def write_json(self, out: TextIO) -> None:
        """Write `to_json()` to a text file, a table at a time rather than as one string (a national
        summary's JSON is over 100 MB)."""
        write_indented_json(self.to_dict(), out.write)


# json's indenting encoder is pure Python (seconds for a national summary's 10^5 rows); its C encoder
# does not indent. Rows are encoded by the C encoder with this between items, then indented: JSON
# escapes control characters inside strings, so it can only stand between items.
_SEPARATOR = "\x00"
_FLAT = json.JSONEncoder(ensure_ascii=False, separators=("," + _SEPARATOR, ": "))
_SCALAR = json.JSONEncoder(ensure_ascii=False)
# rows encoded by one C call: large enough to amortise the call, small enough to keep strings short
_ROWS_PER_CALL = 2000


def _is_flat(value: Any) -> bool:
    """A non-empty dict of scalars: one C call encodes it."""
    return isinstance(value, dict) and bool(value) and \
        not any(isinstance(v, dict | list | tuple) for v in value.values())


def _are_rows(items: list[Any] | tuple[Any, ...]) -> bool:
    """Non-empty dicts of scalars (a summary's table), checked in C loops: a table has 10^5 rows."""
    if set(map(type, items)) != {dict} or not all(items):
        return False
    kinds = set(map(type, chain.from_iterable(map(dict.values, items))))
    return not any(issubclass(kind, dict | list | tuple) for kind in kinds)


def indented_json(value: Any) -> str:
    """What `json.dumps(value, ensure_ascii=False, indent=1)` gives."""
    out = io.StringIO()
    write_indented_json(value, out.write)
    return out.getvalue()


def write_indented_json(value: Any, write: Callable[[str], Any], depth: int = 0) -> None:
    """Write the text `json.dumps(value, ensure_ascii=False, indent=1)` gives for `value` at nesting `depth`."""
    here, inner = "\n" + " " * depth, "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            write("{}")
        elif _is_flat(value):
            write("{" + inner + _FLAT.encode(value)[1:-1].replace("," + _SEPARATOR, "," + inner) + here + "}")
        else:
            for n, (key, item) in enumerate(value.items()):
                # a key as json writes it (a number or None becomes text): {key: 0} without its ": 0}"
                write(("," if n else "{") + inner + _FLAT.encode({key: 0})[1:-4] + ": ")
                write_indented_json(item, write, depth + 1)
            write(here + "}")
    elif isinstance(value, list | tuple):
        if not value:
            write("[]")
        elif _are_rows(value):
            deeper = "\n" + " " * (depth + 2)
            between_rows = inner + "}," + inner + "{" + deeper
            for start in range(0, len(value), _ROWS_PER_CALL):
                # [{"a": 1,<sep>"b": 2},<sep>{...}]: the separators between rows first, then within rows
                body = _FLAT.encode(value[start:start + _ROWS_PER_CALL])[2:-2]
                body = body.replace("}," + _SEPARATOR + "{", between_rows).replace("," + _SEPARATOR, "," + deeper)
                write(("," if start else "[") + inner + "{" + deeper + body + inner + "}")
            write(here + "]")
        else:
            for n, item in enumerate(value):
                write(("," if n else "[") + inner)
                write_indented_json(item, write, depth + 1)
            write(here + "]")
    else:
        write(_SCALAR.encode(value))


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def estimate_fields(prefix: str, est: Estimate) -> dict[str, Any]:
    return {
        prefix: _rounded(est.value),
        f"{prefix}_n": est.n,
        f"{prefix}_ci_low": _rounded(est.ci_low),
        f"{prefix}_ci_high": _rounded(est.ci_high),
        f"{prefix}_small_sample": est.small_sample,
    }


def median_fields(prefix: str, est: Estimate) -> dict[str, Any]:
    """A median's fields: like `estimate_fields` without the interval a median does not have."""
    return {prefix: _rounded(est.value), f"{prefix}_n": est.n, f"{prefix}_small_sample": est.small_sample}


@dataclass
class Unit:
    """The files one row of «Свод» is about: a region, or one centre of it."""

    region: str
    czn: str | None
    outcomes: list[FileOutcome]

    def of_kind(self, kind: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.kind == kind]


# the lists of Summary that are made region by region (and cached so); the rest are made for the whole inbox
REGION_LISTS = ("regions", "tools", "monitoring", "touchpoints", "channels", "decisions", "meetings")


class SummaryBuilder:
    def __init__(self, outcomes: Sequence[FileOutcome], programme: Programme, as_of: dt.date, level: str,
                 cache: ResultCache | None = None):
        self.outcomes = outcomes
        self.accepted = [o for o in outcomes if o.status is FileStatus.ACCEPTED and o.workbook is not None]
        self.programme = programme
        self.summary = Summary(as_of, level, programme.version)
        self.cache = cache if cache is not None and cache.folder is not None else None

    @property
    def as_of(self) -> dt.date:
        return self.summary.as_of

    def build(self) -> Summary:
        by_region: dict[str, list[FileOutcome]] = {}
        names: dict[str, str] = {}
        for outcome in self.accepted:
            wb = outcome.workbook
            assert wb is not None
            if wb.kind.level is Level.FEDERAL:
                continue
            key = normalize_unit_name(wb.region or "")
            names.setdefault(key, wb.region or "")
            by_region.setdefault(key, []).append(outcome)
        rejected = self._rejected_by_region(names)
        for key in sorted(by_region.keys() | rejected.keys(), key=lambda k: names[k]):
            if key not in by_region:
                # every file of the region was rejected: a row that says so, or the region would seem silent
                self._rejected_only(names[key])
                continue
            region_outcomes = by_region[key]
            cache_key = self._region_key(region_outcomes) if self.cache else None
            cached = self.cache.load_rows(cache_key) if self.cache and cache_key else None
            lists = {name: getattr(self.summary, name) for name in REGION_LISTS}
            if cached is not None and cached.keys() == lists.keys():
                for name, rows in lists.items():
                    rows.extend(cached[name])
                continue
            before = {name: len(rows) for name, rows in lists.items()}
            self._region(names[key], region_outcomes)
            if self.cache and cache_key:
                self.cache.store_rows(cache_key, {name: rows[before[name]:] for name, rows in lists.items()})
        for row in self.summary.regions:
            if row.get("czn") in (None, WHOLE_REGION):
                # after the cached rows are taken: they are keyed by the accepted files alone
                row["files_rejected"] = rejected.get(normalize_unit_name(row["region"] or ""), 0)
        self._consultations()
        self._files_and_issues()
        return self.summary

    def _rejected_by_region(self, names: dict[str, str]) -> Counter[str]:
        """Rejected files by region key: the region their «Титул» names, else the one their folder is named
        after; `names` gets the spelling of each region first seen here."""
        counts: Counter[str] = Counter()
        for outcome in self.outcomes:
            if outcome.status is not FileStatus.REJECTED:
                continue
            wb = outcome.workbook
            if wb is not None and wb.kind.level is Level.FEDERAL:
                continue
            region = wb.region if wb is not None and wb.region else next(
                iter(folder_regions(outcome.entry.relative)[-1:]), None)
            if region:
                key = normalize_unit_name(region)
                names.setdefault(key, region)
                counts[key] += 1
        return counts

    def _rejected_only(self, region: str) -> None:
        row: dict[str, Any] = {"region": region}
        if self.summary.level == "region":
            row["czn"] = WHOLE_REGION
        row["files"] = dict.fromkeys(KINDS, 0)
        self.summary.regions.append(row)
        self._monitoring(Unit(region, row.get("czn"), []))

    def _region(self, region: str, region_outcomes: list[FileOutcome]) -> None:
        if self.summary.level == "region":
            for czn, centre_outcomes in self._centres(region_outcomes):
                self.summary.regions.append(self._figures(Unit(region, czn, centre_outcomes))[0])
        unit = Unit(region, WHOLE_REGION if self.summary.level == "region" else None, region_outcomes)
        row, tools = self._figures(unit)
        self.summary.regions.append(row)
        self.summary.tools.extend(tools)
        self._monitoring(unit)
        self._lists(unit)

    def _region_key(self, region_outcomes: list[FileOutcome]) -> str | None:
        """What a region's rows are made of: its accepted files in order (content, settings and code version
        in each file's key, and the path the rows name), the summary's date and level. Attribution and the
        journey cross-check only compare files of one region, so nothing outside the region counts.
        None when a file has no key."""
        if any(not o.key for o in region_outcomes):
            return None
        # with the counts of each file's issues: some are added after the cache (the day-dependent check of
        # «Отчетная дата»), and the region's row counts them
        parts = [self.as_of.isoformat(), self.summary.level,
                 *(f"{o.key} {o.entry.relative} {len(o.issues)} {sum(i.severity is Severity.ERROR for i in o.issues)}"
                   for o in region_outcomes)]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _centres(self, outcomes: list[FileOutcome]) -> list[tuple[str, list[FileOutcome]]]:
        centres: dict[str, tuple[str, list[FileOutcome]]] = {}
        for outcome in outcomes:
            wb = outcome.workbook
            if wb is None or wb.kind.level is not Level.CZN:
                continue
            key = normalize_unit_name(wb.czn or "")
            name, rows = centres.setdefault(key, (wb.czn or "", []))
            if wb.kind.key == "journey":
                # the summary shows a centre's name as its journey workbook spells it
                name = wb.czn or name
            rows.append(outcome)
            centres[key] = (name, rows)
        return sorted(centres.values(), key=lambda item: item[0])

    # --- «Свод» ---------------------------------------------------------------------------------

    def _figures(self, unit: Unit) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The unit's «Свод» row, and its tool rows (their effects feed the row's count)."""
        row: dict[str, Any] = {"region": unit.region}
        if self.summary.level == "region":
            row["czn"] = unit.czn
        files = Counter(o.kind for o in unit.outcomes)
        row["files"] = {kind: files.get(kind, 0) for kind in KINDS}
        row.update(self._roadmap_figures(unit))
        tools = self._tool_rows(unit)
        row.update(self._journey_figures(unit, tools))
        row.update(self._answer_figures(unit))
        issues = [i for o in unit.outcomes for i in o.issues]
        row["errors"] = sum(i.severity is Severity.ERROR for i in issues)
        row["warnings"] = sum(i.severity is Severity.WARNING for i in issues)
        return row, tools

    def _roadmap_records(self, unit: Unit) -> dict[str, Any] | None:
        roadmaps = unit.of_kind("roadmap")
        if unit.czn not in (None, WHOLE_REGION) or not roadmaps:
            return None
        wb = roadmaps[0].workbook
        assert wb is not None
        statuses: dict[str, Any] = {}
        for record in wb.records(ROADMAP_SHEET):
            # as the rules read the row: «1,4» typed as a number is item 1.4, not a missing row
            item = record_item(self.programme, record)
            if item is None or is_own_item(item_code(record)) or item.code in statuses:
                continue
            statuses[item.code] = record
        return {"wb": wb, "items": statuses}

    def _roadmap_figures(self, unit: Unit) -> dict[str, Any]:
        found = self._roadmap_records(unit)
        empty = {"roadmap_done_pct": None, "overdue_items": None, "done_late_items": None,
                 "meetings": None, "max_meeting_gap_days": None, "meeting_deadlines_met": None,
                 "cadence_ok": None, "team": None, "team_leader": None, "team_units": None}
        if found is None:
            return empty
        wb, items = found["wb"], found["items"]
        done = cancelled = overdue = late = 0
        for item in self.programme.items:
            record = items.get(item.code)
            status = record.get("status") if record is not None and record.ok else None
            if status == catalog.STATUS_DONE:
                done += 1
                done_date = record.get("done_date") if record is not None else None
                if item.final_deadline and done_date and done_date > item.final_deadline:
                    late += 1
            elif status == catalog.STATUS_CANCELLED:
                cancelled += 1
            elif item.final_deadline is not None and item.final_deadline < self.as_of:
                overdue += 1
        active = len(self.programme.items) - cancelled
        meetings = [r for r in wb.records(MEETINGS_SHEET) if r.ok]
        dates = meeting_dates(meetings)
        gap = max_gap_days(dates)
        meeting_item = self.programme.meeting_item
        due = [d for d in meeting_item.deadlines if d < self.as_of] if meeting_item else []
        met = sum(sum(day <= deadline for day in dates) >= n for n, deadline in enumerate(due, start=1))
        cadence = meeting_item.cadence_days if meeting_item else None
        # every listed person counts: the team rules flag a second leader's row, and it must still show
        team = wb.records(TEAM_SHEET)
        units = {normalize_name(str(r.get("unit"))) for r in team if r.get("unit")}
        return {
            "roadmap_done_pct": _rounded(100.0 * done / active, 1) if active else None,
            "overdue_items": overdue,
            "done_late_items": late,
            "meetings": len(dates),
            "max_meeting_gap_days": gap,
            "meeting_deadlines_met": f"{met} из {len(due)}",
            "cadence_ok": bool(met == len(due) and (gap is None or cadence is None or gap <= cadence)),
            "team": len(team),
            "team_leader": sum(r.get("role") == catalog.ROLE_LEADER for r in team) == 1,
            "team_units": len(units),
        }

    def _journey_figures(self, unit: Unit, tool_rows: list[dict[str, Any]]) -> dict[str, Any]:
        mapped = measured = tools = decisions = 0
        for journey in unit.of_kind("journey"):
            wb = journey.workbook
            assert wb is not None
            codes = journey_touchpoints(wb)
            mapped += len(codes)
            digest = self._digest_for(unit, wb.czn)
            if digest is not None:
                measured += sum(1 for key in codes if key in digest.touchpoints and
                                digest.touchpoints[key].count)
            tools += sum(r.ok for r in wb.records(TOOLS_SHEET))
            decisions += sum(r.ok for r in wb.records(DECISIONS_SHEET))
        confirmed = sum(bool(tool["effect_confirmed"]) for tool in tool_rows)
        return {"touchpoints_mapped": mapped, "touchpoints_measured": measured, "tools": tools,
                "tools_confirmed": confirmed, "decisions": decisions}

    def _digest_for(self, unit: Unit, czn: str | None) -> Any:
        key = normalize_unit_name(czn or "")
        for outcome in unit.of_kind("measurements"):
            if outcome.workbook is not None and normalize_unit_name(outcome.workbook.czn or "") == key:
                return outcome.answers
        return None

    def _answer_figures(self, unit: Unit) -> dict[str, Any]:
        digests = [o.answers for o in unit.of_kind("measurements") if o.answers is not None]
        parts: dict[str, list[Sequence[float]]] = {m: [] for m in catalog.METRIC_NAMES}
        for digest in digests:
            for tp in digest.touchpoints.values():
                for (_, metric), series in tp.series.items():
                    if metric in parts:
                        parts[metric].append(series.values)
        # one pool per metric: its answers are looked at once for all of its figures
        pooled = {metric: Pool(metric, arrays) for metric, arrays in parts.items()}
        row: dict[str, Any] = {"answers": sum(d.count for d in digests)}
        for prefix, metric, kind in ANSWER_FIGURES:
            row.update(estimate_fields(prefix, pooled[metric].estimate(kind)))
        for prefix, metric in (("wait_time", catalog.WAIT_TIME), ("service_time", catalog.SERVICE_TIME)):
            row.update(median_fields(f"{prefix}_median", pooled[metric].estimate(EstimateKind.MEDIAN)))
        return row

    # --- «Мониторинг» -----------------------------------------------------------------------------

    def _monitoring(self, unit: Unit) -> None:
        found = self._roadmap_records(unit)
        for item in self.programme.items:
            record = found["items"].get(item.code) if found else None
            if found is None:
                status = NO_DATA
            elif record is None:
                status = "нет строки"
            elif not record.ok:
                status = ROW_ERROR
            else:
                status = record.get("status") or NO_DATA
            done_date = record.get("done_date") if record is not None and record.ok else None
            # FORMS.md §6: overdue is read from the roadmap's statuses; without a roadmap it is unknown (null),
            # as «Просрочено пунктов» of «Свод» is
            overdue = None if found is None else (
                status not in (catalog.STATUS_DONE, catalog.STATUS_CANCELLED)
                and item.final_deadline is not None and item.final_deadline < self.as_of)
            self.summary.monitoring.append({
                "region": unit.region,
                "item": item.code,
                "status": status,
                "overdue": overdue,
                "deadline": item.final_deadline.isoformat() if item.final_deadline else None,
                "done_date": done_date.isoformat() if done_date else None,
                # as «Свод» counts it: an item done, after its deadline (a date beside «В работе» is not)
                "done_late": None if found is None else bool(
                    status == catalog.STATUS_DONE and done_date and item.final_deadline
                    and done_date > item.final_deadline),
            })

    # --- lists --------------------------------------------------------------------------------

    def _lists(self, unit: Unit) -> None:
        self._touchpoint_rows(unit)
        for journey in unit.of_kind("journey"):
            wb = journey.workbook
            assert wb is not None
            self.summary.decisions.extend(
                _declared_row(unit.region, wb.czn, JOURNEY.sheet(DECISIONS_SHEET), r, journey)
                for r in wb.records(DECISIONS_SHEET))
        for roadmap in unit.of_kind("roadmap"):
            wb = roadmap.workbook
            assert wb is not None
            self.summary.meetings.extend(
                _declared_row(unit.region, None, ROADMAP.sheet(MEETINGS_SHEET), r, roadmap)
                for r in wb.records(MEETINGS_SHEET))

    def _tool_rows(self, unit: Unit) -> list[dict[str, Any]]:
        rows = []
        for journey in unit.of_kind("journey"):
            wb = journey.workbook
            assert wb is not None
            digest = self._digest_for(unit, wb.czn)
            for record in wb.records(TOOLS_SHEET):
                if not record.ok:
                    continue
                metric, launch = record.get("metric"), record.get("launch_date")
                code = record.get("touchpoint_code")
                before: list[float] = []
                after: list[float] = []
                if digest is not None and metric and launch and code:
                    for day, value in digest.values(metric, code_key=touchpoint_key(code)):
                        (after if day >= launch.toordinal() else before).append(value)
                effect = tool_effect(metric, before, after) if metric else None
                better = effect is not None and effect.difference is not None and (
                    effect.difference < 0 if catalog.METRICS_BY_NAME[metric].lower_is_better
                    else effect.difference > 0)
                # FORMS.md §5: a figure of fewer than SMALL_SAMPLE answers is «мало данных», and so is an effect
                # with such a figure on either side: it is never confirmed, however small its p-value
                small = effect is None or effect.small_sample
                rows.append({
                    "region": unit.region,
                    "czn": wb.czn,
                    "tool": record.get("tool"),
                    "touchpoint": code,
                    "metric": metric,
                    "launch_date": launch.isoformat() if launch else None,
                    "typed_before": record.get("before"),
                    "typed_after": record.get("after"),
                    "before": _rounded(effect.before.value) if effect else None,
                    "before_n": effect.before.n if effect else 0,
                    "before_small_sample": effect.before.small_sample if effect else True,
                    "after": _rounded(effect.after.value) if effect else None,
                    "after_n": effect.after.n if effect else 0,
                    "after_small_sample": effect.after.small_sample if effect else True,
                    "effect": _rounded(effect.difference) if effect else None,
                    "p_value": _rounded(effect.p_value, 4) if effect else None,
                    "effect_confirmed": bool(effect and not small and effect.significant and better),
                    "effect_small_sample": small,
                    "conclusion": record.get("conclusion"),
                    "file": journey.entry.relative,
                })
        return rows

    def _touchpoint_rows(self, unit: Unit) -> None:
        centres: dict[str, tuple[str, Any, dict[str, dict[str, Any]]]] = {}
        for journey in unit.of_kind("journey"):
            wb = journey.workbook
            assert wb is not None
            info = {touchpoint_key(r.get("touchpoint_code")): r.values
                    for r in wb.records(JOURNEY_SHEET) if r.get("touchpoint_code")}
            centres[normalize_unit_name(wb.czn or "")] = (wb.czn or "", None, info)
        for outcome in unit.of_kind("measurements"):
            wb = outcome.workbook
            assert wb is not None
            key = normalize_unit_name(wb.czn or "")
            name, _, info = centres.get(key, (wb.czn or "", None, {}))
            centres[key] = (name, outcome.answers, info)
        # (channel, metric) -> the arrays of its answers, every centre of the unit
        channel_parts: dict[tuple[str, str], list[Sequence[float]]] = {}
        for name, digest, info in (centres[k] for k in sorted(centres)):
            if digest is None:
                continue
            for code_key in sorted(digest.touchpoints):
                tp = digest.touchpoints[code_key]
                journey_row = info.get(code_key, {})
                parts: dict[str, list[Sequence[float]]] = {}
                for (channel, metric), series in tp.series.items():
                    if metric in METRICS:
                        parts.setdefault(metric, []).append(series.values)
                        channel_parts.setdefault((channel, metric), []).append(series.values)
                for metric in catalog.METRIC_NAMES:
                    arrays = parts.get(metric)
                    pool = Pool(metric, arrays) if arrays else None
                    if pool is None or not len(pool):
                        continue
                    est = pool.headline()
                    self.summary.touchpoints.append({
                        # as the journey spells it: the first answer's spelling («тк-05») is only a variant
                        "region": unit.region, "czn": name, "code": journey_row.get("touchpoint_code") or tp.code,
                        "touchpoint": journey_row.get("touchpoint"), "stage": journey_row.get("stage"),
                        "channel": journey_row.get("channel"), "metric": metric, "n": est.n,
                        "value": _rounded(est.value), "ci_low": _rounded(est.ci_low),
                        "ci_high": _rounded(est.ci_high), "small_sample": est.small_sample,
                    })
        for (channel, metric), arrays in sorted(channel_parts.items()):
            pool = Pool(metric, arrays)
            if not len(pool):
                continue
            est = pool.headline()
            self.summary.channels.append({
                "region": unit.region, "channel": channel, "metric": metric, "n": est.n,
                "value": _rounded(est.value), "ci_low": _rounded(est.ci_low),
                "ci_high": _rounded(est.ci_high), "small_sample": est.small_sample,
            })

    def _consultations(self) -> None:
        sheet = CONSULTATIONS.sheets[0]
        assert isinstance(sheet, TableSheet)
        for outcome in self.accepted:
            wb = outcome.workbook
            if wb is None or wb.kind.key != "consultations":
                continue
            for record in wb.records(sheet.name):
                row = _declared_row(record.get("region"), record.get("czn"), sheet, record, outcome)
                self.summary.consultations.append(row)

    def _files_and_issues(self) -> None:
        for outcome in self.outcomes:
            wb = outcome.workbook
            self.summary.files.append({
                "path": outcome.entry.relative,
                "sha256": outcome.entry.sha256,
                "size": outcome.entry.size,
                "kind": wb.kind.key if wb else None,
                "kind_title": wb.kind.title if wb else None,
                "region": wb.region if wb else None,
                "czn": wb.czn if wb else None,
                "report_date": wb.report_date.isoformat() if wb and wb.report_date else None,
                "status": outcome.status.value,
                "status_ru": STATUS_RU[outcome.status],
                "reason": outcome.reason,
                "errors": sum(i.severity is Severity.ERROR for i in outcome.issues),
                "warnings": sum(i.severity is Severity.WARNING for i in outcome.issues),
            })
            for issue in outcome.issues:
                self.summary.issues.append({
                    "file": outcome.entry.relative,
                    # an issue of a file that does not count (superseded, rejected) is no one's work to do first
                    "file_status": outcome.status.value,
                    "file_status_ru": STATUS_RU[outcome.status],
                    "region": wb.region if wb else None,
                    "czn": wb.czn if wb else None,
                    "severity": issue.severity.value,
                    "severity_ru": SEVERITY_RU[issue.severity],
                    "sheet": issue.sheet,
                    "cell": issue.cell,
                    "column": issue.column,
                    "value": json_value(issue.value),
                    "code": issue.code.value,
                    "message": issue.message,
                })


def _declared_row(region: str | None, czn: str | None, sheet: Sheet, record: Record,
                  outcome: FileOutcome) -> dict[str, Any]:
    """A list row: region, centre, then every declared column of the sheet (a new column appears here)."""
    row: dict[str, Any] = {"region": region, "czn": czn}
    assert isinstance(sheet, TableSheet)
    for column in sheet.columns:
        if column.key in ("region", "czn"):
            continue
        row[column.key] = json_value(record.get(column.key))
    row["row_ok"] = record.ok
    row["file"] = outcome.entry.relative
    row["row"] = record.row
    return row


def build_summary(outcomes: Sequence[FileOutcome], programme: Programme, as_of: dt.date,
                  level: str, cache: ResultCache | None = None) -> Summary:
    """The summary; with a cache, a region whose files did not change since a run is not computed again."""
    return SummaryBuilder(outcomes, programme, as_of, level, cache).build()
