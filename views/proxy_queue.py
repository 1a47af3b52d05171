"""My proxy requests (我的代办), for the agent on a phone: overdue first, with filters
全部 / 已逾期 / 今天到期 and their counts (services/queue_filters.py); the merchant's
phone a tap-to-call link and the address a map link; accept, start, finish with the
merchant's rating, or hand back with a reason."""

import streamlit as st

from services import proxy, proxy_board, queue_filters
from services.access import Actor
from ui.actions import flash, read, show_flash, write
from ui.downloads import export_button
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.phone import call_link, map_area, map_link
from ui.proxy_actions import close_form, reject_action
from ui.records import action_button, record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "queue"


def request_card(actor: Actor, card: proxy_board.RequestCard, area: str) -> None:
    """One request and its actions; a message about it shows inside its own card, and
    once it leaves the queue (closed, rejected) under the page title."""
    with st.container(border=True, key=record_key(SCOPE, "card", card.id)):
        st.markdown(
            (f":red-badge[{t('proxy.overdue_tag')}] " if card.overdue else "")
            + f"**{plain(card.shop_name)}** · {t(f'proxy.kind.{card.kind}')}"
        )
        st.text(card.detail or "—")
        st.write(
            f":material/person: {plain(card.owner_name)}  \n:material/call: {call_link(card.phone)}"
            f"  \n:material/home_pin: {map_link(card.address, area)}"
        )
        st.caption(
            t("proxy.due_short", day=day(card.due_on)) + " · " + t(f"proxy.status.{card.status}")
        )
        show_flash(record_key(SCOPE, "msg", card.id))
        for target in card.steps:
            if action_button(
                t(f"proxy.to.{target.value}"),
                scope=SCOPE,
                action=target.value,
                record_id=card.id,
                primary=True,
            ) and write(proxy.request_advance, actor=actor, request_id=card.id, to_status=target):
                flash(t("common.saved"), anchor=record_key(SCOPE, "msg", card.id))
                st.rerun()
        if card.can_close:
            close_form(actor, card.id, scope=SCOPE)
        # Out of scope, or the merchant withdrew it: the agent hands it back with a reason.
        if card.can_reject:
            reject_action(actor, card.id, card.shop_name, scope=SCOPE)


actor = page_guard("proxy_queue")
st.title(t("nav.proxy_queue"))
show_flash()

day_now = today()
queue = read(proxy_board.agent_queue, actor=actor, today=day_now)
if not queue:
    st.info(t("proxy.queue_empty"), icon=":material/task_alt:")
    st.caption(t("proxy.queue_empty_how"))
else:
    counts = queue_filters.queue_counts(queue, day_now)
    which = st.segmented_control(
        t("phone.queue.filter"),
        queue_filters.FILTERS,
        format_func=lambda f: t(f"phone.queue.{f}", n=counts[f]),
        default=queue_filters.ALL,
        key="queue_filter",
        label_visibility="collapsed",
        width="stretch",
    )
    shown = queue_filters.queue_filter(queue, which or queue_filters.ALL, day_now)
    if not shown:
        st.info(t("phone.queue.none"), icon=":material/task_alt:")
    area = map_area(actor.community_id)
    for request in shown:
        request_card(actor, request, area)
if queue:
    export_button(actor, "proxy_queue", key="proxy_queue_export")
