"""Accounts (staff): who can sign in, with which role and community."""

import pandas as pd
import streamlit as st

from models.accounts import Role
from services import auth
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("accounts")
st.title(t("nav.accounts"))
show_flash()

rows = read(auth.account_list, actor=actor)
table = pd.DataFrame(
    {
        t("accounts.username"): [r.username for r in rows],
        t("accounts.display_name"): [r.display_name for r in rows],
        t("accounts.role"): [t(f"role.{r.role}") for r in rows],
        t("accounts.community"): [r.community or t("accounts.whole_street") for r in rows],
        t("accounts.status"): [
            t("accounts.locked")
            if r.locked
            else t("common.active" if r.active else "common.inactive")
            for r in rows
        ],
    }
)
st.dataframe(table, hide_index=True, width="stretch")

communities = read(community_list, actor=actor)
unlinked = read(auth.unlinked_volunteer_accounts, actor=actor)
if unlinked:
    st.warning(
        t("volunteers.unlinked_accounts", names="、".join(a.username for a in unlinked)),
        icon=":material/link_off:",
    )
    st.page_link("pages/volunteers.py", label=t("nav.volunteers"), icon=":material/groups:")
roles = list(Role) if actor.is_street_admin else [r for r in Role if r != Role.admin]
left, right = st.columns(2)

with left, st.form("accounts_create"):
    st.subheader(t("accounts.create"))
    username = st.text_input(t("login.username"), key="accounts_username")
    display_name = st.text_input(t("accounts.display_name"), key="accounts_display_name")
    password = st.text_input(t("login.password"), type="password", key="accounts_password")
    role = st.selectbox(
        t("accounts.role"), roles, format_func=lambda r: t(f"role.{r}"), key="accounts_role"
    )
    community = st.selectbox(
        t("accounts.community"),
        communities,
        format_func=lambda c: c.name,
        key="accounts_community",
    )
    st.caption(t("volunteers.account_hint"))
    if st.form_submit_button(t("common.create"), type="primary") and write(
        auth.account_create,
        actor=actor,
        username=username,
        password=password,
        display_name=display_name,
        role=role,
        community_id=community.id if community else None,
    ):
        flash(
            t("accounts.created", username=username),
            clear=("accounts_username", "accounts_display_name", "accounts_password"),
        )
        st.rerun()

with right:
    st.subheader(t("accounts.manage"))
    others = [r for r in rows if r.id != actor.id]
    chosen = st.selectbox(
        t("accounts.pick"),
        others,
        format_func=lambda r: f"{r.display_name} ({r.username})",
        key="accounts_pick",
    )
    if chosen:
        label = t("accounts.deactivate") if chosen.active else t("accounts.reactivate")
        if st.button(label, key="accounts_toggle") and write(
            auth.account_set_active, actor=actor, account_id=chosen.id, active=not chosen.active
        ):
            flash(t("common.saved"))
            st.rerun()
        new_password = st.text_input(
            t("accounts.new_password"), type="password", key="accounts_new_password"
        )
        if st.button(t("accounts.reset_password"), key="accounts_reset") and write(
            auth.account_reset_password, actor=actor, account_id=chosen.id, password=new_password
        ):
            flash(t("accounts.password_reset", username=chosen.username))
            st.rerun()
