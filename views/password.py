"""Choosing one's own password: the only page open while a handed-out one is in use."""

import streamlit as st

from services import auth
from ui.actions import flash, write
from ui.i18n import t
from ui.session import current_actor, sign_out
from ui.text import plain

actor = current_actor()
if actor is None:
    st.stop()
st.title(t("org.password.title"))
if actor.must_change_password:
    st.info(t("org.password.intro", name=plain(actor.display_name)), icon=":material/key:")

with st.form("password_form", enter_to_submit=False):
    current = st.text_input(t("org.password.current"), type="password", key="password_current")
    new = st.text_input(t("org.password.new"), type="password", key="password_new")
    confirm = st.text_input(t("org.password.confirm"), type="password", key="password_confirm")
    submitted = st.form_submit_button(t("org.password.submit"), type="primary")

if submitted:
    if new != confirm:
        st.error(t("setup.mismatch"), icon=":material/error:")
    elif write(auth.password_change, actor=actor, current=current, new=new):
        flash(t("org.password.changed"))
        st.rerun()  # the board opens as usual

if st.button(t("nav.sign_out"), key="password_sign_out", icon=":material/logout:"):
    sign_out()
    st.stop()
