"""Merchants (商户, staff): the registry, and filings falling due in the next 30 days so
staff can offer help before the deadline."""

import pandas as pd
import streamlit as st

from services import proxy
from services.org import community_list
from ui.actions import flash, read, show_flash, write
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.session import page_guard

actor = page_guard("merchants")
st.title(t("nav.merchants"))
show_flash()
now = today()

due = read(proxy.merchants_due_soon, actor=actor, today=now)
st.subheader(t("proxy.due_soon", n=len(due)))
if due.empty:
    st.caption(t("proxy.none_due_soon"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                t("proxy.shop"): due["shop_name"],
                t("proxy.owner"): due["owner_name"],
                t("proxy.phone"): due["phone"],
                t("proxy.community"): due["community"],
                t("proxy.what"): [t(f"proxy.due.{w}") for w in due["what"]],
                t("proxy.due_on"): [day(d) for d in due["due"]],
                t("proxy.days_left"): due["days_left"],
            }
        ),
        hide_index=True,
        width="stretch",
    )

tab_list, tab_new = st.tabs([t("proxy.tab.merchants"), t("proxy.tab.new_merchant")])
with tab_new, st.form("merchants_new"):
    communities = read(community_list, actor=actor)
    a, b = st.columns(2)
    shop = a.text_input(t("proxy.shop"), key="merchants_shop")
    owner = b.text_input(t("proxy.owner"), key="merchants_owner")
    phone = a.text_input(t("proxy.phone"), key="merchants_phone")
    business = b.text_input(t("proxy.business_type"), key="merchants_business")
    address = a.text_input(t("proxy.address"), key="merchants_address")
    community = b.selectbox(
        t("proxy.community"), communities, format_func=lambda c: c.name, key="merchants_community"
    )
    licence = a.date_input(t("proxy.licence_due"), value=None, key="merchants_licence")
    report = b.date_input(t("proxy.report_due"), value=None, key="merchants_report")
    notes = st.text_input(t("proxy.notes"), key="merchants_notes")
    if st.form_submit_button(t("common.create"), type="primary") and write(
        proxy.merchant_create,
        actor=actor,
        community_id=community.id,
        shop_name=shop,
        owner_name=owner,
        phone=phone,
        address=address,
        business_type=business,
        licence_due=licence,
        annual_report_due=report,
        notes=notes,
    ):
        flash(
            t("proxy.merchant_created", name=shop),
            clear=(
                "merchants_shop",
                "merchants_owner",
                "merchants_phone",
                "merchants_business",
                "merchants_address",
                "merchants_notes",
            ),
        )
        st.rerun()

with tab_list:
    search = st.text_input(
        t("common.search"), key="merchants_search", placeholder=t("proxy.search_hint")
    )
    frame = read(proxy.merchant_list, actor=actor, search=search)
    st.dataframe(
        pd.DataFrame(
            {
                t("proxy.shop"): frame["shop_name"],
                t("proxy.owner"): frame["owner_name"],
                t("proxy.phone"): frame["phone"],
                t("proxy.address"): frame["address"],
                t("proxy.business_type"): frame["business_type"],
                t("proxy.community"): frame["community"],
                t("proxy.licence_due"): [day(d) for d in frame["licence_due"]],
                t("proxy.report_due"): [day(d) for d in frame["annual_report_due"]],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if not frame.empty:
        names = dict(zip(frame["id"], frame["shop_name"], strict=True))
        picked = st.selectbox(
            t("proxy.pick_merchant"), list(names), format_func=names.get, key="merchants_pick"
        )
        m = frame[frame["id"] == picked].iloc[0]
        with (
            st.expander(t("proxy.edit_merchant"), icon=":material/edit:"),
            st.form(f"merchants_edit_{picked}"),
        ):
            a, b = st.columns(2)
            shop = a.text_input(t("proxy.shop"), m["shop_name"], key="merchants_edit_shop")
            owner = b.text_input(t("proxy.owner"), m["owner_name"], key="merchants_edit_owner")
            phone = a.text_input(t("proxy.phone"), m["phone"], key="merchants_edit_phone")
            business = b.text_input(
                t("proxy.business_type"), m["business_type"], key="merchants_edit_business"
            )
            address = a.text_input(t("proxy.address"), m["address"], key="merchants_edit_address")
            licence = b.date_input(
                t("proxy.licence_due"), m["licence_due"], key="merchants_edit_licence"
            )
            report = a.date_input(
                t("proxy.report_due"), m["annual_report_due"], key="merchants_edit_report"
            )
            notes = b.text_input(t("proxy.notes"), m["notes"], key="merchants_edit_notes")
            active = st.checkbox(t("proxy.still_open"), True, key="merchants_edit_active")
            if st.form_submit_button(t("common.save"), type="primary") and write(
                proxy.merchant_update,
                actor=actor,
                merchant_id=int(picked),
                shop_name=shop,
                owner_name=owner,
                phone=phone,
                address=address,
                business_type=business,
                licence_due=licence,
                annual_report_due=report,
                notes=notes,
                active=active,
            ):
                flash(t("common.saved"))
                st.rerun()
