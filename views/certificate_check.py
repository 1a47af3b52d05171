"""证明查验: anyone with a certificate of volunteer service checks its number here (the
link printed on it is /certificate_check?no=ZYZM-2026-000042). Open without signing in;
it shows only what services/certificates.py `check_certificate` gives: valid or not,
the masked name, the period, the total hours, the issuing community and the day of
issue. A session may check only a few new numbers a minute (services/rate_limit.py)."""

import time

import streamlit as st

from services import certificates, rate_limit
from services.certificates import CheckStatus
from ui.actions import read
from ui.fmt import day
from ui.i18n import t
from ui.style import large_text_switch
from ui.text import plain

NUMBER_MAX = 40  # ServiceCertificate.number
CHECKS_PER_MINUTE = 10
RECENT = "certcheck_recent"  # moments of this session's recent checks of a new number
SEEN = "certcheck_seen"  # numbers this session has checked (checking one again is free)

st.title(t("nav.certificate_check"))
large_text_switch()  # 大字模式, for the residents who read this page on a phone
st.info(t("certificates.check.intro"), icon=":material/verified:")  # what to do here


def allowed(number: str) -> bool:
    """A number checked before in this session is shown again; a new one counts."""
    seen = st.session_state.setdefault(SEEN, set())
    if number in seen:
        return True
    verdict = rate_limit.attempt(
        st.session_state.get(RECENT, ()), now=time.monotonic(), limit=CHECKS_PER_MINUTE
    )
    if not verdict.allowed:
        st.warning(
            t("certificates.check.slow_down", seconds=verdict.wait_seconds),
            icon=":material/hourglass:",
        )
        return False
    st.session_state[RECENT] = verdict.recent
    seen.add(number)
    return True


def answer(found: certificates.CertificateCheck) -> None:
    number = plain(found.number)
    if found.status == CheckStatus.not_found:
        st.error(t("certificates.check.not_found", number=number), icon=":material/cancel:")
        return
    if found.status == CheckStatus.valid:
        st.success(t("certificates.check.valid", number=number), icon=":material/verified:")
    else:
        st.warning(t("certificates.check.changed", number=number), icon=":material/warning:")
    with st.container(border=True, key="certcheck_answer"):
        for label, value in (
            ("volunteer", found.masked_name),
            (
                "period",
                t(
                    "certificates.period_text",
                    start=day(found.period_start),
                    end=day(found.period_end),
                ),
            ),
            ("hours", t("certificates.check.hours_value", hours=f"{found.total_hours:g}")),
            ("community", found.community),
            ("issued_on", day(found.issued_on)),
        ):
            st.markdown(f"{t(f'certificates.check.{label}')}：**{plain(value)}**")


linked = (st.query_params.get(certificates.CHECK_PARAM) or "")[:NUMBER_MAX]
with st.form("certcheck_form", enter_to_submit=True):
    typed = st.text_input(
        t("certificates.check.number"),
        value=linked,
        key="certcheck_no",
        max_chars=NUMBER_MAX,
        placeholder="ZYZM-2026-000042",
    )
    submitted = st.form_submit_button(t("certificates.check.submit"), type="primary")
number = (typed if submitted else linked).strip().upper()
if submitted and not number:
    st.info(t("certificates.check.empty"), icon=":material/info:")
elif number and allowed(number):
    answer(read(certificates.check_certificate, number=number))
