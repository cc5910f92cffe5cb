"""Recommendations: the plan's ``[report] recommendations`` text (left out when the plan gives none)."""
from __future__ import annotations

from ..document import Section
from .context import Context, plan_text_section

TITLE = {"fr": "Recommandations", "en": "Recommendations"}


def section(ctx: Context) -> Section | None:
    return plan_text_section(ctx, "recommendations", TITLE[ctx.fmt.language])
