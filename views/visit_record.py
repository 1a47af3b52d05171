"""Record a visit (记录探访) from a phone, in under a minute: pick the elder, tap the mode
and how they are, tap what was found in the five content areas (健康, 经济, 赡养, 安全,
需求), save. A need can become a follow-up task, be referred (转介) to a service, and
be reported as a resident's case (居民诉求).

The card shows what a visitor needs at the door; the sensitive fields (health notes, care
level, 失能 and the like) only to staff and the elder's own visitors, as the service gives
them (services/sensitive.py), and showing it is a view of the elder's record (the access
log).

The picked elder is kept by id (the labels say how overdue each elder is, which changes
with every visit), the form and its fields are keyed by the elder, and the outcome shows
in the elder's card, right above the form."""

from datetime import timedelta

import streamlit as st

from models.cases import CaseCategory
from models.elders import REFERRAL_SERVICES, VISIT_MODES, WELLBEING
from services import case_lists, elders, referrals, visit_plan, visits
from services.cases import CaseDraft
from services.errors import BoardError
from services.referrals import ReferralDraft
from services.visit_content import AREAS, Checklist, VisitContent, checklist, item_key
from ui.access_log import note_view
from ui.actions import LAST_REFUSAL, flash, read, read_fresh, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import error_text, lang, t
from ui.links import record_id
from ui.phone import call_link
from ui.policy_editor import situation_label
from ui.records import record_key, record_picker
from ui.session import page_guard
from ui.text import plain

actor = page_guard("visit_record")
st.title(t("nav.visit_record"))
show_flash()
now = today()
LINK = "visit_elder_link"  # the ?elder= of the link last followed
OTHER = "other"  # the referral goes to a service typed in


def elder_labels() -> dict[int, str]:
    """Overdue first (most overdue on top), due this week next, then everyone else."""
    plan = read(visit_plan.plan_lists, actor=actor, today=now)
    overdue, week = plan.overdue.rows, plan.due_this_week.rows
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
    if wanted and record_id(wanted) in labels and st.session_state.get(LINK) != wanted:
        st.session_state["visit_elder"] = record_id(wanted)
        st.session_state[LINK] = wanted


def elder_card(page: elders.ElderPage, plan: visit_plan.ElderPlan) -> None:
    with st.container(border=True, key=record_key("visit", "card", page.id)):
        show_flash(record_key("visit", "msg", page.id))
        st.markdown(f"**{plain(page.name)}**（{page.age}{t('elders.years')}）")
        st.write(f":material/call: {call_link(page.phone)}")
        st.write(f":material/home_pin: {plain(page.address)}")
        care = [situation_label(s) for s in page.situations]
        if page.care_level:
            care.append(t("elders.care_level_is", n=page.care_level))
        if care:
            st.write("、".join(care))
        if page.health_notes:
            st.write(t("elders.health", notes=plain(page.health_notes)))
        st.caption(
            t(
                "visits.last_and_due",
                last=day(plan.last_visit) or t("elders.never"),
                due=day(plan.next_due),
            )
        )


# 44 px touch targets for the checklists, the choices and the save button (a phone)
TOUCH_CSS = """<style>
[data-testid="stButtonGroup"] button, [data-testid="stFormSubmitButton"] button,
.stButton button { min-height: 44px; }
</style>"""


def area_checklist(page: elders.ElderPage, area: str) -> Checklist:
    """One content area: its items (multi-select, nothing ticked by default) and a note."""
    key = lambda field: record_key("visit", f"{area}_{field}", page.id)  # noqa: E731
    ticked = st.pills(
        t(f"visits.area.{area}"),
        AREAS[area],
        selection_mode="multi",
        format_func=lambda item: t(item_key(area, item)),
        key=key("items"),
    )
    note_label = t(f"visits.area_note.{area}")
    if area == "needs":  # what the visit raised: a follow-up task or referral starts here
        note = st.text_area(note_label, key=key("note"), height=80)
    else:
        note = st.text_input(
            note_label,
            key=key("note"),
            placeholder=t("visits.note_hint"),
            label_visibility="collapsed",
        )
    return checklist(ticked, note)


def referral_fields(page: elders.ElderPage) -> ReferralDraft | None:
    """转介: the need to a named service, or one typed in, with a deadline. Inside a form
    nothing reruns until 保存, so every field is there from the start; no service picked
    (the default) means no referral."""
    key = lambda field: record_key("visit", f"refer_{field}", page.id)  # noqa: E731
    with st.expander(t("visits.refer"), icon=":material/forward:"):
        service = st.selectbox(
            t("visits.refer_to"),
            ["", *REFERRAL_SERVICES, OTHER],
            format_func=service_label,
            key=key("service"),
        )
        typed = st.text_input(t("visits.refer_other_name"), key=key("other"), max_chars=40)
        due_on = st.date_input(
            t("visits.refer_due"),
            value=now + timedelta(days=referrals.DEFAULT_DAYS),
            min_value=now,
            key=key("due"),
        )
        what = st.text_input(
            t("visits.refer_need"), key=key("need"), placeholder=t("visits.refer_need_hint")
        )
    if not service:
        return None
    return ReferralDraft(service=typed if service == OTHER else service, due_on=due_on, need=what)


def case_fields(page: elders.ElderPage) -> CaseDraft | None:
    """登记为需求工单: the need becomes a resident's case (居民诉求) in the same save, in
    the elder's grid; its description is the need noted above unless one is typed."""
    key = lambda field: record_key("visit", f"case_{field}", page.id)  # noqa: E731
    with st.expander(t("visits.as_case"), icon=":material/support_agent:"):
        make = st.checkbox(t("visits.as_case_make"), key=key("make"))
        category = st.selectbox(
            t("cases.category"),
            [c.value for c in CaseCategory],
            format_func=lambda c: t(f"cases.category.{c}"),
            key=key("category"),
        )
        what = st.text_input(
            t("cases.description"), key=key("description"), placeholder=t("visits.refer_need_hint")
        )
    return CaseDraft(category=category, description=what) if make else None


def service_label(service: str) -> str:
    if not service:
        return t("visits.refer_none")
    if service == OTHER:
        return t("visits.refer_other")
    return t(f"referrals.service.{service}")


def visit_form(page: elders.ElderPage) -> None:
    """One screen, top to bottom: date, mode, how they are, the five content areas (tap
    what was found; nothing ticked means nothing found), what to follow up, and for staff
    and grid workers a task and a referral. After a save the form gives way to 再记录一次
    until pressed: a second tap of 保存 that arrives after the form was emptied has no
    form to submit (one that arrives with the same values is refused by the service as
    the same visit)."""
    key = lambda field: record_key("visit", field, page.id)  # noqa: E731
    fields = (
        "follow",
        "make_task",
        "task_title",
        "mode",
        "wellbeing",
        *(f"{area}_{part}" for area in AREAS for part in ("items", "note")),
        *(f"refer_{part}" for part in ("service", "other", "due", "need")),
        *(f"case_{part}" for part in ("make", "description")),
    )
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
    st.html(TOUCH_CSS)
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
        areas = {area: area_checklist(page, area) for area in AREAS}
        follow = st.text_input(t("visits.follow_up"), key=key("follow"))
        make_task, task_title, task_day = False, "", now
        referral = None
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
        if referrals.can_refer(actor):
            referral = referral_fields(page)
        case = case_fields(page)
        saved = st.form_submit_button(t("visits.save"), type="primary", width="stretch")
    written = saved and write(
        visits.visit_record,
        actor=actor,
        elder_id=page.id,
        visited_on=visited_on,
        mode=mode or "",
        today=now,
        wellbeing=wellbeing or "",
        content=VisitContent(**areas),
        follow_up=follow,
        follow_up_task=visits.FollowUpTask(title=task_title, day=task_day) if make_task else None,
        referral=referral,
        case=case,
        lang=lang(),
    )
    if written:
        # the form empties (a second press then has nothing new to save) and the message
        # shows in the elder's card, with the new last visit and due date under it
        message = t("visits.saved", name=plain(page.name))
        number = case and read_fresh(
            case_lists.case_number_of_visit, actor=actor, visit_id=written.value
        )
        if number:
            message += t("visits.saved_case", number=number)
        flash(
            message,
            anchor=record_key("visit", "msg", page.id),
            clear=tuple(key(f) for f in fields),
        )
        st.session_state[key("done")] = True
        st.rerun()
    elif saved and _is_duplicate(st.session_state.get(LAST_REFUSAL)):
        # A double tap whose second press beat the emptied form: the visit stands once,
        # and the form gives way to 再记录一次 as after the first press.
        flash(
            error_text(st.session_state.pop(LAST_REFUSAL)),
            anchor=record_key("visit", "msg", page.id),
            clear=tuple(key(f) for f in fields),
        )
        st.session_state[key("done")] = True
        st.rerun()


def _is_duplicate(refusal: BoardError | None) -> bool:
    return refusal is not None and refusal.key == visits.DUPLICATE


def main() -> None:
    labels = elder_labels()
    if not labels:
        st.info(t("visits.no_elders"))
        return
    follow_link(labels)
    elder_id = record_picker(t("visits.elder"), labels, key="visit_elder")
    page = read(elders.elder_page, actor=actor, elder_id=int(elder_id), today=now)
    plan = read(visit_plan.elder_plan, actor=actor, elder_id=int(elder_id), today=now)
    note_view("elder", page.id, "visit_record")
    elder_card(page, plan)
    visit_form(page)


main()
