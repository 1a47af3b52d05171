"""Red proxy services (红色代办, staff): intake, the board by status with overdue first,
a request's history, assignment, a volunteer task for it, and the charts."""

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from models.proxy import ProxyStatus
from services import charts, proxy
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day, when
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("proxy_board")
st.title(t("nav.proxy_board"))
show_flash()
now = today()
kind_label = lambda k: t(f"proxy.kind.{k}")  # noqa: E731

board = read(proxy.request_board, actor=actor, today=now)
open_count = sum(len(board[s.value]) for s in proxy.OPEN)
overdue_count = sum(c.overdue for s in proxy.OPEN for c in board[s.value])
tab_board, tab_new, tab_charts = st.tabs(
    [t("proxy.tab.board", n=open_count), t("proxy.tab.intake"), t("proxy.tab.charts")]
)

with tab_new, st.form("proxy_new"):
    merchants = read(proxy.merchant_list, actor=actor)
    names = dict(
        zip(merchants["id"], merchants["shop_name"] + " · " + merchants["community"], strict=True)
    )
    merchant = st.selectbox(
        t("proxy.merchant"), list(names), format_func=names.get, key="proxy_merchant"
    )
    a, b = st.columns(2)
    kind = a.selectbox(t("proxy.kind"), proxy.KINDS, format_func=kind_label, key="proxy_kind")
    due_on = b.date_input(
        t("proxy.due_on"), value=None, help=t("proxy.due_default_help"), key="proxy_due"
    )
    detail = st.text_area(t("proxy.detail"), key="proxy_detail")
    agents = (
        dict(read(proxy.agent_choices, actor=actor, community_id=actor.community_id))
        if actor.community_id
        else {}
    )
    agent = st.selectbox(
        t("proxy.agent"),
        [None, *agents],
        format_func=lambda a: t("common.none") if a is None else agents[a],
        key="proxy_new_agent",
    )
    if st.form_submit_button(t("proxy.submit"), type="primary") and write(
        proxy.request_create,
        actor=actor,
        merchant_id=int(merchant),
        kind=kind,
        detail=detail,
        today=now,
        due_on=due_on,
        agent_account_id=agent,
    ):
        flash(t("proxy.created", name=names[merchant]), clear=("proxy_detail", "proxy_due"))
        st.rerun()

with tab_board:
    if overdue_count:
        st.warning(t("proxy.overdue_banner", n=overdue_count), icon=":material/alarm:")
    cols = st.columns(len(ProxyStatus))
    for col, status in zip(cols, ProxyStatus, strict=True):
        cards = board[status.value]
        col.markdown(f"**{t(f'proxy.status.{status.value}')}** ({len(cards)})")
        for card in cards[:40]:
            flag = (
                f":red-badge[{t('proxy.overdue_tag')}] "
                if card.overdue
                else (f":orange-badge[{t('proxy.call_tag')}] " if card.needs_call else "")
            )
            col.container(border=True).markdown(
                f"{flag}**{card.shop_name}**  \n{kind_label(card.kind)} · {t('proxy.due_short', day=day(card.due_on))}"
                + (f"  \n{card.agent}" if card.agent else "")
            )
        if len(cards) > 40:
            col.caption(t("proxy.more", n=len(cards) - 40))

    every = [c for s in ProxyStatus for c in board[s.value]]
    if every:
        st.divider()
        by_id = {c.id: c for c in every}
        picked = st.selectbox(
            t("proxy.pick_request"),
            list(by_id),
            format_func=lambda i: (
                f"#{i} {by_id[i].shop_name} · {kind_label(by_id[i].kind)} · {t(f'proxy.status.{by_id[i].status}')}"
            ),
            key="proxy_pick",
        )
        card = by_id[picked]
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"#### {card.shop_name} · {kind_label(card.kind)}")
            st.write(f":material/person: {card.owner_name} · :material/call: {card.phone}")
            st.write(f":material/home_pin: {card.address}")
            st.write(card.detail or "—")
            st.write(t("proxy.dates", requested=day(card.requested_on), due=day(card.due_on)))
            if card.overdue:
                st.warning(t("proxy.is_overdue"), icon=":material/alarm:")
            if card.reject_reason:
                st.warning(t("proxy.rejected_because", reason=card.reject_reason))
            if card.satisfaction:
                st.write(t("proxy.rated", n=card.satisfaction))
            history = read(proxy.request_history, actor=actor, request_id=card.id)
            st.dataframe(
                pd.DataFrame(
                    {
                        t("proxy.when"): [when(a) for a in history["at"]],
                        t("proxy.change"): [t(f"proxy.status.{s}") for s in history["to"]],
                        t("proxy.by"): history["by"],
                        t("proxy.note"): history["note"],
                    }
                ),
                hide_index=True,
                width="stretch",
            )
        with right:
            status = ProxyStatus(card.status)
            if status in proxy.OPEN:
                agents = (
                    read(proxy.agent_choices, actor=actor, community_id=actor.community_id or 0)
                    if actor.community_id
                    else []
                )
                options = dict(agents)
                if options:
                    agent = st.selectbox(
                        t("proxy.agent"),
                        [None, *options],
                        format_func=lambda a: t("common.none") if a is None else options[a],
                        index=(
                            [None, *options].index(card.agent_id) if card.agent_id in options else 0
                        ),
                        key="proxy_agent",
                    )
                    if st.button(t("proxy.assign"), key="proxy_assign") and write(
                        proxy.request_assign,
                        actor=actor,
                        request_id=card.id,
                        agent_account_id=agent,
                    ):
                        flash(t("common.saved"))
                        st.rerun()
                for target in sorted(
                    proxy.TRANSITIONS[status] - {ProxyStatus.rejected, ProxyStatus.done}
                ):
                    if st.button(
                        t(f"proxy.to.{target.value}"),
                        key=f"proxy_to_{target.value}",
                        type="primary",
                        width="stretch",
                    ) and write(
                        proxy.request_advance, actor=actor, request_id=card.id, to_status=target
                    ):
                        flash(t("common.saved"))
                        st.rerun()
                if ProxyStatus.done in proxy.TRANSITIONS[status]:
                    with st.form("proxy_close"):
                        rating = st.feedback("stars", key="proxy_rating")
                        feedback = st.text_input(t("proxy.feedback"), key="proxy_feedback")
                        if st.form_submit_button(t("proxy.close"), type="primary") and write(
                            proxy.request_close,
                            actor=actor,
                            request_id=card.id,
                            satisfaction=None if rating is None else rating + 1,
                            feedback=feedback,
                        ):
                            flash(t("proxy.closed_ok"))
                            st.rerun()
                with st.popover(t("proxy.reject"), icon=":material/block:"):
                    reason = st.text_input(t("proxy.reason"), key="proxy_reason")
                    if st.button(t("proxy.reject_confirm"), key="proxy_reject") and write(
                        proxy.request_advance,
                        actor=actor,
                        request_id=card.id,
                        to_status=ProxyStatus.rejected,
                        note=reason,
                    ):
                        flash(t("common.saved"))
                        st.rerun()
                with st.popover(t("proxy.spawn_task"), icon=":material/volunteer_activism:"):
                    title = st.text_input(
                        t("tasks.title"),
                        value=f"红色代办：{card.shop_name}",
                        key="proxy_task_title",
                    )
                    task_day = st.date_input(
                        t("tasks.day"),
                        value=now + timedelta(days=1),
                        min_value=now,
                        key="proxy_task_day",
                    )
                    start = st.time_input(
                        t("tasks.start"), value=time(10, 0), key="proxy_task_start"
                    )
                    if st.button(t("proxy.spawn_confirm"), key="proxy_spawn") and write(
                        proxy.request_spawn_task,
                        actor=actor,
                        request_id=card.id,
                        title=title,
                        day=task_day,
                        start=start,
                    ):
                        flash(t("proxy.task_made"))
                        st.rerun()
            elif card.needs_call:
                st.info(t("proxy.call_for_rating"), icon=":material/call:")
                with st.form("proxy_rate"):
                    rating = st.feedback("stars", key="proxy_late_rating")
                    feedback = st.text_input(t("proxy.feedback"), key="proxy_late_feedback")
                    if (
                        st.form_submit_button(t("proxy.save_rating"), type="primary")
                        and rating is not None
                        and write(
                            proxy.request_rate,
                            actor=actor,
                            request_id=card.id,
                            satisfaction=rating + 1,
                            feedback=feedback,
                        )
                    ):
                        flash(t("common.saved"))
                        st.rerun()

with tab_charts:
    window = trend_window(period_containing(PeriodKind.month, now))
    ids = actor.community_ids()
    st.altair_chart(
        charts.requests_by_month_chart(
            read(proxy.requests_by_month, community_ids=ids, start=window.start, end=window.end), t
        ),
        width="stretch",
    )
    for by in ("community", "agent"):
        quality = read(
            proxy.service_quality, community_ids=ids, start=window.start, end=window.end, by=by
        )
        st.markdown(f"#### {t(f'proxy.quality_by.{by}')}")
        st.dataframe(
            pd.DataFrame(
                {
                    t(f"proxy.col.{by}"): quality[by],
                    t("proxy.col.done"): quality["done"],
                    t("proxy.col.median_days"): quality["median_days"],
                    t("proxy.col.on_time"): (quality["on_time_rate"] * 100)
                    .round(0)
                    .astype("Int64")
                    .astype(str)
                    + "%",
                    t("proxy.col.satisfaction"): quality["satisfaction"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        if by == "community" and len(quality) > 0:
            st.altair_chart(charts.satisfaction_chart(quality, t), width="stretch")
