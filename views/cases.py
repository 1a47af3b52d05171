"""居民诉求 (residents' cases), phone first: 登记 (a grid worker reports what they found or
were told), 工单 (the lists, with counts; a case opens in full with its history as a
timeline and only the actions its status and the user's role allow), and the 满意清单
(satisfied cases, without personal data).

The open case is kept by id; every widget of a case carries its id in its key. A case's
link (/cases?case=N, for the WeChat group) opens it; one the person may not see says
why, over the lists."""

from urllib.parse import urlparse

import streamlit as st

from models.accounts import Role
from models.cases import CaseCategory, CaseSource, CaseUrgency
from services import case_lists, cases, elders
from services.access import FIELD, STAFF, Actor
from services.case_lists import CaseRow, Filters, StatusGroup, View
from services.case_settings import department_list
from services.cases import CaseDraft
from ui.actions import PAGE, flash, read, read_fresh, show_flash, write
from ui.cases_actions import case_actions, message_anchor
from ui.cases_mediation import mediation_section
from ui.cases_photos import photo_section, photo_uploader
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day, when
from ui.i18n import t
from ui.links import record_id
from ui.records import record_key
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

OPEN = "cases_open"  # the id of the case shown in full
LINKED = "cases_linked"  # the ?case= of the link followed (taken once, not on every run)
PHOTOS_ROUND = "cases_in_photos_round"  # a new uploader (empty) after each report
# the intake's texts, emptied after a report (the choices stay for the next one)
INTAKE_FIELDS = (
    "cases_in_place",
    "cases_in_description",
    "cases_in_resident",
    "cases_in_phone",
)
CATEGORIES = [c.value for c in CaseCategory]
SOURCES = [s.value for s in CaseSource]
URGENCIES = [u.value for u in CaseUrgency]


# --- 登记 -------------------------------------------------------------------------------


def intake(actor: Actor) -> None:
    """The intake form: what, where, how urgent, who raised it (optional)."""
    if missing_organisation(actor, grids=True):
        return
    grids = read(case_lists.report_grids, actor=actor)
    if actor.role == Role.grid_worker and not grids:
        st.info(t("cases.no_grids"), icon=":material/lightbulb:")
        return
    grid_labels = {
        g.id: g.name if actor.community_id else f"{g.community} · {g.name}" for g in grids
    }
    if actor.role == Role.secretary:
        grid_labels = {0: t("cases.no_grid"), **grid_labels}
    # the elders of the actor's community (the street admin's street-wide register is too
    # long a list to pick from; a visit's case names its elder by itself)
    elder_labels = {0: t("cases.no_elder")}
    if actor.community_id is not None:
        registry = read(elders.elder_registry, actor=actor, today=today())
        elder_labels |= {int(r.id): str(r.name) for r in registry.itertuples()}
    with st.form("cases_intake"):
        category = st.selectbox(
            t("cases.category"),
            CATEGORIES,
            format_func=lambda c: t(f"cases.category.{c}"),
            key="cases_in_category",
        )
        description = st.text_area(
            t("cases.description"),
            key="cases_in_description",
            max_chars=1000,
            placeholder=t("cases.description_hint"),
        )
        grid = st.selectbox(
            t("cases.grid"),
            list(grid_labels),
            format_func=grid_labels.__getitem__,
            key="cases_in_grid",
        )
        place = st.text_input(t("cases.place"), key="cases_in_place", max_chars=120)
        urgency = st.segmented_control(
            t("cases.urgency"),
            URGENCIES,
            default="normal",
            format_func=lambda u: t(f"cases.urgency.{u}"),
            key="cases_in_urgency",
            width="stretch",
        )
        source = st.selectbox(
            t("cases.source"),
            SOURCES,
            format_func=lambda s: t(f"cases.source.{s}"),
            key="cases_in_source",
        )
        with st.expander(t("cases.resident_optional")):
            resident = st.text_input(
                t("cases.resident_name"), key="cases_in_resident", max_chars=40
            )
            phone = st.text_input(t("cases.resident_phone"), key="cases_in_phone", max_chars=20)
            elder = st.selectbox(
                t("cases.elder"),
                list(elder_labels),
                format_func=elder_labels.__getitem__,
                key="cases_in_elder",
            )
        round_ = st.session_state.get(PHOTOS_ROUND, 0)
        photos = photo_uploader(f"cases_in_photos_{round_}")
        sent = st.form_submit_button(t("cases.report"), type="primary", width="stretch")
    if sent:
        done = write(
            cases.case_report,
            actor=actor,
            photos=photos,
            draft=CaseDraft(
                category=category,
                description=description,
                source=source,
                urgency=urgency or "normal",
                grid_id=grid or None,
                place=place,
                resident_name=resident,
                resident_phone=phone,
                elder_id=elder or None,
            ),
        )
        if done:
            new = read(case_lists.case_detail, actor=actor, case_id=done.value, today=today())
            flash(
                t("cases.reported_ok", number=new.row.number),
                anchor="cases_intake_msg",
                clear=INTAKE_FIELDS,
            )
            st.session_state[OPEN] = done.value
            st.session_state[PHOTOS_ROUND] = round_ + 1
            st.rerun()
    show_flash("cases_intake_msg")


# --- 工单: lists ------------------------------------------------------------------------


def counts_line(actor: Actor) -> None:
    c = read(case_lists.case_counts, actor=actor, today=today())
    parts = [
        t("cases.count.open", n=c.open),
        t("cases.count.overdue", n=c.overdue),
        t("cases.count.due_soon", n=c.due_soon),
        t("cases.count.escalated", n=c.escalated),
        t("cases.count.call_back", n=c.call_back),
        t("cases.count.rectifying", n=c.rectifying),
    ]
    if c.overdue:
        st.error(t("cases.overdue_banner", n=c.overdue), icon=":material/alarm:")
    st.caption(" · ".join(parts))


FLAGS = ("", "overdue", "due_soon", "escalated")


def filters(actor: Actor) -> tuple[View, Filters]:
    views = case_lists.views_for(actor)
    view = (
        st.segmented_control(
            t("cases.view"),
            views,
            default=views[0],
            format_func=lambda v: t(f"cases.view.{v}"),
            key="cases_view",
            width="stretch",
        )
        or views[0]
    )
    if actor.role not in STAFF:
        return view, Filters()
    with st.expander(t("cases.filters"), icon=":material/filter_list:"):
        group = st.selectbox(
            t("cases.group"),
            ["", *StatusGroup],
            format_func=lambda g: t(f"cases.group.{g}") if g else t("common.all"),
            key="cases_group",
        )
        flag = st.selectbox(
            t("cases.flag"),
            FLAGS,
            format_func=lambda f: t(f"cases.flag.{f}") if f else t("common.all"),
            key="cases_flag",
        )
        category = st.selectbox(
            t("cases.category"),
            ["", *CATEGORIES],
            format_func=lambda c: t(f"cases.category.{c}") if c else t("common.all"),
            key="cases_filter_category",
        )
        departments = {0: t("common.all")} | {d.id: d.name for d in read(department_list)}
        department = st.selectbox(
            t("cases.department"),
            list(departments),
            format_func=departments.__getitem__,
            key="cases_department",
        )
    return view, Filters(
        group=StatusGroup(group) if group else None,
        overdue=flag == "overdue",
        due_soon=flag == "due_soon",
        escalated=flag == "escalated",
        department_id=department or None,
        category=category or None,
    )


def row_card(row: CaseRow) -> None:
    with st.container(border=True, key=record_key("case", "row", row.id)):
        badges = ""
        if row.overdue:
            badges += f":red-badge[{t('cases.overdue')}] "
        elif row.due_soon:
            badges += f":orange-badge[{t('cases.due_soon')}] "
        if row.escalated:
            badges += f":violet-badge[{t('cases.escalated')}] "
        st.markdown(
            f"{badges}**{row.number}** · {t(f'cases.category.{row.category}')} · "
            f"{t(f'cases.status.{row.status}')}"
        )
        st.text(row.description[:80])
        info = [plain(row.grid or row.community)]
        if row.place:
            info.append(plain(row.place))
        if row.due:
            info.append(t("cases.due_on", day=day(row.due)))
        if row.to_whom:
            info.append(t("cases.given_to", name=plain(row.to_whom)))
        st.caption(" · ".join(info))
        if st.button(t("cases.open"), key=record_key("case", "open", row.id), width="stretch"):
            st.session_state[OPEN] = row.id
            st.rerun()


def lists(actor: Actor) -> None:
    if st.session_state.get(OPEN):
        detail(actor, int(st.session_state[OPEN]))
        return
    counts_line(actor)
    view, chosen = filters(actor)
    page_no = int(st.session_state.get("cases_page", 0))
    page = read(
        case_lists.case_list, actor=actor, today=today(), view=view, filters=chosen, page=page_no
    )
    if not page.rows:
        st.info(t("cases.none"), icon=":material/task_alt:")
        return
    st.caption(t("cases.total", n=page.total))
    for row in page.rows:
        row_card(row)
    pager("cases_page", page.page, page.pages)


def pager(key: str, current: int, pages: int) -> None:
    """‹ page n of m ›: the page kept in session state under `key`."""
    if pages <= 1:
        return
    back, where, forward = st.columns([1, 2, 1])
    if back.button("‹", key=f"{key}_prev", disabled=current == 0, width="stretch"):
        st.session_state[key] = current - 1
        st.rerun()
    where.caption(t("cases.page_of", page=current + 1, pages=pages))
    if forward.button("›", key=f"{key}_next", disabled=current + 1 >= pages, width="stretch"):
        st.session_state[key] = current + 1
        st.rerun()


# --- one case ---------------------------------------------------------------------------


def step_text(step: case_lists.StepLine) -> str:
    parts = [f"**{t(f'cases.step.{step.kind}')}**", when(step.at), plain(step.who)]
    if step.to_whom:
        parts.append(t("cases.given_to", name=plain(step.to_whom)))
    if step.level is not None:
        parts.append(t(f"cases.level.{step.level}"))
    if step.new_due:
        parts.append(t("cases.due_on", day=day(step.new_due)))
    if step.approved_by:
        parts.append(t("cases.approved_by_name", name=plain(step.approved_by)))
    line = " · ".join(parts)
    return f"{line}  \n{plain(step.note)}" if step.note else line


def detail(actor: Actor, case_id: int) -> None:
    if st.button(
        t("cases.back"), key=record_key("case", "back", case_id), icon=":material/arrow_back:"
    ):
        st.session_state.pop(OPEN, None)
        st.query_params.pop("case", None)
        st.rerun()
    d = read(case_lists.case_detail, actor=actor, case_id=case_id, today=today())
    row = d.row
    with st.container(border=True, key=record_key("case", "card", case_id)):
        show_flash(message_anchor(case_id))
        st.subheader(f"{row.number} · {t(f'cases.category.{row.category}')}")
        status = t(f"cases.status.{row.status}")
        if row.overdue:
            status += f" :red-badge[{t('cases.overdue')}]"
        st.markdown(status)
        st.text(row.description)
        lines = [
            f":material/location_on: {plain(row.community)} {plain(row.grid)} {plain(row.place)}",
            f":material/schedule: {t('cases.reported_at', at=when(row.reported_at))} · "
            f"{t(f'cases.source.{d.source}')} · {t(f'cases.urgency.{row.urgency}')}",
        ]
        if row.due:
            lines.append(f":material/event: {t('cases.due_on', day=day(row.due))}")
        if row.to_whom:
            lines.append(f":material/person: {t('cases.given_to', name=plain(row.to_whom))}")
        if d.resident_name or d.resident_phone:
            lines.append(
                f":material/call: {plain(d.resident_name)} {plain(d.resident_phone)}".rstrip()
            )
        if d.elder:
            lines.append(f":material/elderly: {plain(d.elder)}")
        if d.result:
            lines.append(f":material/task_alt: {t('cases.result', text=plain(d.result))}")
        if d.decline_reason:
            lines.append(f":material/block: {plain(d.decline_reason)}")
        st.markdown("  \n".join(lines))
        photo_section(actor, d)
        if actor.role in STAFF:
            st.caption(t("cases.link_about"))
            st.code(case_url(case_id), language=None)
        case_actions(actor, d)
    if d.is_dispute and actor.role in STAFF:
        mediation_section(actor, case_id)
    st.markdown(f"#### {t('cases.history')}")
    for step in reversed(d.steps):
        st.markdown(step_text(step))


# --- a case's link ---------------------------------------------------------------------


def case_url(case_id: int) -> str:
    """The case's link for the WeChat group: opens the case (after a sign-in)."""
    url = urlparse(st.context.url or "http://localhost:8501/")
    return f"{url.scheme}://{url.netloc}/cases?case={case_id}"


def follow_link(actor: Actor) -> None:
    """A link /cases?case=N opens the case on the 工单 tab, once (the person may then go
    elsewhere on the page); a case they may not see says why, and the lists show."""
    linked = st.query_params.get("case")
    if linked is None or linked == st.session_state.get(LINKED):
        return
    case_id = record_id(linked)
    reason = "cases.link.missing"
    if case_id is not None:
        reason = read_fresh(case_lists.case_link, actor=actor, case_id=case_id)
    st.session_state["cases_tab"] = t("cases.tab.lists")
    if reason is not None:
        st.warning(t(reason), icon=":material/link_off:")
        st.query_params.pop("case", None)
        st.session_state.pop(OPEN, None)
        return
    st.session_state[LINKED] = linked
    st.session_state[OPEN] = case_id


# --- 满意清单 ---------------------------------------------------------------------------


def satisfied(actor: Actor) -> None:
    st.caption(t("cases.satisfied_about"))
    page = read(
        case_lists.satisfied_list,
        actor=actor,
        page=int(st.session_state.get("cases_satisfied_page", 0)),
    )
    if not page.rows:
        st.info(t("cases.satisfied_none"))
        return
    st.caption(t("cases.total", n=page.total))
    st.dataframe(
        [
            {
                t("cases.col.number"): r.number,
                t("cases.col.category"): t(f"cases.category.{r.category}"),
                t("cases.col.grid"): r.grid,
                t("cases.col.month"): r.month,
                t("cases.col.result"): r.result,
            }
            for r in page.rows
        ],
        hide_index=True,
        width="stretch",
        key="cases_satisfied",
    )
    pager("cases_satisfied_page", page.page, page.pages)


def main() -> None:
    actor = page_guard("cases")
    st.title(t("nav.cases"))
    show_flash(PAGE)
    follow_link(actor)
    entry = (t("cases.tab.intake"), lambda: intake(actor))
    work = (t("cases.tab.lists"), lambda: lists(actor))
    # the office opens on the cases it owes work on; a grid worker on a round, on intake
    if actor.role in STAFF:
        sections = [work, entry]
    elif actor.role in FIELD:
        sections = [entry, work]
    else:
        sections = [work]
    sections.append((t("cases.tab.satisfied"), lambda: satisfied(actor)))
    lazy_tabs("cases_tab", sections)


main()
