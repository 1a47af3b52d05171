"""The street's name and district, the same fields on the first-start steps and on the
organisation page (saved by services.org.street_set)."""

from __future__ import annotations

import streamlit as st

from services import org
from services.access import Actor
from ui.actions import flash, write
from ui.i18n import t


def street_form(actor: Actor, street: org.StreetRow, *, prefix: str, submit: str) -> None:
    """Widget keys: <prefix>_street (the form), <prefix>_street_name, <prefix>_district."""
    with st.form(f"{prefix}_street", enter_to_submit=False):
        a, b = st.columns(2)
        name = a.text_input(
            t("org.street_name"),
            value=street.name,
            key=f"{prefix}_street_name",
            placeholder=t("org.street_name_placeholder"),
        )
        district = b.text_input(
            t("org.district"),
            value=street.district,
            key=f"{prefix}_district",
            placeholder=t("org.district_placeholder"),
        )
        if st.form_submit_button(submit, type="primary") and write(
            org.street_set, actor=actor, name=name, district=district
        ):
            flash(t("org.street_saved"))
            st.rerun()
