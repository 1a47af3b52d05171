"""Tasks (staff): publish, edit, open/close/cancel; the roster with check-in/out,
no-shows and hours approval; a QR code and link for the WeChat group.

Small functions per section: the new-task form, the list and its picker, the task's
header with its status actions, the edit form, and one function per roster row that
holds all of that sign-up's actions. What can be pressed, and when, is said by the
services: the task's card (services/task_board.py: next statuses, can it be cancelled or
edited) and each sign-up's rule (signups.signup_actions, asked with the time of drawing);
every widget of a record carries its id (record_key), and the picker keeps the picked
task by id.
"""

from datetime import datetime, time, timedelta
from urllib.parse import urlparse

import streamlit as st

from models.base import LOCAL_TZ, local, utcnow
from models.volunteers import TaskKind, TaskStatus
from services import signups, task_board, tasks
from services.org import community_list
from services.qr import qr_png
from services.signups import SignupActions, SignupState, Verdict
from services.task_board import RosterEntry, TaskCard
from services.volunteers import SKILLS
from ui.actions import PAGE, flash, read, read_fresh, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import span, when
from ui.i18n import t
from ui.links import record_id
from ui.records import action_button, confirm_action, record_key
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

SCOPE = "tasks"
PICKED = "tasks_picked"  # the picked task's id: the picker follows it, not its label
NEW_FORM_KEYS = ("tasks_title", "tasks_place", "tasks_description", "tasks_skills")


def task_link(task_id: int) -> str:
    url = urlparse(st.context.url or "http://localhost:8501/")
    return f"{url.scheme}://{url.netloc}/open_tasks?task={task_id}"


def local_dt(day, at: time) -> datetime:
    return datetime.combine(day, at, LOCAL_TZ)


def reason(verdict: Verdict) -> str | None:
    return None if verdict.reason is None else t(verdict.reason, **verdict.params)


# --- publishing -------------------------------------------------------------------------


def new_task_form() -> None:
    """Publish a task. Name and place are required (the service refuses without them);
    after success the form is emptied, and a second press of the same task is refused
    by the service, so a double press never makes two tasks."""
    show_flash("tasks_new")
    with st.form("tasks_new"):
        communities = read(community_list, actor=actor)
        title = st.text_input(t("tasks.title"), key="tasks_title", max_chars=100)
        c1, c2 = st.columns(2)
        kind = c1.selectbox(
            t("tasks.kind"),
            list(TaskKind),
            format_func=lambda k: t(f"tasks.kind.{k}"),
            key="tasks_kind",
        )
        community = c2.selectbox(
            t("tasks.community"), communities, format_func=lambda c: c.name, key="tasks_community"
        )
        place = st.text_input(t("tasks.place"), key="tasks_place", max_chars=200)
        c3, c4, c5, c6 = st.columns(4)
        day = c3.date_input(t("tasks.day"), value=today() + timedelta(days=1), key="tasks_day")
        start = c4.time_input(t("tasks.start"), value=time(9, 0), key="tasks_start")
        end = c5.time_input(t("tasks.end"), value=time(11, 0), key="tasks_end")
        cap = c6.number_input(t("tasks.capacity"), 1, 500, 5, key="tasks_capacity")
        skills = st.multiselect(
            t("tasks.skills"),
            SKILLS,
            format_func=lambda s: t(f"volunteers.skill.{s}"),
            placeholder=t("common.choose_any"),
            key="tasks_skills",
        )
        description = st.text_area(t("tasks.description"), key="tasks_description")
        if not st.form_submit_button(t("tasks.publish"), type="primary"):
            return
        new_id = write(
            tasks.task_create,
            actor=actor,
            title=title,
            kind=kind,
            community_id=community.id,
            place=place,
            starts_at=local_dt(day, start),
            ends_at=local_dt(day, end),
            capacity=int(cap),
            required_skills=",".join(skills),
            description=description,
        )
    if new_id:
        st.session_state[PICKED] = new_id.value
        flash(
            t("tasks.published", title=plain(title.strip())),
            anchor="tasks_new",
            clear=NEW_FORM_KEYS,
        )
        st.rerun()


# --- the list and its picker ------------------------------------------------------------


def _keep_pick() -> None:
    picked = st.session_state.get("tasks_pick")
    if isinstance(picked, int):
        st.session_state[PICKED] = picked


def task_picker(cards: list[TaskCard]) -> TaskCard | None:
    """Picks a task by id. The labels hold no counts or status, and the picked id is kept
    in PICKED and written back to the selectbox on every run, so a status change, a new
    sign-up or another order never moves the pick to another task. A picked task that
    the filter no longer lists (just closed, say) stays picked."""
    by_id = {c.id: c for c in cards}
    linked = st.query_params.get("task")
    if "tasks_link_used" not in st.session_state and record_id(linked) is not None:
        st.session_state["tasks_link_used"] = True
        st.session_state[PICKED] = record_id(linked)
    picked = st.session_state.get(PICKED)
    if picked is not None and picked not in by_id:
        kept = read_fresh(task_board.task_card, actor=actor, task_id=picked)
        if kept is not None:
            by_id = {kept.id: kept, **by_id}
            st.caption(t("tasks.picked_outside_filter"))
        else:
            picked = None
    if not by_id:
        st.info(t("tasks.none"))
        return None
    if picked is None:
        picked = next(iter(by_id))
    st.session_state[PICKED] = picked
    st.session_state["tasks_pick"] = picked
    st.selectbox(
        t("tasks.pick"),
        list(by_id),
        format_func=lambda i: f"{by_id[i].title} · {span(by_id[i].starts_at, by_id[i].ends_at)}",
        key="tasks_pick",
        on_change=_keep_pick,
    )
    return by_id[picked]


def _new_filter() -> None:
    """A filter the person changed starts from its own first task (a task that left
    the filter because of what was pressed on it stays picked)."""
    st.session_state.pop(PICKED, None)


def task_list_tab() -> None:
    f1, f2 = st.columns(2)
    upcoming = f1.toggle(
        t("tasks.upcoming_only"), value=True, key="tasks_upcoming", on_change=_new_filter
    )
    status = f2.selectbox(
        t("tasks.status"),
        [None, *TaskStatus],
        format_func=lambda s: t("common.all") if s is None else t(f"tasks.status.{s}"),
        key="tasks_status",
        on_change=_new_filter,
    )
    cards = read(task_board.task_list, actor=actor, status=status, upcoming_only=upcoming)
    export_button(actor, "tasks", key="tasks_export", status=status, upcoming_only=upcoming)
    picked = task_picker(cards)
    if picked is None:
        return
    roster = read_fresh(task_board.task_roster, actor=actor, task_id=picked.id)
    card = roster.task
    task_header(card)
    if card.editable:
        edit_form(card)
    roster_section(card, roster.signups)


# --- one task: header, status actions, edit -------------------------------------------


def task_header(card: TaskCard) -> None:
    info, qr = st.columns([3, 1])
    with info:
        st.subheader(plain(card.title))
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        if card.place:
            st.write(f":material/location_on: {plain(card.place)}")
        st.write(
            t("tasks.summary", taken=card.taken, capacity=card.capacity, waiting=card.waitlisted)
            + " · "
            + t(f"tasks.status.{card.status}")
        )
        st.caption(t("signups.waitlist_rule"))
        show_flash(record_key(SCOPE, "msg", card.id))
        if card.is_cancelled:
            st.error(t("tasks.is_cancelled"), icon=":material/cancel:")
        status_actions(card)
    if card.is_open:
        with qr:
            st.image(qr_png(task_link(card.id)), caption=t("tasks.qr_caption"), width=160)
            st.code(task_link(card.id), language=None)


def status_actions(card: TaskCard) -> None:
    """Open / close / done as one press; cancelling asks first and says how many
    sign-ups go with it."""
    simple = card.next_statuses
    for col, target in zip(st.columns(max(1, len(simple))), simple, strict=False):
        with col:
            if action_button(
                t(f"tasks.to.{target}"), scope=SCOPE, action=f"to_{target}", record_id=card.id
            ) and write(tasks.task_set_status, actor=actor, task_id=card.id, status=target):
                flash(t(f"tasks.now.{target}"), anchor=record_key(SCOPE, "msg", card.id))
                st.rerun()
    if card.can_cancel:
        cancel_task(card)  # full width: its question says what else it cancels


def cancel_task(card: TaskCard) -> None:
    confirmed = confirm_action(
        t("tasks.to.cancelled"),
        scope=SCOPE,
        action="to_cancelled",
        record_id=card.id,
        question=t(
            "tasks.cancel_question",
            n=card.taken + card.waitlisted,
            taken=card.taken,
            waiting=card.waitlisted,
        ),
        confirm_label=t("tasks.cancel_confirm"),
    )
    if confirmed is None:
        return
    written = write(
        tasks.task_set_status, actor=actor, task_id=card.id, status=TaskStatus.cancelled
    )
    if written:
        flash(
            t("tasks.cancelled_with", n=written.value),
            anchor=record_key(SCOPE, "msg", card.id),
            clear=confirmed.keys,
        )
        st.rerun()


def edit_form(card: TaskCard) -> None:
    k = card.id  # keys per task: switching task shows that task's values
    with st.expander(t("tasks.edit"), icon=":material/edit:"), st.form(f"tasks_edit_{k}"):
        e_title = st.text_input(
            t("tasks.title"), value=card.title, max_chars=100, key=f"tasks_edit_title_{k}"
        )
        e1, e2 = st.columns(2)
        e_kind = e1.selectbox(
            t("tasks.kind"),
            list(TaskKind),
            index=list(TaskKind).index(TaskKind(card.kind)),
            format_func=lambda k_: t(f"tasks.kind.{k_}"),
            key=f"tasks_edit_kind_{k}",
        )
        e_place = e2.text_input(t("tasks.place"), value=card.place, key=f"tasks_edit_place_{k}")
        starts, ends = local(card.starts_at), local(card.ends_at)
        e3, e4, e5, e6, e7 = st.columns(5)
        e_day = e3.date_input(t("tasks.day"), value=starts.date(), key=f"tasks_edit_day_{k}")
        e_start = e4.time_input(t("tasks.start"), value=starts.time(), key=f"tasks_edit_start_{k}")
        e_end_day = e5.date_input(
            t("tasks.end_day"), value=ends.date(), key=f"tasks_edit_end_day_{k}"
        )
        e_end = e6.time_input(t("tasks.end"), value=ends.time(), key=f"tasks_edit_end_{k}")
        e_cap = e7.number_input(
            t("tasks.capacity"), 1, 500, card.capacity, key=f"tasks_edit_capacity_{k}"
        )
        e_skills = st.multiselect(
            t("tasks.skills"),
            SKILLS,
            default=[x for x in card.required_skills.split(",") if x in SKILLS],
            format_func=lambda x: t(f"volunteers.skill.{x}"),
            placeholder=t("common.choose_any"),
            key=f"tasks_edit_skills_{k}",
        )
        e_desc = st.text_area(
            t("tasks.description"), value=card.description, key=f"tasks_edit_description_{k}"
        )
        st.caption(t("tasks.edit_hint", n=card.taken))
        if not st.form_submit_button(t("common.save"), type="primary"):
            return
        promoted = write(
            tasks.task_update,
            actor=actor,
            task_id=card.id,
            title=e_title,
            kind=e_kind,
            place=e_place,
            starts_at=local_dt(e_day, e_start),
            ends_at=local_dt(e_end_day, e_end),
            capacity=int(e_cap),
            required_skills=",".join(e_skills),
            description=e_desc,
        )
    if promoted:  # refused: None (the error is in the form); saved: the promoted ids
        message = t("common.saved")
        if promoted.value:
            message += " · " + t("tasks.promoted", n=len(promoted.value))
        flash(message, anchor=record_key(SCOPE, "msg", card.id))
        st.rerun()


# --- the roster: one function per sign-up ------------------------------------------------


def roster_section(card: TaskCard, entries: list[RosterEntry]) -> None:
    st.markdown(f"#### {t('tasks.roster')}")
    if not entries:
        st.caption(t("tasks.no_signups"))
    else:
        key = record_key("tasks", "roster_export", card.id)
        export_button(actor, "task_roster", key=key, task_id=card.id)
    now = utcnow()
    for entry in entries:
        roster_row(entry, now)


def _detail(entry: RosterEntry) -> str:
    state = entry.state
    detail = t(f"signups.status.{state.status}")
    if entry.position is not None:
        detail += f" · #{entry.position}"
    if state.check_in_at is not None:
        detail += f" · {t('signups.in_at', at=when(state.check_in_at))}"
    if state.check_out_at is not None:
        detail += f" · {t('signups.out_at', at=when(state.check_out_at))}"
    if state.hours:
        detail += (
            f" · {t('volunteers.hours', n=f'{state.hours:g}')}"
            f" ({t(f'signups.hours.{state.hours_status}')})"
        )
    return detail


def roster_row(entry: RosterEntry, now: datetime) -> None:
    """One sign-up and every action on it, each keyed by the sign-up's id; a button the
    rule does not allow yet is greyed out with the reason under it."""
    sid, name = entry.signup_id, plain(entry.volunteer)  # shown in Markdown and messages only
    acts = signups.signup_actions(entry.state, now=now)
    with st.container(border=True, key=record_key(SCOPE, "row", sid)):
        a, b = st.columns([2, 5], vertical_alignment="center")
        a.markdown(f"**{name}**  \n{plain(entry.phone)}")
        with b:
            st.write(_detail(entry))
            show_flash(record_key(SCOPE, "signup_msg", sid))
        presence, absence, hours, approve = st.columns(4)
        with presence:
            roster_check_in_out(sid, name, entry.state, acts)
        with absence:
            roster_action(
                sid,
                name,
                acts.no_show,
                action="noshow",
                label_key="signups.no_show",
                write_fn=signups.signup_mark_no_show,
                done_key="signups.no_show_marked",
            )
            roster_action(
                sid,
                name,
                acts.undo_check_out,
                action="undo_out",
                label_key="signups.undo_check_out",
                write_fn=signups.signup_undo_check_out,
                done_key="signups.check_out_undone",
            )
        with hours:
            roster_hours(sid, name, entry.state, acts.enter_hours)
        with approve:
            roster_action(
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


def roster_check_in_out(sid: int, name: str, state: SignupState, acts: SignupActions) -> None:
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


def roster_hours(sid: int, name: str, state: SignupState, verdict: Verdict) -> None:
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


actor = page_guard("tasks")
st.title(t("nav.tasks"))
show_flash(PAGE)
if missing_organisation(actor):
    st.stop()

lazy_tabs("tasks_tab", [(t("tasks.tab.list"), task_list_tab), (t("tasks.tab.new"), new_task_form)])
