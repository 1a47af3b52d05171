"""诉求设置 (the street admin): each category's time limit, the departments the street
calls in (吹哨), and the office's own calendar days (a local holiday, a weekend day
worked) that the time limits count over."""

from datetime import date

import streamlit as st

from models.cases import CaseCategory
from services import case_settings
from services.access import Actor
from services.case_settings import Limit
from ui.actions import PAGE, flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.records import record_key
from ui.session import page_guard
from ui.text import plain


def limits_form(actor: Actor) -> None:
    st.caption(t("case_settings.limits_about"))
    current = read(case_settings.limits)
    with st.form("case_limits"):
        chosen: dict[str, Limit] = {}
        for category in CaseCategory:
            name, days, working = st.columns([2, 1, 1], vertical_alignment="bottom")
            name.markdown(t(f"cases.category.{category.value}"))
            limit = current[category]
            n = days.number_input(
                t("case_settings.days"),
                min_value=0,
                max_value=90,
                value=limit.days,
                step=1,
                key=f"case_limit_days_{category.value}",
            )
            w = working.checkbox(
                t("case_settings.working_days"),
                value=limit.working_days,
                key=f"case_limit_working_{category.value}",
            )
            chosen[category.value] = Limit(int(n), bool(w))
        sent = st.form_submit_button(t("common.save"), type="primary")
    if sent and write(case_settings.limits_set, actor=actor, limits=chosen):
        flash(t("common.saved"), anchor="case_limits_msg")
        st.rerun()
    show_flash("case_limits_msg")


def departments(actor: Actor) -> None:
    rows = read(case_settings.department_list)
    if not rows:
        st.info(t("case_settings.no_departments"), icon=":material/lightbulb:")
    for d in rows:
        label = plain(d.name) if d.active else f"{plain(d.name)}（{t('common.inactive')}）"
        with st.expander(label):
            with st.form(record_key("dept", "form", d.id)):
                name = st.text_input(
                    t("case_settings.department_name"),
                    value=d.name,
                    key=record_key("dept", "name", d.id),
                    max_chars=60,
                )
                contact = st.text_input(
                    t("case_settings.contact_name"),
                    value=d.contact_name,
                    key=record_key("dept", "contact", d.id),
                    max_chars=40,
                )
                phone = st.text_input(
                    t("case_settings.contact_phone"),
                    value=d.contact_phone,
                    key=record_key("dept", "phone", d.id),
                    max_chars=20,
                )
                active = st.checkbox(
                    t("common.active"), value=d.active, key=record_key("dept", "active", d.id)
                )
                sent = st.form_submit_button(t("common.save"))
            if sent and write(
                case_settings.department_update,
                actor=actor,
                department_id=d.id,
                name=name,
                contact_name=contact,
                contact_phone=phone,
                active=active,
            ):
                flash(t("common.saved"), anchor="case_depts_msg")
                st.rerun()
    with st.form("dept_new"):
        st.markdown(f"**{t('case_settings.add_department')}**")
        name = st.text_input(t("case_settings.department_name"), key="dept_new_name", max_chars=60)
        contact = st.text_input(
            t("case_settings.contact_name"), key="dept_new_contact", max_chars=40
        )
        phone = st.text_input(t("case_settings.contact_phone"), key="dept_new_phone", max_chars=20)
        sent = st.form_submit_button(t("common.create"), type="primary")
    if sent and write(
        case_settings.department_create,
        actor=actor,
        name=name,
        contact_name=contact,
        contact_phone=phone,
    ):
        flash(
            t("common.saved"),
            anchor="case_depts_msg",
            clear=("dept_new_name", "dept_new_contact", "dept_new_phone"),
        )
        st.rerun()
    show_flash("case_depts_msg")


def calendar_days(actor: Actor) -> None:
    st.caption(t("case_settings.calendar_about"))
    for row in read(case_settings.calendar_day_list):
        text, remove = st.columns([4, 1], vertical_alignment="center")
        kind = t("case_settings.worked" if row.working else "case_settings.holiday")
        text.markdown(f"**{day(row.day)}** · {kind} · {plain(row.note)}")
        if remove.button(
            t("case_settings.remove"),
            key=record_key("calday", "remove", row.day.isoformat()),
            width="stretch",
        ) and write(case_settings.calendar_day_remove, actor=actor, day=row.day):
            flash(t("common.saved"), anchor="case_days_msg")
            st.rerun()
    with st.form("calday_new"):
        picked: date | None = st.date_input(
            t("case_settings.day"), value=today(), key="calday_new_day"
        )
        working = st.segmented_control(
            t("case_settings.day_kind"),
            [False, True],
            default=False,
            format_func=lambda w: t("case_settings.worked" if w else "case_settings.holiday"),
            key="calday_new_working",
        )
        note = st.text_input(t("case_settings.day_note"), key="calday_new_note", max_chars=60)
        sent = st.form_submit_button(t("case_settings.add_day"), type="primary")
    if sent and write(
        case_settings.calendar_day_set,
        actor=actor,
        day=picked,
        working=bool(working),
        note=note,
    ):
        flash(t("common.saved"), anchor="case_days_msg", clear=("calday_new_note",))
        st.rerun()
    show_flash("case_days_msg")


actor = page_guard("case_settings")
st.title(t("nav.case_settings"))
show_flash(PAGE)
st.subheader(t("case_settings.limits"))
limits_form(actor)
st.subheader(t("case_settings.departments"))
departments(actor)
st.subheader(t("case_settings.calendar"))
calendar_days(actor)
