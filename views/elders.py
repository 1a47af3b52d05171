"""Elders in care (关爱老人): the overdue list first, due this week next, the registry
with each elder's visit timeline, registration, the interval policy and charts.

One function per section; an elder's actions (edit, deactivate, reactivate, record a
visit) live in the functions that take that elder, and every widget of them carries
the elder's id, so a press can only reach the elder it was drawn for."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.elders import CHANGE_KINDS, LIVING_SITUATIONS
from services import (
    charts,
    elders,
    major_changes,
    visit_campaigns,
    visit_fixes,
    visit_plan,
    visit_policy,
    visits,
)
from services.org import community_list, grid_list
from services.periods import PeriodKind, period_containing, trend_window
from services.visit_policy import Conditions
from ui.access_log import note_view
from ui.actions import PAGE, flash, read, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.phone import call_link
from ui.policy_editor import conditions_text, policy_editor, situation_label
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.referrals import referral_sections
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain
from ui.visit_content import content_lines
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


def situations_text(stored: str) -> str:
    """The comma-separated stored situations, translated (stored values stay Chinese)."""
    return "、".join(situation_label(s) for s in stored.split(",") if s)


# --- the registry ----------------------------------------------------------------------


def registry_filters() -> dict:
    unassigned = read(elders.unassigned_count, actor=actor)
    if unassigned:
        st.warning(t("elders.unassigned_count", n=unassigned), icon=":material/person_alert:")
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("common.search"), key="elders_search", placeholder=t("elders.search_hint")
    )
    inactive = c2.toggle(t("elders.include_inactive"), key="elders_inactive")
    only_unassigned = c3.toggle(t("elders.unassigned_only"), key="elders_unassigned_only")
    return dict(search=search, include_inactive=inactive, unassigned_only=only_unassigned)


def tier_text(tier: str, reason: Conditions | None, withheld: bool) -> str:
    """The tier and the conditions that put the elder in it; the tier alone where the
    reason was withheld (it told of a sensitive fact: services/sensitive.py)."""
    if withheld:
        return plain(tier)
    return f"{plain(tier)}（{conditions_text(reason)}）"


def registry_table(registry: pd.DataFrame) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("elders.name"): registry["name"],
                t("elders.age"): [
                    f"{age} · {t('elders.old')}" if old else str(age)
                    for age, old in zip(registry["age"], registry["old"], strict=True)
                ],
                t("elders.tier"): [
                    tier_text(tier, reason, withheld)
                    for tier, reason, withheld in zip(
                        registry["tier"],
                        registry["reason"],
                        registry["reason_withheld"],
                        strict=True,
                    )
                ],
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
    filters = registry_filters()
    registry = read(elders.elder_registry, actor=actor, today=now, **filters)
    registry_table(registry)
    export_button(actor, "elders", key="elders_export", **filters)
    if registry.empty:
        return
    # the label holds only what identifies the person (name, age); the pick is kept by id
    names = {
        int(i): f"{name} · {age}{t('elders.years')}"
        for i, name, age in zip(registry["id"], registry["name"], registry["age"], strict=True)
    }
    picked = record_picker(t("elders.pick"), names, key="elders_pick")
    page = read(elders.elder_page, actor=actor, elder_id=int(picked), today=now)
    note_view("elder", page.id, "elders")  # the full record is on screen: the access log
    plan = read(visit_plan.elder_plan, actor=actor, elder_id=int(picked), today=now)
    left, right = st.columns([2, 3])
    with left:
        profile(page, plan)
    with right:
        timeline(page)
    if page.can_note_change:
        change_form(page)
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
        st.header(
            f"{plain(page.name)}（{page.age}{t('elders.years')}"
            + (f" · {t('elders.old')}" if page.old else "")
            + "）"
        )
        if not page.active:
            st.warning(t("elders.deactivated", reason=plain(page.deactivated_reason)))
        st.write(f":material/call: {call_link(page.phone)}")
        st.write(f":material/home_pin: {plain(page.address)}")
        if page.situations:
            st.write("、".join(situation_label(s) for s in page.situations))
        if page.care_level:
            st.write(t("elders.care_level_is", n=page.care_level))
        if page.health_notes:
            st.write(t("elders.health", notes=plain(page.health_notes)))
        if not page.sensitive_shown:
            st.caption(t("sensitive.withheld_elder"), help=t("sensitive.withheld_help"))
        if page.guardian_name:
            st.write(
                t(
                    "elders.guardian",
                    name=plain(page.guardian_name),
                    phone=call_link(page.guardian_phone),
                )
            )
        st.write(t("elders.visitors_are", names=visitors_text(plain(page.visitors))))
        reason = plan.placement.reason
        if not plan.reason_withheld:
            st.write(
                t(
                    "elders.tier_is",
                    tier=plain(plan.placement.tier.name),
                    n=plan.interval,
                    why=conditions_text(reason),
                )
            )
        else:  # the reason would tell what is withheld above
            st.write(t("sensitive.tier_is", tier=plain(plan.placement.tier.name), n=plan.interval))
        st.metric(
            t("elders.next_due"),
            day(plan.next_due),
            help=t("elders.interval_help", n=plan.interval),
        )
        if plan.change_day is not None:
            st.warning(
                t("elders.change_pending", day=day(plan.change_day)),
                icon=":material/emergency:",
            )
        if page.can_record_visit:
            st.page_link(
                "views/visit_record.py",
                label=t("elders.record_visit_for", name=plain(page.name)),
                icon=":material/edit_note:",
                query_params={"elder": str(page.id)},
            )


def timeline(page: elders.ElderPage) -> None:
    st.markdown(f"### {t('elders.timeline')}")
    if page.changes:
        st.caption(
            t(
                "elders.changes_are",
                items="；".join(
                    f"{day(c.occurred_on)} {t(f'elders.change.{c.kind}')}"
                    + (f"（{plain(c.note)}）" if c.note else "")
                    for c in page.changes[:5]
                ),
            )
        )
    if not page.history:
        st.caption(t("elders.no_visits"))
    else:
        if not page.sensitive_shown:
            st.caption(t("sensitive.withheld_visits"), help=t("sensitive.withheld_help"))
        export_button(
            actor, "visits", key=record_key("elders", "visits_export", page.id), elder_id=page.id
        )
    for v in page.history[:30]:
        with st.container(border=True, key=record_key("elders", "visit", v.id)):
            show_flash(record_key("elders", "visit_msg", v.id))
            line = (
                f"**{day(v.visited_on)}** · {t(f'visits.mode.{v.mode}')} · "
                f"{plain(v.visitor) or '—'}"
                + (f" · {t(f'visits.wellbeing.{v.wellbeing}')}" if v.wellbeing else "")
            )
            st.markdown(f"~~{line}~~" if v.voided else line)
            if v.voided:
                st.caption(t("visits.voided_line", reason=plain(v.fix_reason)))
            elif v.fix_reason:
                st.caption(t("visits.corrected_line", reason=plain(v.fix_reason)))
            content_lines(v.content, v.referrals)
            if v.follow_up:
                st.write(t("visits.follow_line", text=plain(v.follow_up)))
            if page.can_fix_visits and not v.voided:
                visit_fix(page, v)


def visit_fix(page: elders.ElderPage, v: elders.VisitLine) -> None:
    """更正 (the right day or elder) or 作废 (did not happen), each with a reason."""
    key = lambda part: record_key("elders", f"fix_{part}", v.id)  # noqa: E731
    with st.expander(t("visits.fix"), icon=":material/build:"):
        with st.form(record_key("elders", "fix", v.id)):
            # this elder first (also when no longer in care), then the others in care
            names = {page.id: plain(page.name)} | {
                i: f"{plain(name)}（{born.year}）"
                for i, name, born in read(
                    elders.elder_choices, actor=actor, community_id=page.community_id
                )
            }
            f1, f2 = st.columns(2)
            right_day = f1.date_input(
                t("visits.fix_day"), v.visited_on, max_value=now, key=key("day")
            )
            right_elder = f2.selectbox(
                t("visits.fix_elder"),
                list(names),
                format_func=names.get,
                key=key("elder"),
            )
            reason = st.text_input(t("visits.fix_reason"), key=key("reason"), max_chars=200)
            if st.form_submit_button(t("visits.correct"), type="primary") and write(
                visit_fixes.visit_correct,
                actor=actor,
                visit_id=v.id,
                visited_on=right_day,
                elder_id=right_elder,
                reason=reason,
                today=now,
            ):
                flash(t("visits.corrected"), anchor=record_key("elders", "msg", page.id))
                st.rerun()
        confirmed = confirm_action(
            t("visits.void"),
            scope="elders",
            action="void",
            record_id=v.id,
            question=t("visits.void_question", day=day(v.visited_on)),
            confirm_label=t("visits.void_confirm"),
            reason_label=t("visits.fix_reason"),
            icon=":material/block:",
            width="content",
        )
        if confirmed and write(
            visit_fixes.visit_void,
            where=confirmed.box,
            actor=actor,
            visit_id=v.id,
            reason=confirmed.reason,
        ):
            flash(
                t("visits.voided"),
                anchor=record_key("elders", "visit_msg", v.id),
                clear=confirmed.keys,
            )
            st.rerun()


def change_form(page: elders.ElderPage) -> None:
    """A major change (出院, 跌倒, …): a visit falls due within a day."""
    key = lambda part: record_key("elders", f"change_{part}", page.id)  # noqa: E731
    with (
        st.expander(t("elders.change_record"), icon=":material/emergency:"),
        st.form(record_key("elders", "change", page.id)),
    ):
        st.caption(t("elders.change_hint"))
        c1, c2 = st.columns(2)
        kind = c1.selectbox(
            t("elders.change_kind"),
            CHANGE_KINDS,
            format_func=lambda k: t(f"elders.change.{k}"),
            key=key("kind"),
        )
        when = c2.date_input(t("elders.change_day"), now, max_value=now, key=key("day"))
        note = st.text_input(t("elders.change_note"), key=key("note"), max_chars=200)
        if st.form_submit_button(t("common.save"), type="primary") and write(
            major_changes.change_record,
            actor=actor,
            elder_id=page.id,
            kind=kind,
            occurred_on=when,
            today=now,
            note=note,
        ):
            flash(t("elders.change_saved"), anchor=record_key("elders", "msg", page.id))
            st.rerun()


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
    st.vega_lite_chart(charts.visits_by_month_chart(by_month, t).to_dict(), width="stretch")
    c1, c2 = st.columns(2)
    c1.vega_lite_chart(charts.on_time_chart(on_time, t).to_dict(), width="stretch")
    c1.caption(
        t(
            "elders.on_time_caption",
            start=day(quarter),
            end=day(min(now, window.end - timedelta(days=1))),
        )
    )
    c2.vega_lite_chart(charts.overdue_trend_chart(trend, t).to_dict(), width="stretch")
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
    policy_editor(actor, target or None, scope="elders")  # 0: the street's own tiers


def campaigns_tab() -> None:
    """专项探访: start one for a group; each campaign's progress and who is left."""
    st.caption(t("elders.campaign_intro"))
    tiers = read(visit_campaigns.tier_names, actor=actor)
    groups = {("tier", n): n for n in tiers} | {
        ("situation", s): situation_label(s) for s in LIVING_SITUATIONS
    }
    with (
        st.expander(t("elders.campaign_new"), icon=":material/campaign:"),
        st.form("elders_campaign"),
    ):
        show_flash("elders_campaign")
        c1, c2, c3 = st.columns([2, 2, 1])
        name = c1.text_input(t("elders.campaign_name"), key="elders_campaign_name")
        group = c2.selectbox(
            t("elders.campaign_group"),
            list(groups),
            format_func=lambda g: groups[g],
            key="elders_campaign_group",
        )
        days = c3.number_input(
            t("elders.campaign_days"), 1, visit_campaigns.MAX_DAYS, 7, key="elders_campaign_days"
        )
        if st.form_submit_button(t("elders.campaign_start"), type="primary") and write(
            visit_campaigns.campaign_start,
            actor=actor,
            name=name,
            group_kind=group[0],
            group_value=group[1],
            days=int(days),
            today=now,
        ):
            flash(t("elders.campaign_started", name=plain(name.strip())), anchor="elders_campaign")
            st.rerun()
    progress = read(visit_campaigns.campaign_progress, actor=actor, today=now)
    if not progress:
        st.info(t("elders.campaign_none"), icon=":material/campaign:")
    for c in progress:
        with st.container(border=True, key=record_key("elders", "campaign", c.id)):
            group = (
                plain(c.group_value) if c.group_kind == "tier" else situation_label(c.group_value)
            )
            st.markdown(
                f"**{plain(c.name)}** · {group} · "
                + t("elders.campaign_window", start=day(c.starts_on), end=day(c.deadline))
                + ("" if c.is_open else f" · {t('elders.campaign_closed')}")
            )
            st.progress(
                c.share, text=t("elders.campaign_progress", visited=c.visited, asked=c.asked)
            )
            if c.left:
                st.caption(
                    t("elders.campaign_left", names="、".join(plain(n) for _, n in c.left[:50]))
                )


def overdue_tab() -> None:
    overdue = read(visit_plan.overdue_elders, actor=actor, today=now)
    st.header(t("elders.overdue_count", n=overdue.total))
    plan_table(overdue, due=False)
    st.page_link("views/visit_record.py", label=t("nav.visit_record"), icon=":material/edit_note:")


def week_tab() -> None:
    week = read(visit_plan.due_this_week, actor=actor, today=now)
    st.header(t("elders.week_count", n=week.total))
    plan_table(week, due=True)


def main() -> None:
    # Lazy tabs (ui/tabs.py): only the open one reads and draws; the labels hold no counts.
    sections = [
        (t("elders.tab.overdue"), overdue_tab),
        (t("elders.tab.week"), week_tab),
        (t("elders.tab.registry"), registry_tab),
        (t("elders.tab.charts"), charts_tab),
    ]
    sections += referral_sections(actor, now)
    if elders.can_manage(actor):
        sections.append((t("elders.tab.new"), new_elder_tab))
    if visit_campaigns.can_run_campaigns(actor):
        sections.append((t("elders.tab.campaigns"), campaigns_tab))
    if visit_policy.can_edit_policy(actor):
        sections.append((t("elders.tab.policy"), policy_tab))
    lazy_tabs("elders_tab", sections)


main()
