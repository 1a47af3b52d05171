"""我的信息 (volunteer): everything the board holds about the signed-in volunteer, in
their language (services/my_data.py): the profile and account, teams, every sign-up
with its hours and who confirmed them, the star level, certificates, correction requests
and their outcome, the changes made to the record and who looked at it. A download of
all of it (Excel, a sheet per part, logged like every export), and a request to correct
what is wrong (services/corrections.py), answered by the community's staff.
"""

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from services import corrections, my_data, volunteers
from services.access import Actor
from services.my_data import VolunteerData
from ui.actions import PAGE, flash, read, show_flash, write
from ui.filters import today
from ui.fmt import when
from ui.i18n import lang, t
from ui.records import record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "my_data"
FIX_FIELD = "my_data_fix_field"  # the field a new request is about (outside the form)


class ExportRefused(RuntimeError):
    """The download was refused (no page is drawing while the file is made)."""


def _made(actor: Actor, language: str, day: date) -> bytes:
    done = write(my_data.my_data_export, actor=actor, lang=language, today=day)
    if done is None:
        raise ExportRefused("my_data")
    return done.value


def download(data: VolunteerData) -> None:
    """All of it as one workbook, made (and logged) when pressed."""
    day = today()
    st.download_button(
        t("my_data.download"),
        data=partial(_made, actor, lang(), day),
        file_name=my_data.file_name(data.profile.name, t, day),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=record_key(SCOPE, "export", data.volunteer_id),
        help=t("my_data.download_help"),
        icon=":material/download:",
        on_click="ignore",
    )


def _yes(value: bool) -> str:
    return t("common.yes" if value else "common.no")


def profile_box(data: VolunteerData) -> None:
    p = data.profile
    with st.container(border=True, key=record_key(SCOPE, "profile", data.volunteer_id)):
        st.subheader(t("my_data.part.profile"))
        left, right = st.columns(2)
        left.markdown(f"**{t('corrections.field.name')}**：{plain(p.name)}")
        left.markdown(f"**{t('corrections.field.gender')}**：{plain(p.gender) or '—'}")
        left.markdown(f"**{t('corrections.field.phone')}**：{plain(p.phone)}")
        left.markdown(f"**{t('my_data.community')}**：{plain(p.community)}")
        left.markdown(f"**{t('corrections.field.grid')}**：{plain(p.grid) or '—'}")
        skills = "、".join(t(f"volunteers.skill.{s}") for s in p.skills)
        right.markdown(f"**{t('corrections.field.skills')}**：{skills or '—'}")
        right.markdown(f"**{t('corrections.field.party_member')}**：{_yes(p.party_member)}")
        right.markdown(f"**{t('corrections.field.joined_on')}**：{p.joined_on.isoformat()}")
        right.markdown(f"**{t('my_data.in_register')}**：{_yes(p.active)}")
        right.markdown(f"**{t('corrections.field.note')}**：{plain(p.note) or '—'}")
        if data.account:
            a = data.account
            st.caption(
                t(
                    "my_data.account_line",
                    username=plain(a.username),
                    role=t(f"role.{a.role}"),
                    created=when(a.created_at),
                )
            )


def hours_box(data: VolunteerData) -> None:
    with st.container(border=True):
        left, right = st.columns(2)
        total = round(data.approved_check + data.approved_staff, 2)
        left.metric(t("volunteers.approved_hours"), t("volunteers.hours", n=f"{total:g}"))
        left.caption(
            f"{t('signups.source.check')} {t('volunteers.hours', n=f'{data.approved_check:g}')}"
            f" · {t('signups.source.staff')} "
            f"{t('volunteers.hours', n=f'{data.approved_staff:g}')}"
        )
        right.metric(
            t("volunteers.star_level"), "★" * data.star.stars + "☆" * (5 - data.star.stars)
        )
        if data.pending_hours:
            right.caption(t("volunteers.pending_hours", n=f"{data.pending_hours:g}"))


def table(title: str, frame: pd.DataFrame, empty: str, intro: str = "") -> None:
    st.subheader(title)
    if intro:
        st.caption(intro)
    if frame.empty:
        st.caption(empty)
    else:
        st.dataframe(frame, hide_index=True, width="stretch")


def _held_value(data: VolunteerData, field: str) -> str:
    """What the page shows the board holds for `field` (the form says it beside)."""
    p = data.profile
    shown = {
        "name": p.name,
        "gender": p.gender,
        "phone": p.phone,
        "grid": p.grid,
        "skills": "、".join(t(f"volunteers.skill.{s}") for s in p.skills),
        "party_member": _yes(p.party_member),
        "joined_on": p.joined_on.isoformat(),
        "note": p.note,
    }
    return shown.get(field, "")


def correction_form(data: VolunteerData) -> None:
    """Ask for a correction: what is wrong, and what is right."""
    vid = data.volunteer_id
    anchor = record_key(SCOPE, "fix_msg", vid)
    st.subheader(t("my_data.fix_title"))
    st.caption(t("my_data.fix_intro"))
    show_flash(anchor)
    field = st.selectbox(
        t("my_data.fix_field"),
        corrections.FIELDS,
        format_func=lambda f: t(f"corrections.field.{f}"),
        key=FIX_FIELD,
    )
    held = _held_value(data, field)
    if held:
        st.caption(t("my_data.fix_held", value=plain(held)))
    text_key = record_key(SCOPE, "fix_text", vid)
    with st.form(record_key(SCOPE, "fix", vid)):
        if field == "skills":
            picked = st.multiselect(
                t("my_data.fix_requested"),
                list(volunteers.SKILLS),
                default=list(data.profile.skills),
                format_func=lambda s: t(f"volunteers.skill.{s}"),
                key=record_key(SCOPE, "fix_skills", vid),
                placeholder=t("common.choose_any"),
            )
            requested = ",".join(picked)
        else:
            requested = st.text_area(
                t("my_data.fix_requested"),
                key=text_key,
                max_chars=corrections.REQUESTED_MAX,
                placeholder=t("my_data.fix_placeholder"),
            )
        sent = st.form_submit_button(t("my_data.fix_submit"), type="primary")
    if sent and write(corrections.correction_create, actor=actor, field=field, requested=requested):
        flash(t("my_data.fix_sent"), anchor=anchor, clear=(text_key,))
        st.rerun()


def corrections_list(data: VolunteerData) -> None:
    if not data.corrections:
        st.caption(t("my_data.fix_none"))
        return
    for c in data.corrections:
        with st.container(border=True, key=record_key(SCOPE, "fix_card", c.id)):
            st.markdown(
                f"**{t(f'corrections.field.{c.field}')}** · "
                f"{t(f'corrections.status.{c.status}')} · {when(c.created_at)}"
            )
            st.write(
                t(
                    "my_data.fix_asked",
                    value=plain(corrections.value_text(c.field, c.requested, t)) or "—",
                )
            )
            if c.resolution:
                st.caption(t("my_data.fix_answer", text=plain(c.resolution)))


actor = page_guard("my_data")
st.title(t("nav.my_data"))
st.caption(t("my_data.intro"))
show_flash(PAGE)

mine: VolunteerData | None = read(my_data.my_data, actor=actor)
if mine is None:
    st.warning(t("signups.no_volunteer_record"))
    st.stop()
download(mine)
profile_box(mine)
hours_box(mine)
table(t("my_data.part.teams"), my_data.teams_frame(mine.teams, t), t("my_data.none"))
table(t("my_data.part.services"), my_data.services_frame(mine.services, t), t("my_data.none"))
table(
    t("my_data.part.certificates"),
    my_data.certificates_frame(mine.certificates, t),
    t("my_data.none"),
)
st.subheader(t("my_data.part.corrections"))
corrections_list(mine)
correction_form(mine)
table(t("my_data.part.changes"), my_data.changes_frame(mine.changes, t), t("my_data.none"))
table(
    t("my_data.part.access"),
    my_data.access_frame(mine.access, t),
    t("my_data.access_none"),
    intro=t("my_data.access_intro"),
)
