"""服务证明 (staff): issue a volunteer's certificate of service (志愿服务记录证明) for a
period, after a preview of the services it will list and their total; then download it,
or any certificate issued before. The rules (what is listed, who may issue, the number,
the community's person in charge and phone) are services/certificates.py; the PDF is
made only when its download button is pressed."""

from datetime import date

import pandas as pd
import streamlit as st

from services import certificates, volunteers
from services.access import can_view, mask_phone
from services.certificates import CertificateDraft, IssuedCertificate
from services.errors import BoardError
from ui.actions import read, show_flash
from ui.certificate_parts import issue_button, pdf_button, period_picker
from ui.empty import empty_hint, missing_organisation
from ui.fmt import day
from ui.i18n import error_text, t
from ui.records import record_key, record_picker
from ui.session import page_guard
from ui.text import plain

SCOPE = "cert"
ISSUED = "cert_issued"  # the id of the certificate issued last in this session

actor = page_guard("certificates")
st.title(t("nav.certificates"))
st.caption(t("certificates.intro"))
show_flash()
if missing_organisation(actor):
    st.stop()


def pick_volunteer() -> int | None:
    found = read(volunteers.volunteer_list, actor=actor, active=None, limit=5000)
    rows = found.rows
    if rows.empty:
        empty_hint(t("certificates.no_volunteers"))
        return None
    # a masked phone tells two namesakes apart; the street admin sees the community too
    labels = {
        int(r.id): " · ".join(
            [
                str(r.name),
                *([str(r.community)] if actor.is_street_admin else []),
                mask_phone(r.phone),
            ]
        )
        for r in rows.itertuples()
    }
    return record_picker(
        t("certificates.pick_volunteer"),
        labels,
        key="cert_volunteer",
        placeholder=t("certificates.pick_volunteer_placeholder"),
    )


def lines_table(draft: CertificateDraft) -> None:
    st.dataframe(
        pd.DataFrame(
            {
                t("certificates.col.date"): [day(ln.day) for ln in draft.lines],
                t("certificates.col.task"): [ln.task for ln in draft.lines],
                t("certificates.col.hours"): [ln.hours for ln in draft.lines],
                t("certificates.col.confirmed_by"): [ln.confirmed_by for ln in draft.lines],
            }
        ),
        hide_index=True,
        width="stretch",
        key=record_key(SCOPE, "lines", draft.volunteer_id),
    )


def preview(volunteer_id: int, period: tuple[date, date], issued: list[IssuedCertificate]) -> None:
    try:
        draft: CertificateDraft = read(
            certificates.certificate_draft,
            actor=actor,
            volunteer_id=volunteer_id,
            period_start=period[0],
            period_end=period[1],
        )
    except BoardError as err:
        st.warning(error_text(err), icon=":material/warning:")
        return
    with st.container(border=True, key=record_key(SCOPE, "preview", volunteer_id)):
        st.markdown(f"**{t('certificates.preview')}**")
        st.write(
            t(
                "certificates.summary",
                name=plain(draft.volunteer_name),
                number=draft.volunteer_number,
                count=draft.service_count,
                hours=f"{draft.total_hours:g}",
            )
        )
        if draft.lines:
            lines_table(draft)
        else:
            st.info(t("certificates.no_service"), icon=":material/info:")
        if draft.contact_missing:
            st.warning(
                t("certificates.contact_missing_staff", community=plain(draft.community)),
                icon=":material/contact_phone:",
            )
            if can_view(actor.role, "organisation"):
                st.page_link(
                    "views/organisation.py",
                    label=t("certificates.set_contact"),
                    icon=":material/edit:",
                )
        else:
            st.caption(
                t(
                    "certificates.contact_line",
                    person=plain(draft.person_in_charge),
                    phone=draft.office_phone,
                )
            )
        show_flash(record_key(SCOPE, "msg", volunteer_id))
        just_issued = [
            c
            for c in issued
            if c.id == st.session_state.get(ISSUED) and c.volunteer_id == volunteer_id
        ]
        for cert in just_issued:  # the one issued a moment ago, to download at once
            pdf_button(actor, cert, scope=f"{SCOPE}_new")
        issue_button(
            actor,
            volunteer_id,
            period,
            scope=SCOPE,
            action="issue",
            issued_key=ISSUED,
            anchor=record_key(SCOPE, "msg", volunteer_id),
            width="content",
        )


def issued_list(issued: list[IssuedCertificate]) -> None:
    st.subheader(t("certificates.list"))
    if not issued:
        st.caption(t("certificates.none_issued"))
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("certificates.col.number"): [c.number for c in issued],
                t("certificates.col.volunteer"): [c.volunteer_name for c in issued],
                t("certificates.col.period"): [
                    t("certificates.period_text", start=day(c.period_start), end=day(c.period_end))
                    for c in issued
                ],
                t("certificates.col.count"): [c.service_count for c in issued],
                t("certificates.col.hours"): [c.total_hours for c in issued],
                t("certificates.col.issued_on"): [day(c.issued_on) for c in issued],
                t("certificates.col.issued_by"): [c.issued_by for c in issued],
            }
        ),
        hide_index=True,
        width="stretch",
        key="cert_issued_list",
    )
    by_id = {c.id: c for c in issued}
    picked = record_picker(
        t("certificates.pick_issued"),
        {c.id: f"{c.number} · {c.volunteer_name}" for c in issued},
        key="cert_again",
    )
    if picked is not None:
        pdf_button(actor, by_id[picked], scope=SCOPE)


issued_so_far: list[IssuedCertificate] = read(certificates.certificate_list, actor=actor)
volunteer_id = pick_volunteer()
if volunteer_id is not None:
    period = period_picker(key="cert_period")
    if period is not None:
        preview(volunteer_id, period, issued_so_far)
issued_list(issued_so_far)
