"""Record a visit (记录探访) from a phone, in under a minute: pick the elder, tap the mode
and how they are, note hazards and needs, save. A need can become a follow-up task."""

from datetime import timedelta

import streamlit as st

from models.elders import HAZARDS, VISIT_MODES, WELLBEING
from services import elders, visits
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import lang, t
from ui.session import page_guard

actor = page_guard("visit_record")
st.title(t("nav.visit_record"))
show_flash()
now = today()

overdue = read(elders.overdue_elders, actor=actor, today=now).rows
week = read(elders.due_this_week, actor=actor, today=now).rows
registry = read(elders.elder_registry, actor=actor, today=now)
labels: dict[int, str] = {}
for row in overdue.itertuples():
    labels[int(row.id)] = t("visits.pick_overdue", name=row.name, n=row.overdue_by)
for row in week.itertuples():
    labels.setdefault(int(row.id), t("visits.pick_due", name=row.name, n=-row.overdue_by))
for row in registry.itertuples():
    labels.setdefault(int(row.id), f"{row.name} · {row.age}{t('elders.years')}")
if not labels:
    st.info(t("visits.no_elders"))
    st.stop()

wanted = st.query_params.get("elder")
if wanted and wanted.isdigit() and int(wanted) in labels and "visit_elder" not in st.session_state:
    st.session_state["visit_elder"] = int(wanted)
elder_id = st.selectbox(t("visits.elder"), list(labels), format_func=labels.get, key="visit_elder")
page = read(elders.elder_page, actor=actor, elder_id=int(elder_id), today=now)
with st.container(border=True):
    st.write(f":material/call: {page.phone}")
    st.write(f":material/home_pin: {page.address}")
    st.caption(
        t(
            "visits.last_and_due",
            last=day(page.last_visit) or t("elders.never"),
            due=day(page.next_due),
        )
    )

with st.form("visit_form"):
    visited_on = st.date_input(t("visits.date"), value=now, max_value=now, key="visit_date")
    mode = st.segmented_control(
        t("visits.mode"),
        VISIT_MODES,
        default=VISIT_MODES[0],  # 上门, a home visit
        format_func=lambda m: t(f"visits.mode.{m}"),
        key="visit_mode",
        width="stretch",
    )
    wellbeing = st.segmented_control(
        t("visits.wellbeing"),
        WELLBEING,
        default="good",
        format_func=lambda w: t(f"visits.wellbeing.{w}"),
        key="visit_wellbeing",
        width="stretch",
    )
    hazards = st.pills(
        t("visits.hazards"),
        HAZARDS,
        selection_mode="multi",
        format_func=lambda h: t(f"visits.hazard.{h}"),
        key="visit_hazards",
    )
    needs = st.text_area(t("visits.needs"), key="visit_needs", height=80)
    follow = st.text_input(t("visits.follow_up"), key="visit_follow")
    make_task = False
    if actor.role != "volunteer":
        make_task = st.toggle(t("visits.make_task"), key="visit_make_task")
        task_title = st.text_input(
            t("visits.task_title"), key="visit_task_title", placeholder=t("visits.task_title_hint")
        )
        task_day = st.date_input(
            t("visits.task_day"), value=now + timedelta(days=2), min_value=now, key="visit_task_day"
        )
    saved = st.form_submit_button(t("visits.save"), type="primary", width="stretch")

if saved and write(
    visits.visit_record,
    actor=actor,
    elder_id=int(elder_id),
    visited_on=visited_on,
    mode=mode or "",
    today=now,
    wellbeing=wellbeing or "",
    hazards=list(hazards or []),
    needs_raised=needs,
    follow_up=follow,
    follow_up_task=visits.FollowUpTask(title=task_title, day=task_day) if make_task else None,
    lang=lang(),
):
    flash(
        t("visits.saved", name=page.name),
        clear=(
            "visit_needs",
            "visit_follow",
            "visit_hazards",
            "visit_make_task",
            "visit_task_title",
            "visit_elder",
        ),
    )
    st.rerun()
