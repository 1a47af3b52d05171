"""Merchants (商户, staff): the filings calendar (this year's annual report and tax
settlement windows, and who has filed), the merchants to help as a deadline nears with
a proxy request in one tap or a filed mark, and the registry.

The picked merchant is kept by id (its shop name may be edited); its edit form and its
deactivation are keyed by the merchant, and their outcome shows in the merchant's card."""

import pandas as pd
import streamlit as st

from services import filings, merchants
from services.org import community_list
from ui.access_log import note_view
from ui.actions import PAGE, flash, read, show_flash, write
from ui.downloads import export_button
from ui.empty import missing_organisation
from ui.filters import today
from ui.fmt import day
from ui.i18n import lang, t
from ui.phone import call_link
from ui.records import action_button, confirm_action, record_key, record_picker
from ui.session import page_guard
from ui.tabs import lazy_tabs
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
)
FILINGS = "merchants_filings"  # the filings section's message slot
SHOWN = 30  # filings rows shown with their buttons


def msg_anchor(merchant_id: int) -> str:
    return record_key("merchants", "msg", merchant_id)


def calendar() -> None:
    """This year's recurring filings: the window, open or not, and how many have filed."""
    lines = read(filings.filing_calendar, actor=actor, today=now)
    st.subheader(t("filings.calendar"))
    st.dataframe(
        pd.DataFrame(
            {
                t("filings.filing"): [t(f"proxy.kind.{x.kind.value}") for x in lines],
                t("filings.window"): [f"{day(x.first)} – {day(x.last)}" for x in lines],
                t("filings.state"): [
                    t("filings.open") if x.is_open(now) else t("filings.closed") for x in lines
                ],
                t("filings.filed"): [f"{x.filed} / {x.merchants}" for x in lines],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(t("filings.how_known"))


def mark_filed(row: pd.Series) -> None:
    """The merchant filed on their own: staff record it, with the day."""
    mid, what = int(row["id"]), row["what"]
    with st.popover(
        t("filings.mark"), icon=":material/done:", key=record_key("filings", f"mark_{what}", mid)
    ):
        filed_on = st.date_input(
            t("filings.filed_on"),
            value=now,
            max_value=now,
            key=record_key("filings", f"filed_on_{what}", mid),
        )
        if st.button(
            t("filings.mark_confirm"), key=record_key("filings", f"mark_ok_{what}", mid)
        ) and write(
            filings.mark_filed,
            actor=actor,
            merchant_id=mid,
            kind=what,
            filed_on=filed_on,
            today=now,
        ):
            flash(t("filings.marked", name=plain(row["shop_name"])), anchor=FILINGS)
            st.rerun()


def due_row(row: pd.Series) -> None:
    """One merchant to help: what falls due when, and a request taken in one tap (or the
    open one named), or the filing marked done."""
    mid, what = int(row["id"]), row["what"]
    with st.container(border=True, key=record_key("filings", f"row_{what}", mid)):
        info, act = st.columns([3, 2], vertical_alignment="center")
        info.markdown(
            f"**{plain(row['shop_name'])}** · {t(f'proxy.due.{what}')} {day(row['due'])} · "
            + t("filings.days_left", n=row["days_left"])
            + f"  \n:material/person: {plain(row['owner_name'])} · :material/call: "
            f"{call_link(row['phone'])} · :gray[{plain(row['community'])}]"
        )
        if not pd.isna(row["open_request"]):
            act.caption(t("filings.request_open", id=int(row["open_request"])))
        elif action_button(
            t("filings.take"),
            scope="filings",
            action=f"take_{what}",
            record_id=mid,
            where=act,
            primary=True,
            icon=":material/assignment_add:",
        ) and write(
            filings.take_request,
            actor=actor,
            merchant_id=mid,
            what=what,
            today=now,
            lang=lang(),
        ):
            flash(t("filings.taken", name=plain(row["shop_name"])), anchor=FILINGS)
            st.rerun()
        if what != filings.LICENCE and pd.isna(row["open_request"]):
            with act:
                mark_filed(row)


def due_soon() -> None:
    """The merchants to help now (nearest deadline first), each with its actions."""
    due = read(filings.filings_due, actor=actor, today=now)
    st.subheader(t("filings.due", n=len(due)))
    show_flash(FILINGS)
    st.caption(t("filings.due_rule", n=filings.NOTICE_DAYS))
    if due.empty:
        st.caption(t("filings.none_due"))
        return
    for _, row in due.head(SHOWN).iterrows():
        due_row(row)
    if len(due) > SHOWN:
        st.caption(t("filings.more", n=len(due) - SHOWN))


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
        notes = b.text_input(t("proxy.notes"), key="merchants_notes")
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
    filters = dict(search=search, active=not inactive)
    frame = read(merchants.merchant_list, actor=actor, **filters)
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
            }
        ),
        hide_index=True,
        width="stretch",
    )
    if frame.empty:
        st.info(t("merchants.none_yet"), icon=":material/lightbulb:")
        return
    export_button(actor, "merchants", key="merchants_export", **filters)
    names = {
        int(i): f"{shop} · {community}"
        for i, shop, community in zip(
            frame["id"], frame["shop_name"], frame["community"], strict=True
        )
    }
    picked = record_picker(t("proxy.pick_merchant"), names, key="merchants_pick")
    merchant = frame[frame["id"] == picked].iloc[0]
    note_view("merchant", int(picked), "merchants")  # the full record is on screen
    with st.container(border=True, key=record_key("merchants", "card", picked)):
        show_flash(msg_anchor(picked))
        st.subheader(plain(merchant["shop_name"]))
        st.write(
            f":material/person: {plain(merchant['owner_name'])} · :material/call: {call_link(merchant['phone'])}"
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
        notes = st.text_input(t("proxy.notes"), m["notes"], key=key("notes"))
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
    calendar()
    due_soon()
    lazy_tabs(
        "merchants_tab",
        [
            (t("proxy.tab.merchants"), registry_tab),
            (t("proxy.tab.new_merchant"), new_merchant_form),
        ],
    )


main()
