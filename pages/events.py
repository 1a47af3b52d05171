"""Cultural events (活动, staff): create and publish, registrations with check-in at the
door, a printable sign-in sheet, staffing, the summary afterwards, and the charts."""

from datetime import datetime, time, timedelta
from functools import partial

import streamlit as st

from models.base import LOCAL_TZ, local
from models.events import EventStatus
from services import charts, events
from services.org import community_list
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import flash, read, read_fresh, show_flash, write
from ui.filters import today
from ui.fmt import span, when
from ui.i18n import lang, t
from ui.session import page_guard

actor = page_guard("events")
st.title(t("nav.events"))
show_flash()
now = today()
category_label = lambda c: t(f"events.category.{c}")  # noqa: E731

tab_list, tab_new, tab_charts = st.tabs(
    [t("events.tab.list"), t("events.tab.new"), t("events.tab.charts")]
)

with tab_new, st.form("events_new"):
    communities = read(community_list, actor=actor)
    a, b = st.columns(2)
    title = a.text_input(t("events.title"), key="events_title")
    category = b.selectbox(
        t("events.category"), events.CATEGORIES, format_func=category_label, key="events_category"
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
    if st.form_submit_button(t("events.create"), type="primary"):
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
            st.session_state["events_pick"] = new_id
            flash(
                t("events.created", title=title),
                clear=("events_title", "events_venue", "events_partner", "events_description"),
            )
            st.rerun()

with tab_list:
    upcoming = st.toggle(t("events.upcoming_only"), value=True, key="events_upcoming")
    cards = read(events.event_list, actor=actor, upcoming_only=upcoming)
    if not cards:
        st.info(t("events.none"))
    else:
        by_id = {c.id: c for c in cards}
        linked = st.query_params.get("event")
        if (
            linked
            and linked.isdigit()
            and int(linked) in by_id
            and "events_pick" not in st.session_state
        ):
            st.session_state["events_pick"] = int(linked)
        if st.session_state.get("events_pick") not in by_id:
            st.session_state["events_pick"] = cards[0].id
        picked = st.selectbox(
            t("events.pick"),
            list(by_id),
            key="events_pick",
            format_func=lambda i: (
                f"{by_id[i].title} · {span(by_id[i].starts_at, by_id[i].ends_at)} · {t(f'events.status.{by_id[i].status}')}"
            ),
        )
        card = by_id[picked]
        info, side = st.columns([3, 2])
        with info:
            st.subheader(card.title)
            st.write(f"{category_label(card.category)} · {card.community} · {card.venue}")
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
            if card.partner:
                st.write(t("events.partner_is", partner=card.partner))
        with side:
            for target in sorted(events.EVENT_STATUS_NEXT[EventStatus(card.status)]):
                if target == EventStatus.cancelled:
                    continue
                if st.button(
                    t(f"events.to.{target.value}"), key=f"events_to_{target.value}", width="stretch"
                ) and write(events.event_set_status, actor=actor, event_id=card.id, status=target):
                    flash(t("common.saved"))
                    st.rerun()
            if EventStatus.cancelled in events.EVENT_STATUS_NEXT[EventStatus(card.status)]:
                with st.popover(
                    t("events.to.cancelled"), icon=":material/event_busy:", width="stretch"
                ):
                    live = card.taken + card.waitlisted
                    st.warning(t("events.cancel_event_warning", n=live))
                    if st.button(
                        t("events.confirm_cancel_event"), key="events_to_cancelled", type="primary"
                    ):
                        cancelled = write(
                            events.event_set_status,
                            actor=actor,
                            event_id=card.id,
                            status=EventStatus.cancelled,
                        )
                        if cancelled is not None:
                            flash(t("events.event_cancelled", n=int(cancelled)))
                            st.rerun()
            if card.status == "published":
                with st.popover(
                    t("events.staffing"), icon=":material/volunteer_activism:", width="stretch"
                ):
                    if card.volunteers_needed:
                        st.caption(t("events.staff_existing", n=card.volunteers_needed))
                    n = st.number_input(
                        t("events.volunteers_needed"),
                        1,
                        100,
                        max(1, card.volunteers_needed or 3),
                        key="events_staff_n",
                    )
                    if st.button(t("events.ask_volunteers"), key="events_staff"):
                        staffed = write(
                            events.event_request_staff,
                            actor=actor,
                            event_id=card.id,
                            volunteers=int(n),
                            lang=lang(),
                        )
                        if staffed:
                            key = "staff_task_made" if staffed.created else "staff_task_updated"
                            flash(t(f"events.{key}", n=int(n)))
                            st.rerun()

        if card.status in ("draft", "published"):
            with (
                st.expander(t("events.edit"), icon=":material/edit:"),
                st.form(f"events_edit_{card.id}"),
            ):
                starts, ends = local(card.starts_at), local(card.ends_at)
                e1, e2 = st.columns(2)
                e_title = e1.text_input(
                    t("events.title"), card.title, key=f"events_edit_title_{card.id}"
                )
                e_category = e2.selectbox(
                    t("events.category"),
                    events.CATEGORIES,
                    index=events.CATEGORIES.index(card.category),
                    format_func=category_label,
                    key=f"events_edit_category_{card.id}",
                )
                g1, g2, g3 = st.columns(3)
                e_venue = g1.text_input(
                    t("events.venue"), card.venue, key=f"events_edit_venue_{card.id}"
                )
                e_organiser = g2.text_input(
                    t("events.organiser"), card.organiser, key=f"events_edit_organiser_{card.id}"
                )
                e_partner = g3.text_input(
                    t("events.partner"), card.partner, key=f"events_edit_partner_{card.id}"
                )
                f1, f2, f3, f4 = st.columns(4)
                e_day = f1.date_input(
                    t("tasks.day"), starts.date(), key=f"events_edit_day_{card.id}"
                )
                e_start = f2.time_input(
                    t("tasks.start"), starts.time(), key=f"events_edit_start_{card.id}"
                )
                e_end = f3.time_input(t("tasks.end"), ends.time(), key=f"events_edit_end_{card.id}")
                e_cap = f4.number_input(
                    t("events.capacity"),
                    1,
                    2000,
                    card.capacity,
                    key=f"events_edit_capacity_{card.id}",
                )
                e_description = st.text_area(
                    t("events.description"),
                    card.description,
                    key=f"events_edit_description_{card.id}",
                )
                e_waitlist = st.checkbox(
                    t("events.allow_waitlist"), card.waitlist, key=f"events_edit_waitlist_{card.id}"
                )
                if st.form_submit_button(t("events.save"), type="primary"):
                    promoted = write(
                        events.event_update,
                        actor=actor,
                        event_id=card.id,
                        title=e_title,
                        category=e_category,
                        venue=e_venue,
                        starts_at=datetime.combine(e_day, e_start, LOCAL_TZ),
                        ends_at=datetime.combine(e_day, e_end, LOCAL_TZ),
                        capacity=int(e_cap),
                        organiser=e_organiser,
                        partner=e_partner,
                        description=e_description,
                        waitlist=e_waitlist,
                    )
                    if promoted is not None:
                        flash(
                            t("events.updated_promoted", title=e_title, n=len(promoted))
                            if promoted
                            else t("events.updated", title=e_title)
                        )
                        st.rerun()

        roster = read_fresh(events.event_roster, actor=actor, event_id=card.id)
        st.markdown(f"#### {t('events.door')}")
        if card.status == "cancelled":
            st.info(t("events.door_closed"), icon=":material/event_busy:")
        else:
            d1, d2 = st.columns([2, 1], vertical_alignment="bottom")
            code = d1.text_input(t("events.code"), key="events_checkin_code", max_chars=6)
            if d2.button(
                t("events.check_in"), key="events_checkin", type="primary", width="stretch"
            ):
                name = write(events.registration_check_in, actor=actor, event_id=card.id, code=code)
                if name:
                    flash(t("events.checked_in", name=name), clear=("events_checkin_code",))
                    st.rerun()
        if roster.empty:
            st.caption(t("events.no_registrations"))
        for row in roster.itertuples():
            a, b, c, d = st.columns([3, 3, 1.3, 1.3], vertical_alignment="center")
            a.write(
                f"**{row.name}** · {row.party_size}{t('events.people')}"
                + (f" · {t('events.tourist')}" if row.visitor else "")
            )
            state = t(f"events.reg.{row.status}") + (
                f" · {t('events.in_at', at=when(row.checked_in_at))}" if row.attended else ""
            )
            b.write(f"{row.phone} · {row.code} · {state}")
            if (
                card.status != "cancelled"
                and row.status == "confirmed"
                and not row.attended
                and c.button(t("events.check_in"), key=f"events_in_{row.id}")
                and write(
                    events.registration_check_in, actor=actor, event_id=card.id, code=row.code
                )
            ):
                st.rerun()
            if row.status in ("confirmed", "waitlisted") and not row.attended:
                with d.popover(t("events.cancel"), width="stretch"):
                    st.write(t("events.cancel_registration_confirm", name=row.name))
                    if st.button(
                        t("events.confirm_cancel"), key=f"events_cancel_{row.id}", type="primary"
                    ) and (
                        write(
                            events.registration_cancel,
                            actor=actor,
                            code=row.code,
                            phone="",
                        )
                        is not None
                    ):
                        flash(t("events.registration_cancelled", name=row.name))
                        st.rerun()
        if (roster["status"] == "confirmed").any():
            st.download_button(
                t("events.sign_in_sheet"),
                key="events_sheet",
                icon=":material/print:",
                # made on click, outside this run: everything it needs is bound now
                data=partial(
                    read_fresh,
                    events.event_sign_in_sheet,
                    actor=actor,
                    event_id=card.id,
                    lang=lang(),
                ),
                file_name=f"sign-in-{card.id}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        if card.status in ("published", "done") and card.starts_at.date() <= now:
            with (
                st.expander(t("events.after"), icon=":material/summarize:"),
                st.form(f"events_after_{card.id}"),
            ):
                st.write(
                    t(
                        "events.attendance_line",
                        attended=card.attended,
                        confirmed=card.taken,
                        no_show=max(0, card.taken - card.attended),
                    )
                )
                summary = st.text_area(t("events.summary"), card.summary, key="events_summary")
                captions = st.text_area(
                    t("events.captions"), card.photo_captions, key="events_captions"
                )
                if st.form_submit_button(t("events.close"), type="primary") and write(
                    events.event_close,
                    actor=actor,
                    event_id=card.id,
                    summary=summary,
                    photo_captions=captions,
                ):
                    flash(t("common.saved"))
                    st.rerun()

with tab_charts:
    window = trend_window(period_containing(PeriodKind.month, now))
    ids = actor.community_ids()
    st.altair_chart(
        charts.events_by_month_chart(
            read(events.events_by_month, community_ids=ids, start=window.start, end=window.end), t
        ),
        width="stretch",
    )
    st.altair_chart(
        charts.event_rates_chart(
            read(
                events.event_rates_by_month, community_ids=ids, start=window.start, end=window.end
            ),
            t,
        ),
        width="stretch",
    )
