"""Merchants (商户, staff): the registry, and filings falling due in the next 30 days so
staff can offer help before the deadline.

The picked merchant is kept by id (its shop name may be edited); its edit form and its
deactivation are keyed by the merchant, and their outcome shows in the merchant's card."""

import pandas as pd
import streamlit as st

from services import merchants
from services.org import community_list
from ui.actions import PAGE, flash, read, show_flash, write
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day
from ui.i18n import t
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.session import page_guard
from ui.text import plain

actor = page_guard("merchants")
st.title(t("nav.merchants"))
show_flash()
if missing_organisation(actor):
    st.stop()
now = today()
NEW_FIELDS = (
    "merchants_shop",
    "merchants_owner",
    "merchants_phone",
    "merchants_business",
    "merchants_address",
    "merchants_notes",
    "merchants_licence",
    "merchants_report",
)


def msg_anchor(merchant_id: int) -> str:
    return record_key("merchants", "msg", merchant_id)


def due_soon() -> None:
    due = read(merchants.merchants_due_soon, actor=actor, today=now)
    st.subheader(t("proxy.due_soon", n=len(due)))
    if due.empty:
        st.caption(t("proxy.none_due_soon"))
        return
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


def new_merchant_form() -> None:
    communities = {c.id: c.name for c in read(community_list, actor=actor)}
    with st.form("merchants_new"):
        show_flash("merchants_new")
        a, b = st.columns(2)
        shop = a.text_input(t("proxy.shop") + " *", key="merchants_shop")
        owner = b.text_input(t("proxy.owner") + " *", key="merchants_owner")
        phone = a.text_input(t("proxy.phone") + " *", key="merchants_phone")
        business = b.text_input(t("proxy.business_type"), key="merchants_business")
        address = a.text_input(t("proxy.address") + " *", key="merchants_address")
        community = b.selectbox(
            t("proxy.community"),
            list(communities),
            format_func=communities.__getitem__,
            key="merchants_community",
        )
        licence = a.date_input(t("proxy.licence_due"), value=None, key="merchants_licence")
        report = b.date_input(t("proxy.report_due"), value=None, key="merchants_report")
        notes = st.text_input(t("proxy.notes"), key="merchants_notes")
        if st.form_submit_button(t("common.create"), type="primary") and write(
            merchants.merchant_create,
            actor=actor,
            community_id=community,
            shop_name=shop,
            owner_name=owner,
            phone=phone,
            address=address,
            business_type=business,
            licence_due=licence,
            annual_report_due=report,
            notes=notes,
        ):
            # emptied: a second press is refused as empty (and a same-named shop is
            # refused by the service), never a second record
            flash(
                t("proxy.merchant_created", name=plain(shop.strip())),
                anchor="merchants_new",
                clear=NEW_FIELDS,
            )
            st.rerun()


def registry_tab() -> None:
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    search = c1.text_input(
        t("common.search"), key="merchants_search", placeholder=t("proxy.search_hint")
    )
    inactive = c2.toggle(t("merchants.show_inactive"), key="merchants_inactive")
    frame = read(merchants.merchant_list, actor=actor, search=search, active=not inactive)
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
    if frame.empty:
        st.info(t("merchants.none_yet"), icon=":material/lightbulb:")
        return
    names = {
        int(i): f"{shop} · {community}"
        for i, shop, community in zip(
            frame["id"], frame["shop_name"], frame["community"], strict=True
        )
    }
    picked = record_picker(t("proxy.pick_merchant"), names, key="merchants_pick")
    merchant = frame[frame["id"] == picked].iloc[0]
    with st.container(border=True, key=record_key("merchants", "card", picked)):
        show_flash(msg_anchor(picked))
        st.subheader(plain(merchant["shop_name"]))
        st.write(
            f":material/person: {plain(merchant['owner_name'])} · :material/call: {plain(merchant['phone'])}"
        )
        st.write(f":material/home_pin: {plain(merchant['address'])}")
        if inactive:
            st.warning(t("merchants.is_inactive"), icon=":material/block:")
            reactivation(picked, merchant["shop_name"])
        else:
            edit_form(picked, merchant)
            deactivation(picked, merchant["shop_name"])


def edit_form(merchant_id: int, m: pd.Series) -> None:
    key = lambda field: record_key("merchants", f"edit_{field}", merchant_id)  # noqa: E731
    with (
        st.expander(t("proxy.edit_merchant"), icon=":material/edit:"),
        st.form(record_key("merchants", "edit", merchant_id)),
    ):
        a, b = st.columns(2)
        shop = a.text_input(t("proxy.shop"), m["shop_name"], key=key("shop"))
        owner = b.text_input(t("proxy.owner"), m["owner_name"], key=key("owner"))
        phone = a.text_input(t("proxy.phone"), m["phone"], key=key("phone"))
        business = b.text_input(t("proxy.business_type"), m["business_type"], key=key("business"))
        address = a.text_input(t("proxy.address"), m["address"], key=key("address"))
        licence = b.date_input(t("proxy.licence_due"), m["licence_due"], key=key("licence"))
        report = a.date_input(t("proxy.report_due"), m["annual_report_due"], key=key("report"))
        notes = b.text_input(t("proxy.notes"), m["notes"], key=key("notes"))
        if st.form_submit_button(t("common.save"), type="primary") and write(
            merchants.merchant_update,
            actor=actor,
            merchant_id=merchant_id,
            shop_name=shop,
            owner_name=owner,
            phone=phone,
            address=address,
            business_type=business,
            licence_due=licence,
            annual_report_due=report,
            notes=notes,
        ):
            flash(t("common.saved"), anchor=record_key("merchants", "edit_msg", merchant_id))
            st.rerun()
        show_flash(record_key("merchants", "edit_msg", merchant_id))


def deactivation(merchant_id: int, shop: str) -> None:
    """停用商户 asks first and says what happens to the merchant's open requests."""
    open_requests = read(merchants.merchant_open_requests, actor=actor, merchant_id=merchant_id)
    question = t("merchants.deactivate_question", name=plain(shop)) + (
        t("merchants.deactivate_open", n=open_requests) if open_requests else ""
    )
    confirmed = confirm_action(
        t("merchants.deactivate"),
        scope="merchants",
        action="deactivate",
        record_id=merchant_id,
        question=question,
        confirm_label=t("merchants.deactivate_confirm"),
        icon=":material/block:",
        width="content",
    )
    if confirmed and write(
        merchants.merchant_deactivate, where=confirmed.box, actor=actor, merchant_id=merchant_id
    ):
        # the merchant leaves the list of merchants in business: say it at the top
        flash(t("merchants.deactivated", name=plain(shop)), anchor=PAGE, clear=confirmed.keys)
        st.rerun()


def reactivation(merchant_id: int, shop: str) -> None:
    if action_button(
        t("merchants.reactivate"),
        scope="merchants",
        action="reactivate",
        record_id=merchant_id,
        icon=":material/restart_alt:",
        width="content",
    ) and write(merchants.merchant_reactivate, actor=actor, merchant_id=merchant_id):
        flash(t("merchants.reactivated", name=plain(shop)), anchor=PAGE)
        st.rerun()


def main() -> None:
    due_soon()
    tab_list, tab_new = st.tabs([t("proxy.tab.merchants"), t("proxy.tab.new_merchant")])
    with tab_new:
        new_merchant_form()
    with tab_list:
        registry_tab()


main()
