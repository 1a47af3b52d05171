"""Elders in care (关爱老人): the overdue list first, due this week next, the registry
with each elder's visit timeline, registration, the interval policy and charts.

One function per section; an elder's actions (edit, deactivate, reactivate, record a
visit) live in the functions that take that elder, and every widget of them carries
the elder's id, so a press can only reach the elder it was drawn for."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.elders import LIVING_SITUATIONS
from services import charts, elders, visit_plan, visit_policy, visits
from services.org import community_list, grid_list
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import PAGE, flash, read, show_flash, write
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.policy_editor import policy_row
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.session import page_guard
from ui.text import plain
from ui.visit_plan import plan_table, visitors_text

actor = page_guard("elders")
st.title(t("nav.elders"))
show_flash()
now = today()
NEW_FIELDS = (
    "elders_name",
    "elders_birth",
    "elders_address",
    "elders_phone",
    "elders_health",
    "elders_guardian",
    "elders_guardian_phone",
    "elders_situations",
    "elders_visitors",
    "elders_care",
)
DEACTIVATE_REASONS = ("moved", "died", "care_home", "other")


def situation_label(situation: str) -> str:
    return t(f"elders.situation.{situation}")


def situations_text(stored: str) -> str:
    """The comma-separated stored situations, translated (stored values stay Chinese)."""
    return "、".join(situation_label(s) for s in stored.split(",") if s)


# --- the registry ----------------------------------------------------------------------


def registry_filters() -> pd.DataFrame:
    unassigned = read(elders.unassigned_count, actor=actor)
    if unassigned:
        st.warning(t("elders.unassigned_count", n=unassigned), icon=":material/person_alert:")
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("common.search"), key="elders_search", placeholder=t("elders.search_hint")
    )
    inactive = c2.toggle(t("elders.include_inactive"), key="elders_inactive")
    only_unassigned = c3.toggle(t("elders.unassigned_only"), key="elders_unassigned_only")
    return read(
        elders.elder_registry,
        actor=actor,
        today=now,
        search=search,
        include_inactive=inactive,
        unassigned_only=only_unassigned,
    )


def registry_table(registry: pd.DataFrame) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("elders.name"): registry["name"],
                t("elders.age"): registry["age"],
                t("elders.situations"): registry["situations"].map(situations_text),
                t("elders.community"): registry["community"] + " " + registry["grid"].fillna(""),
                t("elders.address"): registry["address"],
                t("elders.phone"): registry["phone"],
                t("elders.visitors"): registry["visitors"].map(visitors_text),
                t("elders.status"): [
                    t("common.active" if a else "common.inactive") for a in registry["active"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
        height=min(400, 38 + 35 * len(registry)),
    )


def registry_tab() -> None:
    registry = registry_filters()
    registry_table(registry)
    if registry.empty:
        return
    # the label holds only what identifies the person (name, age); the pick is kept by id
    names = {
        int(i): f"{name} · {age}{t('elders.years')}"
        for i, name, age in zip(registry["id"], registry["name"], registry["age"], strict=True)
    }
    picked = record_picker(t("elders.pick"), names, key="elders_pick")
    page = read(elders.elder_page, actor=actor, elder_id=int(picked), today=now)
    plan = read(visit_plan.elder_plan, actor=actor, elder_id=int(picked), today=now)
    left, right = st.columns([2, 3])
    with left:
        profile(page, plan)
    with right:
        timeline(page)
    if page.can_edit:
        edit_form(page)
    if page.can_deactivate:
        deactivation(page)
    if page.can_reactivate:
        reactivation(page)


def profile(page: elders.ElderPage, plan: visit_plan.ElderPlan) -> None:
    """The elder's card; the outcome of anything done to this elder shows at its top."""
    with st.container(border=True, key=record_key("elders", "card", page.id)):
        show_flash(record_key("elders", "msg", page.id))
        st.subheader(f"{plain(page.name)}（{page.age}{t('elders.years')}）")
        if not page.active:
            st.warning(t("elders.deactivated", reason=plain(page.deactivated_reason)))
        st.write(f":material/call: {plain(page.phone)}")
        st.write(f":material/home_pin: {plain(page.address)}")
        if page.situations:
            st.write("、".join(situation_label(s) for s in page.situations))
        if page.care_level:
            st.write(t("elders.care_level_is", n=page.care_level))
        if page.health_notes:
            st.write(t("elders.health", notes=plain(page.health_notes)))
        if page.guardian_name:
            st.write(
                t(
                    "elders.guardian",
                    name=plain(page.guardian_name),
                    phone=plain(page.guardian_phone),
                )
            )
        st.write(t("elders.visitors_are", names=visitors_text(plain(page.visitors))))
        st.metric(
            t("elders.next_due"),
            day(plan.next_due),
            help=t("elders.interval_help", n=plan.interval),
        )
        if page.can_record_visit:
            st.page_link(
                "views/visit_record.py",
                label=t("elders.record_visit_for", name=plain(page.name)),
                icon=":material/edit_note:",
                query_params={"elder": str(page.id)},
            )


def timeline(page: elders.ElderPage) -> None:
    st.markdown(f"#### {t('elders.timeline')}")
    if not page.history:
        st.caption(t("elders.no_visits"))
    for v in page.history[:30]:
        with st.container(border=True):
            st.markdown(
                f"**{day(v.visited_on)}** · {t(f'visits.mode.{v.mode}')} · "
                f"{plain(v.visitor) or '—'}"
                + (f" · {t(f'visits.wellbeing.{v.wellbeing}')}" if v.wellbeing else "")
            )
            if v.hazards:
                st.write("⚠ " + "、".join(t(f"visits.hazard.{h}") for h in v.hazards))
            if v.needs_raised:
                st.write(t("visits.need_line", text=plain(v.needs_raised)))
            if v.follow_up:
                st.write(t("visits.follow_line", text=plain(v.follow_up)))


def edit_form(page: elders.ElderPage) -> None:
    """Every field keyed by the elder's id: a field keyed by a shared key keeps what it
    held for the elder shown before, and 保存 would write it over this one."""
    key = lambda field: record_key("elders", f"edit_{field}", page.id)  # noqa: E731
    grids = [g for g in read(grid_list, actor=actor) if g.community_id == page.community_id]
    visitors = dict(read(elders.visitor_choices, actor=actor, community_id=page.community_id))
    with (
        st.expander(t("elders.edit"), icon=":material/edit:"),
        st.form(record_key("elders", "edit", page.id)),
    ):
        e1, e2 = st.columns(2)
        name = e1.text_input(t("elders.name"), page.name, key=key("name"))
        birth = e2.date_input(
            t("elders.birth"),
            page.birth_date,
            min_value=date(1900, 1, 1),
            max_value=now,
            key=key("birth"),
        )
        phone = e1.text_input(t("elders.phone"), page.phone, key=key("phone"))
        address = e2.text_input(t("elders.address"), page.address, key=key("address"))
        grid_names = {g.id: g.name for g in grids}
        grid_ids = [None, *grid_names]
        grid = e1.selectbox(
            t("elders.grid"),
            grid_ids,
            index=grid_ids.index(page.grid_id) if page.grid_id in grid_ids else 0,
            format_func=lambda g: t("common.none") if g is None else grid_names[g],
            key=key("grid"),
        )
        care = e2.number_input(t("elders.care_level"), 0, 4, page.care_level or 0, key=key("care"))
        situations = st.multiselect(
            t("elders.situations"),
            LIVING_SITUATIONS,
            default=page.situations,
            format_func=situation_label,
            placeholder=t("elders.situations_hint"),
            key=key("situations"),
        )
        health = st.text_input(t("elders.health_notes"), page.health_notes or "", key=key("health"))
        g1, g2 = st.columns(2)
        guardian = g1.text_input(
            t("elders.guardian_name"), page.guardian_name or "", key=key("guardian")
        )
        guardian_phone = g2.text_input(
            t("elders.guardian_phone"), page.guardian_phone or "", key=key("guardian_phone")
        )
        chosen = st.multiselect(
            t("elders.visitors"),
            list(visitors),
            default=[v for v in page.visitor_ids if v in visitors],
            format_func=visitors.get,
            placeholder=t("common.choose_any"),
            key=key("visitors"),
        )
        if st.form_submit_button(t("common.save"), type="primary") and write(
            elders.elder_update,
            actor=actor,
            elder_id=page.id,
            name=name,
            birth_date=birth,
            address=address,
            today=now,
            grid_id=grid,
            phone=phone,
            situations=situations,
            care_level=int(care),
            health_notes=health,
            guardian_name=guardian,
            guardian_phone=guardian_phone,
            visitor_ids=chosen,
        ):
            flash(t("common.saved"), anchor=record_key("elders", "edit_msg", page.id))
            st.rerun()
        # the outcome under the button pressed (the card above may be scrolled away)
        show_flash(record_key("elders", "edit_msg", page.id))


def deactivation(page: elders.ElderPage) -> None:
    """注销档案 asks first and says what changes: the elder leaves the overdue lists."""
    reason = st.selectbox(
        t("elders.reason"),
        DEACTIVATE_REASONS,
        format_func=lambda r: t(f"elders.reason.{r}"),
        key=record_key("elders", "deactivate_why", page.id),
    )
    confirmed = confirm_action(
        t("elders.deactivate"),
        scope="elders",
        action="deactivate",
        record_id=page.id,
        question=t("elders.deactivate_question", name=plain(page.name)),
        confirm_label=t("elders.deactivate_confirm"),
        icon=":material/person_off:",
        width="content",
    )
    if confirmed and write(
        elders.elder_deactivate,
        where=confirmed.box,
        actor=actor,
        elder_id=page.id,
        reason=t(f"elders.reason.{reason}"),
        today=now,
    ):
        # the elder leaves the registry as listed (inactive ones hidden): say it at the top
        flash(
            t("elders.deactivated_done", name=plain(page.name)), anchor=PAGE, clear=confirmed.keys
        )
        st.rerun()


def reactivation(page: elders.ElderPage) -> None:
    if action_button(
        t("elders.reactivate"),
        scope="elders",
        action="reactivate",
        record_id=page.id,
        icon=":material/restart_alt:",
        width="content",
    ) and write(elders.elder_reactivate, actor=actor, elder_id=page.id):
        flash(
            t("elders.reactivated", name=plain(page.name)),
            anchor=record_key("elders", "msg", page.id),
        )
        st.rerun()


# --- charts ------------------------------------------------------------------------------


def charts_tab() -> None:
    period = period_containing(PeriodKind.month, now)
    window = trend_window(period)
    ids = actor.community_ids()
    by_month = read(visits.visits_by_month, community_ids=ids, start=window.start, end=window.end)
    # the on-time rate over the last three months: recent enough to act on, and it reads
    # every visit of the window (the twelve months would cost a second on the street)
    quarter = period_containing(PeriodKind.month, now - timedelta(days=62)).start
    on_time = read(
        visits.on_time_by_community, community_ids=ids, start=quarter, end=window.end, today=now
    )
    trend = read(
        visits.overdue_trend, community_ids=ids, start=window.start, end=window.end, today=now
    )
    st.altair_chart(charts.visits_by_month_chart(by_month, t), width="stretch")
    c1, c2 = st.columns(2)
    c1.altair_chart(charts.on_time_chart(on_time, t), width="stretch")
    c1.caption(
        t(
            "elders.on_time_caption",
            start=day(quarter),
            end=day(min(now, window.end - timedelta(days=1))),
        )
    )
    c2.altair_chart(charts.overdue_trend_chart(trend, t), width="stretch")
    hazards = read(visits.hazards_found, community_ids=ids, start=window.start, end=window.end)
    st.caption(
        t(
            "elders.hazards_year",
            items="、".join(
                f"{t(f'visits.hazard.{h}')} {n}"
                for h, n in zip(hazards["hazard"], hazards["visits"], strict=True)
            ),
        )
    )


# --- registration ------------------------------------------------------------------------


def new_elder_tab() -> None:
    if missing_organisation(actor, grids=True):
        return
    communities = {c.id: c.name for c in read(community_list, actor=actor)}
    # outside the form: the grids and visitors offered depend on the community
    community_id = record_picker(t("elders.community"), communities, key="elders_community")
    if community_id is None:
        return
    grids = {g.id: g.name for g in read(grid_list, actor=actor) if g.community_id == community_id}
    visitor_names = dict(read(elders.visitor_choices, actor=actor, community_id=community_id))
    with st.form("elders_new"):
        show_flash("elders_new")
        n1, n2 = st.columns(2)
        name = n1.text_input(t("elders.name") + " *", key="elders_name")
        birth = n2.date_input(
            t("elders.birth") + " *",
            value=None,
            min_value=date(1900, 1, 1),
            max_value=now,
            key="elders_birth",
        )
        address = n1.text_input(t("elders.address") + " *", key="elders_address")
        phone = n2.text_input(t("elders.phone"), key="elders_phone")
        grid = n1.selectbox(
            t("elders.grid"),
            [None, *grids],
            format_func=lambda g: t("common.none") if g is None else grids[g],
            key="elders_grid",
        )
        care = n2.number_input(t("elders.care_level"), 0, 4, 0, key="elders_care")
        situations = st.multiselect(
            t("elders.situations"),
            LIVING_SITUATIONS,
            format_func=situation_label,
            placeholder=t("elders.situations_hint"),
            key="elders_situations",
        )
        chosen = st.multiselect(
            t("elders.visitors"),
            list(visitor_names),
            format_func=visitor_names.get,
            key="elders_visitors",
            placeholder=t("elders.visitors_hint"),
        )
        health = st.text_input(t("elders.health_notes"), key="elders_health")
        g1, g2 = st.columns(2)
        guardian = g1.text_input(t("elders.guardian_name"), key="elders_guardian")
        guardian_phone = g2.text_input(t("elders.guardian_phone"), key="elders_guardian_phone")
        if st.form_submit_button(t("common.create"), type="primary") and write(
            elders.elder_create,
            actor=actor,
            name=name,
            birth_date=birth,
            address=address,
            community_id=community_id,
            today=now,
            grid_id=grid,
            phone=phone,
            situations=situations,
            care_level=int(care),
            health_notes=health,
            guardian_name=guardian,
            guardian_phone=guardian_phone,
            visitor_ids=chosen,
        ):
            # the form empties, so a second press cannot register the same elder again
            flash(
                t("elders.created", name=plain(name.strip())), anchor="elders_new", clear=NEW_FIELDS
            )
            st.rerun()


# --- the interval policy -------------------------------------------------------------------


def policy_tab() -> None:
    st.caption(t("elders.policy_intro"))
    communities = {c.id: c.name for c in read(community_list, actor=actor)}
    choices = (
        {0: t("elders.policy_street"), **communities} if actor.is_street_admin else communities
    )
    target = record_picker(t("elders.policy_for"), choices, key="elders_policy_for")
    community_id = target or None  # 0: the street's own rule
    rows = read(visit_policy.policy_table, actor=actor, community_id=community_id)
    for row in rows:
        policy_row(actor, row, community_id, scope="elders")


def overdue_tab(overdue: visit_plan.PlanList) -> None:
    plan_table(overdue, due=False)
    st.page_link("views/visit_record.py", label=t("nav.visit_record"), icon=":material/edit_note:")


def main() -> None:
    overdue = read(visit_plan.overdue_elders, actor=actor, today=now)
    week = read(visit_plan.due_this_week, actor=actor, today=now)
    sections = [
        (t("elders.tab.overdue", n=overdue.total), lambda: overdue_tab(overdue)),
        (t("elders.tab.week", n=week.total), lambda: plan_table(week, due=True)),
        (t("elders.tab.registry"), registry_tab),
        (t("elders.tab.charts"), charts_tab),
    ]
    if elders.can_manage(actor):
        sections.append((t("elders.tab.new"), new_elder_tab))
    if visit_policy.can_edit_policy(actor):
        sections.append((t("elders.tab.policy"), policy_tab))
    tabs = st.tabs([label for label, _ in sections])
    for tab, (_, draw) in zip(tabs, sections, strict=True):
        with tab:
            draw()


main()
