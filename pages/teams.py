"""Service teams (服务队, staff): create, edit, members, leader, hours this month and year."""

import pandas as pd
import streamlit as st

from services import teams
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("teams")
st.title(t("nav.teams"))
show_flash()

rows = read(teams.team_list, actor=actor, today=today())
st.dataframe(
    pd.DataFrame(
        {
            t("teams.name"): [r.name for r in rows],
            t("teams.community"): [r.community for r in rows],
            t("teams.leader"): [r.leader for r in rows],
            t("teams.members"): [r.members for r in rows],
            t("teams.hours_month"): [r.hours_month for r in rows],
            t("teams.hours_year"): [r.hours_year for r in rows],
            t("teams.purpose"): [r.purpose for r in rows],
            t("teams.status"): [
                t("common.active") if r.active else t("common.inactive") for r in rows
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(t("teams.hours_rule"))

tab_edit, tab_new = st.tabs([t("teams.tab.manage"), t("teams.tab.new")])
with tab_new, st.form("teams_new"):
    communities = read(community_list, actor=actor)
    name = st.text_input(t("teams.name"), key="teams_name")
    community = st.selectbox(
        t("teams.community"), communities, format_func=lambda c: c.name, key="teams_community"
    )
    purpose = st.text_area(t("teams.purpose"), key="teams_purpose")
    if st.form_submit_button(t("common.create"), type="primary") and write(
        teams.team_create, actor=actor, name=name, community_id=community.id, purpose=purpose
    ):
        flash(t("teams.created", name=name), clear=("teams_name", "teams_purpose"))
        st.rerun()

with tab_edit:
    if not rows:
        st.info(t("teams.none"))
        st.stop()
    by_id = {r.id: r for r in rows}
    picked = st.selectbox(
        t("teams.pick"),
        list(by_id),
        format_func=lambda i: (
            f"{by_id[i].name} · {by_id[i].community}"
            + ("" if by_id[i].active else f" ({t('common.inactive')})")
        ),
        key="teams_pick",
    )
    team = by_id[picked]
    members = read(teams.team_members, actor=actor, team_id=team.id)
    if not team.active:
        st.warning(t("teams.is_inactive"), icon=":material/block:")
    with st.form(f"teams_edit_{team.id}"):
        new_name = st.text_input(t("teams.name"), value=team.name, key="teams_edit_name")
        new_purpose = st.text_area(t("teams.purpose"), value=team.purpose, key="teams_edit_purpose")
        names = dict(members)
        leader = st.selectbox(
            t("teams.leader"),
            [None, *names],
            index=([None, *names].index(team.leader_id) if team.leader_id in names else 0),
            format_func=lambda v: t("common.none") if v is None else names[v],
            key="teams_edit_leader",
        )
        if st.form_submit_button(t("common.save"), type="primary") and write(
            teams.team_update,
            actor=actor,
            team_id=team.id,
            name=new_name,
            purpose=new_purpose,
            leader_id=leader,
        ):
            flash(t("common.saved"))
            st.rerun()
    st.markdown(f"#### {t('teams.members')} ({len(members)})")
    for vid, vname in members:
        a, b = st.columns([4, 1])
        a.write(vname + (f" · {t('teams.leader')}" if vid == team.leader_id else ""))
        if b.button(t("teams.remove"), key=f"teams_remove_{vid}") and write(
            teams.team_member_remove, actor=actor, team_id=team.id, volunteer_id=vid
        ):
            st.rerun()
    candidates = read(teams.team_candidates, actor=actor, team_id=team.id) if team.active else []
    if candidates:
        options = {c.id: c for c in candidates}
        add = st.selectbox(
            t("teams.add_member"),
            list(options),
            format_func=lambda i: f"{options[i].name} · {options[i].phone}",
            key="teams_add_pick",
            help=t("teams.add_member_help", n=len(options)),
        )
        if st.button(t("teams.add"), key="teams_add", type="primary") and write(
            teams.team_member_add,
            actor=actor,
            team_id=team.id,
            volunteer_id=int(add),
            today=today(),
        ):
            flash(t("teams.added", name=options[add].name))
            st.rerun()

    st.divider()
    toggle = t("teams.deactivate") if team.active else t("teams.reactivate")
    if st.button(
        toggle,
        key="teams_toggle",
        icon=":material/block:" if team.active else ":material/restart_alt:",
    ) and write(teams.team_set_active, actor=actor, team_id=team.id, active=not team.active):
        flash(t("common.saved"))
        st.rerun()
