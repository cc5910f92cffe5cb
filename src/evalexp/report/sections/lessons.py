"""Lessons for public policy: the plan's ``[report] lessons`` text (left out when the plan gives none)."""
from __future__ import annotations

from ..document import Section
from .context import Context, plan_text_section


def section(ctx: Context) -> Section | None:
    return plan_text_section(ctx, "lessons", ctx.fmt.t("sec_lessons"))
