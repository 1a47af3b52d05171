"""个人信息保存期限 (the street admin): how long personal data is kept (the access log,
deactivated elders' and volunteers' data, registrants' phones), what the rules would
change today (a dry run, nothing written), and the run itself, asked first. The server
runs the same every night (`manage.py retention --apply`, deploy/board-retention.*)."""

import pandas as pd
import streamlit as st

from services import retention
from services.access import Actor
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.records import confirm_action
from ui.session import page_guard

FIELDS = ("access_log_months", "inactive_retention_years", "registrant_phone_days")


def settings_form(actor: Actor) -> None:
    st.subheader(t("retention.settings_title"))
    current = read(retention.retention_settings)
    with st.form("retention_settings"):
        chosen = {}
        for field in FIELDS:
            low, high = retention.BOUNDS[field]
            chosen[field] = st.number_input(
                t(f"retention.field.{field}"),
                value=getattr(current, field),
                step=1,
                key=f"retention_{field}",
                help=t("retention.bounds_help", low=low, high=high),
            )
        sent = st.form_submit_button(t("common.save"), type="primary")
    if sent and write(retention.retention_settings_set, actor=actor, **chosen):
        flash(t("common.saved"), anchor="retention_settings_msg")
        st.rerun()
    show_flash("retention_settings_msg")


def people_table(rows: list[retention.DuePerson], title_key: str) -> None:
    st.markdown(f"**{t(title_key, n=len(rows))}**")
    if not rows:
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("retention.col_id"): [r.id for r in rows],
                t("retention.col_community"): [r.community for r in rows],
                t("retention.col_name"): [r.name for r in rows],
                t("retention.col_since"): [day(r.since) for r in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def events_table(report: retention.RetentionReport) -> None:
    st.markdown(f"**{t('retention.registrations', n=report.registrations)}**")
    if not report.events:
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("retention.col_event"): [e.title for e in report.events],
                t("retention.col_community"): [e.community for e in report.events],
                t("retention.col_ended"): [day(e.ended_on) for e in report.events],
                t("retention.col_phones"): [len(e.registration_ids) for e in report.events],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def dry_run(report: retention.RetentionReport) -> None:
    st.subheader(t("retention.report_title"))
    cut = report.cutoffs
    st.caption(
        t(
            "retention.report_about",
            today=day(report.today),
            people=day(cut.people),
            registrations=day(cut.registrations),
            access_log=day(cut.access_log),
        )
    )
    people_table(report.elders, "retention.elders")
    people_table(report.volunteers, "retention.volunteers")
    events_table(report)
    st.markdown(f"**{t('retention.access_log', n=report.access_log_entries)}**")
    if report.undated:
        st.caption(t("retention.undated", n=report.undated))


def run(actor: Actor, report: retention.RetentionReport) -> None:
    show_flash("retention_run_msg")
    if report.nothing_due:
        st.info(t("retention.nothing_due"), icon=":material/check_circle:")
        return
    question = t(
        "retention.question",
        elders=len(report.elders),
        volunteers=len(report.volunteers),
        registrations=report.registrations,
        access_log=report.access_log_entries,
    )
    confirmed = confirm_action(
        t("retention.run"),
        scope="retention",
        action="run",
        record_id=report.today.strftime("%Y%m%d"),  # a question asked yesterday is closed
        question=question,
        confirm_label=t("retention.run_yes"),
        icon=":material/auto_delete:",
        width="content",
    )
    if confirmed is None:
        return
    done = write(retention.apply_retention, where=confirmed.box, actor=actor, today=report.today)
    if done:
        flash(
            t(
                "retention.done",
                elders=done.value.elders,
                volunteers=done.value.volunteers,
                registrations=done.value.registrations,
                access_log=done.value.access_log_entries,
            ),
            anchor="retention_run_msg",
            clear=confirmed.keys,
        )
        st.rerun()


actor = page_guard("retention")
st.title(t("nav.retention"))
show_flash()
st.caption(t("retention.about"))
settings_form(actor)
report = read(retention.retention_report, today=today())
dry_run(report)
run(actor, report)
