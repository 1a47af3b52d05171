"""Open tasks (志愿者): sign up or join the waitlist in one tap, from a phone.

A task's link (/open_tasks?task=N) opens on that task, first; a link to a task that
cannot be signed up for says why and offers the list. What a card offers (sign up, join
the waitlist, leave) is said by the card (services/task_board.py). Each card's buttons
and message slot carry the task's id (record_key), so a press reaches only its own card
and the outcome shows on it.
"""

import streamlit as st

from services import signups, task_board
from services.task_board import OwnSignup, TaskCard, TaskLink
from ui.actions import PAGE, flash, read, read_fresh, show_flash, write
from ui.fmt import span
from ui.i18n import t
from ui.links import record_id
from ui.phone import map_area, map_link
from ui.records import action_button, record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "open"
PAGE_SIZE = 20  # cards shown at first, and added by each press of "show more"
SHOWN = "open_shown"  # how many cards the list shows now


def linked_task_id() -> int | None:
    return record_id(st.query_params.get("task"))


def link_notice(reason: str, *, mine: bool) -> None:
    """Why the linked task is not offered (and, when the volunteer has an entry on it,
    the way to My tasks), and the way to the list."""
    with st.container(border=True, key="open_link_notice"):
        st.warning(t(reason), icon=":material/info:")
        if mine:
            st.page_link(
                "views/my_tasks.py", label=t("signups.link.see_mine"), icon=":material/event:"
            )
        if st.button(t("signups.link.show_all"), key="open_link_all", width="stretch"):
            st.query_params.pop("task", None)
            st.rerun()


def card_status(card: TaskCard) -> None:
    """The volunteer's own entry on this task, said plainly (with the waitlist place)."""
    own = card.own
    if own is None:
        return
    if own.holds_place:
        st.success(t(f"signups.you_are.{own.status}"), icon=":material/check_circle:")
    elif own.waitlisted:
        st.info(
            t("signups.waitlist_position", n=own.position),
            icon=":material/hourglass_top:",
        )
    elif own.no_show:
        st.warning(t("signups.you_are.no_show"), icon=":material/info:")


def cancel_button(card: TaskCard, own: OwnSignup) -> None:
    if action_button(
        t("signups.cancel"), scope=SCOPE, action="cancel", record_id=card.id
    ) and write(signups.signup_cancel, actor=actor, signup_id=own.signup_id):
        left = "signups.left_waitlist" if own.waitlisted else "signups.cancelled"
        flash(t(left), anchor=record_key(SCOPE, "msg", card.id))
        st.rerun()


def signup_button(card: TaskCard) -> None:
    label = t("signups.sign_up") if card.places_left else t("signups.join_waitlist")
    if not action_button(label, scope=SCOPE, action="signup", record_id=card.id, primary=True):
        return
    written = write(signups.signup_create, actor=actor, task_id=card.id)
    if written:
        result = written.value
        if result.confirmed:
            message = t("signups.confirmed", title=plain(card.title))
        else:
            message = t("signups.waitlisted", title=plain(card.title), n=result.position)
        flash(message, anchor=record_key(SCOPE, "msg", card.id))
        st.rerun()


def task_card(card: TaskCard, area: str) -> None:
    """One task: when, where, places; the volunteer's entry and its one action."""
    with st.container(border=True, key=record_key(SCOPE, "card", card.id)):
        st.header(plain(card.title))
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        if card.place:
            st.write(f":material/location_on: {map_link(card.place, area)}")
        st.caption(t(f"tasks.kind.{card.kind}"))
        if card.places_left:
            st.write(t("signups.places_left", n=card.places_left, capacity=card.capacity))
        else:
            st.write(t("signups.full_waitlist", n=card.waitlisted))
        if card.description:
            with st.expander(t("signups.details")):
                st.text(card.description)
        show_flash(record_key(SCOPE, "msg", card.id))
        card_status(card)
        if card.own is not None and card.own.cancellable:
            cancel_button(card, card.own)
        elif card.can_sign_up:
            signup_button(card)
        else:
            st.page_link("views/my_tasks.py", label=t("nav.my_tasks"), icon=":material/event:")


actor = page_guard("open_tasks")
st.title(t("nav.open_tasks"))
st.caption(t("signups.waitlist_rule"))
show_flash(PAGE)

# The soonest tasks first, a page at a time: a phone scrolls past a few dozen cards, and
# the page's time grows with every card it draws.
shown = st.session_state.setdefault(SHOWN, PAGE_SIZE)
cards = read(task_board.open_tasks, actor=actor, limit=shown + 1)
more = len(cards) > shown
cards = cards[:shown]
linked = linked_task_id()
if linked is not None:
    link: TaskLink = read_fresh(task_board.task_link, actor=actor, task_id=linked)
    if link.reason is not None:
        link_notice(link.reason, mine=link.mine)
        st.header(t("signups.open_list"))
    elif link.card is not None:
        # the linked task first (even beyond the cards shown)
        cards = [link.card, *(c for c in cards if c.id != linked)]
if not cards:
    st.info(t("signups.no_open_tasks"), icon=":material/event_busy:")
area = map_area(actor.community_id)
for card in cards:
    task_card(card, area)
if more and st.button(
    t("signups.show_more"), key="open_more", icon=":material/expand_more:", width="stretch"
):
    st.session_state[SHOWN] = shown + PAGE_SIZE
    st.rerun()
