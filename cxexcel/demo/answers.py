"""Measurement answers of a pilot centre: surveys, system data and observations at its touchpoints."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable

from cxexcel.demo.dates import DAY
from cxexcel.demo.journeys import QUEUE_CHANNELS, JourneyPlan, ToolPlan, Touchpoint
from cxexcel.demo.stages import EMAIL, GOSUSLUGI, IN_PERSON, MESSENGER, PORTAL
from cxexcel.demo.texts import (
    ANSWER_COMMENTS_BAD,
    ANSWER_COMMENTS_BAD_BY_CHANNEL,
    ANSWER_COMMENTS_GOOD,
    INTERVIEW,
    MYSTERY_SHOPPER,
    OBSERVATION,
    SURVEY,
    SYSTEM_DATA,
)
from cxexcel.forms import catalog

CSAT, CES, NPS = catalog.CSAT, catalog.CES, catalog.NPS
WAIT, SERVICE, FIRST_CONTACT = catalog.WAIT_TIME, catalog.SERVICE_TIME, catalog.FIRST_CONTACT
TIME_METRICS = (WAIT, SERVICE)
# online channels answer on weekends too, if less often
ONLINE_CHANNELS = (PORTAL, GOSUSLUGI, EMAIL, MESSENGER)
METHOD_WEIGHTS = ((SURVEY, 0.70), (SYSTEM_DATA, 0.14), (OBSERVATION, 0.07), (MYSTERY_SHOPPER, 0.05), (INTERVIEW, 0.04))
# typical minutes in a queue, by channel
BASE_WAIT = {IN_PERSON: 16.0, "default": 6.0}


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _scale_value(rng: random.Random, metric: str, quality: float, tp: Touchpoint, time_factor: float) -> float:
    """One answer: satisfaction follows the touchpoint's quality, plus the noise of real people."""
    if metric == CSAT:
        return round(_clamp(3.8 + 0.8 * quality + rng.gauss(0, 0.9), 1, 5))
    if metric == CES:
        return round(_clamp(5.0 + 1.0 * quality + rng.gauss(0, 1.2), 1, 7))
    if metric == NPS:
        return round(_clamp(7.9 + 1.2 * quality + rng.gauss(0, 1.8), 0, 10))
    if metric == FIRST_CONTACT:
        return 1 if rng.random() < _clamp(0.66 + 0.3 * quality, 0.05, 0.97) else 0
    if metric == WAIT:
        base = BASE_WAIT.get(tp.channel, BASE_WAIT["default"])
        return round(base * (1.2 - 0.2 * quality) * rng.lognormvariate(0, 0.45) * time_factor, 1)
    return round(tp.step.minutes * rng.lognormvariate(0, 0.35) * (0.5 + 0.5 * time_factor), 1)


def _metrics_for(rng: random.Random, method: str, tp: Touchpoint) -> list[str]:
    queue = tp.channel in QUEUE_CHANNELS
    if method == SURVEY:
        metrics = [CSAT]
        for metric, chance in ((NPS, 0.3), (CES, 0.25), (FIRST_CONTACT, 0.15)):
            if rng.random() < chance:
                metrics.append(metric)
        return metrics
    if method == SYSTEM_DATA:
        if queue:
            return [WAIT, SERVICE] if tp.channel == IN_PERSON else [WAIT]
        return [SERVICE] if rng.random() < 0.5 else [FIRST_CONTACT]
    if method == OBSERVATION:
        return [WAIT, SERVICE] if queue and rng.random() < 0.5 else [WAIT if queue else SERVICE]
    if method == MYSTERY_SHOPPER:
        return [CSAT, WAIT if queue else SERVICE]
    return [CSAT, NPS, CES]


class AnswerMaker:
    """Draws answers for one centre; the same generator state gives the same rows."""

    def __init__(self, rng: random.Random, plan: JourneyPlan, start: dt.date, end: dt.date) -> None:
        self.rng = rng
        self.plan = plan
        self.touchpoints = plan.touchpoints
        self.cum_weights = list(itertools.accumulate(t.weight for t in self.touchpoints))
        self.tools: dict[str, ToolPlan] = {t.touchpoint.code: t for t in plan.tools}
        all_days = [start + DAY * n for n in range((end - start).days + 1)]
        self.workdays = [d for d in all_days if d.weekday() < 5] or all_days
        # weekends count less online: people fill forms on Saturday, but fewer of them
        self.online_days = self.workdays * 3 + [d for d in all_days if d.weekday() >= 5]
        self.methods = [m for m, _ in METHOD_WEIGHTS]
        self.method_weights = list(itertools.accumulate(w for _, w in METHOD_WEIGHTS))
        self.survey_id = itertools.count(1)

    def rows(self, count: int) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        while len(rows) < count:
            rows.extend(self._visit())
        del rows[count:]
        # people type answers in by date
        rows.sort(key=lambda r: r["date"])  # type: ignore[arg-type, return-value]
        return rows

    def _visit(self) -> list[dict[str, object]]:
        rng = self.rng
        tp = rng.choices(self.touchpoints, cum_weights=self.cum_weights)[0]
        day = rng.choice(self.online_days if tp.channel in ONLINE_CHANNELS else self.workdays)
        method = rng.choices(self.methods, cum_weights=self.method_weights)[0]
        metrics = _metrics_for(rng, method, tp)
        time_factor = 1.0
        tool = self.tools.get(tp.code)
        launched = tool is not None and day >= tool.launch
        if tool is not None:
            # a centre measures the metric of its tool more often where the tool works
            if tool.tool.metric not in metrics and rng.random() < 0.9:
                metrics.append(tool.tool.metric)
            if launched:
                time_factor = 0.6 if tool.tool.metric in TIME_METRICS else 0.85
        respondent = self._respondent(method)
        category = self.plan.category if rng.random() < 0.85 else ""
        answers: list[dict[str, object]] = []
        for metric in metrics:
            quality = tp.quality
            if launched and tool is not None:
                # a tool improves what it targets most, the rest of the experience somewhat
                quality += tool.gain if metric == tool.tool.metric else tool.gain / 2
            value = _scale_value(rng, metric, quality, tp, time_factor)
            if method == SYSTEM_DATA and metric in TIME_METRICS:
                value = round(value)
            answers.append({
                "date": day,
                "touchpoint_code": tp.code,
                "channel": tp.channel,
                "method": method,
                "metric": metric,
                "value": value,
                "respondent": respondent,
                "client_category": category,
                "comment": self._comment(metric, value, tp.channel),
            })
        return answers

    def _respondent(self, method: str) -> str:
        rng = self.rng
        makers: dict[str, Callable[[], str]] = {
            SURVEY: lambda: f"А-{next(self.survey_id):05d}",
            INTERVIEW: lambda: f"И-{next(self.survey_id):05d}",
            SYSTEM_DATA: lambda: f"ЛД-{rng.randint(100000, 999999)}",
            MYSTERY_SHOPPER: lambda: f"ТП-{rng.randint(1, 12):02d}",
        }
        make = makers.get(method)
        return make() if make else ""

    def _comment(self, metric: str, value: float, channel: str) -> str:
        if metric != CSAT or self.rng.random() > 0.08:
            return ""
        if value >= 4:
            return self.rng.choice(ANSWER_COMMENTS_GOOD)
        return self.rng.choice(ANSWER_COMMENTS_BAD + ANSWER_COMMENTS_BAD_BY_CHANNEL.get(channel, ()))


def answer_rows(rng: random.Random, plan: JourneyPlan, start: dt.date, end: dt.date,
                count: int) -> list[dict[str, object]]:
    """count answers dated start…end at the journey's touchpoints, better after each tool's launch."""
    return AnswerMaker(rng, plan, start, end).rows(count)
