"""访问日志 (the street admin): who viewed one person's full record, or exported or
printed personal data, when and from which page (services/access_log.py), searched by
who looked, whose record, the days and the kind. Read only: entries are never edited,
and are removed only after the street's retention period (set on the retention page)."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from models.privacy import AccessKind
from services import access_log
from ui.actions import read
from ui.filters import today
from ui.i18n import lang, t
from ui.session import page_guard

actor = page_guard("access_log")
st.title(t("nav.access_log"))
st.caption(t("access_log.kept", months=read(access_log.kept_months)))
FIRST_DAYS = 30  # the days shown when the page opens: the last month


def filters() -> dict:
    """The search: who looked, whose record (its kind and a name), the days, the kind."""
    viewers = {v.id: v for v in read(access_log.access_log_viewers, actor=actor)}
    top = st.columns([2, 1, 2])
    who = top[0].selectbox(
        t("access_log.who"),
        [None, *viewers],
        format_func=lambda a: (
            t("common.all") if a is None else f"{viewers[a].name} ({viewers[a].username})"
        ),
        key="access_log_who",
    )
    record_type = top[1].selectbox(
        t("access_log.record_type"),
        [None, *access_log.RECORD_TYPES],
        format_func=lambda r: t("common.all") if r is None else t(f"access_log.type.{r}"),
        key="access_log_type",
    )
    name = top[2].text_input(
        t("access_log.name"), key="access_log_name", placeholder=t("access_log.name_hint")
    )
    low = st.columns([2, 1, 2])
    last = today()
    picked = low[0].date_input(
        t("access_log.days"),
        value=(last - timedelta(days=FIRST_DAYS - 1), last),
        max_value=last,
        key="access_log_days",
    )
    days = tuple(picked) if isinstance(picked, tuple | list) else (picked,)
    kind = low[1].selectbox(
        t("access_log.kind"),
        [None, *AccessKind],
        format_func=lambda k: t("common.all") if k is None else t(f"access_log.kind.{k}"),
        key="access_log_kind",
    )
    return dict(
        account_id=who,
        record_type=record_type,
        name=name,
        start=days[0],
        end=days[-1],  # a range being picked: its first day alone
        kind=kind,
    )


def entries(found: access_log.AccessSearch) -> None:
    if not found.lines:
        st.info(t("access_log.none"), icon=":material/lightbulb:")
        return
    if found.more:
        st.caption(t("access_log.more", n=len(found.lines)))
    lines = found.lines
    st.dataframe(
        pd.DataFrame(
            {
                t("access_log.col.at"): [x.at.strftime("%Y-%m-%d %H:%M:%S") for x in lines],
                t("access_log.col.who"): [x.who for x in lines],
                t("access_log.col.role"): [x.role for x in lines],
                t("access_log.col.kind"): [x.kind for x in lines],
                t("access_log.col.record"): [x.record for x in lines],
                t("access_log.col.community"): [x.community for x in lines],
                t("access_log.col.page"): [x.page for x in lines],
                t("access_log.col.detail"): [x.detail for x in lines],
            }
        ),
        hide_index=True,
        width="stretch",
    )


entries(read(access_log.access_log_search, actor=actor, lang=lang(), **filters()))
