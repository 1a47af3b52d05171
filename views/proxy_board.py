"""Red proxy services (红色代办, staff): intake, the board by status with overdue first,
a request's history, assignment, a volunteer task for it, the 差评 rectifications with
their call-backs and rate (and, for the street admin, the working days they have), and
the charts."""

from datetime import time, timedelta

import pandas as pd
import streamlit as st

from models.proxy import CallBackOutcome
from services import charts, merchants, proxy, proxy_board, proxy_figures, rectifications
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import flash, read, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day, when
from ui.i18n import t
from ui.links import record_id
from ui.phone import call_link
from ui.proxy_actions import TOUCH_CSS, close_form, rating_control, reject_action
from ui.records import action_button, record_key
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

SCOPE = "proxy"
INTAKE = "proxy_intake"  # the intake form's message slot
PICKED = "proxy_pick"  # the request on screen, by id (never by its place in a list)
RECTIFY = "proxy_rectify"  # the rectifications tab's message slot

actor = page_guard("proxy_board")
st.title(t("nav.proxy_board"))
show_flash()
if missing_organisation(actor):
    st.stop()
now = today()
kind_label = lambda k: t(f"proxy.kind.{k}")  # noqa: E731


def intake() -> None:
    """Taking in a request: the merchant is picked (never a default), what they ask is
    required, and a second press of 受理 makes no second request (the form is emptied
    after success, and the service refuses the same open request)."""
    registry = read(merchants.merchant_list, actor=actor)
    if registry.empty:
        st.info(t("proxy.no_merchants"), icon=":material/store:")
        st.page_link("views/merchants.py", label=t("nav.merchants"), icon=":material/store:")
        return
    names = dict(
        zip(registry["id"], registry["shop_name"] + " · " + registry["community"], strict=True)
    )
    community_of = dict(zip(registry["id"], registry["community_id"], strict=True))
    show_flash(INTAKE)
    # Outside the form, so that picking a merchant offers the agents of its community
    # (the street admin has no community of their own).
    merchant = st.selectbox(
        t("proxy.merchant"),
        list(names),
        index=None,
        format_func=names.__getitem__,
        placeholder=t("proxy.merchant_pick"),
        key="proxy_merchant",
    )
    community = actor.community_id if merchant is None else int(community_of[merchant])
    agents = (
        dict(read(proxy_board.agent_choices, actor=actor, community_id=community))
        if community
        else {}
    )
    with st.form("proxy_new", enter_to_submit=False):
        a, b = st.columns(2)
        kind = a.selectbox(t("proxy.kind"), proxy.KINDS, format_func=kind_label, key="proxy_kind")
        due_on = b.date_input(
            t("proxy.due_on"), value=None, help=t("proxy.due_default_help"), key="proxy_due"
        )
        detail = st.text_area(t("proxy.detail"), key="proxy_detail", max_chars=1000)
        agent = st.selectbox(
            t("proxy.agent"),
            [None, *agents],
            format_func=lambda a: t("common.none") if a is None else agents[a],
            key="proxy_new_agent",
        )
        if not community:
            st.caption(t("proxy.no_agent_for_admin"))
        if st.form_submit_button(t("proxy.submit"), type="primary") and write(
            proxy.request_create,
            actor=actor,
            merchant_id=None if merchant is None else int(merchant),
            kind=kind,
            detail=detail,
            today=now,
            due_on=due_on,
            agent_account_id=agent,
        ):
            flash(
                t("proxy.created", name=plain(names[merchant])),
                anchor=INTAKE,
                clear=("proxy_merchant", "proxy_detail", "proxy_due", "proxy_new_agent"),
            )
            st.rerun()


def columns(board: proxy_board.Board) -> None:
    """One column per group, overdue and call-back requests tagged."""
    if board.overdue:
        st.warning(t("proxy.overdue_banner", n=board.overdue), icon=":material/alarm:")
    for col, group in zip(
        st.columns(len(proxy_board.BOARD_GROUPS)), proxy_board.BOARD_GROUPS, strict=True
    ):
        col.markdown(f"**{t(f'proxy.group.{group}')}** ({board.totals[group]})")
        for card in board.groups[group]:
            flag = (
                f":red-badge[{t('proxy.overdue_tag')}] "
                if card.overdue
                else (f":orange-badge[{t('proxy.call_tag')}] " if card.needs_call else "")
            )
            col.container(border=True).markdown(
                f"{flag}**{plain(card.shop_name)}**  \n{kind_label(card.kind)} · {t('proxy.due_short', day=day(card.due_on))}"
                + (f"  \n{plain(card.agent)}" if card.agent else "")
                + (f"  \n:gray[{plain(card.community)}]" if actor.is_street_admin else "")
            )
        if board.hidden(group):
            col.caption(t("proxy.more", n=board.hidden(group)))


def details(card: proxy_board.RequestCard, linked: list[proxy_board.LinkedTask]) -> None:
    """The request as the merchant gave it, its history and its volunteer tasks."""
    st.markdown(f"#### {plain(card.shop_name)} · {kind_label(card.kind)}")
    st.write(
        f":material/person: {plain(card.owner_name)} · :material/call: {call_link(card.phone)}"
    )
    st.write(f":material/home_pin: {plain(card.address)}")
    st.text(card.detail or "—")
    st.write(t("proxy.dates", requested=day(card.requested_on), due=day(card.due_on)))
    if card.overdue:
        st.warning(t("proxy.is_overdue"), icon=":material/alarm:")
    if card.reject_reason:
        st.warning(t("proxy.rejected_because", reason=plain(card.reject_reason)))
    if card.satisfaction:
        st.write(t("proxy.rated", level=t(f"proxy.rating.{card.satisfaction}")))
    history = read(proxy_board.request_history, actor=actor, request_id=card.id)
    st.dataframe(
        pd.DataFrame(
            {
                t("proxy.when"): [when(a) for a in history["at"]],
                t("proxy.change"): [
                    t("proxy.change.assigned") if s == proxy.ASSIGNED else t(f"proxy.status.{s}")
                    for s in history["to"]
                ],
                t("proxy.by"): history["by"],
                t("proxy.note"): history["note"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    for task in linked:
        st.write(
            t(
                "proxy.linked_task",
                title=plain(task.title),
                status=t(f"tasks.status.{task.status}"),
                when=when(task.starts_at),
                taken=task.taken,
                capacity=task.capacity,
            )
        )


def assign(card: proxy_board.RequestCard) -> None:
    options = dict(read(proxy_board.agent_choices, actor=actor, community_id=card.community_id))
    if not options:
        st.caption(t("proxy.no_agents"))
        return
    choices = [None, *options]
    agent = st.selectbox(
        t("proxy.agent"),
        choices,
        format_func=lambda a: t("common.none") if a is None else options[a],
        index=choices.index(card.agent_id) if card.agent_id in options else 0,
        key=f"proxy_agent_{card.id}",
    )
    if action_button(t("proxy.assign"), scope=SCOPE, action="assign", record_id=card.id) and write(
        proxy.request_assign, actor=actor, request_id=card.id, agent_account_id=agent
    ):
        flash(t("common.saved"), anchor=record_key(SCOPE, "msg", card.id))
        st.rerun()


def spawn_task(card: proxy_board.RequestCard, linked: list[proxy_board.LinkedTask]) -> None:
    """One volunteer task per request (parcels to collect, an elder to look in on)."""
    live = next((x for x in linked if x.live), None)
    if live is not None:
        st.caption(t("proxy.task_exists", title=plain(live.title)))
        return
    with st.popover(
        t("proxy.spawn_task"),
        icon=":material/volunteer_activism:",
        key=record_key(SCOPE, "task_popover", card.id),
    ):
        title = st.text_input(
            t("tasks.title"),
            value=t("proxy.task_title", shop=card.shop_name),
            key=f"proxy_task_title_{card.id}",
        )
        task_day = st.date_input(
            t("tasks.day"),
            value=now + timedelta(days=1),
            min_value=now,
            key=record_key(SCOPE, "task_day", card.id),
        )
        start = st.time_input(
            t("tasks.start"), value=time(10, 0), key=record_key(SCOPE, "task_start", card.id)
        )
        if st.button(t("proxy.spawn_confirm"), key=record_key(SCOPE, "spawn", card.id)) and write(
            proxy.request_spawn_task,
            actor=actor,
            request_id=card.id,
            title=title,
            day=task_day,
            start=start,
        ):
            flash(t("proxy.task_made"), anchor=record_key(SCOPE, "msg", card.id))
            st.rerun()


def late_rating(card: proxy_board.RequestCard) -> None:
    """Done without a rating: the call-back to the merchant, and the rating it gives."""
    st.info(t("proxy.call_for_rating"), icon=":material/call:")
    with st.form(record_key(SCOPE, "rate", card.id)):
        rating = rating_control(record_key(SCOPE, "late_rating", card.id))
        feedback = st.text_input(
            t("proxy.feedback"), key=record_key(SCOPE, "late_feedback", card.id), max_chars=200
        )
        if (
            st.form_submit_button(t("proxy.save_rating"), type="primary")
            and rating is not None
            and write(
                proxy.request_rate,
                actor=actor,
                request_id=card.id,
                satisfaction=rating,
                feedback=feedback,
            )
        ):
            flash(t("common.saved"), anchor=record_key(SCOPE, "msg", card.id))
            st.rerun()


def actions(card: proxy_board.RequestCard, linked: list[proxy_board.LinkedTask]) -> None:
    """What can be done with the request on screen; its messages show above them."""
    message = record_key(SCOPE, "msg", card.id)
    show_flash(message)
    if card.needs_call:
        late_rating(card)
    if card.can_assign:
        assign(card)
    for target in card.steps:
        if action_button(
            t(f"proxy.to.{target.value}"),
            scope=SCOPE,
            action=f"to_{target.value}",
            record_id=card.id,
            primary=True,
        ) and write(proxy.request_advance, actor=actor, request_id=card.id, to_status=target):
            flash(t("common.saved"), anchor=message)
            st.rerun()
    if card.can_close:
        close_form(actor, card.id, scope=SCOPE, anchor=message)
    if card.can_reject:
        reject_action(actor, card.id, card.shop_name, scope=SCOPE, anchor=message)
    if card.can_spawn_task:
        spawn_task(card, linked)


def pick_request(by_id: dict[int, proxy_board.RequestCard]) -> proxy_board.RequestCard:
    """The request on screen, kept by its id. A picked option is matched by its label,
    so the label holds only what never changes (number, shop, kind): accepting or
    starting the request can never switch the picker to another one. With nothing
    picked yet, the board's first card (overdue first); a link ?request=N opens N."""
    linked = st.query_params.get("request")
    if record_id(linked) in by_id and PICKED not in st.session_state:
        st.session_state[PICKED] = record_id(linked)
    if st.session_state.get(PICKED) not in by_id:
        st.session_state[PICKED] = next(iter(by_id))
    picked = st.selectbox(
        t("proxy.pick_request"),
        sorted(by_id, reverse=True),  # newest first: an order no status change moves
        format_func=lambda i: (
            f"#{i} {by_id[i].shop_name} · {kind_label(by_id[i].kind)}"
            + (f" · {by_id[i].community}" if actor.is_street_admin else "")
        ),
        key=PICKED,
    )
    return by_id[picked]


def board_tab() -> None:
    board = read(proxy_board.request_board, actor=actor, today=now)
    st.caption(t("proxy.open_count", n=board.open_total))
    columns(board)
    export_button(actor, "proxy_requests", key="proxy_board_export")
    by_id = {c.id: c for c in board.cards()}
    if not by_id:
        st.info(t("proxy.board_empty"), icon=":material/lightbulb:")
        return
    st.divider()
    card = pick_request(by_id)
    linked = read(proxy_board.request_tasks, actor=actor, request_id=card.id)
    left, right = st.columns([3, 2])
    with left:
        details(card, linked)
    with right:
        actions(card, linked)


def rectification_rate() -> None:
    """The 差评 rectification rate this month and this year, with its definition."""
    ids = actor.community_ids()
    for col, kind in zip(st.columns(2), (PeriodKind.month, PeriodKind.year), strict=True):
        period = period_containing(kind, now)
        figure = read(
            proxy_figures.rectification_rate,
            community_ids=ids,
            start=period.start,
            end=period.end,
        )
        col.metric(
            t(f"rectification.rate.{kind.value}"),
            "—" if figure["rate"] is None else f"{figure['rate']:.0%}",
            help=t("rectification.rate_counts", rectified=figure["rectified"], bad=figure["bad"]),
        )
    st.caption(t("rectification.rate_definition", n=read(rectifications.rectification_days)))


def call_back_form(item: rectifications.OpenRectification) -> None:
    """The call-back to the merchant (回访), which closes the rectification."""
    key = lambda field: record_key("rect", field, item.id)  # noqa: E731
    with st.form(key("callback")):
        outcome = st.segmented_control(
            t("rectification.outcome"),
            [o.value for o in CallBackOutcome],
            format_func=lambda o: t(f"rectification.outcome.{o}"),
            key=key("outcome"),
            width="stretch",
        )
        note = st.text_area(t("rectification.note"), key=key("note"), max_chars=500, height=80)
        if st.form_submit_button(t("rectification.record_call_back"), type="primary") and write(
            rectifications.record_call_back,
            actor=actor,
            rectification_id=item.id,
            outcome=outcome or "",
            note=note,
        ):
            flash(t("rectification.closed_ok", shop=plain(item.shop_name)), anchor=RECTIFY)
            st.rerun()


def rectification_days_setting() -> None:
    """The street admin's setting: the working days a rectification has."""
    days = read(rectifications.rectification_days)
    with (
        st.expander(t("rectification.days_setting"), icon=":material/settings:"),
        st.form("rect_days"),
    ):
        chosen = st.number_input(
            t("rectification.days"),
            min_value=1,
            max_value=30,
            value=days,
            step=1,
            help=t("rectification.days_help"),
            key="rect_days_value",
        )
        if st.form_submit_button(t("common.save")) and write(
            rectifications.set_rectification_days, actor=actor, days=int(chosen)
        ):
            flash(t("common.saved"), anchor=RECTIFY)
            st.rerun()


def rectifications_tab() -> None:
    """差评 rectifications: the rate, then each open one (overdue first) with its call-back."""
    show_flash(RECTIFY)
    rectification_rate()
    if actor.is_street_admin:
        rectification_days_setting()
    items = read(rectifications.open_rectifications, actor=actor, today=now)
    st.markdown(f"#### {t('rectification.open', n=len(items))}")
    if not items:
        st.info(t("rectification.none_open"), icon=":material/task_alt:")
        return
    st.html(TOUCH_CSS)
    for item in items:
        with st.container(border=True, key=record_key("rect", "card", item.id)):
            flag = f":red-badge[{t('rectification.overdue_tag')}] " if item.overdue else ""
            st.markdown(
                f"{flag}**{plain(item.shop_name)}** · {kind_label(item.kind)} · "
                f"{t(f'proxy.rating.{item.rating}')}"
                + (f" · :gray[{plain(item.community)}]" if actor.is_street_admin else "")
            )
            if item.feedback:
                st.text(item.feedback)
            st.caption(
                t(
                    "rectification.dates",
                    rated=day(item.opened_on),
                    deadline=day(item.deadline),
                    request=item.request_id,
                )
                + " · "
                + (
                    t("rectification.overdue_by", n=-item.days_left)
                    if item.overdue
                    else t("rectification.days_left", n=item.days_left)
                )
                + (f" · {plain(item.agent)}" if item.agent else "")
            )
            call_back_form(item)


def charts_tab() -> None:
    window = trend_window(period_containing(PeriodKind.month, now))
    ids = actor.community_ids()
    requests = read(
        proxy_figures.requests_by_month, community_ids=ids, start=window.start, end=window.end
    )
    st.vega_lite_chart(charts.requests_by_month_chart(requests, t).to_dict(), width="stretch")
    for by in ("community", "agent"):
        quality = read(
            proxy_figures.service_quality,
            community_ids=ids,
            start=window.start,
            end=window.end,
            by=by,
        )
        st.markdown(f"#### {t(f'proxy.quality_by.{by}')}")
        st.dataframe(
            pd.DataFrame(
                {
                    t(f"proxy.col.{by}"): [n or t("proxy.unassigned") for n in quality[by]],
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
        if quality.empty:
            continue
        for col, chart in zip(
            st.columns(3),
            (
                charts.proxy_median_days_chart,
                charts.proxy_on_time_chart,
                charts.proxy_satisfaction_chart,
            ),
            strict=True,
        ):
            col.vega_lite_chart(chart(quality, t, by=by).to_dict(), width="stretch")


# Lazy tabs (ui/tabs.py): only the open one runs.
lazy_tabs(
    "proxy_tab",
    [
        (t("proxy.tab.board"), board_tab),
        (t("proxy.tab.intake"), intake),
        (t("proxy.tab.rectifications"), rectifications_tab),
        (t("proxy.tab.charts"), charts_tab),
    ],
)
