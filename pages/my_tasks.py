"""My tasks (志愿者): upcoming and past, check in and out, hours and star level."""

import pandas as pd
import streamlit as st

from models.base import utcnow
from services import signups, volunteers
from services.calendar import task_ics
from ui.actions import flash, read, show_flash, write
from ui.fmt import span
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("my_tasks")
st.title(t("nav.my_tasks"))
show_flash()

volunteer_id = read(volunteers.volunteer_of_account, actor=actor)
if volunteer_id is None:
    st.warning(t("signups.no_volunteer_record"))
    st.stop()
profile = read(volunteers.volunteer_profile, actor=actor, volunteer_id=volunteer_id)

with st.container(border=True):
    star = profile.star
    stars = "★" * star.stars + "☆" * (5 - star.stars)
    left, right = st.columns(2)
    left.metric(t("volunteers.approved_hours"), t("volunteers.hours", n=f"{star.hours:g}"))
    right.metric(t("volunteers.star_level"), stars)
    if star.next_threshold:
        st.progress(
            min(1.0, star.hours / star.next_threshold),
            text=t("volunteers.to_next_star", n=f"{star.hours_to_next:g}", stars=star.stars + 1),
        )
    if profile.pending_hours:
        st.caption(t("volunteers.pending_hours", n=f"{profile.pending_hours:g}"))

rows: pd.DataFrame = read(signups.my_tasks, actor=actor)
now = utcnow()
upcoming = rows[rows["ends_at"] > now].sort_values("starts_at") if len(rows) else rows
past = rows[rows["ends_at"] <= now] if len(rows) else rows

st.subheader(t("signups.upcoming"))
if upcoming.empty:
    st.info(t("signups.none_upcoming"))
    st.page_link("pages/open_tasks.py", label=t("nav.open_tasks"), icon=":material/search:")
for row in upcoming.itertuples():
    with st.container(border=True):
        st.markdown(f"**{row.title}**")
        st.write(f":material/schedule: {span(row.starts_at, row.ends_at)}")
        if row.place:
            st.write(f":material/location_on: {row.place}")
        sid = int(row.signup_id)
        if row.task_status == "cancelled":
            # the task is off: say so plainly, and offer nothing to press
            st.error(t("signups.task_was_cancelled"), icon=":material/event_busy:")
            continue
        st.write(t(f"signups.status.{row.status}"))
        if row.task_status in ("closed", "done"):
            st.badge(t(f"signups.task_is.{row.task_status}"), color="gray")
        can_check_in = signups.check_in_open(starts_at=row.starts_at, ends_at=row.ends_at, now=now)
        if row.status == "confirmed" and not can_check_in:
            st.caption(
                t(
                    "signups.check_in_opens",
                    hours=int(signups.CHECK_IN_OPENS.total_seconds() // 3600),
                )
            )
        if (
            row.status == "confirmed"
            and can_check_in
            and st.button(
                t("signups.check_in"), key=f"my_in_{sid}", type="primary", width="stretch"
            )
            and write(signups.signup_check_in, actor=actor, signup_id=sid)
        ):
            flash(t("signups.checked_in"))
            st.rerun()
        if (
            row.status == "attended"
            and pd.isna(row.check_out)
            and st.button(
                t("signups.check_out"), key=f"my_out_{sid}", type="primary", width="stretch"
            )
        ):
            hours = write(signups.signup_check_out, actor=actor, signup_id=sid)
            if hours is not None:
                flash(t("signups.checked_out", n=f"{hours:g}"))
                st.rerun()
        st.download_button(
            t("signups.add_to_calendar"),
            data=task_ics(
                uid=f"task-{row.task_id}@board",
                title=row.title,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                place=row.place,
            ),
            file_name=f"task-{row.task_id}.ics",
            mime="text/calendar",
            key=f"my_ics_{sid}",
            icon=":material/calendar_add_on:",
            width="stretch",
        )
        if (
            row.status in ("confirmed", "waitlisted")
            and st.button(t("signups.cancel"), key=f"my_cancel_{sid}", width="stretch")
            and write(signups.signup_cancel, actor=actor, signup_id=sid)
        ):
            flash(t("signups.cancelled"))
            st.rerun()

st.subheader(t("signups.past"))
if past.empty:
    st.caption(t("signups.none_past"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("signups.col.task"): past["title"],
                t("signups.col.when"): [
                    span(a, b) for a, b in zip(past["starts_at"], past["ends_at"], strict=True)
                ],
                t("signups.col.status"): [t(f"signups.status.{s}") for s in past["status"]],
                t("signups.col.task_status"): [t(f"tasks.status.{s}") for s in past["task_status"]],
                t("signups.col.hours"): past["hours"],
                t("signups.col.hours_status"): [
                    t(f"signups.hours.{s}") for s in past["hours_status"]
                ],
            }
        ),
        hide_index=True,
        width="stretch",
    )
