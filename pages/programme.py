"""The public programme (活动预告): upcoming events with places left, and registration
from a phone. Open to anyone with the link; it shows no personal data."""

import streamlit as st

from services import events
from ui.actions import read, write
from ui.fmt import span
from ui.i18n import t

st.title(t("nav.programme"))
st.caption(t("events.programme_intro"))

ALL = 0  # not None: a selectbox shows None as "nothing chosen"
communities = {c.id: c.name for c in read(events.programme_communities)}
if st.session_state.get("programme_community", ALL) not in (ALL, *communities):
    st.session_state["programme_community"] = ALL  # that community has nothing coming up
picked = st.selectbox(
    t("events.community"),
    [ALL, *communities],
    format_func=lambda i: communities.get(i) or t("events.all_communities"),
    key="programme_community",
)
cards = read(events.programme, community_id=picked or None)
if not cards:
    st.info(t("events.none_upcoming"), icon=":material/event_busy:")

done = st.session_state.get("programme_done")
if done:
    st.success(
        t(
            f"events.registered.{done['status']}",
            code=done["code"],
            title=done["title"],
            n=done["position"] or 0,
        ),
        icon=":material/confirmation_number:",
    )

for card in cards:
    with st.container(border=True):
        st.subheader(card.title)
        st.caption(
            t(f"events.category.{card.category}") + (f" · {card.partner}" if card.partner else "")
        )
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        st.write(f":material/location_on: {card.community} · {card.venue}")
        if card.description:
            st.write(card.description)
        if card.places_left:
            st.write(t("events.places_left", n=card.places_left, capacity=card.capacity))
        elif card.waitlist:
            st.write(t("events.full_waitlist"))
        else:
            st.write(t("events.full_closed"))
        if (card.places_left or card.waitlist) and st.toggle(
            t("events.register"), key=f"programme_open_{card.id}"
        ):
            with st.form(f"programme_form_{card.id}"):
                name = st.text_input(t("events.name"), key=f"programme_name_{card.id}")
                phone = st.text_input(
                    t("events.phone"), key=f"programme_phone_{card.id}", max_chars=13
                )
                party = st.number_input(
                    t("events.party"), 1, events.MAX_PARTY, 1, key=f"programme_party_{card.id}"
                )
                visitor = st.radio(
                    t("events.who"),
                    [False, True],
                    format_func=lambda v: t("events.tourist" if v else "events.resident"),
                    horizontal=True,
                    key=f"programme_visitor_{card.id}",
                )
                if st.form_submit_button(t("events.submit"), type="primary", width="stretch"):
                    result = write(
                        events.registration_create,
                        event_id=card.id,
                        name=name,
                        phone=phone,
                        party_size=int(party),
                        visitor=visitor,
                    )
                    if result:
                        st.session_state["programme_done"] = {
                            "status": result.status,
                            "code": result.code,
                            "title": card.title,
                            "position": result.position,
                        }
                        st.rerun()

with (
    st.expander(t("events.cancel_mine"), icon=":material/event_busy:"),
    st.form("programme_cancel"),
):
    code = st.text_input(t("events.code"), key="programme_cancel_code", max_chars=6)
    phone = st.text_input(t("events.phone"), key="programme_cancel_phone", max_chars=13)
    if (
        st.form_submit_button(t("events.cancel"))
        and write(events.registration_cancel, code=code, phone=phone) is not None
    ):
        st.session_state.pop("programme_done", None)
        st.success(t("events.cancelled_ok"))
