"""My proxy requests (我的代办), for the agent on a phone: overdue first; accept, start,
finish with the merchant's rating."""

import streamlit as st

from models.proxy import ProxyStatus
from services import proxy
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.proxy_actions import close_form, reject_popover
from ui.session import page_guard

actor = page_guard("proxy_queue")
st.title(t("nav.proxy_queue"))
show_flash()

queue = read(proxy.agent_queue, actor=actor, today=today())
if not queue:
    st.info(t("proxy.queue_empty"), icon=":material/task_alt:")
for card in queue:
    with st.container(border=True):
        st.markdown(
            (f":red-badge[{t('proxy.overdue_tag')}] " if card.overdue else "")
            + f"**{card.shop_name}** · {t(f'proxy.kind.{card.kind}')}"
        )
        st.write(card.detail or "—")
        st.write(
            f":material/person: {card.owner_name}  \n:material/call: {card.phone}  \n:material/home_pin: {card.address}"
        )
        st.caption(
            t("proxy.due_short", day=day(card.due_on)) + " · " + t(f"proxy.status.{card.status}")
        )
        status = ProxyStatus(card.status)
        for target in (ProxyStatus.accepted, ProxyStatus.in_progress):
            if (
                target in proxy.TRANSITIONS[status]
                and st.button(
                    t(f"proxy.to.{target.value}"),
                    key=f"queue_{target.value}_{card.id}",
                    type="primary",
                    width="stretch",
                )
                and write(proxy.request_advance, actor=actor, request_id=card.id, to_status=target)
            ):
                flash(t("common.saved"))
                st.rerun()
        if ProxyStatus.done in proxy.TRANSITIONS[status]:
            close_form(actor, card.id, key_prefix="queue_", key_suffix=f"_{card.id}")
        # Out of scope, or the merchant withdrew it: the agent hands it back with a reason.
        if ProxyStatus.rejected in proxy.TRANSITIONS[status]:
            reject_popover(actor, card.id, key_prefix="queue_", key_suffix=f"_{card.id}")
