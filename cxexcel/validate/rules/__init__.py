"""Row and sheet rules of FORMS.md §4, registered per workbook kind."""

from __future__ import annotations

from cxexcel.validate.rules.base import KIND_RULES, RuleContext

__all__ = ["KIND_RULES", "RuleContext"]
