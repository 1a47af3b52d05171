"""Volunteers (staff): search and filter, a profile with hours (签到 and 补录 apart), star
level and no-shows per year, the service record as Excel, add, edit, deactivate (never
delete); for the street admin, the star thresholds in their own tab.

One function per section; a volunteer's actions (edit, sign-in account, deactivate,
reactivate) take that volunteer's profile and key every widget by its id, and their
outcome shows at the top of the profile card."""

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from services import auth, person_export, stars, teams, volunteers
from services.org import community_list, grid_list
from ui.access_log import note_view
from ui.actions import PAGE, flash, read, show_flash, write
from ui.downloads import ExportRefused, export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day, span
from ui.i18n import lang, t
from ui.phone import call_link
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

actor = page_guard("volunteers")
st.title(t("nav.volunteers"))
show_flash()
if missing_organisation(actor):
    st.stop()

communities = read(community_list, actor=actor)
grids = read(grid_list, actor=actor)
community_name = {c.id: c.name for c in communities}
NEW_FIELDS = (
    "volunteers_name",
    "volunteers_phone",
    "volunteers_note",
    "volunteers_skills",
    "volunteers_party",
)


def skill_name(skill: str) -> str:
    return t(f"volunteers.skill.{skill}")


def grid_label(g) -> str:
    """A grid's name; for the street admin, who sees several communities, with its
    community (every community has a 第一网格)."""
    if actor.is_street_admin:
        return f"{community_name.get(g.community_id, '')} · {g.name}"
    return g.name


def msg_anchor(volunteer_id: int) -> str:
    return record_key("volunteers", "msg", volunteer_id)


# --- a new volunteer -------------------------------------------------------------------


def new_volunteer_form() -> None:
    grid_names = {g.id: grid_label(g) for g in grids}
    with st.form("volunteers_new"):
        show_flash("volunteers_new")
        c1, c2 = st.columns(2)
        name = c1.text_input(t("volunteers.name") + " *", key="volunteers_name")
        phone = c2.text_input(t("volunteers.phone") + " *", key="volunteers_phone", max_chars=13)
        community = c1.selectbox(
            t("volunteers.community"),
            list(community_name),
            format_func=lambda cid: community_name[cid],
            key="volunteers_community",
        )
        grid = c2.selectbox(
            t("volunteers.grid"),
            [None, *grid_names],
            format_func=lambda g: t("common.none") if g is None else grid_names[g],
            key="volunteers_grid",
        )
        skills = st.multiselect(
            t("volunteers.skills"),
            volunteers.SKILLS,
            format_func=skill_name,
            placeholder=t("common.choose_any"),
            key="volunteers_skills",
        )
        party = st.checkbox(t("volunteers.party_member"), key="volunteers_party")
        note = st.text_input(t("volunteers.note"), key="volunteers_note")
        if st.form_submit_button(t("common.create"), type="primary") and write(
            volunteers.volunteer_create,
            actor=actor,
            name=name,
            phone=phone,
            community_id=community,
            grid_id=grid,
            skills=skills,
            party_member=party,
            note=note,
        ):
            # emptied: a second press is refused as empty, never a second record
            flash(
                t("volunteers.created", name=plain(name.strip())),
                anchor="volunteers_new",
                clear=NEW_FIELDS,
            )
            st.rerun()


# --- the register ----------------------------------------------------------------------


def register_filters() -> dict:
    team_rows = read(teams.team_list, actor=actor, today=today())
    community_f = None
    if actor.is_street_admin:
        community_f = st.selectbox(
            t("volunteers.community"),
            [None, *community_name],
            format_func=lambda c: t("common.all") if c is None else community_name[c],
            key="volunteers_f_community",
        )
    in_scope = lambda cid: community_f is None or cid == community_f  # noqa: E731
    grid_names = {g.id: grid_label(g) for g in grids if in_scope(g.community_id)}
    team_names = {
        r.id: (f"{r.community} · {r.name}" if actor.is_street_admin else r.name)
        for r in team_rows
        if in_scope(r.community_id)
    }
    f = st.columns(5)
    search = f[0].text_input(
        t("common.search"), key="volunteers_search", placeholder=t("volunteers.search_hint")
    )
    grid_f = f[1].selectbox(
        t("volunteers.grid"),
        [None, *grid_names],
        format_func=lambda g: t("common.all") if g is None else grid_names[g],
        key="volunteers_f_grid",
    )
    team_f = f[2].selectbox(
        t("volunteers.team"),
        [None, *team_names],
        format_func=lambda r: t("common.all") if r is None else team_names[r],
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
    return dict(
        community_id=community_f,
        grid_id=grid_f,
        team_id=team_f,
        skill=skill_f,
        active=active_f,
        search=search,
    )


def register_table(found: volunteers.VolunteerList) -> None:
    frame, total = found.rows, found.total
    if total == 0:
        st.info(t("volunteers.none_yet"), icon=":material/lightbulb:")
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
            t("volunteers.no_shows_year", year=today().year): frame["no_shows"],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * len(shown)))


def register_tab() -> None:
    filters = register_filters()
    found = read(volunteers.volunteer_list, actor=actor, today=today(), **filters)
    register_table(found)
    export_button(actor, "volunteers", key="volunteers_export", **filters)
    frame = found.rows
    if frame.empty:
        return
    # name · phone tells two people of one name apart; both may be edited, so the
    # pick is kept by id (record_picker), never by the label the browser sends back
    names = {
        int(i): f"{n} · {p}"
        for i, n, p in zip(frame["id"], frame["name"], frame["phone"], strict=True)
    }
    picked = record_picker(t("volunteers.pick"), names, key="volunteers_pick")
    profile = read(volunteers.volunteer_profile, actor=actor, volunteer_id=int(picked))
    note_view("volunteer", profile.id, "volunteers")  # the full record is on screen
    profile_cards(profile)
    signup_table(profile)
    edit_form(profile)
    account_section(profile)
    if profile.active:
        deactivation(profile)
    else:
        reactivation(profile)


def profile_cards(profile: volunteers.VolunteerProfile) -> None:
    left, right = st.columns([3, 2])
    with left, st.container(border=True, key=record_key("volunteers", "card", profile.id)):
        show_flash(msg_anchor(profile.id))
        st.subheader(plain(profile.name) + ("" if profile.active else f" ({t('common.inactive')})"))
        st.write(f":material/call: {call_link(profile.phone)}")
        st.write(f":material/home_pin: {plain(profile.community)} {plain(profile.grid)}")
        st.write(t("volunteers.joined", day=day(profile.joined_on)))
        if profile.skills:
            st.write(", ".join(skill_name(s) for s in profile.skills))
        if profile.teams:
            st.write(t("volunteers.teams_of", teams="、".join(plain(x) for x in profile.teams)))
        if profile.party_member:
            st.badge(t("volunteers.party_member"), color="red")
    with right, st.container(border=True):
        st.metric(
            t("volunteers.approved_hours"), t("volunteers.hours", n=f"{profile.approved_hours:g}")
        )
        st.caption(hours_by_source(profile.approved_by_source))
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
        st.caption(
            t(
                "volunteers.no_shows_by_year",
                years="、".join(
                    t("volunteers.no_shows_in", year=y, n=n)
                    for y, n in profile.no_shows_by_year.items()
                )
                or t("volunteers.no_shows_none"),
            )
        )


def hours_by_source(by_source: volunteers.HoursBySource) -> str:
    return (
        f"{t('signups.source.check')} {t('volunteers.hours', n=f'{by_source.check:g}')} · "
        f"{t('signups.source.staff')} {t('volunteers.hours', n=f'{by_source.staff:g}')}"
    )


def record_frame(lines: list[volunteers.SignupLine]) -> pd.DataFrame:
    """A volunteer's sign-ups with where their hours came from, in the reader's language."""
    return pd.DataFrame(
        {
            t("signups.col.task"): [s.title for s in lines],
            t("signups.col.when"): [span(s.starts_at, s.ends_at) for s in lines],
            t("signups.col.status"): [t(f"signups.status.{s.status}") for s in lines],
            t("signups.col.hours"): [s.hours for s in lines],
            t("signups.col.source"): [
                t(f"signups.source.{s.hours_source}") if s.hours else "" for s in lines
            ],
            t("signups.col.entered_by"): [s.entered_by for s in lines],
            t("signups.col.reason"): [s.reason for s in lines],
            t("signups.col.hours_status"): [t(f"signups.hours.{s.hours_status}") for s in lines],
        }
    )


def _record_file(volunteer_id: int, language: str, on: date) -> bytes:
    """Made on the press, outside the page's run (see ui/downloads.py): the export is
    written to the access log then, not when the page is drawn."""
    done = write(
        person_export.service_record_export,
        actor=actor,
        volunteer_id=volunteer_id,
        lang=language,
        today=on,
    )
    if done is None:
        raise ExportRefused("service_record")
    return done.value


def record_export(profile: volunteers.VolunteerProfile) -> None:
    """The volunteer's service record (every sign-up, 签到 and 补录 hours apart) as Excel."""
    on = today()
    st.download_button(
        t("volunteers.record_export"),
        data=partial(_record_file, profile.id, lang(), on),
        file_name=person_export.service_record_name(profile.name, t, on),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=record_key("volunteers", "record_export", profile.id),
        icon=":material/download:",
    )


def signup_table(profile: volunteers.VolunteerProfile) -> None:
    if not profile.signups:
        return
    st.dataframe(record_frame(profile.signups), hide_index=True, width="stretch")
    record_export(profile)


def edit_form(profile: volunteers.VolunteerProfile) -> None:
    key = lambda field: record_key("volunteers", f"edit_{field}", profile.id)  # noqa: E731
    grid_names = {g.id: g.name for g in grids if g.community_id == profile.community_id}
    grid_ids = [None, *grid_names]
    with (
        st.expander(t("volunteers.edit"), icon=":material/edit:"),
        st.form(record_key("volunteers", "edit", profile.id)),
    ):
        e1, e2 = st.columns(2)
        new_name = e1.text_input(t("volunteers.name"), value=profile.name, key=key("name"))
        new_phone = e2.text_input(t("volunteers.phone"), value=profile.phone, key=key("phone"))
        new_grid = e1.selectbox(
            t("volunteers.grid"),
            grid_ids,
            index=grid_ids.index(profile.grid_id) if profile.grid_id in grid_ids else 0,
            format_func=lambda g: t("common.none") if g is None else grid_names[g],
            key=key("grid"),
        )
        new_skills = st.multiselect(
            t("volunteers.skills"),
            volunteers.SKILLS,
            default=profile.skills,
            format_func=skill_name,
            placeholder=t("common.choose_any"),
            key=key("skills"),
        )
        new_party = st.checkbox(
            t("volunteers.party_member"), value=profile.party_member, key=key("party")
        )
        new_note = st.text_input(t("volunteers.note"), value=profile.note, key=key("note"))
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
            flash(t("common.saved"), anchor=record_key("volunteers", "edit_msg", profile.id))
            st.rerun()
        # the outcome under the button pressed (the card above may be scrolled away)
        show_flash(record_key("volunteers", "edit_msg", profile.id))


def account_section(profile: volunteers.VolunteerProfile) -> None:
    """The volunteer's sign-in account: created here, or an existing one linked."""
    key = lambda field: record_key("volunteers", f"account_{field}", profile.id)  # noqa: E731
    with st.expander(t("volunteers.account"), icon=":material/key:"):
        if profile.account_username:
            st.write(t("volunteers.account_linked", username=plain(profile.account_username)))
            return
        st.caption(t("volunteers.account_none"))
        with st.form(record_key("volunteers", "account", profile.id)):
            a1, a2 = st.columns(2)
            acc_user = a1.text_input(t("login.username"), key=key("username"))
            acc_pass = a2.text_input(
                t("volunteers.initial_password"), type="password", key=key("password")
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
                        username=plain(acc_user.strip()),
                        name=plain(profile.name),
                    ),
                    anchor=msg_anchor(profile.id),
                    clear=(key("username"), key("password")),
                )
                st.rerun()
        loose = read(
            auth.unlinked_volunteer_accounts, actor=actor, community_id=profile.community_id
        )
        if not loose:
            return
        accounts = {a.id: a for a in loose}
        l1, l2 = st.columns([3, 1], vertical_alignment="bottom")
        existing = l1.selectbox(
            t("volunteers.account_existing"),
            list(accounts),
            format_func=lambda a: f"{accounts[a].display_name} ({accounts[a].username})",
            key=key("pick"),
        )
        if action_button(
            t("volunteers.account_link"),
            scope="volunteers",
            action="account_link",
            record_id=profile.id,
            where=l2,
        ) and write(
            volunteers.volunteer_account_link,
            actor=actor,
            volunteer_id=profile.id,
            account_id=existing,
        ):
            flash(
                t("volunteers.account_linked", username=plain(accounts[existing].username)),
                anchor=msg_anchor(profile.id),
            )
            st.rerun()


def deactivation(profile: volunteers.VolunteerProfile) -> None:
    """停用档案 asks first and says what else it does: the volunteer's sign-ups for tasks
    not started yet are cancelled (their places go to the waitlist)."""
    upcoming = read(volunteers.volunteer_upcoming_signups, actor=actor, volunteer_id=profile.id)
    question = t("volunteers.deactivate_question", name=plain(profile.name)) + (
        t("volunteers.deactivate_cancels", n=upcoming)
        if upcoming
        else t("volunteers.deactivate_no_signups")
    )
    confirmed = confirm_action(
        t("volunteers.deactivate"),
        scope="volunteers",
        action="deactivate",
        record_id=profile.id,
        question=question,
        confirm_label=t("volunteers.deactivate_confirm"),
        icon=":material/person_off:",
        width="content",
    )
    if not confirmed:
        return
    done = write(
        volunteers.volunteer_set_active,
        where=confirmed.box,
        actor=actor,
        volunteer_id=profile.id,
        active=False,
    )
    if done:
        # the register lists active volunteers by default: the volunteer may leave the
        # view, so the outcome is said at the top of the page, with their name
        flash(
            t("volunteers.deactivated", name=plain(profile.name), n=done.value),
            anchor=PAGE,
            clear=confirmed.keys,
        )
        st.rerun()


def reactivation(profile: volunteers.VolunteerProfile) -> None:
    if action_button(
        t("volunteers.reactivate"),
        scope="volunteers",
        action="reactivate",
        record_id=profile.id,
        icon=":material/restart_alt:",
        width="content",
    ) and write(volunteers.volunteer_set_active, actor=actor, volunteer_id=profile.id, active=True):
        flash(t("volunteers.reactivated", name=plain(profile.name)), anchor=msg_anchor(profile.id))
        st.rerun()


# --- the star thresholds (street admin) -----------------------------------------------------


def stars_tab() -> None:
    """The five star thresholds: shown to staff, edited by the street admin."""
    current = read(stars.star_table, actor=actor)
    st.caption(t("stars.intro"))
    if not actor.is_street_admin:
        st.dataframe(
            pd.DataFrame(
                {
                    t("org.policy.star"): ["★" * (i + 1) for i in range(len(current))],
                    t("org.policy.hours"): list(current),
                }
            ),
            hide_index=True,
        )
        return
    with st.form("volunteers_stars"):
        show_flash("volunteers_stars")
        cols = st.columns(len(current))
        typed = [
            col.number_input(
                "★" * (i + 1),
                min_value=0,
                value=int(hours),
                step=50,
                key=f"volunteers_star_{i + 1}",
            )
            for i, (col, hours) in enumerate(zip(cols, current, strict=True))
        ]
        if st.form_submit_button(t("common.save"), type="primary") and write(
            stars.star_thresholds_set, actor=actor, hours=typed
        ):
            flash(t("stars.saved"), anchor="volunteers_stars")
            st.rerun()


def main() -> None:
    lazy_tabs(
        "volunteers_tab",
        [
            (t("volunteers.tab.list"), register_tab),
            (t("volunteers.tab.new"), new_volunteer_form),
            (t("stars.tab"), stars_tab),
        ],
    )


main()
