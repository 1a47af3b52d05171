"""Cultural events (活动, staff): create and publish, registrations with check-in at the
door, a printable sign-in sheet, staffing, the summary afterwards, and the charts.

Small functions per section (new event, picker, header and status actions, staffing,
edit, door check-in, roster, summary, charts); every widget of an event or a
registration is keyed by its id (ui.records.record_key), and what may be done is what
the services say (event_reads.EventCard, event_reads.Roster, event_door.Door,
event_reads.EventLink)."""

from datetime import datetime, time, timedelta
from functools import partial

import streamlit as st

from models.base import LOCAL_TZ, local, utcnow
from models.events import EventStatus
from services import charts, event_figures, event_reads, events, registrations
from services.event_door import Door
from services.org import community_list
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import flash, read, read_fresh, show_flash, write
from ui.downloads import ExportRefused, export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import span, when
from ui.i18n import lang, t
from ui.links import record_id
from ui.phone import call_link, map_area, map_link
from ui.records import action_button, confirm_action, record_key
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

actor = page_guard("events")
st.title(t("nav.events"))
show_flash()
if missing_organisation(actor):
    st.stop()
now = today()
SCOPE = "events"
PICK = "events_pick"  # the picker widget
PICKED = "events_picked"  # the picked event's id: kept by id whatever its label shows
UPCOMING = "events_upcoming"
category_label = lambda c: t(f"events.category.{c}")  # noqa: E731


def message_slot(card: event_reads.EventCard) -> str:
    """The anchor of an event's own messages, under its title."""
    return record_key(SCOPE, "msg", card.id)


# --- new event ----------------------------------------------------------------------

NEW_KEYS = ("events_title", "events_venue", "events_partner", "events_description")


def new_event_form() -> None:
    communities = read(community_list, actor=actor)
    with st.form("events_new"):
        a, b = st.columns(2)
        title = a.text_input(t("events.title"), key="events_title")
        category = b.selectbox(
            t("events.category"),
            events.CATEGORIES,
            format_func=category_label,
            key="events_category",
        )
        community = a.selectbox(
            t("tasks.community"), communities, format_func=lambda c: c.name, key="events_community"
        )
        venue = b.text_input(t("events.venue"), key="events_venue")
        c1, c2, c3, c4 = st.columns(4)
        day_ = c1.date_input(t("tasks.day"), value=now + timedelta(days=7), key="events_day")
        start = c2.time_input(t("tasks.start"), value=time(14, 30), key="events_start")
        end = c3.time_input(t("tasks.end"), value=time(16, 30), key="events_end")
        cap = c4.number_input(t("events.capacity"), 1, 2000, 30, key="events_capacity")
        organiser = a.text_input(
            t("events.organiser"), value=t("events.default_organiser"), key="events_organiser"
        )
        partner = b.text_input(t("events.partner"), key="events_partner")
        description = st.text_area(t("events.description"), key="events_description")
        waitlist = st.checkbox(t("events.allow_waitlist"), value=True, key="events_waitlist")
        show_flash("events_new")
        if not st.form_submit_button(t("events.create"), type="primary"):
            return
        new_id = write(
            events.event_create,
            actor=actor,
            title=title,
            category=category,
            community_id=community.id,
            venue=venue,
            starts_at=datetime.combine(day_, start, LOCAL_TZ),
            ends_at=datetime.combine(day_, end, LOCAL_TZ),
            capacity=int(cap),
            organiser=organiser,
            partner=partner,
            description=description,
            waitlist=waitlist,
        )
    if new_id:
        # said in the form where it was pressed; the new event is the one picked in the list
        st.session_state[PICKED] = new_id.value
        flash(t("events.created", title=plain(title.strip())), anchor="events_new", clear=NEW_KEYS)
        st.rerun()


# --- the list and the picked event ------------------------------------------------------


def follow_link() -> None:
    """An event link (?event=N), followed once per link: picks the event, or says why it
    cannot be shown (gone, another community) above the list; an event that is over is
    shown among all events."""
    linked = st.query_params.get("event")
    if linked is None:
        return
    if st.session_state.get("events_link_seen") != linked:
        st.session_state["events_link_seen"] = linked
        link = read_fresh(
            event_reads.event_link,
            actor=actor,
            event_id=record_id(linked),
        )
        if link.event_id is not None:
            st.session_state[PICKED] = link.event_id
        if link.among_all:
            st.session_state[UPCOMING] = False
        st.session_state["events_link_reason"] = link.reason
    reason = st.session_state.get("events_link_reason")
    if not reason:
        return
    with st.container(key="events_link"):
        st.warning(t(reason), icon=":material/link_off:")
        if st.button(t("events.link_dismiss"), key="events_link_dismiss"):
            st.session_state.pop("events_link_reason", None)
            st.rerun()


def _keep_pick() -> None:
    st.session_state[PICKED] = st.session_state[PICK]


def picker(cards: list[event_reads.EventCard]) -> event_reads.EventCard:
    """The picked event, kept by its id: the labels hold only title and time, and the
    id is given back to the widget on every run, so a label that changed (an edit) or a
    re-sorted list never moves the choice to another event."""
    by_id = {c.id: c for c in cards}
    if st.session_state.get(PICKED) not in by_id:
        st.session_state[PICKED] = cards[0].id
    st.session_state[PICK] = st.session_state[PICKED]
    st.selectbox(
        t("events.pick"),
        list(by_id),
        key=PICK,
        format_func=lambda i: f"{by_id[i].title} · {span(by_id[i].starts_at, by_id[i].ends_at)}",
        on_change=_keep_pick,
    )
    return by_id[st.session_state[PICKED]]


def event_list() -> None:
    follow_link()
    upcoming = st.toggle(t("events.upcoming_only"), value=True, key=UPCOMING)
    cards = read(event_reads.event_list, actor=actor, upcoming_only=upcoming)
    if not cards:
        st.info(t("events.none"))
        return
    export_button(actor, "events", key="events_export", upcoming_only=upcoming)
    card = picker(cards)
    with st.container(key=record_key(SCOPE, "event", card.id)):
        header(card)
        if card.editable:
            edit_form(card)
        door = card.door(utcnow())
        door_check_in(card, door)
        roster(card, door)
        phone_registration(card)
        if card.can_summarise(utcnow()):
            summary_form(card)


# --- header and status actions ------------------------------------------------------------


def header(card: event_reads.EventCard) -> None:
    info, side = st.columns([3, 2])
    with info:
        st.subheader(plain(card.title))
        show_flash(message_slot(card))
        st.write(
            f"{category_label(card.category)} · {plain(card.community)} · "
            f"{map_link(card.venue, map_area(card.community_id))} · "
            f"**{t(f'events.status.{card.status}')}**"
        )
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        st.write(
            t(
                "events.fill",
                taken=card.taken,
                capacity=card.capacity,
                waiting=card.waitlisted,
                attended=card.attended,
            )
        )
        st.caption(t("events.waitlist_rule"))
        if card.partner:
            st.write(t("events.partner_is", partner=plain(card.partner)))
    with side:
        status_actions(card)
        if card.can_staff(utcnow()):
            staffing(card)


def status_actions(card: event_reads.EventCard) -> None:
    for target in card.next_statuses:
        if action_button(
            t(f"events.to.{target}"), scope=SCOPE, action=f"to_{target}", record_id=card.id
        ) and write(events.event_set_status, actor=actor, event_id=card.id, status=target):
            flash(t(f"events.now.{target}"), anchor=message_slot(card))
            st.rerun()
    if card.can_cancel:
        cancel_event(card)


def cancel_question(effects: events.CancelEffects) -> str:
    question = t("events.cancel_question", n=effects.registrations, people=effects.people)
    if effects.staff_task and effects.volunteers:
        question += t("events.cancel_question_staff", n=effects.volunteers)
    elif effects.staff_task:
        question += t("events.cancel_question_staff_none")
    return question + t("events.cancel_question_end")


def cancel_event(card: event_reads.EventCard) -> None:
    effects = read_fresh(events.event_cancel_effects, actor=actor, event_id=card.id)
    confirmed = confirm_action(
        t("events.to.cancelled"),
        scope=SCOPE,
        action="cancel_event",
        record_id=card.id,
        question=cancel_question(effects),
        confirm_label=t("events.confirm_cancel_event"),
        icon=":material/event_busy:",
    )
    if not confirmed:
        return
    cancelled = write(
        events.event_set_status, actor=actor, event_id=card.id, status=EventStatus.cancelled
    )
    if cancelled:
        message = t("events.event_cancelled", n=int(cancelled.value))
        if effects.staff_task:
            message += t("events.event_cancelled_staff")
        flash(message, anchor=message_slot(card), clear=confirmed.keys)
        st.rerun()


def staffing(card: event_reads.EventCard) -> None:
    with st.popover(
        t("events.staffing"),
        icon=":material/volunteer_activism:",
        width="stretch",
        key=record_key(SCOPE, "staffing", card.id),
    ):
        if card.volunteers_needed:
            st.caption(t("events.staff_existing", n=card.volunteers_needed))
        n = st.number_input(
            t("events.volunteers_needed"),
            1,
            100,
            max(1, card.volunteers_needed or 3),
            key=record_key(SCOPE, "staff_n", card.id),
        )
        if action_button(
            t("events.ask_volunteers"), scope=SCOPE, action="staff", record_id=card.id
        ):
            staffed = write(
                events.event_request_staff,
                actor=actor,
                event_id=card.id,
                volunteers=int(n),
                lang=lang(),
            )
            if staffed:
                key = "staff_task_made" if staffed.value.created else "staff_task_updated"
                flash(t(f"events.{key}", n=int(n)), anchor=message_slot(card))
                st.rerun()


# --- edit ---------------------------------------------------------------------------------


def edit_form(card: event_reads.EventCard) -> None:
    key = partial(record_key, SCOPE)
    with (
        st.expander(t("events.edit"), icon=":material/edit:", key=key("edit_open", card.id)),
        st.form(key("edit", card.id)),
    ):
        starts, ends = local(card.starts_at), local(card.ends_at)
        e1, e2 = st.columns(2)
        title = e1.text_input(t("events.title"), card.title, key=key("edit_title", card.id))
        category = e2.selectbox(
            t("events.category"),
            events.CATEGORIES,
            index=events.CATEGORIES.index(card.category),
            format_func=category_label,
            key=key("edit_category", card.id),
        )
        g1, g2, g3 = st.columns(3)
        venue = g1.text_input(t("events.venue"), card.venue, key=key("edit_venue", card.id))
        organiser = g2.text_input(
            t("events.organiser"), card.organiser, key=key("edit_organiser", card.id)
        )
        partner = g3.text_input(t("events.partner"), card.partner, key=key("edit_partner", card.id))
        f1, f2, f3, f4 = st.columns(4)
        day_ = f1.date_input(t("tasks.day"), starts.date(), key=key("edit_day", card.id))
        start = f2.time_input(t("tasks.start"), starts.time(), key=key("edit_start", card.id))
        end = f3.time_input(t("tasks.end"), ends.time(), key=key("edit_end", card.id))
        cap = f4.number_input(
            t("events.capacity"), 1, 2000, card.capacity, key=key("edit_capacity", card.id)
        )
        description = st.text_area(
            t("events.description"), card.description, key=key("edit_description", card.id)
        )
        waitlist = st.checkbox(
            t("events.allow_waitlist"), card.waitlist, key=key("edit_waitlist", card.id)
        )
        if not st.form_submit_button(t("events.save"), type="primary"):
            return
        promoted = write(
            events.event_update,
            actor=actor,
            event_id=card.id,
            title=title,
            category=category,
            venue=venue,
            starts_at=datetime.combine(day_, start, LOCAL_TZ),
            ends_at=datetime.combine(day_, end, LOCAL_TZ),
            capacity=int(cap),
            organiser=organiser,
            partner=partner,
            description=description,
            waitlist=waitlist,
        )
    if promoted:
        flash(
            t("events.updated_promoted", title=plain(title.strip()), n=len(promoted.value))
            if promoted.value
            else t("events.updated", title=plain(title.strip())),
            anchor=message_slot(card),
        )
        st.rerun()


# --- door check-in --------------------------------------------------------------------------


def door_check_in(card: event_reads.EventCard, door: Door) -> None:
    """Check-in by code, open only in the door window; the window is said before anyone
    presses, and the button is greyed out with the reason outside it."""
    st.markdown(f"#### {t('events.door')}")
    anchor = record_key(SCOPE, "door", card.id)
    show_flash(anchor)
    if door.shut:
        st.info(t("events.door_closed"), icon=":material/event_busy:")
        return
    st.caption(t("events.door_window", opens=when(door.opens_at), closes=when(door.closes_at)))
    code_key = record_key(SCOPE, "checkin_code", card.id)
    d1, d2 = st.columns([2, 1], vertical_alignment="top")
    code = d1.text_input(
        t("events.code"),
        key=code_key,
        max_chars=6,
        disabled=not door.open,
        label_visibility="collapsed",
        placeholder=t("events.code"),
    )
    if action_button(
        t("events.check_in"),
        scope=SCOPE,
        action="checkin",
        record_id=card.id,
        where=d2,
        primary=True,
        disabled_reason=t(door.reason, **door.params) if door.reason else None,
    ):
        name = write(
            registrations.registration_check_in,
            actor=actor,
            event_id=card.id,
            code=code,
            where=d1,
        )
        if name:
            flash(t("events.checked_in", name=plain(name.value)), anchor=anchor, clear=(code_key,))
            st.rerun()


# --- roster -------------------------------------------------------------------------------------


def sign_in_sheet(event_id: int, language: str) -> bytes:
    """Made on the press, outside the page's run: the print is logged then."""
    done = write(event_reads.event_sign_in_sheet, actor=actor, event_id=event_id, lang=language)
    if done is None:
        raise ExportRefused("sign_in_sheet")
    return done.value


def roster(card: event_reads.EventCard, door: Door) -> None:
    registered = read_fresh(event_reads.event_roster, actor=actor, event_id=card.id)
    if not registered.entries:
        st.caption(t("events.no_registrations"))
        return
    for entry in registered.entries:
        registration_row(card, entry, door, registered.waiting)
    key = record_key(SCOPE, "registrations_export", card.id)
    export_button(actor, "registrations", key=key, event_id=card.id)
    if registered.printable:
        st.download_button(
            t("events.sign_in_sheet"),
            key=record_key(SCOPE, "sheet", card.id),
            icon=":material/print:",
            # made on click, outside this run: everything it needs is bound now
            data=partial(sign_in_sheet, card.id, lang()),
            file_name=f"sign-in-{card.id}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def registration_state(row: event_reads.RosterEntry) -> str:
    state = t(f"events.reg.{row.status}")
    if row.position is not None:
        state = t("events.waiting_at", n=row.position)
    if row.attended:
        state += f" · {t('events.in_at', at=when(row.checked_in_at))}"
    return state


def registration_row(
    card: event_reads.EventCard, row: event_reads.RosterEntry, door: Door, waiting: int
) -> None:
    """One registration: who, its state, check-in (while the door is open) and cancel
    (asked first, saying where the places go)."""
    with st.container(key=record_key(SCOPE, "reg", row.id)):
        a, b, c, d = st.columns([3, 3, 1.4, 1.6], vertical_alignment="top")
        a.write(
            f"**{plain(row.name)}** · {row.party_size}{t('events.people')}"
            + (f" · {t('events.tourist')}" if row.visitor else "")
        )
        b.write(f"{call_link(row.phone)} · {plain(row.code)} · {registration_state(row)}")
        anchor = record_key(SCOPE, "reg_msg", row.id)
        show_flash(anchor)
        below = st.container()  # the row's full width, for the cancel question
        if (
            row.can_check_in
            and door.open
            and action_button(
                t("events.check_in"), scope=SCOPE, action="in", record_id=row.id, where=c
            )
        ):
            name = write(
                registrations.registration_check_in,
                actor=actor,
                event_id=card.id,
                code=row.code,
                where=b,
            )
            if name:
                flash(t("events.checked_in", name=plain(name.value)), anchor=anchor)
                st.rerun()
        if not row.can_cancel:
            return
        question = t("events.cancel_registration_confirm", name=plain(row.name), n=row.party_size)
        if row.frees_places and waiting:
            question += t("events.cancel_registration_waitlist", n=waiting)
        confirmed = confirm_action(
            t("events.cancel"),
            scope=SCOPE,
            action="cancel_reg",
            record_id=row.id,
            where=d,
            box_where=below,
            question=question,
            confirm_label=t("events.confirm_cancel"),
        )
        if not confirmed:
            return
        done = write(
            registrations.registration_cancel, actor=actor, registration_id=row.id, where=below
        )
        if done:
            message = t("events.registration_cancelled", name=plain(row.name))
            if done.value.promoted:
                message += t("events.promoted_after_cancel", n=len(done.value.promoted))
            flash(message, anchor=anchor, clear=confirmed.keys)
            st.rerun()


def phone_registration(card: event_reads.EventCard) -> None:
    """电话报名: staff register a caller here, with the public form's rules (places, the
    waitlist, one live registration per phone); the registration names the staff account
    (registered_by), and the caller's code is shown to read out."""
    # the public form's rule, asked of the card (it has the event's status and start)
    if registrations.registration_closed(card, utcnow()) is not None:
        return
    k = card.id
    fields = {f: record_key(SCOPE, f"phone_{f}", k) for f in ("name", "phone", "party", "who")}
    anchor = record_key(SCOPE, "phone_msg", k)
    show_flash(anchor)
    with (
        st.expander(
            t("rosters.phone_registration"),
            icon=":material/call:",
            key=record_key(SCOPE, "phone_open", k),
        ),
        st.form(record_key(SCOPE, "phone_reg", k)),
    ):
        a, b = st.columns(2)
        name = a.text_input(t("events.name"), max_chars=40, key=fields["name"])
        phone = b.text_input(t("events.phone"), max_chars=13, key=fields["phone"])
        party = a.number_input(
            t("events.party"), 1, registrations.MAX_PARTY, 1, key=fields["party"]
        )
        visitor = b.radio(
            t("events.who"),
            [False, True],
            format_func=lambda v: t("events.tourist" if v else "events.resident"),
            horizontal=True,
            key=fields["who"],
        )
        if not st.form_submit_button(t("rosters.phone_register"), type="primary"):
            return
        done = write(
            registrations.registration_create,
            actor=actor,
            event_id=k,
            name=name,
            phone=phone,
            party_size=int(party),
            visitor=visitor,
        )
    if done:
        result = done.value
        message = t(
            f"rosters.phone_registered.{result.status}",
            name=plain(name),
            code=result.code,
            n=result.position or 0,
        )
        flash(message, anchor=anchor, clear=tuple(fields.values()))
        st.rerun()


# --- afterwards -------------------------------------------------------------------------------


def summary_form(card: event_reads.EventCard) -> None:
    with (
        st.expander(
            t("events.after"),
            icon=":material/summarize:",
            key=record_key(SCOPE, "after_open", card.id),
        ),
        st.form(record_key(SCOPE, "after", card.id)),
    ):
        st.write(
            t(
                "events.attendance_line",
                attended=card.attended,
                confirmed=card.taken,
                no_show=max(0, card.taken - card.attended),
            )
        )
        summary = st.text_area(
            t("events.summary"), card.summary, key=record_key(SCOPE, "summary", card.id)
        )
        captions = st.text_area(
            t("events.captions"), card.photo_captions, key=record_key(SCOPE, "captions", card.id)
        )
        if st.form_submit_button(t("events.close"), type="primary") and write(
            events.event_close,
            actor=actor,
            event_id=card.id,
            summary=summary,
            photo_captions=captions,
        ):
            flash(t("common.saved"), anchor=message_slot(card))
            st.rerun()


def charts_tab() -> None:
    window = trend_window(period_containing(PeriodKind.month, now))
    ids = actor.community_ids()
    for frame_of, chart_of in (
        (event_figures.events_by_month, charts.events_by_month_chart),
        (event_figures.event_rates_by_month, charts.event_rates_chart),
    ):
        frame = read(frame_of, community_ids=ids, start=window.start, end=window.end)
        st.vega_lite_chart(chart_of(frame, t).to_dict(), width="stretch")


lazy_tabs(
    "events_tab",
    [
        (t("events.tab.list"), event_list),
        (t("events.tab.new"), new_event_form),
        (t("events.tab.charts"), charts_tab),
    ],
)
