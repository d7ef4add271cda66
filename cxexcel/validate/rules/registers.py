"""Rules of the federal registers: the consultation log (item 1.5)."""

from __future__ import annotations

from cxexcel.forms import catalog
from cxexcel.forms.kinds import CONSULTATIONS
from cxexcel.issues import Code
from cxexcel.validate.rules.base import RuleContext, d, rule

LOG_SHEET = CONSULTATIONS.sheets[0].name


@rule("consultations")
def closed_consultations(ctx: RuleContext) -> None:
    report_date = ctx.wb.report_date
    for record in ctx.wb.records(LOG_SHEET):
        opened, closed, status = record.get("date"), record.get("closed_date"), record.get("status")
        if status == catalog.CONSULTATION_CLOSED and closed is None and "closed_date" in record.letters:
            ctx.at(Code.CLOSED_WITHOUT_DATE, LOG_SHEET, record, "closed_date",
                   f"статус «{catalog.CONSULTATION_CLOSED}», но не указана дата закрытия.")
        if closed is not None and status == catalog.CONSULTATION_OPEN:
            ctx.at(Code.DATE_WITHOUT_CLOSED, LOG_SHEET, record, "status",
                   f"указана дата закрытия {d(closed)}, но статус «{status}»; проверьте статус.")
        if opened is not None and closed is not None and closed < opened:
            ctx.at(Code.CLOSED_BEFORE_OPENED, LOG_SHEET, record, "closed_date",
                   f"дата закрытия {d(closed)} раньше даты обращения {d(opened)}.")
        if report_date is None:
            continue
        if opened is not None and opened > report_date:
            ctx.at(Code.DATE_AFTER_REPORT, LOG_SHEET, record, "date",
                   f"дата обращения {d(opened)} позже отчетной даты {d(report_date)}.")
        if closed is not None and closed > report_date:
            ctx.at(Code.DATE_AFTER_REPORT, LOG_SHEET, record, "closed_date",
                   f"дата закрытия {d(closed)} позже отчетной даты {d(report_date)}.")
