"""A pilot centre's journey workbook: audience, service, indicators, persona, touchpoints, decisions and tools."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from cxexcel.demo.dates import between, days, workday
from cxexcel.demo.people import CONTACT_CENTRE_UNIT, EMPLOYERS_UNIT, IT_UNIT, JOB_PLACEMENT_UNIT
from cxexcel.demo.stages import (
    EMPLOYER,
    GOSUSLUGI,
    IN_PERSON,
    JOB_SEEKER,
    MESSENGER,
    OUTREACH,
    PHONE,
    PORTAL,
    STAGES_BY_CATEGORY,
    Step,
)
from cxexcel.demo.texts import (
    AUDIENCES,
    DECISION_EFFECTS,
    INDICATORS,
    PERSONAS,
    QUICK,
    SERVICES_BY_CATEGORY,
    SYSTEMIC,
    TOOLS,
    Persona,
    Tool,
)
from cxexcel.forms import catalog

MIN_TOUCHPOINTS, MAX_TOUCHPOINTS = 15, 30
MIN_STAGES, MAX_STAGES = 4, 7
# channels where a client waits in a queue, so waiting time is measured there
QUEUE_CHANNELS = (IN_PERSON, PHONE, OUTREACH)
UNMEASURED_SHARE = 0.12


@dataclass
class Touchpoint:
    code: str
    stage: str
    step: Step
    emotion: int
    # how often clients pass here, relative to other touchpoints
    weight: float
    # how good the experience is before any tool: about -1 (poor) … +1 (good)
    quality: float

    @property
    def channel(self) -> str:
        return self.step.channel


@dataclass
class ToolPlan:
    tool: Tool
    touchpoint: Touchpoint
    launch: dt.date
    # how much better the experience gets after the launch, in the same units as `quality`
    gain: float


@dataclass
class JourneyPlan:
    category: str
    service: str
    persona: Persona
    audience_rows: list[dict[str, object]]
    indicator_rows: list[dict[str, object]]
    touchpoints: list[Touchpoint]
    journey_rows: list[dict[str, object]]
    decision_rows: list[dict[str, object]] = field(default_factory=list)
    tools: list[ToolPlan] = field(default_factory=list)

    @property
    def stages(self) -> list[str]:
        return list(dict.fromkeys(t.stage for t in self.touchpoints))

    def touchpoint(self, code: str) -> Touchpoint:
        return next(t for t in self.touchpoints if t.code == code)


def plan_journey(
    rng: random.Random,
    *,
    units: list[str],
    responsible: list[str],
    measure_start: dt.date,
    launch_last: dt.date,
    report_date: dt.date,
) -> JourneyPlan:
    """A journey of 15–30 touchpoints across 4–7 stages, 5–15 decisions and 1–3 tools launched in the window."""
    category = JOB_SEEKER if rng.random() < 0.8 else EMPLOYER
    audiences = [a for a in AUDIENCES if a.category == category]
    chosen = rng.sample(audiences, rng.choice((1, 1, 2)))
    audience_rows: list[dict[str, object]] = [
        {"category": a.category, "description": a.description, "size": rng.randint(*a.size), "reason": a.reason}
        for a in chosen
    ]
    persona = rng.choice([p for p in PERSONAS if p.category == category])
    touchpoints = _touchpoints(rng, category)
    plan = JourneyPlan(
        category=category,
        service=rng.choice(SERVICES_BY_CATEGORY[category]),
        persona=persona,
        audience_rows=audience_rows,
        indicator_rows=_indicators(rng, category),
        touchpoints=touchpoints,
        journey_rows=[_journey_row(rng, n, tp, _unit(rng, category, tp, units))
                      for n, tp in enumerate(touchpoints, start=1)],
    )
    plan.tools = _tools(rng, category, touchpoints, measure_start, launch_last)
    tool_codes = {t.touchpoint.code for t in plan.tools}
    for tp in touchpoints:
        # a centre does not survey at every touchpoint: some stay unmeasured
        if tp.code not in tool_codes and rng.random() < UNMEASURED_SHARE:
            tp.weight = 0.0
    plan.decision_rows = _decisions(rng, plan, responsible, report_date)
    return plan


def _touchpoints(rng: random.Random, category: str) -> list[Touchpoint]:
    pool = STAGES_BY_CATEGORY[category]
    while True:
        count = rng.randint(MIN_STAGES, min(MAX_STAGES, len(pool)))
        stages = [pool[i] for i in sorted(rng.sample(range(len(pool)), count))]
        capacity = sum(len(s.steps) for s in stages)
        if capacity >= MIN_TOUCHPOINTS:
            break
    target = rng.randint(MIN_TOUCHPOINTS, min(MAX_TOUCHPOINTS, capacity))
    # every stage gets two steps, the rest go where there is room
    taken = [min(2, len(s.steps)) for s in stages]
    while sum(taken) < target:
        i = rng.randrange(len(stages))
        if taken[i] < len(stages[i].steps):
            taken[i] += 1
    touchpoints: list[Touchpoint] = []
    for stage, n in zip(stages, taken, strict=True):
        for index in sorted(rng.sample(range(len(stage.steps)), n)):
            step = stage.steps[index]
            emotion = step.emotion
            if rng.random() < 0.25:
                emotion = max(catalog.EMOTION_MIN, min(catalog.EMOTION_MAX, emotion + rng.choice((-1, 1))))
            code = f"{catalog.TOUCHPOINT_CODE_PREFIX}{len(touchpoints) + 1:02d}"
            weight = rng.uniform(0.4, 1.6) * (1.6 if step.channel == IN_PERSON else 1.0)
            quality = 0.45 * emotion + rng.gauss(0, 0.25)
            touchpoints.append(Touchpoint(code, stage.name, step, emotion, weight, quality))
    return touchpoints


def _unit(rng: random.Random, category: str, tp: Touchpoint, units: list[str]) -> str:
    """The unit that answers for a touchpoint: mostly the one its channel belongs to."""
    main = EMPLOYERS_UNIT if category == EMPLOYER else JOB_PLACEMENT_UNIT
    by_channel = {PORTAL: IT_UNIT, GOSUSLUGI: IT_UNIT, MESSENGER: IT_UNIT, PHONE: CONTACT_CENTRE_UNIT}
    if rng.random() < 0.2:
        return rng.choice(units)
    return by_channel.get(tp.channel, main) if rng.random() < 0.6 else main


def _journey_row(rng: random.Random, number: int, tp: Touchpoint, unit: str) -> dict[str, object]:
    step = tp.step
    minutes = max(1, round(step.minutes * rng.uniform(0.7, 1.4)))
    return {
        "stage": tp.stage,
        "step": number,
        "action": step.action,
        "touchpoint_code": tp.code,
        "touchpoint": step.touchpoint,
        "channel": step.channel,
        "unit": unit,
        "thoughts": step.thoughts,
        "emotion": tp.emotion,
        "pains": step.pains if tp.emotion <= 0 or rng.random() < 0.5 else "",
        "duration": minutes,
        "improvements": step.improvement,
    }


def _indicators(rng: random.Random, category: str) -> list[dict[str, object]]:
    chosen = rng.sample(INDICATORS, rng.randint(3, 5))
    rows: list[dict[str, object]] = []
    for ind in chosen:
        whole = ind.unit in ("%", "пункты", "мин", "дней")
        baseline = rng.uniform(*ind.baseline)
        gain = rng.uniform(*ind.gain)
        target = baseline - gain if ind.lower_is_better else baseline + gain
        rows.append({
            "indicator": ind.indicator,
            "unit": ind.unit,
            "method": ind.method,
            "baseline": round(baseline) if whole else round(baseline, 1),
            "target": round(target) if whole else round(target, 1),
            "source": ind.source,
            "periodicity": ind.periodicity,
        })
    return rows


def _tools(rng: random.Random, category: str, touchpoints: list[Touchpoint], measure_start: dt.date,
           launch_last: dt.date) -> list[ToolPlan]:
    wanted = rng.choices((1, 2, 3), weights=(0.45, 0.4, 0.15))[0]
    # a tool needs a few weeks of answers before its launch to show an effect
    launch_first = measure_start + days(18)
    plans: list[ToolPlan] = []
    used: set[str] = set()
    suitable = [t for t in TOOLS if category in t.audiences]
    for tool in rng.sample(suitable, len(suitable)):
        if len(plans) == wanted:
            break
        fitting = [t for t in touchpoints if t.channel in tool.channels and t.code not in used]
        if not fitting:
            continue
        # tools go where the experience is worst
        fitting.sort(key=lambda t: (t.quality, t.code))
        touchpoint = rng.choice(fitting[:3])
        used.add(touchpoint.code)
        # clients of a problem touchpoint are many, and it is measured often once a tool is planned there
        touchpoint.weight *= 3
        launch = workday(between(rng, launch_first, max(launch_first, launch_last)))
        plans.append(ToolPlan(tool, touchpoint, launch, rng.uniform(0.55, 0.85)))
    if not plans:
        # every journey has a touchpoint in person or by phone; a tool fits one of them
        touchpoint = min(touchpoints, key=lambda t: (t.quality, t.code))
        tool = next((t for t in suitable if touchpoint.channel in t.channels), suitable[0])
        touchpoint.weight *= 3
        plans.append(ToolPlan(tool, touchpoint, workday(between(rng, launch_first, launch_last)), 0.7))
    return sorted(plans, key=lambda p: (p.launch, p.touchpoint.code))


def _decisions(rng: random.Random, plan: JourneyPlan, responsible: list[str],
               report_date: dt.date) -> list[dict[str, object]]:
    count = rng.randint(5, min(15, len(plan.touchpoints)))
    by_need = sorted(plan.touchpoints, key=lambda t: (t.quality + rng.uniform(0, 0.6), t.code))
    tool_codes = {p.touchpoint.code: p for p in plan.tools}
    chosen = [t for t in plan.touchpoints if t.code in tool_codes]
    chosen += [t for t in by_need if t.code not in tool_codes][: max(0, count - len(chosen))]
    chosen.sort(key=lambda t: t.code)
    rows: list[dict[str, object]] = []
    for number, tp in enumerate(chosen, start=1):
        tool = tool_codes.get(tp.code)
        if tool is not None:
            solution, kind, deadline = tool.tool.name, SYSTEMIC, tool.launch
        else:
            solution = tp.step.improvement
            kind = QUICK if rng.random() < 0.6 else SYSTEMIC
            deadline = workday(report_date + days(rng.randint(-45, 40)))
        if deadline <= report_date:
            status = catalog.STATUS_DONE if rng.random() < 0.8 else catalog.STATUS_IN_PROGRESS
        else:
            status = catalog.STATUS_IN_PROGRESS if rng.random() < 0.6 else catalog.STATUS_NOT_STARTED
        rows.append({
            "number": number,
            "touchpoint_code": tp.code,
            "problem": tp.step.pains,
            "solution": solution,
            "solution_type": kind,
            "responsible": rng.choice(responsible),
            "deadline": deadline,
            "expected_effect": rng.choice(DECISION_EFFECTS),
            "status": status,
        })
    return rows


def tool_rows(plan: JourneyPlan, typed: dict[str, tuple[float | None, float | None]]) -> list[dict[str, object]]:
    """The «Инструменты» rows; typed maps a touchpoint code to the before/after values the centre typed."""
    rows: list[dict[str, object]] = []
    for tool in plan.tools:
        before, after = typed.get(tool.touchpoint.code, (None, None))
        rows.append({
            "tool": tool.tool.name,
            "description": tool.tool.description,
            "touchpoint_code": tool.touchpoint.code,
            "launch_date": tool.launch,
            "metric": tool.tool.metric,
            "before": before,
            "after": after,
            "conclusion": tool.tool.conclusion if after is not None else "Замеры после запуска продолжаются",
        })
    return rows
