"""My tasks (志愿者): upcoming and past, check in and out, hours (签到 and 补录 apart) and
star level; a star level newly reached is announced here until the volunteer dismisses it
(services/stars.py).

What can be pressed on a card, and when, is the rule of services/signups.py
(`signup_actions`, asked with the time of drawing); where the entry stands (waitlist
place, task cancelled or closed) is said by the row (services/task_board.py). A button
that cannot work yet is greyed out with the reason under it; an early check-out asks
first. Every widget of a card carries the sign-up's id.
"""

from datetime import datetime

import streamlit as st

from models.base import utcnow
from services import calendar, certificates, signups, stars, task_board, volunteers
from services.errors import BoardError
from services.signups import Verdict
from services.task_board import MySignup
from ui.actions import PAGE, flash, read, show_flash, write
from ui.certificate_parts import issue_button, pdf_button, period_picker
from ui.fmt import day, span, when
from ui.i18n import error_text, lang, t
from ui.phone import map_area, map_link
from ui.records import action_button, confirm_action, record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "my"
PAST_PAGE = 10  # past sign-ups shown at first, and added by each press of "show more"
PAST_SHOWN = "my_past_shown"


def reason(verdict: Verdict) -> str | None:
    return None if verdict.reason is None else t(verdict.reason, **verdict.params)


def star_box(profile) -> None:
    with st.container(border=True):
        star = profile.star
        shown = "★" * star.stars + "☆" * (5 - star.stars)
        left, right = st.columns(2)
        left.metric(t("volunteers.approved_hours"), t("volunteers.hours", n=f"{star.hours:g}"))
        left.caption(
            f"{t('signups.source.check')} "
            f"{t('volunteers.hours', n=f'{profile.approved_by_source.check:g}')} · "
            f"{t('signups.source.staff')} "
            f"{t('volunteers.hours', n=f'{profile.approved_by_source.staff:g}')}"
        )
        right.metric(t("volunteers.star_level"), shown)
        if star.next_threshold:
            st.progress(
                min(1.0, star.hours / star.next_threshold),
                text=t(
                    "volunteers.to_next_star", n=f"{star.hours_to_next:g}", stars=star.stars + 1
                ),
            )
        if profile.pending_hours:
            st.caption(t("volunteers.pending_hours", n=f"{profile.pending_hours:g}"))


def star_news(volunteer_id: int) -> None:
    """A star level newly reached, announced until the volunteer dismisses it."""
    level = read(stars.star_news, actor=actor)
    if level is None:
        return
    with st.container(border=True, key="my_star_news"):
        st.success(t("stars.reached", level=t(f"stars.level.{level}")), icon=":material/star:")
        if st.button(
            t("stars.dismiss"), key=record_key(SCOPE, "star_dismiss", volunteer_id)
        ) and write(stars.star_news_dismiss, actor=actor):
            st.rerun()


def certificate_box(volunteer_id: int) -> None:
    """开具服务证明: the volunteer issues their own certificate of service for a period
    and downloads it (services/certificates.py); their certificates stay listed here."""
    issued = st.session_state.get("my_cert_issued")
    with st.expander(
        t("certificates.mine"), icon=":material/workspace_premium:", expanded=bool(issued)
    ):
        st.caption(t("certificates.mine_intro"))
        anchor = record_key(SCOPE, "cert_msg", volunteer_id)
        period = period_picker(key="my_cert_period")
        if period is not None:
            try:
                draft = read(
                    certificates.certificate_draft,
                    actor=actor,
                    volunteer_id=volunteer_id,
                    period_start=period[0],
                    period_end=period[1],
                )
                st.write(
                    t(
                        "certificates.summary",
                        name=plain(draft.volunteer_name),
                        number=draft.volunteer_number,
                        count=draft.service_count,
                        hours=f"{draft.total_hours:g}",
                    )
                )
            except BoardError as err:
                st.warning(error_text(err), icon=":material/warning:")
            issue_button(
                actor,
                volunteer_id,
                period,
                scope=SCOPE,
                action="cert_issue",
                issued_key="my_cert_issued",
                anchor=anchor,
            )
        show_flash(anchor)
        mine = read(certificates.certificate_list, actor=actor, volunteer_id=volunteer_id)
        if mine:
            st.markdown(f"**{t('certificates.mine_issued')}**")
        for cert in mine[:5]:
            st.caption(
                f"{cert.number} · "
                + t(
                    "certificates.period_text",
                    start=day(cert.period_start),
                    end=day(cert.period_end),
                )
                + " · "
                + t("volunteers.hours", n=f"{cert.total_hours:g}")
            )
            pdf_button(actor, cert, scope=SCOPE)


def entry_status(row: MySignup) -> None:
    """Where the volunteer stands: waitlist place, checked in, checked out with hours."""
    state = row.state
    if row.position is not None:
        st.info(t("signups.waitlist_position", n=row.position), icon=":material/hourglass_top:")
    elif state.check_out_at is not None:
        st.success(
            t(
                "signups.checked_out_summary",
                n=f"{state.hours:g}",
                status=t(f"signups.hours.{state.hours_status}"),
            ),
            icon=":material/task_alt:",
        )
    elif state.check_in_at is not None:
        st.success(
            f"{t('signups.you_are.attended')} · {t('signups.in_at', at=when(state.check_in_at))}",
            icon=":material/how_to_reg:",
        )
    else:
        st.write(t(f"signups.status.{state.status}"))
    if row.task_closed:
        st.badge(t(f"signups.task_is.{state.task_status}"), color="gray")


def check_in_button(sid: int, verdict: Verdict) -> None:
    if not verdict.shown:
        return
    if action_button(
        t("signups.check_in"),
        scope=SCOPE,
        action="in",
        record_id=sid,
        primary=True,
        disabled_reason=reason(verdict),
    ) and write(signups.signup_check_in, actor=actor, signup_id=sid):
        flash(t("signups.checked_in"), anchor=record_key(SCOPE, "msg", sid))
        st.rerun()


def check_out_button(sid: int, state, verdict: Verdict, early: bool) -> None:
    if not verdict.shown:
        return
    if not verdict.ok or not early:
        pressed = action_button(
            t("signups.check_out"),
            scope=SCOPE,
            action="out",
            record_id=sid,
            primary=True,
            disabled_reason=reason(verdict),
        )
        keys: tuple[str, ...] = ()
    else:
        confirmed = confirm_action(
            t("signups.check_out"),
            scope=SCOPE,
            action="out",
            record_id=sid,
            question=t("signups.check_out_early_question", at=when(state.ends_at)),
            confirm_label=t("signups.check_out_early_confirm"),
        )
        pressed, keys = confirmed is not None, confirmed.keys if confirmed else ()
    if not pressed:
        return
    hours = write(signups.signup_check_out, actor=actor, signup_id=sid, early_ok=early)
    if hours:
        flash(
            t("signups.checked_out", n=f"{hours.value:g}"),
            anchor=record_key(SCOPE, "msg", sid),
            clear=keys,
        )
        st.rerun()


def cancel_button(sid: int, verdict: Verdict) -> None:
    if not verdict.shown:
        return
    if action_button(
        t("signups.cancel"),
        scope=SCOPE,
        action="cancel",
        record_id=sid,
        disabled_reason=reason(verdict),
    ) and write(signups.signup_cancel, actor=actor, signup_id=sid):
        flash(t("signups.cancelled"), anchor=PAGE)  # the card leaves the list
        st.rerun()


def upcoming_card(row: MySignup, now: datetime, area: str) -> None:
    """One upcoming sign-up: what it is, where the volunteer stands, what they can do."""
    sid = row.signup_id
    with st.container(border=True, key=record_key(SCOPE, "card", sid)):
        st.markdown(f"**{plain(row.title)}**")
        st.write(f":material/schedule: {span(row.starts_at, row.ends_at)}")
        if row.place:
            st.write(f":material/location_on: {map_link(row.place, area)}")
        show_flash(record_key(SCOPE, "msg", sid))
        if row.task_cancelled:
            # the task is off: say so plainly, and offer nothing to press
            st.error(t("signups.task_was_cancelled"), icon=":material/event_busy:")
            return
        entry_status(row)
        acts = signups.signup_actions(row.state, now=now)
        check_in_button(sid, acts.check_in)
        check_out_button(sid, row.state, acts.check_out, acts.early_check_out)
        if calendar.ics_offered(row.state.status):  # a place held, not a waiting one
            st.download_button(
                t("signups.add_to_calendar"),
                data=read(calendar.signup_ics, actor=actor, signup_id=sid, lang=lang()),
                file_name=f"task-{row.task_id}.ics",
                mime="text/calendar",
                key=record_key(SCOPE, "ics", sid),
                icon=":material/calendar_add_on:",
                width="stretch",
            )
        cancel_button(sid, acts.cancel)


def past_cards(past: list[MySignup]) -> None:
    """Past sign-ups as small cards, newest first, a page at a time: a table is wider
    than a phone."""
    st.header(t("signups.past"))
    if not past:
        st.caption(t("signups.none_past"))
        return
    shown = st.session_state.setdefault(PAST_SHOWN, PAST_PAGE)
    for r in sorted(past, key=lambda r: r.starts_at, reverse=True)[:shown]:
        state = r.state
        with st.container(border=True, key=record_key(SCOPE, "past", r.signup_id)):
            st.markdown(f"**{plain(r.title)}**")
            st.caption(f"{span(r.starts_at, r.ends_at)} · {t(f'tasks.status.{state.task_status}')}")
            hours = (
                f" · {t('volunteers.hours', n=f'{state.hours:g}')}"
                f" · {t(f'signups.hours.{state.hours_status}')}"
                if state.hours
                else ""
            )
            st.write(t(f"signups.status.{state.status}") + hours)
    if len(past) > shown and st.button(
        t("signups.show_more"), key="my_past_more", icon=":material/expand_more:", width="stretch"
    ):
        st.session_state[PAST_SHOWN] = shown + PAST_PAGE
        st.rerun()


actor = page_guard("my_tasks")
st.title(t("nav.my_tasks"))
show_flash(PAGE)

volunteer_id = read(volunteers.volunteer_of_account, actor=actor)
if volunteer_id is None:
    st.warning(t("signups.no_volunteer_record"))
    st.stop()
star_news(volunteer_id)
star_box(read(volunteers.volunteer_profile, actor=actor, volunteer_id=volunteer_id))
certificate_box(volunteer_id)

rows: list[MySignup] = read(task_board.my_tasks, actor=actor)
now = utcnow()
upcoming = sorted((r for r in rows if r.ends_at > now), key=lambda r: r.starts_at)
past = [r for r in rows if r.ends_at <= now]

st.header(t("signups.upcoming"))
if not upcoming:
    st.info(t("signups.none_upcoming"))
    st.page_link("views/open_tasks.py", label=t("nav.open_tasks"), icon=":material/search:")
area = map_area(actor.community_id)
for row in upcoming:
    upcoming_card(row, now, area)
past_cards(past)
