"""The two ways a proxy request ends, shared by the secretary's board and the agent's
queue: closed with the merchant's rating (好差评: five words, never stars), or rejected
with a reason; and the rating control itself (also used for a late rating).

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

# 44 px touch targets for the five words and the buttons (the agent is on a phone)
TOUCH_CSS = """<style>
[data-testid="stButtonGroup"] button, [data-testid="stFormSubmitButton"] button,
.stButton button { min-height: 44px; }
</style>"""


def rating_control(key: str) -> int | None:
    """The merchant's 好差评, one of the five words (非常满意 ... 非常不满意), none picked
    at first; 不满意 or worse opens a rectification, which the help says."""
    st.html(TOUCH_CSS)
    return st.segmented_control(
        t("proxy.ask_rating"),
        proxy.RATINGS,
        format_func=lambda n: t(f"proxy.rating.{n}"),
        help=t("proxy.rating_help"),
        key=key,
        width="stretch",
    )


def close_form(actor: Actor, request_id: int, *, scope: str, anchor: str = PAGE) -> None:
    """Done, with the merchant's rating and comment; without a rating the request waits
    for a follow-up call. Widget keys: <scope>_rating_<id>, ..."""
    with st.form(record_key(scope, "done", request_id)):
        rating = rating_control(record_key(scope, "rating", request_id))
        feedback = st.text_input(
            t("proxy.feedback"), key=record_key(scope, "feedback", request_id), max_chars=200
        )
        if st.form_submit_button(t("proxy.close"), type="primary", width="stretch") and write(
            proxy.request_close,
            actor=actor,
            request_id=request_id,
            satisfaction=rating,
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
