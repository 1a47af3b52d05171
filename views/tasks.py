"""Tasks (staff): publish (once, or as a series that repeats: services/task_series.py),
edit (a series' task: this one only, or this and all later), open/close/cancel, stop or
extend a series, sign a team up as a whole; the roster with check-in/out, no-shows and
hours approval; a QR code and link for the WeChat group.

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

from models.base import LOCAL_TZ, local
from models.volunteers import SeriesRule, TaskKind, TaskStatus
from services import task_board, task_series, tasks, team_signups, teams
from services.access import STAFF
from services.org import community_list
from services.qr import qr_png
from services.task_board import TaskCard
from services.task_series import SeriesInfo
from services.team_signups import TeamSignupResult
from services.volunteers import SKILLS
from ui.actions import PAGE, flash, read, read_fresh, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import span
from ui.i18n import t
from ui.links import record_id
from ui.records import action_button, confirm_action, record_key
from ui.roster import roster_section
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

SCOPE = "tasks"
PICKED = "tasks_picked"  # the picked task's id: the picker follows it, not its label
NEW_FORM_KEYS = (
    "tasks_title",
    "tasks_place",
    "tasks_description",
    "tasks_skills",
    "tasks_weekdays",
    "tasks_team",
)


def task_link(task_id: int) -> str:
    url = urlparse(st.context.url or "http://localhost:8501/")
    return f"{url.scheme}://{url.netloc}/open_tasks?task={task_id}"


def local_dt(day, at: time) -> datetime:
    return datetime.combine(day, at, LOCAL_TZ)


# --- publishing -------------------------------------------------------------------------


def new_task_form() -> None:
    """Publish a task, or a series of them (重复: weekly or fortnightly on chosen days,
    monthly on a day, made ahead for a window of weeks, optionally with a team signed
    up to each). Name and place are required (the service refuses without them); after
    success the form is emptied, and a second press of the same task is refused by the
    service, so a double press never makes two tasks. The repeat choice sits above the
    form, so the form shows only the fields it needs."""
    show_flash("tasks_new")
    rule = st.columns([1, 2])[0].selectbox(
        t("series.repeat"),
        [None, *SeriesRule],
        format_func=lambda r: t(f"series.repeat.{r or 'none'}"),
        key="tasks_repeat",
    )
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
        day = c3.date_input(
            t("series.first_day" if rule else "tasks.day"),
            value=today() + timedelta(days=1),
            key="tasks_day",
        )
        start = c4.time_input(t("tasks.start"), value=time(9, 0), key="tasks_start")
        end = c5.time_input(t("tasks.end"), value=time(11, 0), key="tasks_end")
        cap = c6.number_input(t("tasks.capacity"), 1, 500, 5, key="tasks_capacity")
        repeat = repeat_fields(rule) if rule else None
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
        fields = dict(
            actor=actor,
            title=title,
            kind=kind,
            community_id=community.id,
            place=place,
            capacity=int(cap),
            required_skills=",".join(skills),
            description=description,
        )
        if rule is None:
            made = write(
                tasks.task_create,
                starts_at=local_dt(day, start),
                ends_at=local_dt(day, end),
                **fields,
            )
        else:
            made = write(
                task_series.series_create,
                rule=rule,
                starts=start,
                minutes=_minutes(start, end),
                first_day=day,
                **(repeat or {}),
                **fields,
            )
    if made:
        if rule is None:
            st.session_state[PICKED] = made.value
            message = t("tasks.published", title=plain(title.strip()))
        else:
            message = t("series.published", title=plain(title.strip()), n=made.value.tasks)
        flash(message, anchor="tasks_new", clear=NEW_FORM_KEYS)
        st.rerun()


def _minutes(start: time, end: time) -> int:
    """An occurrence's length from its start and end times on the same day."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def repeat_fields(rule: SeriesRule) -> dict:
    """The series' own fields in the new-task form: the weekdays or the day of the month,
    the window in weeks, and (staff) a team to sign up to every occurrence."""
    r1, r2, r3 = st.columns([3, 1, 2])
    values: dict = {}
    if rule == SeriesRule.monthly:
        values["month_day"] = int(
            r1.number_input(
                t("series.month_day"),
                1,
                31,
                today().day,
                help=t("series.month_day_help"),
                key="tasks_month_day",
            )
        )
    else:
        values["weekdays"] = r1.multiselect(
            t("series.weekdays"),
            list(range(7)),
            format_func=lambda d: t(f"calendar.weekday.{d}"),
            placeholder=t("series.weekdays_placeholder"),
            key="tasks_weekdays",
        )
    values["weeks"] = int(
        r2.number_input(
            t("series.weeks"),
            1,
            task_series.MAX_WEEKS,
            task_series.DEFAULT_WEEKS,
            help=t("series.weeks_help", max=task_series.MAX_WEEKS),
            key="tasks_weeks",
        )
    )
    if actor.role in STAFF:
        team_rows = [row for row in read(teams.team_list, actor=actor, today=today()) if row.active]
        team = r3.selectbox(
            t("series.team"),
            [None, *team_rows],
            format_func=lambda row: t("series.team_none") if row is None else row.name,
            key="tasks_team",
        )
        values["team_id"] = team.id if team is not None else None
    return values


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
    # each link followed once (the calendar opens one task after another in a session)
    if record_id(linked) is not None and st.session_state.get("tasks_link_used") != linked:
        st.session_state["tasks_link_used"] = linked
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
    series = read(task_series.series_of_task, actor=actor, task_id=card.id)
    if series is not None:
        series_section(card, series)
    if actor.role in STAFF and card.is_open:
        team_sign_up(card)
    if card.editable:
        edit_form(card, series)
    roster_section(actor, card, roster.signups)


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


def edit_form(card: TaskCard, series: SeriesInfo | None) -> None:
    """The task's edit. A task of a series asks first what to change: 仅此一次 (this
    task, the ordinary edit) or 此次及以后 (the series and its later occurrences:
    task_series.series_update_from; each keeps its own day)."""
    k = card.id  # keys per task: switching task shows that task's values
    with st.expander(t("tasks.edit"), icon=":material/edit:"), st.form(f"tasks_edit_{k}"):
        later = False
        if series is not None and series.active:
            later = (
                st.radio(
                    t("series.edit_scope"),
                    ["one", "later"],
                    format_func=lambda x: t(f"series.edit_scope.{x}"),
                    horizontal=True,
                    key=f"tasks_edit_scope_{k}",
                )
                == "later"
            )
            st.caption(t("series.edit_scope_help", n=series.later))
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
        common = dict(
            actor=actor,
            task_id=card.id,
            title=e_title,
            kind=e_kind,
            place=e_place,
            capacity=int(e_cap),
            required_skills=",".join(e_skills),
            description=e_desc,
        )
        if later:
            saved = write(
                task_series.series_update_from,
                starts=e_start,
                minutes=_minutes(e_start, e_end),
                **common,
            )
        else:
            saved = write(
                tasks.task_update,
                starts_at=local_dt(e_day, e_start),
                ends_at=local_dt(e_end_day, e_end),
                **common,
            )
    if not saved:  # refused: the error is in the form
        return
    if later:
        message = t("series.saved_later", n=saved.value.tasks)
        promoted = saved.value.promoted
    else:
        message, promoted = t("common.saved"), len(saved.value)
    if promoted:
        message += " · " + t("tasks.promoted", n=promoted)
    flash(message, anchor=record_key(SCOPE, "msg", card.id))
    st.rerun()


# --- a task of a series; a team signed up as a whole -----------------------------------


def series_text(series: SeriesInfo) -> str:
    """系列任务：每周二、四 09:00 · 共 8 次"""
    if series.rule == SeriesRule.monthly:
        rule = t("series.rule.monthly", day=series.month_day)
    else:
        days = t("series.day_sep").join(t(f"series.day.{d}") for d in series.weekdays)
        rule = t(f"series.rule.{series.rule}", days=days)
    return t("series.header", rule=rule, at=f"{series.starts:%H:%M}", n=series.occurrences)


def series_section(card: TaskCard, series: SeriesInfo) -> None:
    """What the task's series is, its team, and 停止此系列 (asked first: it cancels the
    later occurrences and tells their volunteers)."""
    line = f":material/event_repeat: {series_text(series)}"
    if series.team:
        line += " · " + t("series.team_line", team=plain(series.team))
    if not series.active:
        line += " · " + t("series.stopped_line")
    st.markdown(line)
    if not series.active or not card.editable:
        return
    stop, extend = st.columns(2)
    with extend:
        extend_series(card, series)
    with stop:
        stop_series(card, series)


def extend_series(card: TaskCard, series: SeriesInfo) -> None:
    """延长系列: makes the occurrences after the series' last day up to a new one."""
    with st.popover(
        t("series.extend"),
        icon=":material/date_range:",
        key=record_key(SCOPE, "series_extend_pop", card.id),
        width="stretch",
    ):
        st.caption(
            t(
                "series.extend_help",
                until=f"{series.until:%Y-%m-%d}",
                max=task_series.MAX_WEEKS,
            )
        )
        until = st.date_input(
            t("series.extend_until"),
            value=series.until + timedelta(weeks=4),
            key=record_key(SCOPE, "series_until", card.id),
        )
        if st.button(
            t("series.extend_go"),
            key=record_key(SCOPE, "series_extend", card.id),
            type="primary",
            width="stretch",
        ):
            made = write(task_series.series_extend, actor=actor, series_id=series.id, until=until)
            if made:
                flash(t("series.extended", n=made.value), anchor=record_key(SCOPE, "msg", card.id))
                st.rerun()


def stop_series(card: TaskCard, series: SeriesInfo) -> None:
    day = local(card.starts_at).date()
    confirmed = confirm_action(
        t("series.stop"),
        scope=SCOPE,
        action="series_stop",
        record_id=card.id,
        question=t("series.stop_question", day=f"{day:%Y-%m-%d}", n=series.later),
        confirm_label=t("series.stop_confirm"),
        icon=":material/event_busy:",
    )
    if confirmed is None:
        return
    stopped = write(
        task_series.series_stop,
        where=confirmed.box,
        actor=actor,
        series_id=series.id,
        from_day=day,
    )
    if stopped:
        flash(
            t("series.stopped_done", tasks=stopped.value.tasks, signups=stopped.value.signups),
            anchor=record_key(SCOPE, "msg", card.id),
            clear=confirmed.keys,
        )
        st.rerun()


def _names(names: list[str]) -> str:
    return t("series.day_sep").join(plain(n) for n in names)


def team_result_text(result: TeamSignupResult) -> str:
    """Who got a place, who waits, who was skipped and why, in words."""
    parts = [
        t(
            "team_signup.result",
            confirmed=len(result.confirmed),
            waiting=len(result.waitlisted),
            skipped=len(result.skipped),
        )
    ]
    if result.confirmed:
        parts.append(t("team_signup.confirmed", names=_names(result.confirmed)))
    if result.waitlisted:
        parts.append(t("team_signup.waiting", names=_names(result.waitlisted)))
    if result.skipped:
        why = [
            t("team_signup.skipped_one", name=plain(s.name), reason=t(s.reason, **s.params))
            for s in result.skipped
        ]
        parts.append(t("team_signup.skipped", names=t("series.day_sep").join(why)))
    return "  \n".join(parts)


def team_sign_up(card: TaskCard) -> None:
    """整队报名: every active member of a team of the task's community, each through the
    ordinary sign-up (places first, then the waitlist); the result said in words."""
    team_rows = [
        row
        for row in read(teams.team_list, actor=actor, today=today())
        if row.active and row.community == card.community  # the task's community
    ]
    with st.popover(
        t("team_signup.title"),
        icon=":material/group_add:",
        key=record_key(SCOPE, "team_pop", card.id),
    ):
        st.caption(t("team_signup.help"))
        if not team_rows:
            st.info(t("team_signup.none"))
            return
        team = st.selectbox(
            t("team_signup.pick"),
            team_rows,
            format_func=lambda row: row.name,
            key=record_key(SCOPE, "team_pick", card.id),
        )
        if st.button(
            t("team_signup.go"),
            key=record_key(SCOPE, "team_signup", card.id),
            type="primary",
            width="stretch",
        ):
            result = write(team_signups.team_sign_up, actor=actor, task_id=card.id, team_id=team.id)
            if result:
                flash(team_result_text(result.value), anchor=record_key(SCOPE, "msg", card.id))
                st.rerun()


actor = page_guard("tasks")
st.title(t("nav.tasks"))
show_flash(PAGE)
if missing_organisation(actor):
    st.stop()

lazy_tabs("tasks_tab", [(t("tasks.tab.list"), task_list_tab), (t("tasks.tab.new"), new_task_form)])
