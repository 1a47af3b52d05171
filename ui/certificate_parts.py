"""What the two pages that issue certificates of service share (views/certificates.py for
staff, views/my_tasks.py for the volunteer): the period picker, the issue button, and the
PDF's download button, which makes the PDF only when pressed (and logs the print)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import streamlit as st

from services import certificates
from services.access import Actor
from services.certificates import IssuedCertificate
from services.exports import export_file_name
from ui.actions import flash, write
from ui.downloads import ExportRefused
from ui.filters import today
from ui.i18n import lang, t
from ui.records import action_button, record_key


def period_picker(*, key: str, where: Any = st) -> tuple[date, date] | None:
    """The certificate's first and last day: this year up to today by default; None
    while only the first day of a range is picked."""
    last = today()
    picked = where.date_input(
        t("certificates.period"),
        value=(date(last.year, 1, 1), last),
        max_value=last,
        key=key,
    )
    if isinstance(picked, tuple | list) and len(picked) == 2:
        return picked[0], picked[1]
    return None


def _pdf(actor: Actor, certificate_id: int, language: str) -> bytes:
    """The PDF, made on the press in a write: the print is logged (access log)."""
    done = write(
        certificates.certificate_print, actor=actor, certificate_id=certificate_id, lang=language
    )
    if done is None:
        raise ExportRefused(certificate_id)
    return done.value


def pdf_button(actor: Actor, cert: IssuedCertificate, *, scope: str, where: Any = st) -> None:
    """Downloads the certificate's PDF, printed again from the records when pressed."""
    title = t("certificates.pdf.title")
    where.download_button(
        t("certificates.download"),
        data=partial(_pdf, actor, cert.id, lang()),
        file_name=export_file_name(title, cert.number, cert.issued_on, "pdf"),
        mime="application/pdf",
        key=record_key(scope, "pdf", cert.id),
        icon=":material/download:",
        on_click="ignore",
        type="primary",
    )


def issue_button(
    actor: Actor,
    volunteer_id: int,
    period: tuple[date, date],
    *,
    scope: str,
    action: str,
    issued_key: str,
    anchor: str,
    **button: Any,
) -> None:
    """开具证明: issues the volunteer's certificate for `period`; the new one's id goes to
    st.session_state[issued_key] (offered for download at once) and its number is said
    at `anchor`."""
    if action_button(
        t("certificates.issue"),
        scope=scope,
        action=action,
        record_id=volunteer_id,
        primary=True,
        icon=":material/workspace_premium:",
        **button,
    ) and (
        done := write(
            certificates.issue_certificate,
            actor=actor,
            volunteer_id=volunteer_id,
            period_start=period[0],
            period_end=period[1],
        )
    ):
        st.session_state[issued_key] = done.value.id
        flash(t("certificates.issued", number=done.value.number), anchor=anchor)
        st.rerun()
