"""Audit trail (staff): every change as a person reads it, before beside after, with
filters by person, date, module and the record's name, a page at a time."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from models.base import local_today
from services.access import Actor
from services.audit_text import MODULE_ORDER
from services.audit_view import DEFAULT_DAYS, TrailFilters, TrailPage, audit_people, audit_trail
from ui.actions import read
from ui.fmt import when
from ui.i18n import lang, t
from ui.session import page_guard

PAGE = "audit_page"


def _first_page() -> None:
    st.session_state[PAGE] = 1


def filters(actor: Actor) -> TrailFilters | None:
    """The filter row; None (with a message) when the dates are the wrong way round."""
    today = local_today()
    who, start, end, module, record = st.columns([2, 1.2, 1.2, 1.5, 2])
    people = read(audit_people, actor=actor)
    names = {p.id: p.name for p in people}
    account_id = who.selectbox(
        t("audit_view.filter.who"),
        [None, *names],
        format_func=lambda i: t("audit_view.filter.anyone") if i is None else names[i],
        key="audit_who",
        on_change=_first_page,
    )
    first = start.date_input(
        t("audit_view.filter.start"),
        value=today - timedelta(days=DEFAULT_DAYS),
        max_value=today,
        key="audit_start",
        on_change=_first_page,
    )
    last = end.date_input(
        t("audit_view.filter.end"),
        value=today,
        max_value=today,
        key="audit_end",
        on_change=_first_page,
    )
    chosen = module.selectbox(
        t("audit_view.filter.module"),
        [None, *MODULE_ORDER],
        format_func=lambda m: (
            t("audit_view.filter.all_modules") if m is None else t(f"audit_view.module.{m}")
        ),
        key="audit_module",
        on_change=_first_page,
    )
    name = record.text_input(
        t("audit_view.filter.record"),
        help=t("audit_view.filter.record_help"),
        key="audit_record",
        on_change=_first_page,
    )
    if first > last:
        st.warning(t("audit_view.bad_range"))
        return None
    return TrailFilters(
        start=first, end=last, account_id=account_id, module=chosen, record=name.strip()
    )


def table(found: TrailPage) -> pd.DataFrame:
    """One row per field changed, the entry's when/who/what on each (an entry with no
    field, an export, on one row)."""
    rows = []
    for line in found.lines:
        head = {
            t("audit_view.col.at"): when(line.at),
            t("audit_view.col.who"): line.who,
            t("audit_view.col.action"): line.action,
            t("audit_view.col.module"): line.module,
            t("audit_view.col.record"): " · ".join(p for p in (line.record_type, line.record) if p),
        }
        for change in line.changes or [None]:
            rows.append(
                head
                | {
                    t("audit_view.col.field"): change.field if change else "",
                    t("audit_view.col.before"): change.before if change else "",
                    t("audit_view.col.after"): change.after if change else "",
                }
            )
    return pd.DataFrame(rows)


actor = page_guard("audit")
st.title(t("nav.audit"))
st.caption(
    t("audit_view.scope.admin" if actor.is_street_admin else "audit_view.scope.secretary")
    + " "
    + t("audit_view.about")
)
chosen = filters(actor)
if chosen is not None:
    page_no = int(st.session_state.get(PAGE, 1))
    found = read(audit_trail, actor=actor, lang=lang(), filters=chosen, page=page_no)
    if not found.lines:
        st.info(t("audit_view.empty"), icon=":material/history:")
    else:
        shown = table(found)
        st.dataframe(
            shown, hide_index=True, width="stretch", height=min(720, 35 * (len(shown) + 1) + 3)
        )
        count, pick = st.columns([3, 1])
        count.caption(t("audit_view.count", total=found.total, page=found.page, pages=found.pages))
        if found.pages > 1:
            st.session_state[PAGE] = found.page  # within the pages there are now
            pick.number_input(
                t("audit_view.page"), min_value=1, max_value=found.pages, step=1, key=PAGE
            )
