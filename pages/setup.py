"""First start without demo data: create the street admin account, once."""

import streamlit as st

from services import auth
from ui.actions import write
from ui.i18n import t
from ui.session import signed_in

st.title(t("setup.title"))
st.info(t("setup.intro"), icon=":material/info:")

with st.form("setup_form"):
    username = st.text_input(t("login.username"), key="setup_username", max_chars=40)
    display_name = st.text_input(t("setup.display_name"), key="setup_display_name")
    password = st.text_input(t("login.password"), key="setup_password", type="password")
    confirm = st.text_input(t("setup.confirm"), key="setup_confirm", type="password")
    submitted = st.form_submit_button(t("setup.submit"), type="primary")

if submitted:
    if password != confirm:
        st.error(t("setup.mismatch"), icon=":material/error:")
    elif write(auth.setup_admin, username=username, password=password, display_name=display_name):
        result = write(auth.sign_in, username=username, password=password)
        signed_in(result)
