"""The filings calendar of a 个体工商户 (every merchant of the registry is taken to be
one): the recurring windows (the annual report, 1 January - 30 June for the year before;
the business-income tax settlement 经营所得汇算清缴, 1 January - 31 March) and each
licence's own expiry (Merchant.licence_due); who has filed; the merchants to help as a
deadline nears; a proxy request for a filing in one step.

A merchant has filed in a window when either
- a proxy request of that kind for them was done within the window (Beijing dates), or
- staff marked it filed, with the day (MerchantFiling: filed on their own, or elsewhere).
A licence is dealt with once its new expiry is entered on the merchant.

The registry itself is services.merchants, the requests services.proxy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, col, select

from models.org import Community
from models.proxy import FilingKind, Merchant, MerchantFiling, ProxyRequest, ProxyStatus
from services import audit, proxy
from services.access import STAFF, Actor, get_scoped
from services.db import local_bounds
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate

# Each recurring filing's window in a year: (first month, day), (last month, day).
WINDOWS: dict[FilingKind, tuple[tuple[int, int], tuple[int, int]]] = {
    FilingKind.annual_report: ((1, 1), (6, 30)),
    FilingKind.tax_settlement: ((1, 1), (3, 31)),
}
NOTICE_DAYS = 30  # merchants not filed are listed from this many days before the end
LICENCE = "licence"  # the due list's `what` for a licence expiring


def window(kind: FilingKind, year: int) -> tuple[date, date]:
    """The first and last day (both included) of the filing's window in `year`."""
    (m1, d1), (m2, d2) = WINDOWS[kind]
    return date(year, m1, d1), date(year, m2, d2)


def filed_merchants(session: Session, kind: FilingKind, year: int) -> set[int]:
    """The merchants who filed in the window of `year`: a done request of the kind
    within the window, or a mark set by staff."""
    first, last = window(kind, year)
    begin, end = local_bounds(first, last + timedelta(days=1))
    done_at = col(ProxyRequest.done_at)
    by_request = session.exec(
        select(ProxyRequest.merchant_id).where(
            ProxyRequest.kind == kind.value,
            ProxyRequest.status == ProxyStatus.done,
            done_at >= begin,
            done_at < end,
        )
    ).all()
    marked = session.exec(
        select(MerchantFiling.merchant_id).where(
            MerchantFiling.kind == kind, MerchantFiling.year == year
        )
    ).all()
    return set(by_request) | set(marked)


@dataclass(frozen=True)
class CalendarLine:
    """A recurring filing this year: its window, and how many active merchants (of the
    reader's communities) have filed in it."""

    kind: FilingKind
    first: date
    last: date
    merchants: int
    filed: int

    def is_open(self, today: date) -> bool:
        return self.first <= today <= self.last


def _active_merchants(session: Session, actor: Actor) -> list[tuple[Merchant, str]]:
    stmt = (
        select(Merchant, Community.name)
        .join(Community, col(Community.id) == col(Merchant.community_id))
        .where(col(Merchant.active))
        .order_by(col(Merchant.community_id), col(Merchant.shop_name))
    )
    ids = actor.community_ids()
    if ids is not None:
        stmt = stmt.where(col(Merchant.community_id).in_(ids))
    return list(session.exec(stmt).all())


def filing_calendar(*, session: Session, actor: Actor, today: date) -> list[CalendarLine]:
    """This year's recurring filings, with how many merchants have filed."""
    actor.require(STAFF)
    ids = {m.id for m, _ in _active_merchants(session, actor)}
    lines = []
    for kind in WINDOWS:
        first, last = window(kind, today.year)
        filed = filed_merchants(session, kind, today.year) & ids
        lines.append(CalendarLine(kind, first, last, len(ids), len(filed)))
    return lines


def filings_due(*, session: Session, actor: Actor, today: date) -> pd.DataFrame:
    """The merchants to help now, nearest deadline first: a licence expiring within
    NOTICE_DAYS; and, once NOTICE_DAYS or fewer remain of a recurring window, every
    merchant who has not filed in it (until its last day). `open_request` is an open
    request of that kind for the merchant (then nothing new is offered), else None."""
    actor.require(STAFF)
    merchants = _active_merchants(session, actor)
    open_requests = {
        (m, k): i
        for i, m, k in session.exec(
            select(ProxyRequest.id, ProxyRequest.merchant_id, ProxyRequest.kind).where(
                col(ProxyRequest.status).in_(proxy.OPEN)
            )
        )
    }
    rows = []

    def add(m: Merchant, community: str, what: str, due: date) -> None:
        rows.append(
            {
                "id": m.id,
                "shop_name": m.shop_name,
                "owner_name": m.owner_name,
                "phone": m.phone,
                "community": community,
                "what": what,
                "due": due,
                "days_left": (due - today).days,
                "open_request": open_requests.get((m.id, what)),
            }
        )

    horizon = today + timedelta(days=NOTICE_DAYS)
    for m, community in merchants:
        if m.licence_due is not None and today <= m.licence_due <= horizon:
            add(m, community, LICENCE, m.licence_due)
    for kind in WINDOWS:
        first, last = window(kind, today.year)
        if first <= today <= last and (last - today).days <= NOTICE_DAYS:
            filed = filed_merchants(session, kind, today.year)
            for m, community in merchants:
                if m.id not in filed:
                    add(m, community, kind.value, last)
    frame = pd.DataFrame(
        rows,
        columns=[
            "id",
            "shop_name",
            "owner_name",
            "phone",
            "community",
            "what",
            "due",
            "days_left",
            "open_request",
        ],
    )
    frame["open_request"] = frame["open_request"].astype("Int64")
    return frame.sort_values(["days_left", "id"], kind="stable").reset_index(drop=True)


def mark_filed(
    *,
    session: Session,
    actor: Actor,
    merchant_id: int,
    kind: FilingKind | str,
    filed_on: date | None,
    today: date,
) -> None:
    """Staff record that the merchant filed in this year's window (on their own, or
    elsewhere), and the day: within the window, not after today; once per window."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if kind not in {k.value for k in FilingKind}:
        raise BoardError("filings.kind_invalid")
    kind = FilingKind(kind)
    first, last = window(kind, today.year)
    if filed_on is None or not first <= filed_on <= min(last, today):
        raise BoardError("filings.day_invalid", first=first.isoformat(), last=last.isoformat())
    if merchant.id in filed_merchants(session, kind, today.year):
        raise BoardError("filings.already_filed", name=merchant.shop_name)
    row = MerchantFiling(
        merchant_id=merchant.id,
        kind=kind,
        year=today.year,
        filed_on=filed_on,
        recorded_by_account_id=actor.id,
    )
    session.add(row)
    audit.record(session, actor_id=actor.id, action="create", row=row)


def take_request(
    *,
    session: Session,
    actor: Actor,
    merchant_id: int,
    what: str,
    today: date,
    lang: str = DEFAULT_LANG,
) -> int:
    """A proxy request for the filing listed (a licence, or a recurring filing), in one
    step: its detail says which ("2025 年度报告"), and it is due by the kind's usual days
    but never after the filing's own deadline."""
    merchant = get_scoped(session, actor, Merchant, merchant_id)
    if what == LICENCE:
        deadline = merchant.licence_due
        detail = translate("filings.detail.licence", lang, day=str(deadline or ""))
    elif what in {k.value for k in FilingKind}:
        deadline = window(FilingKind(what), today.year)[1]
        detail = translate(f"filings.detail.{what}", lang, year=today.year - 1)
    else:
        raise BoardError("filings.kind_invalid")
    due = today + timedelta(days=proxy.DUE_DAYS[what])
    if deadline is not None and today <= deadline < due:
        due = deadline
    return proxy.request_create(
        session=session,
        actor=actor,
        merchant_id=merchant.id,
        kind=what,
        detail=detail,
        today=today,
        due_on=due,
    )
