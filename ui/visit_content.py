"""A visit's content areas as people read them: one line per area that found something,
then the needs referred (转介) with the visit.

Used wherever a visit is shown (the elder's history). The areas, their items and the
rules are services/visit_content.py's and services/referrals.py's; this only draws them.
"""

from __future__ import annotations

import streamlit as st

from services.referrals import ReferralLine
from services.visit_content import AREAS, VisitContent, item_key
from ui.fmt import day
from ui.i18n import t
from ui.text import plain


def area_text(content: VisitContent, area: str) -> str:
    """The items ticked in an area and its note, e.g. "需要就医、情绪低落 · 腿疼"."""
    found = content.area(area)
    items = t("visits.item_separator").join(t(item_key(area, item)) for item in found.ticked)
    return " · ".join(part for part in (items, plain(found.note)) if part)


def referral_text(line: ReferralLine) -> str:
    """A referral in one line: 转介 社区卫生服务站 · 期限 2026-12-01 · 办理中 (a service
    typed in is shown as typed)."""
    service = t(f"referrals.service.{line.service}") if line.named_service else plain(line.service)
    state = "overdue" if line.overdue else line.state
    return t("visits.referred_line", service=service, day=day(line.due_on)) + t(
        f"visits.referral_state.{state}"
    )


def content_lines(content: VisitContent, referrals: tuple[ReferralLine, ...] = ()) -> None:
    """One line per area with something ticked or noted ("**健康** 需要就医 · 腿疼"),
    then one per referral."""
    for area in AREAS:
        text = area_text(content, area)
        if text:
            st.markdown(f"**{t(f'visits.area.{area}')}** {text}")
    for line in referrals:
        st.markdown(referral_text(line))
