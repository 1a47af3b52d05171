"""The roster of one task (staff): one row per sign-up with check-in/out, no-shows and
hours approval, each widget keyed by the sign-up's id; above it, the day's tools
(issue 17): 全部签到 and 全部确认时长 with the number they act on and a question first,
a volunteer added on the spot (现场加入), and for a task today the check-in QR code,
renewed by itself as the code changes (services/check_in_codes.py). The keys keep the
tasks page's scope ("tasks")."""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

import streamlit as st

from models.base import local, utcnow
from models.volunteers import TaskStatus
from services import check_in_codes, rosters, signups
from services.access import Actor
from services.qr import qr_png
from services.rosters import RosterBulk, RosterMark
from services.signups import SignupActions, SignupState, Verdict
from services.task_board import RosterEntry, TaskCard
from ui.actions import flash, read_fresh, show_flash, write
from ui.downloads import export_button
from ui.fmt import when
from ui.i18n import t
from ui.records import action_button, confirm_action, record_key
from ui.text import plain

SCOPE = "tasks"
CODE_REFRESH = timedelta(seconds=20)  # the code changes every 3 minutes; shown within 20 s


def reason(verdict: Verdict) -> str | None:
    return None if verdict.reason is None else t(verdict.reason, **verdict.params)


def roster_section(actor: Actor, card: TaskCard, entries: list[RosterEntry]) -> None:
    st.markdown(f"#### {t('tasks.roster')}")
    now = utcnow()
    bulk = read_fresh(rosters.roster_bulk, actor=actor, task_id=card.id, now=now)
    day = check_in_codes.on_the_day(
        starts_at=card.starts_at, ends_at=card.ends_at, status=card.status, now=now
    )
    if day:
        check_in_code(card.id)
    show_flash(record_key(SCOPE, "roster_msg", card.id))
    if entries and card.status != TaskStatus.cancelled:  # a cancelled task's roster is a record
        bulk_actions(actor, card, bulk)
    if day:
        walk_in(actor, card)
    if not entries:
        st.caption(t("tasks.no_signups"))
    else:
        key = record_key("tasks", "roster_export", card.id)
        export_button(actor, "task_roster", key=key, task_id=card.id)
    for entry in entries:
        roster_row(actor, entry, now, bulk.marks.get(entry.signup_id))


# --- the day's tools: the check-in code, bulk actions, walk-ins --------------------------


def check_in_link(task_id: int, code: str) -> str:
    url = urlparse(st.context.url or "http://localhost:8501/")
    query = urlencode({"task": task_id, "code": code})
    return f"{url.scheme}://{url.netloc}/check_in?{query}"


@st.fragment(run_every=CODE_REFRESH)
def check_in_code(task_id: int) -> None:
    """The QR a volunteer scans on arrival, and its code in large type for one who types
    it; redrawn by itself, so the staff never press anything for a new code."""
    now = utcnow()
    code = check_in_codes.current_code(task_id, now)
    with st.container(border=True, key=record_key(SCOPE, "check_in_code", task_id)):
        st.markdown(f"##### {t('rosters.code_title')}")
        qr, text = st.columns([1, 2], vertical_alignment="center")
        qr.image(qr_png(check_in_link(task_id, code)), width=200)
        text.markdown(
            f"<p style='font-size:3rem;font-weight:700;letter-spacing:.3em;margin:0'>{code}</p>",
            unsafe_allow_html=True,  # six digits made here, nothing anyone typed
        )
        text.caption(
            t(
                "rosters.code_help",
                minutes=int(check_in_codes.WINDOW.total_seconds() // 60),
                at=f"{local(check_in_codes.code_renews_at(now)):%H:%M}",
            )
        )


def bulk_actions(actor: Actor, card: TaskCard, bulk: RosterBulk) -> None:
    """全部签到 (n) and 全部确认时长 (n): the number is who the press acts on; greyed out
    with the reason when it is nobody."""
    left, right = st.columns(2)
    with left:
        no_one = t(bulk.check_in_reason, **bulk.check_in_params) if bulk.check_in_reason else None
        _bulk_button(
            actor,
            card,
            action="in_all",
            text="rosters.check_in_all",
            n=bulk.check_in,
            no_one=no_one or t("rosters.nobody_to_check_in"),
            icon=":material/how_to_reg:",
            service=rosters.roster_check_in_all,
            said=_checked_in_message,
        )
    with right:
        _bulk_button(
            actor,
            card,
            action="approve_all",
            text="rosters.approve_all",
            n=bulk.approve,
            no_one=t("rosters.nothing_to_approve"),
            icon=":material/task_alt:",
            service=rosters.roster_approve_all,
            said=lambda n: t("rosters.approved_all", n=n),
        )


def _bulk_button(
    actor: Actor,
    card: TaskCard,
    *,
    action: str,
    text: str,
    n: int,
    no_one: str,
    icon: str,
    service: Callable[..., Any],
    said: Callable[[Any], str],
) -> None:
    """One bulk button of a task's roster: `text` (with its _question and _confirm) for
    `n` people, asked first; greyed out with `no_one` when n is 0. `said(result)` is the
    message shown under the roster after the write."""
    if n == 0:
        action_button(
            t(text, n=0), scope=SCOPE, action=action, record_id=card.id, disabled_reason=no_one
        )
        return
    asked = confirm_action(
        t(text, n=n),
        scope=SCOPE,
        action=action,
        record_id=card.id,
        question=t(f"{text}_question", n=n),
        confirm_label=t(f"{text}_confirm"),
        icon=icon,
    )
    if asked:
        done = write(service, actor=actor, task_id=card.id, where=asked.box)
        if done:
            anchor = record_key(SCOPE, "roster_msg", card.id)
            flash(said(done.value), anchor=anchor, clear=asked.keys)
            st.rerun()


def _checked_in_message(result: rosters.BulkResult) -> str:
    message = t("rosters.checked_in_all", n=result.done)
    for refused in result.refused:
        message += "  \n" + t(
            "rosters.not_checked_in",
            name=plain(refused.volunteer),
            reason=t(refused.reason, **refused.params),
        )
    return message


def walk_in(actor: Actor, card: TaskCard) -> None:
    """添加现场志愿者: someone of the community's register found by name (or the end of
    their phone), or a new person by name and phone. The service picks a person already
    on the register by their phone rather than making a second record."""
    k = card.id
    anchor = record_key(SCOPE, "roster_msg", k)
    with st.expander(
        t("rosters.walk_in"), icon=":material/person_add:", key=record_key(SCOPE, "walkin", k)
    ):
        st.caption(t("rosters.walk_in_help"))
        search = st.text_input(
            t("rosters.walk_in_search"), max_chars=20, key=record_key(SCOPE, "walkin_search", k)
        )
        found = (
            read_fresh(rosters.walk_in_candidates, actor=actor, task_id=k, search=search)
            if search.strip()
            else []
        )
        if search.strip() and not found:
            st.caption(t("rosters.walk_in_none_found"))
        if found:
            names = {c.volunteer_id: f"{c.name} · {c.phone}" for c in found}
            picked = st.selectbox(
                t("rosters.walk_in_pick"),
                list(names),
                format_func=names.__getitem__,
                key=record_key(SCOPE, "walkin_pick", k),
            )
            if action_button(
                t("rosters.walk_in_add"), scope=SCOPE, action="walkin_add", record_id=k
            ):
                added = write(
                    rosters.roster_add_walk_in, actor=actor, task_id=k, volunteer_id=picked
                )
                if added:
                    flash(_walk_in_message(added.value), anchor=anchor)
                    st.rerun()
        st.markdown(f"**{t('rosters.walk_in_new')}**")
        with st.form(record_key(SCOPE, "walkin_new", k)):
            a, b = st.columns(2)
            name = a.text_input(
                t("volunteers.name"), max_chars=40, key=record_key(SCOPE, "walkin_name", k)
            )
            phone = b.text_input(
                t("volunteers.phone"), max_chars=13, key=record_key(SCOPE, "walkin_phone", k)
            )
            st.caption(t("rosters.walk_in_same_phone"))
            if not st.form_submit_button(t("rosters.walk_in_register"), type="primary"):
                return
        added = write(rosters.roster_add_walk_in, actor=actor, task_id=k, name=name, phone=phone)
        if added:
            keys = (record_key(SCOPE, "walkin_name", k), record_key(SCOPE, "walkin_phone", k))
            flash(_walk_in_message(added.value), anchor=anchor, clear=keys)
            st.rerun()


def _walk_in_message(added: rosters.WalkIn) -> str:
    key = "rosters.walked_in_known" if added.on_register else "rosters.walked_in"
    return t(key, name=plain(added.volunteer))


# --- one row per sign-up -------------------------------------------------------------------


def _detail(entry: RosterEntry, mark: RosterMark | None) -> str:
    state = entry.state
    detail = t(f"signups.status.{state.status}")
    if mark is not None and mark.walk_in:
        detail += f" · {t('rosters.walk_in_mark')}"
    if entry.position is not None:
        detail += f" · #{entry.position}"
    if state.check_in_at is not None:
        detail += f" · {t('signups.in_at', at=when(state.check_in_at))}"
        if mark is not None and mark.way:
            detail += f" ({t(f'rosters.way.{mark.way}')})"
    if state.check_out_at is not None:
        detail += f" · {t('signups.out_at', at=when(state.check_out_at))}"
    if state.hours:
        detail += (
            f" · {t('volunteers.hours', n=f'{state.hours:g}')}"
            f" ({t(f'signups.hours.{state.hours_status}')})"
        )
    return detail


def roster_row(
    actor: Actor, entry: RosterEntry, now: datetime, mark: RosterMark | None = None
) -> None:
    """One sign-up and every action on it, each keyed by the sign-up's id; a button the
    rule does not allow yet is greyed out with the reason under it."""
    sid, name = entry.signup_id, plain(entry.volunteer)  # shown in Markdown and messages only
    acts = signups.signup_actions(entry.state, now=now)
    with st.container(border=True, key=record_key(SCOPE, "row", sid)):
        a, b = st.columns([2, 5], vertical_alignment="center")
        a.markdown(f"**{name}**  \n{plain(entry.phone)}")
        with b:
            st.write(_detail(entry, mark))
            show_flash(record_key(SCOPE, "signup_msg", sid))
        presence, absence, hours, approve = st.columns(4)
        with presence:
            roster_check_in_out(actor, sid, name, entry.state, acts)
        with absence:
            roster_action(
                actor,
                sid,
                name,
                acts.no_show,
                action="noshow",
                label_key="signups.no_show",
                write_fn=signups.signup_mark_no_show,
                done_key="signups.no_show_marked",
            )
            roster_action(
                actor,
                sid,
                name,
                acts.undo_check_out,
                action="undo_out",
                label_key="signups.undo_check_out",
                write_fn=signups.signup_undo_check_out,
                done_key="signups.check_out_undone",
            )
        with hours:
            roster_hours(actor, sid, name, entry.state, acts.enter_hours)
        with approve:
            roster_action(
                actor,
                sid,
                name,
                acts.approve,
                action="approve",
                label_key="signups.approve",
                write_fn=signups.signup_approve_hours,
                done_key="signups.approved",
                primary=True,
            )


def _done(message: str, sid: int, keys: tuple[str, ...] = ()) -> None:
    flash(message, anchor=record_key(SCOPE, "signup_msg", sid), clear=keys)
    st.rerun()


def roster_check_in_out(
    actor: Actor, sid: int, name: str, state: SignupState, acts: SignupActions
) -> None:
    if acts.check_in.shown and (
        action_button(
            t("signups.check_in"),
            scope=SCOPE,
            action="in",
            record_id=sid,
            disabled_reason=reason(acts.check_in),
        )
        and write(signups.signup_check_in, actor=actor, signup_id=sid)
    ):
        _done(t("signups.checked_in_name", name=name), sid)
    if not acts.check_out.shown:
        return
    early = acts.check_out.ok and acts.early_check_out
    keys: tuple[str, ...] = ()
    if early:
        confirmed = confirm_action(
            t("signups.check_out"),
            scope=SCOPE,
            action="out",
            record_id=sid,
            question=t("signups.check_out_early_question", at=when(state.ends_at)),
            confirm_label=t("signups.check_out_early_confirm"),
        )
        pressed, keys = confirmed is not None, confirmed.keys if confirmed else ()
    else:
        pressed = action_button(
            t("signups.check_out"),
            scope=SCOPE,
            action="out",
            record_id=sid,
            disabled_reason=reason(acts.check_out),
        )
    if pressed:
        hours = write(signups.signup_check_out, actor=actor, signup_id=sid, early_ok=early)
        if hours:
            _done(t("signups.checked_out_name", name=name, n=f"{hours.value:g}"), sid, keys)


def roster_action(
    actor: Actor,
    sid: int,
    name: str,
    verdict: Verdict,
    *,
    action: str,
    label_key: str,
    write_fn,
    done_key: str,
    primary: bool = False,
) -> None:
    """One simple roster action (no-show, undo a check-out, approve hours): offered as
    the service's verdict says, greyed out with its reason when not yet possible."""
    if verdict.shown and (
        action_button(
            t(label_key),
            scope=SCOPE,
            action=action,
            record_id=sid,
            primary=primary,
            disabled_reason=reason(verdict),
        )
        and write(write_fn, actor=actor, signup_id=sid)
    ):
        _done(t(done_key, name=name), sid)


def roster_hours(actor: Actor, sid: int, name: str, state: SignupState, verdict: Verdict) -> None:
    """Staff enter or correct the hours (补录), with the reason. Any number can be typed;
    the service says in the user's language when it is outside 0.25–24 h or the reason
    is missing (and writes nothing)."""
    if not verdict.shown:
        return
    with st.popover(
        t("signups.enter_hours"),
        key=record_key(SCOPE, "hours_pop", sid),
        disabled=not verdict.ok,
        width="stretch",
    ):
        hours = st.number_input(
            t("signups.col.hours"),
            min_value=0.0,
            value=float(state.hours) or 2.0,
            step=0.25,
            help=t(
                "signups.hours_help",
                min=f"{signups.MIN_HOURS:g}",
                max=f"{signups.MAX_HOURS:g}",
            ),
            key=record_key(SCOPE, "hours", sid),
        )
        why = st.text_input(
            t("signups.hours_reason") + " *",
            placeholder=t("signups.hours_reason_hint"),
            max_chars=200,
            key=record_key(SCOPE, "hours_reason", sid),
        )
        st.caption(t("signups.hours_by_staff_note"))
        if st.button(
            t("common.save"), key=record_key(SCOPE, "hours_save", sid), width="stretch"
        ) and write(signups.signup_set_hours, actor=actor, signup_id=sid, hours=hours, reason=why):
            _done(t("signups.hours_saved", name=name, n=f"{hours:g}"), sid)
    if not verdict.ok:
        st.caption(reason(verdict))
