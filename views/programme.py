"""The public programme (活动预告): upcoming events with places left, and registration
from a phone. Open to anyone with the link; it shows no personal data.

A registration's result (with the code people need at the door and to cancel) replaces
the form in the event's own card, and stays there with its current status and waitlist
position; the form is emptied, so a second press cannot register twice. Looking up or
cancelling by code answers next to that form and reruns, so the places shown are
current. A link to one event (?event=N) shows that event, or says why it cannot."""

import time

import streamlit as st

from services import checks, event_programme, rate_limit, registrations, retention
from services.errors import BoardError
from services.event_reads import EventCard
from ui.actions import flash, read, read_fresh, show_flash, write
from ui.fmt import span
from ui.i18n import t
from ui.links import record_id
from ui.phone import map_area, map_link
from ui.records import record_key
from ui.session import current_actor
from ui.style import large_text_switch
from ui.text import plain

st.title(t("nav.programme"))
large_text_switch()  # 大字模式, for the residents who read this page on a phone
st.caption(t("events.programme_intro"))
st.caption(t("events.waitlist_rule"))
show_flash()
SCOPE = "programme"
ALL = 0  # not None: a selectbox shows None as "nothing chosen"
MINE = "programme_entries"  # {event id: {"code", "phone"}}: registrations made in this session
LOOKUP = "programme_lookup"  # {"code", "phone"}: the entry looked up by code below
RECENT = "programme_recent"  # moments of this session's recent registrations (rate limit)
DONE = "programme_done"  # {(event id, phone): code}: what this session has registered
MINE_KEYS = ("programme_mine_code", "programme_mine_phone")
OPENED = "programme_opened"  # events whose registration form was opened in this session


def form_keys(event_id: int) -> tuple[str, ...]:
    return tuple(
        record_key(SCOPE, field, event_id)
        for field in ("open", "name", "phone", "party", "visitor")
    )


def linked_event() -> int | None:
    """The event of a link (?event=N) when it can be shown, else None; when it cannot
    (gone, cancelled, over, full) the reason is said above the list, with a way back."""
    raw = st.query_params.get("event")
    if raw is None:
        return None
    link = read_fresh(event_programme.programme_link, event_id=record_id(raw))
    with st.container(key="programme_link"):
        if link.reason:
            st.warning(t(link.reason), icon=":material/event_busy:")
        if st.button(t("events.show_all"), key="programme_show_all", icon=":material/list:"):
            del st.query_params["event"]
            st.rerun()
    return link.event_id


def community_filter() -> int | None:
    communities = {c.id: c.name for c in read(event_programme.programme_communities)}
    if st.session_state.get("programme_community", ALL) not in (ALL, *communities):
        st.session_state["programme_community"] = ALL  # that community has nothing coming up
    picked = st.selectbox(
        t("events.community"),
        [ALL, *communities],
        format_func=lambda i: communities.get(i) or t("events.all_communities"),
        key="programme_community",
    )
    return picked or None


def places(card: EventCard) -> None:
    with st.container(key=record_key(SCOPE, "places", card.id)):
        if card.places_left:
            st.write(t("events.places_left", n=card.places_left, capacity=card.capacity))
        elif card.waitlist:
            st.write(t("events.full_waitlist", n=card.waitlisted))
        else:
            st.write(t("events.full_closed"))


def entry_lines(view: registrations.RegistrationView) -> None:
    """A registrant's own entry as it stands now: status, waitlist place, the code."""
    if view.cancelled:
        st.info(t("events.mine.cancelled", title=plain(view.title)), icon=":material/event_busy:")
        return
    text = (
        t(
            "events.mine.waitlisted",
            title=plain(view.title),
            n=view.position,
            people=view.party_size,
        )
        if view.position
        else t("events.mine.confirmed", title=plain(view.title), people=view.party_size)
    )
    st.info(text, icon=":material/confirmation_number:")
    st.markdown(f"### {t('events.code')}　:blue[{view.code}]")
    st.caption(t("events.code_hint"))


def my_entry(card: EventCard, mine: dict) -> None:
    """What this person registered for the event, read afresh on every run."""
    try:
        view = read_fresh(registrations.registration_lookup, code=mine["code"], phone=mine["phone"])
    except BoardError:  # an entry that no longer exists: offer the form again
        st.session_state[MINE].pop(card.id, None)
        return
    with st.container(key=record_key(SCOPE, "entry", card.id)):
        entry_lines(view)
        if view.cancelled or st.button(
            t("events.register_another"), key=record_key(SCOPE, "again", card.id), width="stretch"
        ):
            st.session_state[MINE].pop(card.id, None)
            if not view.cancelled:
                st.session_state[record_key(SCOPE, "open", card.id)] = True
            st.rerun()


def purpose() -> None:
    """What the name and phone are for and how long the phone is kept (the street's
    setting), with the way to the privacy notice."""
    days = read(retention.retention_settings).registrant_phone_days
    st.caption(t("privacy.registration_purpose", days=days))
    st.page_link("views/privacy.py", label=t("nav.privacy"), icon=":material/privacy_tip:")


def register_form(card: EventCard) -> None:
    key = lambda field: record_key(SCOPE, field, card.id)  # noqa: E731
    # A button, not a switch: one large tap opens the form (kept open for this session).
    opened = st.session_state.setdefault(OPENED, set())
    if card.id not in opened:
        if st.button(
            t("events.register"),
            key=key("open"),
            type="primary",
            icon=":material/how_to_reg:",
            width="stretch",
        ):
            opened.add(card.id)
            st.rerun()
        return
    with st.form(key("form")):
        purpose()
        name = st.text_input(t("events.name"), key=key("name"), max_chars=40)
        phone = st.text_input(t("events.phone"), key=key("phone"), max_chars=13)
        party = st.number_input(t("events.party"), 1, registrations.MAX_PARTY, 1, key=key("party"))
        visitor = st.radio(
            t("events.who"),
            [False, True],
            format_func=lambda v: t("events.tourist" if v else "events.resident"),
            horizontal=True,
            key=key("visitor"),
        )
        submitted = st.form_submit_button(t("events.submit"), type="primary", width="stretch")
    if not submitted:
        return
    done = st.session_state.get(DONE, {}).get((card.id, checks.normalise_phone(phone)))
    if done:  # pressed again for a party already registered here: say so, write nothing
        st.info(t("events.already_registered", code=done), icon=":material/check_circle:")
        return
    # At most a few registrations a minute from one browser session (services/rate_limit.py).
    verdict = rate_limit.attempt(st.session_state.get(RECENT, ()), now=time.monotonic())
    if not verdict.allowed:  # a script, or a thumb on the button: politely, later
        st.warning(t("events.slow_down", seconds=verdict.wait_seconds), icon=":material/hourglass:")
        return
    result = write(
        registrations.registration_create,
        event_id=card.id,
        name=name,
        phone=phone,
        party_size=int(party),
        visitor=visitor,
        actor=current_actor(),  # signed in (staff taking a call): the registration names them
    )
    if not result:
        return
    st.session_state[RECENT] = verdict.recent  # only a registration made counts
    # Kept at once: the next run shows the entry in place of the form, so a second
    # press of the same form has nothing to press.
    st.session_state.setdefault(MINE, {})[card.id] = {"code": result.value.code, "phone": phone}
    st.session_state.setdefault(DONE, {})[(card.id, checks.normalise_phone(phone))] = (
        result.value.code
    )
    registered = result.value
    flash(
        t(
            f"events.registered.{registered.status}",
            code=registered.code,
            title=plain(card.title),
            n=registered.position or 0,
        ),
        anchor=record_key(SCOPE, "msg", card.id),
        clear=form_keys(card.id),
    )
    st.rerun()


def event_card(card: EventCard) -> None:
    with st.container(border=True, key=record_key(SCOPE, "card", card.id)):
        st.header(plain(card.title))
        st.caption(
            t(f"events.category.{card.category}")
            + (f" · {plain(card.partner)}" if card.partner else "")
        )
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        st.write(
            f":material/location_on: {plain(card.community)} · "
            + map_link(card.venue, map_area(card.community_id))
        )
        if card.description:  # typed by staff, shown as typed: never a link or markup
            st.text(card.description)
        places(card)
        show_flash(record_key(SCOPE, "msg", card.id))
        mine = st.session_state.get(MINE, {}).get(card.id)
        if mine:
            my_entry(card, mine)
        elif card.open_for_registration:
            register_form(card)


def my_registration() -> None:
    """Look up or cancel one's registration by its code and phone; the answer shows
    here, and a cancellation reruns the page so the places above are current."""
    with st.container(border=True, key="programme_mine_box"):
        st.markdown(f"**{t('events.cancel_mine')}**")
        show_flash("programme_mine")
        with st.form("programme_mine"):
            code = st.text_input(t("events.code"), key=MINE_KEYS[0], max_chars=6)
            phone = st.text_input(t("events.phone"), key=MINE_KEYS[1], max_chars=13)
            a, b = st.columns(2)
            look = a.form_submit_button(t("events.look_up"), width="stretch")
            cancel = b.form_submit_button(t("events.cancel"), width="stretch")
        if look and write(registrations.registration_lookup, code=code, phone=phone):
            st.session_state[LOOKUP] = {"code": code, "phone": phone}
        if cancel:
            done = write(registrations.registration_cancel, code=code, phone=phone)
            if done:
                for event_id, mine in list(st.session_state.get(MINE, {}).items()):
                    if mine["code"] == code.strip().upper():
                        st.session_state[MINE].pop(event_id)
                st.session_state.pop(LOOKUP, None)
                message = t("events.cancelled_ok", title=plain(done.value.title))
                if done.value.promoted:
                    message += t("events.cancelled_promoted")
                flash(message, anchor="programme_mine", clear=MINE_KEYS)
                st.rerun()
        looked = st.session_state.get(LOOKUP)
        if looked:
            try:
                entry_lines(read_fresh(registrations.registration_lookup, **looked))
            except BoardError:  # gone since: nothing to show
                st.session_state.pop(LOOKUP, None)


linked = linked_event()
if linked:
    cards = read(event_programme.programme, event_id=linked)
else:
    cards = read(event_programme.programme, community_id=community_filter())
if not cards:
    st.info(t("events.none_upcoming"), icon=":material/event_busy:")
for card in cards:
    event_card(card)
my_registration()
st.page_link("views/privacy.py", label=t("nav.privacy"), icon=":material/privacy_tip:")
