"""The referrals (转介) list on the elders page: open ones first, the overdue flagged,
each closed in place as done or not possible with a note and the day.

Who sees which referrals and who may close them is services/referrals.py's; every widget
carries the referral's id.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from services import referrals
from services.access import Actor
from ui.actions import PAGE, flash, read, write
from ui.fmt import day
from ui.i18n import t
from ui.records import record_key
from ui.tabs import Section
from ui.text import plain


def service_name(card: referrals.ReferralCard) -> str:
    """A named service in the reader's language; one typed in, as typed."""
    if card.named_service:
        return t(f"referrals.service.{card.service}")
    return plain(card.service)


def referral_sections(actor: Actor, today: date) -> list[Section]:
    """The elders page's 转介 tab (label and drawing function), for who may see it."""
    if not referrals.can_refer(actor):
        return []
    return [(t("referrals.tab"), lambda: referrals_tab(actor, today))]


def referrals_tab(actor: Actor, today: date) -> None:
    open_cards = read(referrals.referral_list, actor=actor, today=today)
    overdue = sum(card.overdue for card in open_cards)
    st.subheader(
        t("referrals.count", n=len(open_cards))
        + (t("referrals.tab_overdue", n=overdue) if overdue else "")
    )
    st.caption(t("referrals.intro"))
    everything = st.toggle(t("referrals.show_closed"), key="referrals_show_closed")
    cards = (
        read(referrals.referral_list, actor=actor, today=today, open_only=False)
        if everything
        else open_cards
    )
    if not cards:
        st.info(t("referrals.none"))
    for card in cards:
        referral_card(actor, card, today)


def referral_card(actor: Actor, card: referrals.ReferralCard, today: date) -> None:
    with st.container(border=True, key=record_key("referrals", "card", card.id)):
        st.markdown(f"**{plain(card.elder)}** → {service_name(card)}")
        st.write(plain(card.need))
        if card.overdue:
            st.markdown(
                f":red-badge[:material/schedule: "
                f"{t('referrals.overdue', n=card.days_overdue, day=day(card.due_on))}]"
            )
        elif card.state == "open":
            st.caption(t("referrals.due", day=day(card.due_on)))
        st.caption(t("referrals.referred", name=plain(card.referred_by), day=day(card.created_on)))
        if card.state != "open":
            st.markdown(
                t(
                    f"referrals.closed.{card.state}",
                    day=day(card.closed_on),
                    name=plain(card.closed_by),
                )
            )
            st.write(plain(card.closure_note))
        if card.can_close:
            close_form(actor, card, today)


def close_form(actor: Actor, card: referrals.ReferralCard, today: date) -> None:
    key = lambda field: record_key("referrals", field, card.id)  # noqa: E731
    with st.expander(t("referrals.close"), icon=":material/task_alt:"):
        with st.form(key("close_form"), border=False):
            outcome = st.segmented_control(
                t("referrals.outcome"),
                referrals.OUTCOMES,
                default="done",
                format_func=lambda o: t(f"referrals.outcome.{o}"),
                key=key("outcome"),
                width="stretch",
            )
            note = st.text_input(t("referrals.note"), key=key("note"), max_chars=200)
            closed_on = st.date_input(
                t("referrals.closed_on"),
                value=today,
                min_value=card.created_on,
                max_value=today,
                key=key("closed_on"),
            )
            saved = st.form_submit_button(t("referrals.save_close"), width="stretch")
        if saved and write(
            referrals.referral_close,
            actor=actor,
            referral_id=card.id,
            outcome=outcome or "",
            note=note,
            closed_on=closed_on,
            today=today,
        ):
            # a closed referral leaves the open list: the message shows under the title
            flash(t("referrals.closed_saved", name=plain(card.elder)), anchor=PAGE)
            st.rerun()
