"""Open tasks (志愿者): sign up or join the waitlist in one tap, from a phone."""

import streamlit as st

from services import signups
from ui.actions import flash, read, show_flash, write
from ui.fmt import span
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("open_tasks")
st.title(t("nav.open_tasks"))
show_flash()

cards = read(signups.open_tasks, actor=actor)
highlight = st.query_params.get("task")
if highlight and highlight.isdigit():
    cards = sorted(cards, key=lambda c: c.id != int(highlight))
if not cards:
    st.info(t("signups.no_open_tasks"), icon=":material/event_busy:")

for card in cards:
    with st.container(border=True):
        st.subheader(card.title)
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        if card.place:
            st.write(f":material/location_on: {card.place}")
        st.caption(t(f"tasks.kind.{card.kind}"))
        if card.places_left:
            st.write(t("signups.places_left", n=card.places_left, capacity=card.capacity))
        else:
            st.write(t("signups.full_waitlist", n=card.waitlisted))
        if card.description:
            with st.expander(t("signups.details")):
                st.write(card.description)
        if card.my_status in ("confirmed", "waitlisted"):
            st.success(t(f"signups.you_are.{card.my_status}"), icon=":material/check_circle:")
            if st.button(
                t("signups.cancel"), key=f"open_cancel_{card.id}", width="stretch"
            ) and write(signups.signup_cancel, actor=actor, signup_id=card.my_signup_id):
                flash(t("signups.cancelled"))
                st.rerun()
        else:
            label = t("signups.sign_up") if card.places_left else t("signups.join_waitlist")
            if st.button(label, key=f"open_signup_{card.id}", type="primary", width="stretch"):
                result = write(signups.signup_create, actor=actor, task_id=card.id)
                if result:
                    if result.status == "confirmed":
                        flash(t("signups.confirmed", title=card.title))
                    else:
                        flash(t("signups.waitlisted", title=card.title, n=result.position))
                    st.rerun()
