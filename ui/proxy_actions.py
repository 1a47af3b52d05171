"""The two ways a proxy request ends, shared by the secretary's board and the agent's
queue: closed with the merchant's rating, or rejected with a reason."""

from __future__ import annotations

import streamlit as st

from models.proxy import ProxyStatus
from services import proxy
from services.access import Actor
from ui.actions import flash, write
from ui.i18n import t


def _key(prefix: str, name: str, suffix: str) -> str:
    return f"{prefix}{name}{suffix}"


def close_form(actor: Actor, request_id: int, *, key_prefix: str, key_suffix: str = "") -> None:
    """Done, with the merchant's satisfaction (1-5) and comment; without a rating the
    request waits for a follow-up call. Widget keys: <prefix>rating<suffix>, ..."""

    def key(name: str) -> str:
        return _key(key_prefix, name, key_suffix)

    with st.form(key("done")):
        st.write(t("proxy.ask_rating"))
        rating = st.feedback("stars", key=key("rating"))
        feedback = st.text_input(t("proxy.feedback"), key=key("feedback"))
        if st.form_submit_button(t("proxy.close"), type="primary", width="stretch") and write(
            proxy.request_close,
            actor=actor,
            request_id=request_id,
            satisfaction=None if rating is None else rating + 1,
            feedback=feedback,
        ):
            flash(t("proxy.closed_ok"))
            st.rerun()


def reject_popover(actor: Actor, request_id: int, *, key_prefix: str, key_suffix: str = "") -> None:
    """Rejected (out of scope, or the merchant withdrew it), with the reason required."""

    def key(name: str) -> str:
        return _key(key_prefix, name, key_suffix)

    with st.popover(t("proxy.reject"), icon=":material/block:", width="stretch"):
        reason = st.text_input(t("proxy.reason"), key=key("reason"))
        if st.button(t("proxy.reject_confirm"), key=key("reject")) and write(
            proxy.request_advance,
            actor=actor,
            request_id=request_id,
            to_status=ProxyStatus.rejected,
            note=reason,
        ):
            flash(t("common.saved"))
            st.rerun()
