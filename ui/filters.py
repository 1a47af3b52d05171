"""The dashboard's filters: period (month, quarter, year, custom) and communities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from models.base import local_today
from services.access import Actor
from services.errors import BoardError
from services.org import CommunityRow, community_list
from services.periods import Period, PeriodKind, period_containing
from ui.actions import read
from ui.i18n import error_text, t
from ui.text import plain


def today() -> date:
    return local_today()


@dataclass(frozen=True)
class Scope:
    period: Period
    community_ids: list[int] | None  # None: every community of the street
    communities: list[CommunityRow]  # the communities shown

    def label(self, *, markdown: bool = False) -> str:
        """The community's name (escaped for a Markdown string with markdown=True), or
        how many communities are shown."""
        if len(self.communities) == 1:
            name = self.communities[0].name
            return plain(name) if markdown else name
        return t("dashboard.n_communities", n=len(self.communities))


def scope_filters(actor: Actor, *, prefix: str, where=st) -> Scope | None:
    """Period and community pickers; None (with a message shown) if the range is invalid."""
    kinds = list(PeriodKind)
    cols = where.columns([1, 2, 2] if actor.is_street_admin else [1, 2])
    kind = cols[0].selectbox(
        t("dashboard.period"),
        kinds,
        format_func=lambda k: t(f"dashboard.period.{k}"),
        key=f"{prefix}_period_kind",
    )
    start = end = None
    anchor = today()
    if kind == PeriodKind.custom:
        picked = cols[1].date_input(
            t("dashboard.range"),
            value=(anchor.replace(day=1), anchor),
            max_value=anchor,
            key=f"{prefix}_range",
        )
        start, end = (*tuple(picked), None, None)[:2]
    else:
        anchor = cols[1].date_input(
            t("dashboard.anchor"), value=anchor, max_value=today(), key=f"{prefix}_anchor"
        )
    communities = read(community_list, actor=actor)
    ids: list[int] | None = [c.id for c in communities]
    if actor.is_street_admin:
        chosen = cols[2].multiselect(
            t("dashboard.communities"),
            communities,
            format_func=lambda c: c.name,
            placeholder=t("dashboard.all_communities"),
            key=f"{prefix}_communities",
        )
        if chosen:
            communities, ids = chosen, [c.id for c in chosen]
        else:
            ids = None
    try:
        period = period_containing(PeriodKind(kind), anchor, start, end)
    except BoardError as err:
        where.warning(error_text(err))
        return None
    return Scope(period=period, community_ids=ids, communities=communities)
