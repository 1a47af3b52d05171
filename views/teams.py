"""Service teams (服务队, staff): create, edit, members, leader, hours this month and year.

The picked team is kept by id (its label says 已停用 once deactivated); the team's edit
form, members, additions and deactivation are keyed by the team (a member's row by team
and volunteer), and their outcome shows at the top of the team's card."""

import pandas as pd
import streamlit as st

from services import teams
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.i18n import t
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

actor = page_guard("teams")
st.title(t("nav.teams"))
show_flash()
if missing_organisation(actor):
    st.stop()


def msg_anchor(team_id: int) -> str:
    return record_key("teams", "msg", team_id)


def members_anchor(team_id: int) -> str:
    return record_key("teams", "members_msg", team_id)


def state_anchor(team_id: int) -> str:
    """Beside 停用 / 重新启用, at the bottom of the team's card."""
    return record_key("teams", "state_msg", team_id)


def overview(rows: list[teams.TeamRow]) -> None:
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


def new_team_form() -> None:
    communities = {c.id: c.name for c in read(community_list, actor=actor)}
    with st.form("teams_new"):
        show_flash("teams_new")
        name = st.text_input(t("teams.name") + " *", key="teams_name")
        community = st.selectbox(
            t("teams.community"),
            list(communities),
            format_func=lambda cid: communities[cid],
            key="teams_community",
        )
        purpose = st.text_area(t("teams.purpose"), key="teams_purpose")
        if st.form_submit_button(t("common.create"), type="primary") and write(
            teams.team_create, actor=actor, name=name, community_id=community, purpose=purpose
        ):
            flash(
                t("teams.created", name=plain(name.strip())),
                anchor="teams_new",
                clear=("teams_name", "teams_purpose"),
            )
            st.rerun()


def manage_tab(rows: list[teams.TeamRow]) -> None:
    if not rows:
        st.info(t("teams.none"))
        return
    by_id = {r.id: r for r in rows}
    labels = {
        r.id: f"{r.name} · {r.community}" + ("" if r.active else f" ({t('common.inactive')})")
        for r in rows
    }
    picked = record_picker(t("teams.pick"), labels, key="teams_pick")
    team = by_id[picked]
    members = read(teams.team_members, actor=actor, team_id=team.id)
    with st.container(border=True, key=record_key("teams", "card", team.id)):
        show_flash(msg_anchor(team.id))
        st.subheader(plain(team.name))
        if not team.active:
            st.warning(t("teams.is_inactive"), icon=":material/block:")
        edit_form(team, members)
        member_list(team, members)
        if team.active:
            add_member(team)
        st.divider()
        if team.active:
            deactivation(team, len(members))
        else:
            reactivation(team)


def edit_form(team: teams.TeamRow, members: list[tuple[int, str]]) -> None:
    key = lambda field: record_key("teams", f"edit_{field}", team.id)  # noqa: E731
    names = dict(members)
    leaders = [None, *names]
    with st.form(record_key("teams", "edit", team.id)):
        new_name = st.text_input(t("teams.name"), value=team.name, key=key("name"))
        new_purpose = st.text_area(t("teams.purpose"), value=team.purpose, key=key("purpose"))
        leader = st.selectbox(
            t("teams.leader"),
            leaders,
            index=leaders.index(team.leader_id) if team.leader_id in names else 0,
            format_func=lambda v: t("common.none") if v is None else names[v],
            key=key("leader"),
        )
        if st.form_submit_button(t("common.save"), type="primary") and write(
            teams.team_update,
            actor=actor,
            team_id=team.id,
            name=new_name,
            purpose=new_purpose,
            leader_id=leader,
        ):
            flash(t("common.saved"), anchor=record_key("teams", "edit_msg", team.id))
            st.rerun()
        show_flash(record_key("teams", "edit_msg", team.id))


def member_list(team: teams.TeamRow, members: list[tuple[int, str]]) -> None:
    st.markdown(f"#### {t('teams.members')} ({len(members)})")
    show_flash(members_anchor(team.id))  # who joined or left, where the list is
    for vid, vname in members:
        member_row(team, vid, vname)


def member_row(team: teams.TeamRow, vid: int, vname: str) -> None:
    """One member, keyed by team and volunteer; 移出 asks first."""
    rid = f"{team.id}_{vid}"
    leader = vid == team.leader_id
    with st.container(key=record_key("teams", "member", rid)):
        a, b = st.columns([3, 2], vertical_alignment="center")
        a.write(plain(vname) + (f" · {t('teams.leader')}" if leader else ""))
        question = t("teams.remove_question", name=plain(vname), team=plain(team.name)) + (
            t("teams.remove_leader") if leader else ""
        )
        with b:
            confirmed = confirm_action(
                t("teams.remove"),
                scope="teams",
                action="remove",
                record_id=rid,
                question=question,
                confirm_label=t("teams.remove_confirm"),
            )
        if confirmed and write(
            teams.team_member_remove,
            where=confirmed.box,
            actor=actor,
            team_id=team.id,
            volunteer_id=vid,
        ):
            flash(
                t("teams.removed", name=plain(vname), team=plain(team.name)),
                anchor=members_anchor(team.id),
                clear=confirmed.keys,
            )
            st.rerun()


def add_member(team: teams.TeamRow) -> None:
    candidates = read(teams.team_candidates, actor=actor, team_id=team.id)
    if not candidates:
        return
    options = {c.id: c for c in candidates}
    pick_key = record_key("teams", "add_pick", team.id)
    add = st.selectbox(
        t("teams.add_member"),
        list(options),
        format_func=lambda i: f"{options[i].name} · {options[i].phone}",
        key=pick_key,
        help=t("teams.add_member_help", n=len(options)),
    )
    # a second press for the same volunteer is refused by the service (已是队员)
    if action_button(
        t("teams.add"), scope="teams", action="add", record_id=team.id, primary=True
    ) and write(
        teams.team_member_add,
        actor=actor,
        team_id=team.id,
        volunteer_id=int(add),
        today=today(),
    ):
        flash(
            t("teams.added", name=plain(options[add].name)),
            anchor=members_anchor(team.id),
            clear=(pick_key,),
        )
        st.rerun()


def deactivation(team: teams.TeamRow, members: int) -> None:
    """停用服务队 asks first and says what it changes (and what it does not)."""
    show_flash(state_anchor(team.id))
    confirmed = confirm_action(
        t("teams.deactivate"),
        scope="teams",
        action="deactivate",
        record_id=team.id,
        question=t("teams.deactivate_question", name=plain(team.name), n=members),
        confirm_label=t("teams.deactivate_confirm"),
        icon=":material/block:",
        width="content",
    )
    if confirmed and write(
        teams.team_set_active, where=confirmed.box, actor=actor, team_id=team.id, active=False
    ):
        flash(
            t("teams.deactivated", name=plain(team.name)),
            anchor=state_anchor(team.id),
            clear=confirmed.keys,
        )
        st.rerun()


def reactivation(team: teams.TeamRow) -> None:
    show_flash(state_anchor(team.id))
    if action_button(
        t("teams.reactivate"),
        scope="teams",
        action="reactivate",
        record_id=team.id,
        icon=":material/restart_alt:",
        width="content",
    ) and write(teams.team_set_active, actor=actor, team_id=team.id, active=True):
        flash(t("teams.reactivated", name=plain(team.name)), anchor=state_anchor(team.id))
        st.rerun()


def main() -> None:
    rows = read(teams.team_list, actor=actor, today=today())
    overview(rows)
    export_button(actor, "teams", key="teams_export")
    lazy_tabs(
        "teams_tab",
        [(t("teams.tab.manage"), lambda: manage_tab(rows)), (t("teams.tab.new"), new_team_form)],
    )


main()
