"""Volunteers (staff): search and filter, a profile with hours and star level, add,
edit, deactivate (never delete)."""

import pandas as pd
import streamlit as st

from services import auth, teams, volunteers
from services.org import community_list, grid_list
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day, span
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("volunteers")
st.title(t("nav.volunteers"))
show_flash()

communities = read(community_list, actor=actor)
grids = read(grid_list, actor=actor)
team_rows = read(teams.team_list, actor=actor, today=today())
skill_name = lambda s: t(f"volunteers.skill.{s}")  # noqa: E731
community_name = {c.id: c.name for c in communities}


def grid_label(g) -> str:
    """A grid's name; for the street admin, who sees several communities, with its
    community (every community has a 第一网格)."""
    if actor.is_street_admin:
        return f"{community_name.get(g.community_id, '')} · {g.name}"
    return g.name


tab_list, tab_new = st.tabs([t("volunteers.tab.list"), t("volunteers.tab.new")])

with tab_new, st.form("volunteers_new"):
    c1, c2 = st.columns(2)
    name = c1.text_input(t("volunteers.name"), key="volunteers_name")
    phone = c2.text_input(t("volunteers.phone"), key="volunteers_phone", max_chars=13)
    community = c1.selectbox(
        t("volunteers.community"),
        communities,
        format_func=lambda c: c.name,
        key="volunteers_community",
    )
    grid = c2.selectbox(
        t("volunteers.grid"),
        [None, *grids],
        format_func=lambda g: t("common.none") if g is None else grid_label(g),
        key="volunteers_grid",
    )
    skills = st.multiselect(
        t("volunteers.skills"), volunteers.SKILLS, format_func=skill_name, key="volunteers_skills"
    )
    party = st.checkbox(t("volunteers.party_member"), key="volunteers_party")
    note = st.text_input(t("volunteers.note"), key="volunteers_note")
    if st.form_submit_button(t("common.create"), type="primary") and write(
        volunteers.volunteer_create,
        actor=actor,
        name=name,
        phone=phone,
        community_id=community.id,
        grid_id=grid.id if grid else None,
        skills=skills,
        party_member=party,
        note=note,
    ):
        flash(
            t("volunteers.created", name=name),
            clear=("volunteers_name", "volunteers_phone", "volunteers_note", "volunteers_skills"),
        )
        st.rerun()

with tab_list:
    community_f = None
    if actor.is_street_admin:
        community_f = st.selectbox(
            t("volunteers.community"),
            [None, *communities],
            format_func=lambda c: t("common.all") if c is None else c.name,
            key="volunteers_f_community",
        )
    in_scope = (lambda cid: True) if community_f is None else (lambda cid: cid == community_f.id)
    f = st.columns(5)
    search = f[0].text_input(
        t("common.search"), key="volunteers_search", placeholder=t("volunteers.search_hint")
    )
    grid_f = f[1].selectbox(
        t("volunteers.grid"),
        [None, *[g for g in grids if in_scope(g.community_id)]],
        format_func=lambda g: t("common.all") if g is None else grid_label(g),
        key="volunteers_f_grid",
    )
    team_f = f[2].selectbox(
        t("volunteers.team"),
        [None, *[r for r in team_rows if in_scope(r.community_id)]],
        format_func=lambda r: (
            t("common.all")
            if r is None
            else (f"{r.community} · {r.name}" if actor.is_street_admin else r.name)
        ),
        key="volunteers_f_team",
    )
    skill_f = f[3].selectbox(
        t("volunteers.skills"),
        [None, *volunteers.SKILLS],
        format_func=lambda s: t("common.all") if s is None else skill_name(s),
        key="volunteers_f_skill",
    )
    active_f = f[4].selectbox(
        t("volunteers.status"),
        [True, False, None],
        format_func=lambda a: {
            True: t("common.active"),
            False: t("common.inactive"),
            None: t("common.all"),
        }[a],
        key="volunteers_f_active",
    )
    filters = dict(
        community_id=community_f.id if community_f else None,
        grid_id=grid_f.id if grid_f else None,
        team_id=team_f.id if team_f else None,
        skill=skill_f,
        active=active_f,
        search=search,
    )
    found = read(volunteers.volunteer_list, actor=actor, **filters)
    frame, total = found.rows, found.total
    if total > len(frame):
        st.caption(t("volunteers.count_first", shown=f"{len(frame):,}", n=f"{total:,}"))
    else:
        st.caption(t("volunteers.count", n=f"{total:,}"))
    shown = pd.DataFrame(
        {
            t("volunteers.name"): frame["name"],
            t("volunteers.phone"): frame["phone"],
            t("volunteers.community"): frame["community"],
            t("volunteers.grid"): frame["grid"].fillna(""),
            t("volunteers.skills"): [
                ", ".join(skill_name(s) for s in v.split(",") if s) for v in frame["skills"]
            ],
            t("volunteers.approved_hours"): frame["hours"].round(1),
            t("volunteers.star_level"): ["★" * s for s in frame["stars"]],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(shown)))
    if frame.empty:
        st.stop()

    names = dict(zip(frame["id"], frame["name"] + " · " + frame["phone"], strict=True))
    picked = st.selectbox(
        t("volunteers.pick"), list(names), format_func=names.get, key="volunteers_pick"
    )
    profile = read(volunteers.volunteer_profile, actor=actor, volunteer_id=int(picked))

    left, right = st.columns([3, 2])
    with left, st.container(border=True):
        st.subheader(profile.name + ("" if profile.active else f" ({t('common.inactive')})"))
        st.write(f":material/call: {profile.phone}")
        st.write(f":material/home_pin: {profile.community} {profile.grid}")
        st.write(t("volunteers.joined", day=day(profile.joined_on)))
        if profile.skills:
            st.write(", ".join(skill_name(s) for s in profile.skills))
        if profile.teams:
            st.write(t("volunteers.teams_of", teams="、".join(profile.teams)))
        if profile.party_member:
            st.badge(t("volunteers.party_member"), color="red")
    with right, st.container(border=True):
        st.metric(
            t("volunteers.approved_hours"), t("volunteers.hours", n=f"{profile.approved_hours:g}")
        )
        st.metric(
            t("volunteers.star_level"), "★" * profile.star.stars + "☆" * (5 - profile.star.stars)
        )
        if profile.star.next_threshold:
            st.caption(
                t(
                    "volunteers.to_next_star",
                    n=f"{profile.star.hours_to_next:g}",
                    stars=profile.star.stars + 1,
                )
            )
        if profile.pending_hours:
            st.caption(t("volunteers.pending_hours", n=f"{profile.pending_hours:g}"))

    if profile.signups:
        st.dataframe(
            pd.DataFrame(
                {
                    t("signups.col.task"): [s.title for s in profile.signups],
                    t("signups.col.when"): [span(s.starts_at, s.ends_at) for s in profile.signups],
                    t("signups.col.status"): [
                        t(f"signups.status.{s.status}") for s in profile.signups
                    ],
                    t("signups.col.hours"): [s.hours for s in profile.signups],
                    t("signups.col.hours_status"): [
                        t(f"signups.hours.{s.hours_status}") for s in profile.signups
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )

    with (
        st.expander(t("volunteers.edit"), icon=":material/edit:"),
        st.form(f"volunteers_edit_{picked}"),
    ):
        e1, e2 = st.columns(2)
        new_name = e1.text_input(
            t("volunteers.name"), value=profile.name, key=f"volunteers_edit_name_{picked}"
        )
        new_phone = e2.text_input(
            t("volunteers.phone"), value=profile.phone, key=f"volunteers_edit_phone_{picked}"
        )
        grid_ids = [None, *[g.id for g in grids if g.community_id == profile.community_id]]
        new_grid = e1.selectbox(
            t("volunteers.grid"),
            grid_ids,
            index=grid_ids.index(profile.grid_id) if profile.grid_id in grid_ids else 0,
            format_func=lambda g: (
                t("common.none") if g is None else next(x.name for x in grids if x.id == g)
            ),
            key=f"volunteers_edit_grid_{picked}",
        )
        new_skills = st.multiselect(
            t("volunteers.skills"),
            volunteers.SKILLS,
            default=profile.skills,
            format_func=skill_name,
            key=f"volunteers_edit_skills_{picked}",
        )
        new_party = st.checkbox(
            t("volunteers.party_member"),
            value=profile.party_member,
            key=f"volunteers_edit_party_{picked}",
        )
        new_note = st.text_input(
            t("volunteers.note"), value=profile.note, key=f"volunteers_edit_note_{picked}"
        )
        if st.form_submit_button(t("common.save"), type="primary") and write(
            volunteers.volunteer_update,
            actor=actor,
            volunteer_id=profile.id,
            name=new_name,
            phone=new_phone,
            grid_id=new_grid,
            skills=new_skills,
            party_member=new_party,
            note=new_note,
        ):
            flash(t("common.saved"))
            st.rerun()

    with st.expander(t("volunteers.account"), icon=":material/key:"):
        if profile.account_username:
            st.write(t("volunteers.account_linked", username=profile.account_username))
        else:
            st.caption(t("volunteers.account_none"))
            with st.form(f"volunteers_account_{picked}"):
                a1, a2 = st.columns(2)
                acc_user = a1.text_input(
                    t("login.username"), key=f"volunteers_account_username_{picked}"
                )
                acc_pass = a2.text_input(
                    t("volunteers.initial_password"),
                    type="password",
                    key=f"volunteers_account_password_{picked}",
                )
                if st.form_submit_button(t("volunteers.account_create"), type="primary") and write(
                    volunteers.volunteer_account_create,
                    actor=actor,
                    volunteer_id=profile.id,
                    username=acc_user,
                    password=acc_pass,
                ):
                    flash(
                        t(
                            "volunteers.account_created",
                            username=acc_user.strip(),
                            name=profile.name,
                        ),
                        clear=(
                            f"volunteers_account_username_{picked}",
                            f"volunteers_account_password_{picked}",
                        ),
                    )
                    st.rerun()
            loose = read(
                auth.unlinked_volunteer_accounts, actor=actor, community_id=profile.community_id
            )
            if loose:
                l1, l2 = st.columns([3, 1], vertical_alignment="bottom")
                existing = l1.selectbox(
                    t("volunteers.account_existing"),
                    loose,
                    format_func=lambda a: f"{a.display_name} ({a.username})",
                    key=f"volunteers_account_pick_{picked}",
                )
                if l2.button(
                    t("volunteers.account_link"), key=f"volunteers_account_link_{picked}"
                ) and write(
                    volunteers.volunteer_account_link,
                    actor=actor,
                    volunteer_id=profile.id,
                    account_id=existing.id,
                ):
                    flash(t("volunteers.account_linked", username=existing.username))
                    st.rerun()

    label = t("volunteers.deactivate") if profile.active else t("volunteers.reactivate")
    if st.button(label, key="volunteers_toggle", icon=":material/person_off:") and write(
        volunteers.volunteer_set_active,
        actor=actor,
        volunteer_id=profile.id,
        active=not profile.active,
    ):
        flash(t("common.saved"))
        st.rerun()
