"""Tasks (staff): publish, edit, open/close/cancel; the roster with check-in/out,
no-shows and hours approval; a QR code and link for the WeChat group."""

from datetime import datetime, time, timedelta
from urllib.parse import urlparse

import pandas as pd
import streamlit as st

from models.base import LOCAL_TZ, local
from models.volunteers import TaskKind, TaskStatus
from services import signups, tasks
from services.org import community_list
from services.qr import qr_png
from services.volunteers import SKILLS
from ui.actions import flash, read, read_fresh, show_flash, write
from ui.filters import today
from ui.fmt import span, when
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("tasks")
st.title(t("nav.tasks"))
show_flash()


def task_link(task_id: int) -> str:
    url = urlparse(st.context.url or "http://localhost:8501/")
    return f"{url.scheme}://{url.netloc}/open_tasks?task={task_id}"


def local_dt(day, at: time) -> datetime:
    return datetime.combine(day, at, LOCAL_TZ)


tab_list, tab_new = st.tabs([t("tasks.tab.list"), t("tasks.tab.new")])

with tab_new, st.form("tasks_new"):
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
    place = st.text_input(t("tasks.place"), key="tasks_place")
    c3, c4, c5, c6 = st.columns(4)
    day = c3.date_input(t("tasks.day"), value=today() + timedelta(days=1), key="tasks_day")
    start = c4.time_input(t("tasks.start"), value=time(9, 0), key="tasks_start")
    end = c5.time_input(t("tasks.end"), value=time(11, 0), key="tasks_end")
    cap = c6.number_input(t("tasks.capacity"), 1, 500, 5, key="tasks_capacity")
    skills = st.multiselect(
        t("tasks.skills"),
        SKILLS,
        format_func=lambda s: t(f"volunteers.skill.{s}"),
        key="tasks_skills",
    )
    description = st.text_area(t("tasks.description"), key="tasks_description")
    if st.form_submit_button(t("tasks.publish"), type="primary"):
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
            st.session_state["tasks_pick"] = new_id
            flash(
                t("tasks.published", title=title),
                clear=("tasks_title", "tasks_place", "tasks_description", "tasks_skills"),
            )
            st.rerun()

with tab_list:
    f1, f2 = st.columns(2)
    upcoming = f1.toggle(t("tasks.upcoming_only"), value=True, key="tasks_upcoming")
    status = f2.selectbox(
        t("tasks.status"),
        [None, *TaskStatus],
        format_func=lambda s: t("common.all") if s is None else t(f"tasks.status.{s}"),
        key="tasks_status",
    )
    cards = read(signups.task_list, actor=actor, status=status, upcoming_only=upcoming)
    if not cards:
        st.info(t("tasks.none"))
        st.stop()
    by_id = {c.id: c for c in cards}
    linked = st.query_params.get("task")
    if (
        linked
        and linked.isdigit()
        and int(linked) in by_id
        and "tasks_pick" not in st.session_state
    ):
        st.session_state["tasks_pick"] = int(linked)
    if st.session_state.get("tasks_pick") not in by_id:
        st.session_state["tasks_pick"] = cards[0].id
    picked = st.selectbox(
        t("tasks.pick"),
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].title} · {span(by_id[i].starts_at, by_id[i].ends_at)} · "
            f"{by_id[i].taken}/{by_id[i].capacity} · {t(f'tasks.status.{by_id[i].status}')}"
        ),
        key="tasks_pick",
    )

    roster = read_fresh(signups.task_roster, actor=actor, task_id=picked)
    card = roster.task
    info, qr = st.columns([3, 1])
    with info:
        st.subheader(card.title)
        st.write(f":material/schedule: {span(card.starts_at, card.ends_at)}")
        if card.place:
            st.write(f":material/location_on: {card.place}")
        st.write(
            t("tasks.summary", taken=card.taken, capacity=card.capacity, waiting=card.waitlisted)
            + " · "
            + t(f"tasks.status.{card.status}")
        )
        if card.status == "cancelled":
            st.error(t("tasks.is_cancelled"), icon=":material/cancel:")
        actions = [s for s in TaskStatus if s in tasks.ALLOWED_STATUS[TaskStatus(card.status)]]
        cols = st.columns(max(1, len(actions)))
        for col, target in zip(cols, actions, strict=False):
            if col.button(
                t(f"tasks.to.{target}"), key=f"tasks_to_{target}", width="stretch"
            ) and write(tasks.task_set_status, actor=actor, task_id=card.id, status=target):
                flash(t(f"tasks.now.{target}"))
                st.rerun()
    if card.status == "open":
        with qr:
            st.image(qr_png(task_link(card.id)), caption=t("tasks.qr_caption"), width=160)
            st.code(task_link(card.id), language=None)

    if card.status not in ("done", "cancelled"):
        with st.expander(t("tasks.edit"), icon=":material/edit:"), st.form(f"tasks_edit_{card.id}"):
            k = card.id  # keys per task: switching task shows that task's values
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
            e_start = e4.time_input(
                t("tasks.start"), value=starts.time(), key=f"tasks_edit_start_{k}"
            )
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
                key=f"tasks_edit_skills_{k}",
            )
            e_desc = st.text_area(
                t("tasks.description"), value=card.description, key=f"tasks_edit_description_{k}"
            )
            st.caption(t("tasks.edit_hint", n=card.taken))
            if st.form_submit_button(t("common.save"), type="primary"):
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
                if promoted is not None:  # refused: None; saved: the promoted signups
                    message = t("common.saved")
                    if promoted:
                        message += " · " + t("tasks.promoted", n=len(promoted))
                    flash(message)
                    st.rerun()

    st.markdown(f"#### {t('tasks.roster')}")
    if roster.signups.empty:
        st.caption(t("tasks.no_signups"))
    for row in roster.signups.itertuples():
        sid = int(row.id)
        with st.container(border=True):
            a, b, c = st.columns([2, 2, 3], vertical_alignment="center")
            a.markdown(f"**{row.volunteer}**  \n{row.phone}")
            detail = t(f"signups.status.{row.status}")
            if pd.notna(row.check_in):
                detail += f" · {t('signups.in_at', at=when(row.check_in))}"
            if pd.notna(row.check_out):
                detail += f" · {t('signups.out_at', at=when(row.check_out))}"
            if row.hours:
                detail += f" · {t('volunteers.hours', n=f'{row.hours:g}')} ({t(f'signups.hours.{row.hours_status}')})"
            b.write(detail)
            buttons = c.columns(3)
            live = card.status != "cancelled"  # no check-in/out or no-show once cancelled
            if (
                live
                and row.status in ("confirmed", "no_show")
                and buttons[0].button(t("signups.check_in"), key=f"tasks_in_{sid}")
                and write(signups.signup_check_in, actor=actor, signup_id=sid)
            ):
                st.rerun()
            if (
                live
                and row.status == "attended"
                and pd.isna(row.check_out)
                and buttons[0].button(t("signups.check_out"), key=f"tasks_out_{sid}")
                and write(signups.signup_check_out, actor=actor, signup_id=sid) is not None
            ):
                st.rerun()
            if (
                live
                and row.status == "confirmed"
                and buttons[1].button(t("signups.no_show"), key=f"tasks_noshow_{sid}")
                and write(signups.signup_mark_no_show, actor=actor, signup_id=sid)
            ):
                st.rerun()
            if (
                row.hours_status == "pending"
                and buttons[2].button(
                    t("signups.approve"), key=f"tasks_approve_{sid}", type="primary"
                )
                and write(signups.signup_approve_hours, actor=actor, signup_id=sid)
            ):
                flash(t("signups.approved", name=row.volunteer))
                st.rerun()
            if row.status in ("attended", "confirmed") and row.hours_status != "approved":
                with c.popover(t("signups.enter_hours")):
                    hours = st.number_input(
                        t("signups.col.hours"),
                        0.25,
                        24.0,
                        max(0.25, float(row.hours) or 2.0),
                        0.25,
                        key=f"tasks_hours_{sid}",
                    )
                    if st.button(t("common.save"), key=f"tasks_hours_save_{sid}") and write(
                        signups.signup_set_hours, actor=actor, signup_id=sid, hours=hours
                    ):
                        st.rerun()
