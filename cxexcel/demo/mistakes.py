"""The mistakes people make in real submissions, planted in rows on purpose and described for the manifest."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from cxexcel.demo.answers import CSAT, SERVICE, TIME_METRICS
from cxexcel.demo.dates import text_date
from cxexcel.demo.texts import MONTHS_GENITIVE, OBSERVATION
from cxexcel.forms import catalog
from cxexcel.issues import Code

# mistakes planted in a centre's measurements, and in a region's roadmap
ANSWER_MISTAKES = (Code.VALUE_OFF_SCALE, Code.NUMBER_AS_TEXT, Code.DATE_AS_TEXT, Code.CHOICE_CORRECTED,
                   Code.TOUCHPOINT_UNKNOWN)
ROADMAP_MISTAKES = (Code.DONE_WITHOUT_DATE, Code.TEAM_LEADER)
# Cyrillic letters and the Latin ones that look the same: a keyboard layout switched mid-word
LOOKALIKES = {"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y"}


@dataclass(frozen=True)
class Planted:
    """A mistake in row `index` (0-based, of the table's data rows) and column `key`."""

    code: Code
    index: int
    key: str
    value: Any
    description: str


def with_lookalike(text: str) -> tuple[str, str]:
    """text with one Cyrillic letter (not the first) replaced by its Latin twin, and that letter."""
    for i, ch in enumerate(text):
        if i and ch in LOOKALIKES:
            return text[:i] + LOOKALIKES[ch] + text[i + 1:], LOOKALIKES[ch]
    raise ValueError(f"no letter with a Latin look-alike in {text!r}")


def plant_in_answers(rng: random.Random, rows: list[dict[str, object]], codes: tuple[Code, ...],
                     journey_size: int) -> list[Planted]:
    """Spoil one answer row per code; every mistake takes a row of its own."""
    taken: set[int] = set()

    def pick(condition: Any = None) -> int | None:
        candidates = [i for i, r in enumerate(rows) if i not in taken and (condition is None or condition(r))]
        if not candidates:
            return None
        index = rng.choice(candidates)
        taken.add(index)
        return index

    planted: list[Planted] = []
    for code in codes:
        if code is Code.VALUE_OFF_SCALE:
            i = pick(lambda r: r["metric"] == CSAT)
            if i is None:
                continue
            rows[i]["value"] = 6
            planted.append(Planted(code, i, "value", 6, f"оценка {CSAT} 6 при шкале от 1 до 5"))
        elif code is Code.NUMBER_AS_TEXT:
            # a short wait typed as «4,5», the usual case
            i = pick(lambda r: r["metric"] in TIME_METRICS and isinstance(r["value"], int | float) and r["value"] < 10)
            if i is None:
                i = pick()
                assert i is not None
                rows[i].update(metric=SERVICE, method=OBSERVATION)
            minutes = rows[i]["value"]
            text = f"{int(minutes) if isinstance(minutes, int | float) else 4},5"
            rows[i]["value"] = text
            planted.append(Planted(code, i, "value", text, f"число «{text}» записано текстом"))
        elif code is Code.DATE_AS_TEXT:
            i = pick()
            assert i is not None
            day = rows[i]["date"]
            assert isinstance(day, dt.date)
            text = text_date(day, MONTHS_GENITIVE)
            rows[i]["date"] = text
            planted.append(Planted(code, i, "date", text, f"дата «{text}» записана текстом"))
        elif code is Code.CHOICE_CORRECTED:
            i = pick(lambda r: any(ch in LOOKALIKES for ch in str(r["channel"])[1:]))
            if i is None:
                continue
            text, letter = with_lookalike(str(rows[i]["channel"]))
            rows[i]["channel"] = text
            planted.append(Planted(code, i, "channel", text, f"в канале «{text}» латинская буква «{letter}»"))
        elif code is Code.TOUCHPOINT_UNKNOWN:
            i = pick()
            assert i is not None
            unknown = f"{catalog.TOUCHPOINT_CODE_PREFIX}{journey_size + rng.randint(3, 9):02d}"
            rows[i]["touchpoint_code"] = unknown
            planted.append(Planted(code, i, "touchpoint_code", unknown,
                                   f"ответ в точке контакта {unknown}, которой нет в пути клиента"))
    return planted


def plant_done_without_date(rng: random.Random, rows: list[dict[str, object]], programme_rows: int) -> Planted:
    """Clear the date of an item reported «Выполнено»."""
    done = [i for i in range(programme_rows) if rows[i]["status"] == catalog.STATUS_DONE]
    index = rng.choice(done) if done else 0
    rows[index].update(status=catalog.STATUS_DONE, done_date=None)
    return Planted(Code.DONE_WITHOUT_DATE, index, "done_date", None,
                   f"пункт {rows[index]['code']} «{catalog.STATUS_DONE}» без даты выполнения")


def plant_second_leader(rng: random.Random, rows: list[dict[str, object]]) -> Planted:
    """Make a member a second team leader: the check points at the second one in table order."""
    index = rng.randrange(1, len(rows))
    rows[index]["role"] = catalog.ROLE_LEADER
    return Planted(Code.TEAM_LEADER, index, "role", catalog.ROLE_LEADER,
                   f"два руководителя команды ({rows[0]['name']} и {rows[index]['name']})")
