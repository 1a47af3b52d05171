"""Record a visit (记录探访) from a phone, in under a minute: pick the elder, tap the mode
and how they are, note hazards and needs, save. A need can become a follow-up task.

The picked elder is kept by id (the labels say how overdue each elder is, which changes
with every visit), the form and its fields are keyed by the elder, and the outcome shows
in the elder's card, right above the form."""

from datetime import timedelta

import streamlit as st

from models.elders import HAZARDS, VISIT_MODES, WELLBEING
from services import elders, visit_plan, visits
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import lang, t
from ui.records import record_key, record_picker
from ui.session import page_guard
from ui.text import plain

actor = page_guard("visit_record")
st.title(t("nav.visit_record"))
show_flash()
now = today()
LINK = "visit_elder_link"  # the ?elder= of the link last followed


def elder_labels() -> dict[int, str]:
    """Overdue first (most overdue on top), due this week next, then everyone else."""
    overdue = read(visit_plan.overdue_elders, actor=actor, today=now).rows
    week = read(visit_plan.due_this_week, actor=actor, today=now).rows
    registry = read(elders.elder_registry, actor=actor, today=now)
    labels: dict[int, str] = {}
    for row in overdue.itertuples():
        labels[int(row.id)] = t("visits.pick_overdue", name=row.name, n=row.overdue_by)
    for row in week.itertuples():
        labels.setdefault(int(row.id), t("visits.pick_due", name=row.name, n=row.due_in))
    for row in registry.itertuples():
        labels.setdefault(int(row.id), f"{row.name} · {row.age}{t('elders.years')}")
    return labels


def follow_link(labels: dict[int, str]) -> None:
    """A link from an elder's profile (?elder=N) picks that elder, once per link."""
    wanted = st.query_params.get("elder")
    if (
        wanted
        and wanted.isdigit()
        and int(wanted) in labels
        and st.session_state.get(LINK) != wanted
    ):
        st.session_state["visit_elder"] = int(wanted)
        st.session_state[LINK] = wanted


def elder_card(page: elders.ElderPage, plan: visit_plan.ElderPlan) -> None:
    with st.container(border=True, key=record_key("visit", "card", page.id)):
        show_flash(record_key("visit", "msg", page.id))
        st.markdown(f"**{plain(page.name)}**（{page.age}{t('elders.years')}）")
        st.write(f":material/call: {plain(page.phone)}")
        st.write(f":material/home_pin: {plain(page.address)}")
        st.caption(
            t(
                "visits.last_and_due",
                last=day(plan.last_visit) or t("elders.never"),
                due=day(plan.next_due),
            )
        )


def visit_form(page: elders.ElderPage) -> None:
    """After a save the form gives way to 再记录一次 until pressed: a second tap of 保存
    that arrives after the form was emptied has no form to submit (one that arrives with
    the same values is refused by the service as the same visit)."""
    key = lambda field: record_key("visit", field, page.id)  # noqa: E731
    fields = ("needs", "follow", "hazards", "make_task", "task_title", "mode", "wellbeing")
    if st.session_state.get(key("done")):
        if st.button(
            t("visits.record_another", name=plain(page.name)),
            key=key("again"),
            icon=":material/add:",
            width="stretch",
        ):
            del st.session_state[key("done")]
            st.rerun()
        return
    with st.form(record_key("visit", "form", page.id)):
        visited_on = st.date_input(t("visits.date"), value=now, max_value=now, key=key("date"))
        mode = st.segmented_control(
            t("visits.mode"),
            VISIT_MODES,
            default=VISIT_MODES[0],  # 上门, a home visit
            format_func=lambda m: t(f"visits.mode.{m}"),
            key=key("mode"),
            width="stretch",
        )
        wellbeing = st.segmented_control(
            t("visits.wellbeing"),
            WELLBEING,
            default="good",
            format_func=lambda w: t(f"visits.wellbeing.{w}"),
            key=key("wellbeing"),
            width="stretch",
        )
        hazards = st.pills(
            t("visits.hazards"),
            HAZARDS,
            selection_mode="multi",
            format_func=lambda h: t(f"visits.hazard.{h}"),
            key=key("hazards"),
        )
        needs = st.text_area(t("visits.needs"), key=key("needs"), height=80)
        follow = st.text_input(t("visits.follow_up"), key=key("follow"))
        make_task, task_title, task_day = False, "", now
        if visits.can_make_task(actor):
            make_task = st.toggle(t("visits.make_task"), key=key("make_task"))
            task_title = st.text_input(
                t("visits.task_title"),
                key=key("task_title"),
                placeholder=t("visits.task_title_hint"),
            )
            task_day = st.date_input(
                t("visits.task_day"),
                value=now + timedelta(days=2),
                min_value=now,
                key=key("task_day"),
            )
        saved = st.form_submit_button(t("visits.save"), type="primary", width="stretch")
    if saved and write(
        visits.visit_record,
        actor=actor,
        elder_id=page.id,
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
        # the form empties (a second press then has nothing new to save) and the message
        # shows in the elder's card, with the new last visit and due date under it
        flash(
            t("visits.saved", name=plain(page.name)),
            anchor=record_key("visit", "msg", page.id),
            clear=tuple(key(f) for f in fields),
        )
        st.session_state[key("done")] = True
        st.rerun()


def main() -> None:
    labels = elder_labels()
    if not labels:
        st.info(t("visits.no_elders"))
        return
    follow_link(labels)
    elder_id = record_picker(t("visits.elder"), labels, key="visit_elder")
    page = read(elders.elder_page, actor=actor, elder_id=int(elder_id), today=now)
    plan = read(visit_plan.elder_plan, actor=actor, elder_id=int(elder_id), today=now)
    elder_card(page, plan)
    visit_form(page)


main()
