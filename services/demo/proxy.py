"""Demo step: merchants (many small shops of the 大召 tourist area), three years of proxy
requests run for them by 红色代办员 with the merchants' 好差评, the rectification of each
差评 (most called back in time, a few late, the recent ones still open), and this year's
filings staff marked as done."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from models.base import LOCAL_TZ, local
from models.proxy import (
    CallBackOutcome,
    FilingKind,
    Merchant,
    MerchantFiling,
    ProxyRectification,
    ProxyRequest,
    ProxyRequestChange,
)
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.filings import window
from services.proxy import DUE_DAYS
from services.rectifications import DEFAULT_DAYS, is_bad
from services.working_days import add_working_days

SHOPS = [
    ("老绥元烧卖馆", "餐饮"),
    ("德顺源烧卖", "餐饮"),
    ("蒙古奶茶馆", "餐饮"),
    ("草原奶食品店", "食品"),
    ("民族工艺品店", "工艺品"),
    ("驼绒制品店", "服装"),
    ("银器坊", "工艺品"),
    ("旅游纪念品店", "零售"),
    ("马头琴乐器行", "工艺品"),
    ("皮画工作室", "工艺品"),
    ("便民超市", "零售"),
    ("理发店", "服务"),
]
KIND_WEIGHTS = {
    "annual_report": 3,
    "tax_settlement": 1,
    "licence": 2,
    "utilities": 4,
    "parcels": 5,
    "elder_care": 1,
    "policy": 2,
    "other": 1,
}
DETAILS = {
    "annual_report": "帮助填报市场主体年报",
    "tax_settlement": "帮助办理经营所得汇算清缴",
    "licence": "食品经营许可证延续",
    "utilities": "代缴本月水电费",
    "parcels": "店主外出进货，代收快递",
    "elder_care": "店主忙，请帮忙看望家中老人",
    "policy": "咨询个体户税收政策",
    "other": "帮忙联系维修",
}


def seed(ctx: DemoContext) -> None:
    rng, size, today = ctx.rng, ctx.size, ctx.today
    phones = Phones(rng)
    communities = ctx.ids["community_ids"]
    accounts = ctx.ids["account_ids"]
    agents = {
        communities.get("大召社区"): [accounts["daiban"], accounts["dazhao"]],
        communities.get("四千米社区"): [accounts["shuji"], accounts["wangge"]],
    }
    secretaries = {
        communities.get(c): accounts[u]
        for c, u in (("前进社区", "qianjin"), ("金润社区", "jinrun"), ("义和巷社区", "yihe"))
    }
    merchants: list[dict] = []
    by_community: dict[int, list[int]] = {}
    mid = 0
    for cname, cid in communities.items():
        by_community[cid] = []
        count = 30 if cname == "大召社区" else 10
        if size.communities > 5:
            count *= 2
        for n in range(count):
            mid += 1
            shop, business = SHOPS[n % len(SHOPS)]
            merchants.append(
                {
                    "id": mid,
                    "shop_name": shop if n < len(SHOPS) else f"{shop}（{n // len(SHOPS) + 1}号店）",
                    "owner_name": person_name(rng),
                    "phone": phones.next(),
                    "address": f"{'大召前街' if cname == '大召社区' else cname}{rng.randrange(1, 120)}号",
                    "business_type": business,
                    "community_id": cid,
                    "licence_due": today + timedelta(days=rng.randrange(-30, 700)),
                    "notes": "",
                    "active": True,
                }
            )
            by_community[cid].append(mid)
    ctx.bulk_insert(Merchant, merchants, "merchants")

    kinds = [k for k, w in KIND_WEIGHTS.items() for _ in range(w)]
    weights = [5 if c == communities.get("大召社区") else 1 for c in communities.values()]
    first_day = today - timedelta(days=365 * size.years)
    requests, changes, change_id = [], [], 0
    for rid in range(1, size.proxy_requests + 1):
        cid = rng.choices(list(communities.values()), weights)[0]
        kind = rng.choice(kinds)
        requested = first_day + timedelta(days=rng.randrange((today - first_day).days + 1))
        due = requested + timedelta(days=DUE_DAYS[kind])
        pool = agents.get(cid) or ([secretaries[cid]] if cid in secretaries else [])
        agent = rng.choice(pool) if pool else None
        age = (today - requested).days
        status, done_at, rating, reason = "submitted", None, None, ""
        path = ["submitted"]
        if age > 20 or rng.random() < min(1.0, age / 20):
            if rng.random() < 0.05:
                path, status, reason = (
                    ["submitted", "rejected"],
                    "rejected",
                    "不属于代办范围，已告知商户办理渠道",
                )
            else:
                took = max(0, int(rng.gauss(DUE_DAYS[kind] * 0.7, 2)))
                if requested + timedelta(days=took) <= today:
                    path = ["submitted", "accepted", "in_progress", "done"]
                    status = "done"
                    done_at = datetime.combine(
                        requested + timedelta(days=took), time(rng.randrange(9, 18)), LOCAL_TZ
                    ).astimezone(UTC)
                    rating = rng.choices((5, 4, 3, 2, 1, None), (60, 25, 6, 2, 1, 7))[0]
                else:
                    path, status = ["submitted", "accepted", "in_progress"], "in_progress"
        elif age > 1 and rng.random() < 0.6:
            path, status = ["submitted", "accepted"], "accepted"
        requests.append(
            {
                "id": rid,
                "merchant_id": rng.choice(by_community[cid]),
                "community_id": cid,
                "kind": kind,
                "detail": DETAILS[kind],
                "requested_on": requested,
                "due_on": due,
                "agent_account_id": agent,
                "status": status,
                "reject_reason": reason,
                "done_at": done_at,
                "satisfaction": rating,
                "rated_at": done_at if rating is not None else None,
                "feedback": "服务很周到" if rating == 5 else "",
                "created_at": datetime.combine(requested, time(9), LOCAL_TZ).astimezone(UTC),
            }
        )
        at = datetime.combine(requested, time(9), LOCAL_TZ).astimezone(UTC)
        for i, step in enumerate(path):
            change_id += 1
            stamp = done_at if step == "done" else at + timedelta(hours=4 * i)
            changes.append(
                {
                    "id": change_id,
                    "request_id": rid,
                    "from_status": path[i - 1] if i else None,
                    "to_status": step,
                    "at": stamp,
                    "by_account_id": agent,
                    "note": reason if step == "rejected" else "",
                }
            )
    ctx.bulk_insert(ProxyRequest, requests, "proxy requests")
    ctx.bulk_insert(ProxyRequestChange, changes, "request history", chunk=20000)
    ctx.ids["proxy_request_ids"] = [
        r["id"] for r in requests if r["status"] in ("accepted", "in_progress")
    ]
    # the secretary of each community makes the call-backs and marks filings; these draw
    # from their own random source, so the later steps' demo data stays as it was
    callers = secretaries | {
        communities.get(c): accounts[u]
        for c, u in (("大召社区", "dazhao"), ("四千米社区", "shuji"))
    }
    follow_up = random.Random(f"proxy-follow-up-{today}")
    ctx.bulk_insert(
        ProxyRectification, _rectifications(follow_up, today, requests, callers), "rectifications"
    )
    ctx.bulk_insert(
        MerchantFiling,
        _filing_marks(follow_up, today, merchants, requests, callers),
        "filing marks",
    )


NOTES = {
    CallBackOutcome.resolved: "已电话回访，问题已解决，商户认可",
    CallBackOutcome.explained: "已上门说明办理时限，商户表示理解",
}


def _rectifications(
    rng: random.Random, today: date, requests: list[dict], callers: dict
) -> list[dict]:
    """One per 差评, due DEFAULT_DAYS working days after the rating; the secretary of the
    community calls back: most by the deadline, some late, the recent ones not yet."""
    rows: list[dict] = []
    bad = sorted((r for r in requests if is_bad(r["satisfaction"])), key=lambda r: r["rated_at"])
    waiting = {r["id"] for r in bad[-2:]}  # the two latest wait for their call-back
    for r in bad:
        opened_on = local(r["rated_at"]).date()
        deadline = add_working_days(opened_on, DEFAULT_DAYS)
        took = rng.choice((1, 2, 3, 4, 5, 6, 9)) if rng.random() < 0.9 else 12
        call_day = opened_on + timedelta(days=took)
        called = call_day < today and r["community_id"] in callers and r["id"] not in waiting
        outcome = rng.choice(list(CallBackOutcome))
        rows.append(
            {
                "id": len(rows) + 1,
                "request_id": r["id"],
                "community_id": r["community_id"],
                "opened_on": opened_on,
                "deadline": deadline,
                "called_at": (
                    datetime.combine(call_day, time(rng.randrange(9, 17)), LOCAL_TZ).astimezone(UTC)
                    if called
                    else None
                ),
                "called_by_account_id": callers[r["community_id"]] if called else None,
                "outcome": outcome if called else None,
                "note": NOTES[outcome] if called else "",
            }
        )
    return rows


def _filing_marks(
    rng: random.Random, today: date, merchants: list[dict], requests: list[dict], callers: dict
) -> list[dict]:
    """This year's windows that have opened: about two in three of the merchants who did
    not file through a request marked as having filed on their own, on a day within the
    window and not after today."""
    rows: list[dict] = []
    for kind in FilingKind:
        first, last = window(kind, today.year)
        if today < first:
            continue
        through_request = {
            r["merchant_id"]
            for r in requests
            if r["kind"] == kind.value
            and r["done_at"] is not None
            and first <= local(r["done_at"]).date() <= last
        }
        span = (min(last, today) - first).days
        for m in merchants:
            if m["id"] in through_request or rng.random() >= 0.65:
                continue
            filed_on = first + timedelta(days=rng.randrange(span + 1))
            rows.append(
                {
                    "id": len(rows) + 1,
                    "merchant_id": m["id"],
                    "kind": kind,
                    "year": today.year,
                    "filed_on": filed_on,
                    "recorded_by_account_id": callers.get(m["community_id"]),
                    "recorded_at": datetime.combine(filed_on, time(17), LOCAL_TZ).astimezone(UTC),
                }
            )
    return rows
