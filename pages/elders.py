"""Elders in care (关爱老人): the overdue list first, due this week next, the registry
with each elder's visit timeline, registration, the interval policy and charts."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from models.elders import LIVING_SITUATIONS
from services import charts, elders, visit_policy, visits
from services.org import community_list, grid_list
from services.periods import PeriodKind, period_containing, trend_window
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.session import page_guard
from ui.visit_plan import plan_table, visitors_text

actor = page_guard("elders")
st.title(t("nav.elders"))
show_flash()
now = today()
staff = actor.sees_personal_data


def situation_label(situation: str) -> str:
    return t(f"elders.situation.{situation}")


def situations_text(stored: str) -> str:
    """The comma-separated stored situations, translated (stored values stay Chinese)."""
    return "、".join(situation_label(s) for s in stored.split(",") if s)


overdue = read(elders.overdue_elders, actor=actor, today=now)
week = read(elders.due_this_week, actor=actor, today=now)
tabs = [
    t("elders.tab.overdue", n=overdue.total),
    t("elders.tab.week", n=week.total),
    t("elders.tab.registry"),
    t("elders.tab.charts"),
]
if staff:
    tabs += [t("elders.tab.new"), t("elders.tab.policy")]
tab = st.tabs(tabs)

with tab[0]:
    plan_table(overdue, due=False)
    st.page_link("pages/visit_record.py", label=t("nav.visit_record"), icon=":material/edit_note:")
with tab[1]:
    plan_table(week, due=True)

with tab[2]:
    unassigned = read(elders.unassigned_count, actor=actor)
    if unassigned:
        st.warning(t("elders.unassigned_count", n=unassigned), icon=":material/person_alert:")
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("common.search"), key="elders_search", placeholder=t("elders.search_hint")
    )
    inactive = c2.toggle(t("elders.include_inactive"), key="elders_inactive")
    only_unassigned = c3.toggle(t("elders.unassigned_only"), key="elders_unassigned_only")
    registry = read(
        elders.elder_registry,
        actor=actor,
        today=now,
        search=search,
        include_inactive=inactive,
        unassigned_only=only_unassigned,
    )
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
    if not registry.empty:
        names = dict(
            zip(
                registry["id"],
                registry["name"] + " · " + registry["age"].astype(str) + t("elders.years"),
                strict=True,
            )
        )
        picked = st.selectbox(
            t("elders.pick"), list(names), format_func=names.get, key="elders_pick"
        )
        page = read(elders.elder_page, actor=actor, elder_id=int(picked), today=now)
        left, right = st.columns([2, 3])
        with left, st.container(border=True):
            st.subheader(f"{page.name}（{page.age}{t('elders.years')}）")
            if not page.active:
                st.warning(t("elders.deactivated", reason=page.deactivated_reason))
            st.write(f":material/call: {page.phone}")
            st.write(f":material/home_pin: {page.address}")
            if page.situations:
                st.write("、".join(situation_label(s) for s in page.situations))
            if page.care_level:
                st.write(t("elders.care_level_is", n=page.care_level))
            if page.health_notes:
                st.write(t("elders.health", notes=page.health_notes))
            if page.guardian_name:
                st.write(t("elders.guardian", name=page.guardian_name, phone=page.guardian_phone))
            st.write(t("elders.visitors_are", names=visitors_text(page.visitors)))
            st.metric(
                t("elders.next_due"),
                day(page.next_due),
                help=t("elders.interval_help", n=page.interval),
            )
        with right:
            st.markdown(f"#### {t('elders.timeline')}")
            if not page.history:
                st.caption(t("elders.no_visits"))
            for v in page.history[:30]:
                with st.container(border=True):
                    st.markdown(
                        f"**{day(v.visited_on)}** · {t(f'visits.mode.{v.mode}')} · "
                        f"{v.visitor or '—'}"
                        + (f" · {t(f'visits.wellbeing.{v.wellbeing}')}" if v.wellbeing else "")
                    )
                    if v.hazards:
                        st.write("⚠ " + "、".join(t(f"visits.hazard.{h}") for h in v.hazards))
                    if v.needs_raised:
                        st.write(t("visits.need_line", text=v.needs_raised))
                    if v.follow_up:
                        st.write(t("visits.follow_line", text=v.follow_up))
        if staff:
            with (
                st.expander(t("elders.edit"), icon=":material/edit:"),
                st.form(f"elders_edit_{page.id}"),
            ):
                grids = [
                    g for g in read(grid_list, actor=actor) if g.community_id == page.community_id
                ]
                visitors = read(elders.visitor_choices, actor=actor, community_id=page.community_id)
                e1, e2 = st.columns(2)
                name = e1.text_input(t("elders.name"), page.name, key="elders_edit_name")
                birth = e2.date_input(
                    t("elders.birth"),
                    page.birth_date,
                    min_value=date(1900, 1, 1),
                    max_value=now,
                    key="elders_edit_birth",
                )
                phone = e1.text_input(t("elders.phone"), page.phone, key="elders_edit_phone")
                address = e2.text_input(
                    t("elders.address"), page.address, key="elders_edit_address"
                )
                grid_ids = [None, *[g.id for g in grids]]
                grid = e1.selectbox(
                    t("elders.grid"),
                    grid_ids,
                    index=grid_ids.index(page.grid_id) if page.grid_id in grid_ids else 0,
                    format_func=lambda g: (
                        t("common.none") if g is None else next(x.name for x in grids if x.id == g)
                    ),
                    key="elders_edit_grid",
                )
                care = e2.number_input(
                    t("elders.care_level"), 0, 4, page.care_level or 0, key="elders_edit_care"
                )
                situations = st.multiselect(
                    t("elders.situations"),
                    LIVING_SITUATIONS,
                    default=page.situations,
                    format_func=situation_label,
                    placeholder=t("elders.situations_hint"),
                    key="elders_edit_situations",
                )
                health = st.text_input(
                    t("elders.health_notes"), page.health_notes or "", key="elders_edit_health"
                )
                g1, g2 = st.columns(2)
                guardian = g1.text_input(
                    t("elders.guardian_name"), page.guardian_name or "", key="elders_edit_guardian"
                )
                guardian_phone = g2.text_input(
                    t("elders.guardian_phone"),
                    page.guardian_phone or "",
                    key="elders_edit_guardian_phone",
                )
                names_by_id = dict(visitors)
                chosen = st.multiselect(
                    t("elders.visitors"),
                    list(names_by_id),
                    default=[v for v in page.visitor_ids if v in names_by_id],
                    format_func=names_by_id.get,
                    key="elders_edit_visitors",
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
                    flash(t("common.saved"))
                    st.rerun()
            if page.active:
                with st.expander(t("elders.deactivate"), icon=":material/person_off:"):
                    reason = st.selectbox(
                        t("elders.reason"),
                        [
                            t("elders.reason.moved"),
                            t("elders.reason.died"),
                            t("elders.reason.care_home"),
                            t("elders.reason.other"),
                        ],
                        key="elders_reason",
                    )
                    if st.button(t("elders.deactivate_confirm"), key="elders_deactivate") and write(
                        elders.elder_deactivate,
                        actor=actor,
                        elder_id=page.id,
                        reason=reason,
                        today=now,
                    ):
                        flash(t("common.saved"))
                        st.rerun()
            elif st.button(t("elders.reactivate"), key="elders_reactivate") and write(
                elders.elder_reactivate, actor=actor, elder_id=page.id
            ):
                flash(t("common.saved"))
                st.rerun()

with tab[3]:
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

if staff:
    with tab[4]:
        communities = read(community_list, actor=actor)
        # outside the form: the grids and visitors offered depend on the community
        community = st.selectbox(
            t("elders.community"), communities, format_func=lambda c: c.name, key="elders_community"
        )
        if community is not None:
            grids = [g for g in read(grid_list, actor=actor) if g.community_id == community.id]
            visitor_names = dict(
                read(elders.visitor_choices, actor=actor, community_id=community.id)
            )
            with st.form("elders_new"):
                n1, n2 = st.columns(2)
                name = n1.text_input(t("elders.name"), key="elders_name")
                birth = n2.date_input(
                    t("elders.birth"),
                    value=date(1945, 1, 1),
                    min_value=date(1900, 1, 1),
                    max_value=now,
                    key="elders_birth",
                )
                address = n1.text_input(t("elders.address"), key="elders_address")
                phone = n2.text_input(t("elders.phone"), key="elders_phone")
                grid = n1.selectbox(
                    t("elders.grid"),
                    [None, *grids],
                    format_func=lambda g: t("common.none") if g is None else g.name,
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
                guardian_phone = g2.text_input(
                    t("elders.guardian_phone"), key="elders_guardian_phone"
                )
                if st.form_submit_button(t("common.create"), type="primary") and write(
                    elders.elder_create,
                    actor=actor,
                    name=name,
                    birth_date=birth,
                    address=address,
                    community_id=community.id,
                    today=now,
                    grid_id=grid.id if grid else None,
                    phone=phone,
                    situations=situations,
                    care_level=int(care),
                    health_notes=health,
                    guardian_name=guardian,
                    guardian_phone=guardian_phone,
                    visitor_ids=chosen,
                ):
                    flash(
                        t("elders.created", name=name),
                        clear=(
                            "elders_name",
                            "elders_address",
                            "elders_phone",
                            "elders_health",
                            "elders_guardian",
                            "elders_guardian_phone",
                            "elders_situations",
                            "elders_visitors",
                            "elders_care",
                        ),
                    )
                    st.rerun()

    with tab[5]:
        st.caption(t("elders.policy_intro"))
        communities = read(community_list, actor=actor)
        target = st.selectbox(
            t("elders.policy_for"),
            [None, *communities] if actor.is_street_admin else communities,
            format_func=lambda c: t("elders.policy_street") if c is None else c.name,
            key="elders_policy_for",
        )
        rows = read(
            visit_policy.policy_table, actor=actor, community_id=target.id if target else None
        )
        for row in rows:
            label = t(f"elders.rule.{row.rule}")
            a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
            a.write(
                f"**{label}**"
                + (
                    f"  \n{t('elders.street_value', n=row.street_days)}"
                    if target and row.street_days
                    else ""
                )
            )
            current = (row.community_days if target else row.street_days) or 0
            days = b.number_input(
                t("elders.every_n_days"),
                0,
                366,
                current,
                key=f"elders_rule_{row.rule}",
                help=t("elders.zero_removes"),
            )
            if c.button(t("common.save"), key=f"elders_rule_save_{row.rule}") and write(
                visit_policy.policy_set,
                actor=actor,
                community_id=target.id if target else None,
                rule=row.rule,
                days=int(days) or None,
            ):
                flash(t("elders.rule_saved", rule=label))
                st.rerun()
