"""Accounts (staff): who can sign in, with which role and community."""

import pandas as pd
import streamlit as st

from models.accounts import Role
from services import auth
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.empty import ORGANISATION_PAGE, empty_hint
from ui.i18n import t
from ui.records import action_button, confirm_action, record_key
from ui.session import page_guard
from ui.text import plain

SCOPE = "accounts"


def account_actions(chosen: auth.AccountRow) -> None:
    """Deactivate (asked first: it ends the person's sign-ins) or reactivate, and a new
    password; every widget keyed by the account, its messages beside them."""
    message = record_key(SCOPE, "msg", chosen.id)
    show_flash(message)
    if chosen.active:
        confirmed = confirm_action(
            t("accounts.deactivate"),
            scope=SCOPE,
            action="deactivate",
            record_id=chosen.id,
            question=t("accounts.deactivate_question", name=plain(chosen.display_name)),
            confirm_label=t("accounts.deactivate"),
        )
        if confirmed and write(
            auth.account_set_active,
            where=confirmed.box,
            actor=actor,
            account_id=chosen.id,
            active=False,
        ):
            flash(t("common.saved"), anchor=message, clear=confirmed.keys)
            st.rerun()
    elif action_button(
        t("accounts.reactivate"), scope=SCOPE, action="reactivate", record_id=chosen.id
    ) and write(auth.account_set_active, actor=actor, account_id=chosen.id, active=True):
        flash(t("common.saved"), anchor=message)
        st.rerun()
    password_key = record_key(SCOPE, "new_password", chosen.id)
    new_password = st.text_input(t("accounts.new_password"), type="password", key=password_key)
    if action_button(
        t("accounts.reset_password"), scope=SCOPE, action="reset", record_id=chosen.id
    ) and write(
        auth.account_reset_password, actor=actor, account_id=chosen.id, password=new_password
    ):
        flash(
            t("accounts.password_reset", username=plain(chosen.username)),
            anchor=message,
            clear=(password_key,),
        )
        st.rerun()


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
        t("volunteers.unlinked_accounts", names="、".join(plain(a.username) for a in unlinked)),
        icon=":material/link_off:",
    )
    st.page_link("views/volunteers.py", label=t("nav.volunteers"), icon=":material/groups:")
if not communities:
    # Every role but the admin belongs to a community: there is none to pick from yet.
    if actor.is_street_admin:
        empty_hint(t("org.empty.no_community"), page=ORGANISATION_PAGE, label=t("nav.organisation"))
    else:
        empty_hint(t("org.empty.ask_admin"))
roles = list(Role) if actor.is_street_admin else [r for r in Role if r != Role.admin]
left, right = st.columns(2)

with left, st.form("accounts_create", enter_to_submit=False):
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
        placeholder=t("org.pick_community_placeholder")
        if communities
        else t("org.no_community_yet"),
        help=t("org.community_for_roles"),
    )
    st.caption(t("volunteers.account_hint"))
    st.caption(t("org.first_password_help"))
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
            t("accounts.created", username=plain(username)),
            clear=("accounts_username", "accounts_display_name", "accounts_password"),
        )
        st.rerun()

with right:
    st.subheader(t("accounts.manage"))
    others = [r for r in rows if r.id != actor.id]
    by_id = {r.id: r for r in others}
    # The picker holds the account's id, and the account shown is read afresh from it:
    # after a change the buttons follow the stored state, not the row as it was picked.
    chosen_id = st.selectbox(
        t("accounts.pick"),
        list(by_id),
        format_func=lambda i: f"{by_id[i].display_name} ({by_id[i].username})",
        key="accounts_pick",
        placeholder=t("org.pick_account") if others else t("org.no_other_accounts"),
    )
    if chosen_id in by_id:
        account_actions(by_id[chosen_id])
