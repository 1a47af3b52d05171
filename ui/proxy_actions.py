"""The two ways a proxy request ends, shared by the secretary's board and the agent's
queue: closed with the merchant's rating, or rejected with a reason.

Every widget carries the request's id in its key (ui.records), so a message that
appears or a card that leaves the list can never move a press onto another request.
"""

from __future__ import annotations

import streamlit as st

from models.proxy import ProxyStatus
from services import proxy
from services.access import Actor
from ui.actions import PAGE, flash, write
from ui.i18n import t
from ui.records import confirm_action, record_key
from ui.text import plain


def close_form(actor: Actor, request_id: int, *, scope: str, anchor: str = PAGE) -> None:
    """Done, with the merchant's satisfaction (1-5) and comment; without a rating the
    request waits for a follow-up call. Widget keys: <scope>_rating_<id>, ..."""
    with st.form(record_key(scope, "done", request_id)):
        st.write(t("proxy.ask_rating"))
        rating = st.feedback("stars", key=record_key(scope, "rating", request_id))
        feedback = st.text_input(
            t("proxy.feedback"), key=record_key(scope, "feedback", request_id), max_chars=200
        )
        if st.form_submit_button(t("proxy.close"), type="primary", width="stretch") and write(
            proxy.request_close,
            actor=actor,
            request_id=request_id,
            satisfaction=None if rating is None else rating + 1,
            feedback=feedback,
        ):
            flash(t("proxy.closed_ok"), anchor=anchor)
            st.rerun()


def reject_action(
    actor: Actor, request_id: int, name: str, *, scope: str, anchor: str = PAGE
) -> None:
    """Rejected (out of scope, or the merchant withdrew it): asks in place, with the
    reason required; the refusal or the outcome shows beside it."""
    confirmed = confirm_action(
        t("proxy.reject"),
        scope=scope,
        action="reject",
        record_id=request_id,
        question=t("proxy.reject_question"),
        confirm_label=t("proxy.reject_confirm"),
        reason_label=t("proxy.reason"),
        reason_missing=t("proxy.reason_required"),
        icon=":material/block:",
    )
    if confirmed and write(
        proxy.request_advance,
        where=confirmed.box,
        actor=actor,
        request_id=request_id,
        to_status=ProxyStatus.rejected,
        note=confirmed.reason,
    ):
        flash(t("proxy.rejected_ok", name=plain(name)), anchor=anchor, clear=confirmed.keys)
        st.rerun()
