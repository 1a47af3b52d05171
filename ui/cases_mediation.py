"""The 人民调解 record of a dispute case on its card (the office only): the record as it
stands, a form that records or changes it, and once an agreement is reached the 回访 on
whether it is performed. Widgets keyed by the case's id."""

from __future__ import annotations

import streamlit as st

from models.cases import MediationOutcome, MediationSource
from services import mediations
from services.access import Actor
from services.mediations import MediationDraft, MediationView
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.records import record_key
from ui.text import plain

SCOPE = "mediation"


def _key(field: str, case_id: int) -> str:
    return record_key(SCOPE, field, case_id)


def _summary(m: MediationView) -> None:
    lines = [
        t("mediations.parties", text=plain(m.parties)),
        t("mediations.source_is", source=t(f"mediations.source.{m.source}")),
        t("mediations.mediator_is", name=plain(m.mediator_name)),
    ]
    if m.outcome:
        lines.append(
            t(
                "mediations.outcome_is",
                day=day(m.mediated_on),
                outcome=t(f"mediations.outcome.{m.outcome}"),
            )
        )
    if m.terms:
        lines.append(t("mediations.terms_are", text=plain(m.terms), day=day(m.perform_by)))
    if m.referred_to:
        lines.append(t("mediations.referred_is", text=plain(m.referred_to)))
    if m.performance_checked_on:
        lines.append(
            t(
                "mediations.checked_is",
                day=day(m.performance_checked_on),
                performed=t("common.yes") if m.performed else t("common.no"),
            )
        )
    st.markdown("  \n".join(lines))


def _form(actor: Actor, case_id: int, m: MediationView | None) -> None:
    with st.form(_key("form", case_id)):
        parties = st.text_area(
            t("mediations.parties_label"),
            value=m.parties if m else "",
            key=_key("parties", case_id),
            max_chars=300,
        )
        sources = [s.value for s in MediationSource]
        source = st.selectbox(
            t("mediations.source_label"),
            sources,
            index=sources.index(m.source) if m else 0,
            format_func=lambda s: t(f"mediations.source.{s}"),
            key=_key("source", case_id),
        )
        facts = st.text_area(
            t("mediations.facts_label"),
            value=m.facts if m else "",
            key=_key("facts", case_id),
            max_chars=1000,
        )
        mediator = st.text_input(
            t("mediations.mediator_label"),
            value=m.mediator_name if m else "",
            key=_key("mediator", case_id),
            max_chars=40,
        )
        mediated_on = st.date_input(
            t("mediations.mediated_on"),
            value=m.mediated_on if m else None,
            max_value=today(),
            key=_key("day", case_id),
        )
        outcomes = ["", *(o.value for o in MediationOutcome)]
        outcome = st.selectbox(
            t("mediations.outcome_label"),
            outcomes,
            index=outcomes.index(m.outcome or "") if m else 0,
            format_func=lambda o: t(f"mediations.outcome.{o}") if o else t("mediations.pending"),
            key=_key("outcome", case_id),
        )
        terms = st.text_area(
            t("mediations.terms_label"),
            value=m.terms if m else "",
            key=_key("terms", case_id),
            max_chars=1000,
        )
        perform_by = st.date_input(
            t("mediations.perform_by"),
            value=m.perform_by if m else None,
            key=_key("perform_by", case_id),
        )
        referred = st.text_input(
            t("mediations.referred_label"),
            value=m.referred_to if m else "",
            key=_key("referred", case_id),
            max_chars=80,
        )
        sent = st.form_submit_button(t("mediations.save"), type="primary")
    if sent and write(
        mediations.mediation_save,
        actor=actor,
        case_id=case_id,
        draft=MediationDraft(
            parties=parties,
            source=source,
            mediator_name=mediator,
            facts=facts,
            mediated_on=mediated_on,
            outcome=outcome or None,
            terms=terms,
            perform_by=perform_by,
            referred_to=referred,
        ),
        today=today(),
    ):
        flash(t("common.saved"), anchor=_key("msg", case_id))
        st.rerun()


def _check(actor: Actor, case_id: int) -> None:
    with st.form(_key("check", case_id)):
        checked_on = st.date_input(
            t("mediations.checked_on"),
            value=today(),
            max_value=today(),
            key=_key("checked_on", case_id),
        )
        performed = st.segmented_control(
            t("mediations.performed_q"),
            [True, False],
            format_func=lambda v: t("common.yes") if v else t("common.no"),
            key=_key("performed", case_id),
        )
        note = st.text_input(t("cases.note"), key=_key("check_note", case_id), max_chars=300)
        sent = st.form_submit_button(t("mediations.check"), type="primary")
    if sent and write(
        mediations.mediation_check,
        actor=actor,
        case_id=case_id,
        checked_on=checked_on,
        performed=performed,
        note=note,
        today=today(),
    ):
        flash(t("common.saved"), anchor=_key("msg", case_id))
        st.rerun()


def mediation_section(actor: Actor, case_id: int) -> None:
    """The dispute's mediation: what is recorded, the form, and the 回访 on performance."""
    m = read(mediations.mediation_of, actor=actor, case_id=case_id)
    with st.container(border=True, key=_key("box", case_id)):
        st.markdown(f"#### {t('mediations.title')}")
        show_flash(_key("msg", case_id))
        if m:
            _summary(m)
        else:
            st.caption(t("mediations.none"))
        with st.expander(t("mediations.edit" if m else "mediations.record")):
            _form(actor, case_id, m)
        if m and m.agreed:
            with st.expander(t("mediations.check")):
                _check(actor, case_id)
