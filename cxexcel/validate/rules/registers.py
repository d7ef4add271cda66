"""Rules of the federal registers: the consultation log (item 1.5)."""

from __future__ import annotations

from cxexcel.forms import catalog
from cxexcel.forms.kinds import CONSULTATIONS
from cxexcel.issues import Code
from cxexcel.validate.rules.base import RuleContext, d, rule

LOG_SHEET = CONSULTATIONS.sheets[0].name


@rule("consultations")
def closed_consultations(ctx: RuleContext) -> None:
    for record in ctx.wb.records(LOG_SHEET):
        opened, closed = record.get("date"), record.get("closed_date")
        if record.get("status") == catalog.CONSULTATION_CLOSED and closed is None \
                and "closed_date" in record.letters:
            ctx.at(Code.CLOSED_WITHOUT_DATE, LOG_SHEET, record, "closed_date",
                   f"статус «{catalog.CONSULTATION_CLOSED}», но не указана дата закрытия.")
        if opened is not None and closed is not None and closed < opened:
            ctx.at(Code.CLOSED_BEFORE_OPENED, LOG_SHEET, record, "closed_date",
                   f"дата закрытия {d(closed)} раньше даты обращения {d(opened)}.")
