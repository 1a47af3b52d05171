"""个人信息保护说明 (the privacy notice, 个人信息保护法 art. 17): what the board collects
about whom and why, who sees it, how long it is kept (the street's own periods, read
from its settings), the rights people have and whom to ask (each community's office).
Open to anyone with the link, linked from the sign-in page and the public programme;
it names no resident."""

import pandas as pd
import streamlit as st

from services import retention
from ui.actions import read
from ui.i18n import t
from ui.style import large_text_switch
from ui.text import plain

# The people the board holds data about, in the order the notice lists them.
KINDS = ("elders", "volunteers", "merchants", "registrants", "residents")


def collected() -> None:
    st.header(t("privacy.collect_title"))
    for kind in KINDS:
        with st.container(border=True, key=f"privacy_kind_{kind}"):
            st.markdown(f"**{t(f'privacy.kind.{kind}.title')}**")
            st.markdown(t("privacy.what", text=t(f"privacy.kind.{kind}.what")))
            st.markdown(t("privacy.why", text=t(f"privacy.kind.{kind}.why")))
    st.info(t("privacy.sensitive"), icon=":material/health_and_safety:")


def who_sees() -> None:
    st.header(t("privacy.who_title"))
    for line in ("staff", "field", "meeting", "logged"):
        st.markdown(f"- {t(f'privacy.who.{line}')}")


def kept(settings: retention.RetentionSettings) -> None:
    st.header(t("privacy.keep_title"))
    st.markdown(f"- {t('privacy.keep.people', years=settings.inactive_retention_years)}")
    st.markdown(f"- {t('privacy.keep.registrants', days=settings.registrant_phone_days)}")
    st.markdown(f"- {t('privacy.keep.access_log', months=settings.access_log_months)}")
    st.markdown(f"- {t('privacy.keep.other')}")


def rights() -> None:
    st.header(t("privacy.rights_title"))
    own_page = t("nav.my_data")  # where a volunteer sees their own data and asks for a correction
    for line in ("access", "correction", "deletion", "withdraw"):
        st.markdown(f"- {t(f'privacy.rights.{line}', page=own_page)}")


def whom_to_ask(contacts: list[retention.OfficeContact]) -> None:
    st.header(t("privacy.ask_title"))
    st.write(t("privacy.ask_body"))
    if not contacts:
        st.info(t("privacy.no_contacts"), icon=":material/info:")
        return
    missing = t("privacy.not_given")
    st.dataframe(
        pd.DataFrame(
            {
                t("privacy.col_community"): [c.community for c in contacts],
                t("privacy.col_person"): [c.person_in_charge or missing for c in contacts],
                t("privacy.col_phone"): [c.office_phone or missing for c in contacts],
            }
        ),
        hide_index=True,
        width="stretch",
    )


facts = read(retention.privacy_notice)
st.title(t("nav.privacy"))
large_text_switch()  # 大字模式, for the residents who read this page on a phone
st.write(t("privacy.intro"))
if facts.street:
    st.caption(t("privacy.controller", street=plain(facts.street)))
collected()
who_sees()
kept(facts.settings)
rights()
whom_to_ask(facts.contacts)
