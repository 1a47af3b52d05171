"""The merchant registry (商户名册): register, edit, deactivate and bring back a merchant,
and the registry's list. Requests run for a merchant are services.proxy, the filings
falling due (licences, annual reports, tax settlements) services.filings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models.accounts import Role
from models.org import Community
from models.proxy import Merchant, ProxyRequest
from services import audit
from services.access import FIELD, STAFF, Actor, get_scoped, mask_address, mask_phone
from services.checks import valid_phone
from services.errors import BoardError
from services.proxy import OPEN


def _merchant_values(
    name: str,
    owner: str,
    phone: str,
    address: str,
    business_type: str,
    licence_due: date | None,
    notes: str,
) -> dict[str, Any]:
    name, owner, address = (name or "").strip(), (owner or "").strip(), (address or "").strip()
    if not name or not owner or not address:
        raise BoardError("proxy.merchant_required")
    return {
        "shop_name": name,
        "owner_name": owner,
        "phone": valid_phone(phone),
        "address": address,
        "business_type": (business_type or "").strip(),
        "licence_due": licence_due,
        "notes": (notes or "").strip(),
    }


def _name_taken(
    session: Session, community_id: int, shop_name: str, but: int | None = None
) -> bool:
    """Another active merchant of the community has this shop name (`but` excepted)."""
    stmt = select(Merchant.id).where(
        Merchant.community_id == community_id,
        Merchant.shop_name == shop_name,
        col(Merchant.active),
    )
    if but is not None:
        stmt = stmt.where(Merchant.id != but)
    return session.exec(stmt).first() is not None


def merchant_create(
    *,
    session: Session,
    actor: Actor,
    community_id: int,
    shop_name: str,
    owner_name: str,
    phone: str,
    address: str,
    business_type: str = "",
    licence_due: date | None = None,
    notes: str = "",
) -> int:
    actor.require(STAFF)
    actor.require_community(community_id)
    values = _merchant_values(
        shop_name, owner_name, phone, address, business_type, licence_due, notes
    )
    if _name_taken(session, community_id, values["shop_name"]):
        raise BoardError("proxy.merchant_taken", name=values["shop_name"])
    merchant = Merchant(community_id=community_id, **values)
    session.add(merchant)
    audit.record(session, actor_id=actor.id, action="create", row=merchant)
    return merchant.id


def merchant_update(
    *,
    session: Session,
    actor: Actor,
    merchant_id: int,
    shop_name: str,
    owner_name: str,
    phone: str,
    address: str,
    business_type: str,
    licence_due: date | None,
    notes: str,
) -> None:
    """Edits a merchant's details (shop, owner, phone and address required; another
    active merchant of the community may not have the same shop name). Deactivating
    and bringing back are merchant_deactivate / merchant_reactivate."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    values = _merchant_values(
        shop_name, owner_name, phone, address, business_type, licence_due, notes
    )
    if _name_taken(session, merchant.community_id, values["shop_name"], but=merchant_id):
        raise BoardError("proxy.merchant_taken", name=values["shop_name"])
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values=values)


def merchant_open_requests(*, session: Session, actor: Actor, merchant_id: int) -> int:
    """The merchant's requests not yet done or rejected (said before deactivating)."""
    get_scoped(session, actor, Merchant, merchant_id)
    return session.exec(
        select(func.count())
        .select_from(ProxyRequest)
        .where(ProxyRequest.merchant_id == merchant_id, col(ProxyRequest.status).in_(OPEN))
    ).one()


def merchant_deactivate(*, session: Session, actor: Actor, merchant_id: int) -> int:
    """The shop closed or left the community: the merchant leaves the registry and the
    filings due, and no new request can be taken for it. Its open requests are NOT
    closed: they stay on the board to be finished or rejected one by one (returns how
    many). Never deleted; merchant_reactivate brings it back."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if not merchant.active:
        raise BoardError("proxy.merchant_already_inactive", name=merchant.shop_name)
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values={"active": False})
    return merchant_open_requests(session=session, actor=actor, merchant_id=merchant_id)


def merchant_reactivate(*, session: Session, actor: Actor, merchant_id: int) -> None:
    """Brings a deactivated merchant back (refused if an active merchant of the
    community has taken its shop name meanwhile)."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if merchant.active:
        raise BoardError("proxy.merchant_already_active", name=merchant.shop_name)
    if _name_taken(session, merchant.community_id, merchant.shop_name):
        raise BoardError("proxy.merchant_taken", name=merchant.shop_name)
    audit.apply_changes(session, actor_id=actor.id, row=merchant, values={"active": True})


def merchant_list(
    *, session: Session, actor: Actor, search: str = "", active: bool = True
) -> pd.DataFrame:
    """The registry (active merchants, or the deactivated ones), by community and shop
    name, at most 500; phones, addresses and notes only in full for staff."""
    actor.require(FIELD | {Role.volunteer})
    stmt = (
        select(Merchant, Community.name)
        .join(Community, col(Community.id) == col(Merchant.community_id))
        .where(col(Merchant.active) == active)
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Merchant.community_id).in_(ids))
    if search.strip():
        like = f"%{search.strip()}%"
        stmt = stmt.where(
            or_(
                col(Merchant.shop_name).like(like),
                col(Merchant.owner_name).like(like),
                col(Merchant.business_type).like(like),
            )
        )
    rows = session.exec(
        stmt.order_by(col(Merchant.community_id), col(Merchant.shop_name)).limit(500)
    ).all()
    full = actor.sees_personal_data
    return pd.DataFrame(
        [
            {
                "id": m.id,
                "shop_name": m.shop_name,
                "owner_name": m.owner_name,
                "phone": m.phone if full else mask_phone(m.phone),
                "address": m.address if full else mask_address(m.address),
                "business_type": m.business_type,
                "community": cname,
                "community_id": m.community_id,
                "licence_due": m.licence_due,
                "notes": m.notes if full else "",
            }
            for m, cname in rows
        ],
        columns=[
            "id",
            "shop_name",
            "owner_name",
            "phone",
            "address",
            "business_type",
            "community",
            "community_id",
            "licence_due",
            "notes",
        ],
    )
