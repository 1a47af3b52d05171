"""Sign-in: username and password."""

import streamlit as st

from services import auth
from ui.actions import write
from ui.i18n import t
from ui.session import signed_in
from ui.style import large_text_switch

st.title(t("app.title"))
large_text_switch()  # 大字模式, for the residents who read this page on a phone
st.caption(t("login.subtitle"))

with st.form("login_form", border=True):
    username = st.text_input(t("login.username"), key="login_username", max_chars=40)
    password = st.text_input(t("login.password"), key="login_password", type="password")
    submitted = st.form_submit_button(t("login.submit"), type="primary", width="stretch")

st.page_link("views/privacy.py", label=t("nav.privacy"), icon=":material/privacy_tip:")

if submitted:
    result = write(auth.sign_in, username=username, password=password).value
    if result.error_key:
        st.error(t(result.error_key, **(result.error_params or {})), icon=":material/error:")
    else:
        signed_in(result)
