"""Lessons for public policy: the plan's text."""
from __future__ import annotations

from ..document import Paragraph, Section
from .context import Context


def section(ctx: Context) -> Section:
    text = ctx.plan.report.lessons.strip()
    blocks = tuple(Paragraph(p.strip()) for p in text.split("\n\n") if p.strip()) if text else \
        (Paragraph(ctx.fmt.t("lessons_placeholder"), "placeholder"),)
    return Section("lessons", ctx.fmt.t("sec_lessons"), blocks)
