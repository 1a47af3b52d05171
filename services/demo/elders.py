"""Demo step: elders in care, who visits them, the visit tiers and three years of visits.

Intervals follow the default tiers; some elders have slipped past theirs, so the
overdue list has work on it, as in any real office.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import col, select

from models.accounts import Account
from models.base import LOCAL_TZ, utcnow
from models.elders import (
    Elder,
    ElderChange,
    ElderVisitor,
    Referral,
    Visit,
    VisitCampaign,
    VisitCampaignElder,
)
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.elders import age_on
from services.visit_content import AREAS
from services.visit_policy import DEFAULT_TIERS, ensure_defaults, place

STREETS = ("学府康都", "电力小区", "昭乌达路", "大学西街", "锡林南路", "大召前街", "通道南街")
NEEDS = (
    ("燃气灶打火困难，需要维修", "联系物业维修"),
    ("想办理高龄津贴", "帮助准备材料"),
    ("家里灯泡坏了，够不着", "请志愿者上门更换"),
    ("腿脚不便，需要代买药品", "转红色代办员"),
    ("希望有人陪着聊聊天", "安排爱心阿姨服务队每周上门"),
)

# What each need above ticks in the visit's content areas, and where it is referred (转介).
NEED_FINDINGS: dict[str, tuple[dict[str, str], str]] = {
    "燃气灶打火困难，需要维修": ({"hazards": "gas"}, "物业"),
    "想办理高龄津贴": ({"economy": "benefits"}, "民政助理"),
    "家里灯泡坏了，够不着": ({"needs": "care"}, "志愿服务队"),
    "腿脚不便，需要代买药品": ({"needs": "care"}, "社区卫生服务站"),
    "希望有人陪着聊聊天": ({"needs": "company", "health": "low_mood"}, "志愿服务队"),
}
FAMILY = ("", "visits", "calls", "visits,calls", "rarely", "rarely,neglect")
REFERRAL_WINDOW = 60  # needs found in the last days are referred
REFERRAL_DAYS = 7
AREA_OF = {"hazards": "safety"}  # the column of an area named otherwise


def seed(ctx: DemoContext) -> None:
    rng, size, today = ctx.rng, ctx.size, ctx.today
    phones = Phones(rng)
    communities = ctx.ids["community_ids"]
    accounts = ctx.ids["account_ids"]
    visitors_of = {
        communities["四千米社区"]: [accounts["wangge"], accounts["zhiyuan"], accounts["shuji"]],
    }
    for cname, username in (
        ("前进社区", "qianjin"),
        ("金润社区", "jinrun"),
        ("义和巷社区", "yihe"),
        ("大召社区", "dazhao"),
    ):
        if cname in communities:
            visitors_of[communities[cname]] = [accounts[username]]
    ensure_defaults(ctx.session)  # the street's default tiers, unless a migration made them

    per_community = max(10, size.elders // len(communities))
    # Elders join over the years, so the average one has only part of the span to be
    # visited in: the budget per elder is set a little higher to reach the volume.
    budget = int(size.visits * 1.25) // (per_community * len(communities))
    elders: list[dict] = []
    assignments: list[dict] = []
    visits: list[dict[str, Any]] = []
    elder_ids: dict[int, list[int]] = {}
    elder_id = 0
    first_day = today - timedelta(days=365 * size.years)
    for cname, cid in communities.items():
        elder_ids[cid] = []
        grids = ctx.ids["grid_ids"][cid]
        old_bias = 8 if cname == "四千米社区" else 0  # 四千米社区 has many very old residents
        for n in range(per_community):
            elder_id += 1
            age = min(101, int(rng.triangular(62, 98, 80 + old_bias)))
            birth = date(today.year - age, rng.randrange(1, 13), rng.randrange(1, 29))
            situations = [
                s
                for s, p in (
                    ("独居", 0.25),
                    ("空巢", 0.3),
                    ("失能", 0.08),
                    ("留守", 0.05),
                    ("计生特殊", 0.03),
                    ("失智", 0.04),
                    ("重残", 0.03),
                    ("特困", 0.02),
                )
                if rng.random() < p
            ]
            registered = first_day + timedelta(
                days=rng.randrange(0, max(1, (today - first_day).days - 30))
            )
            elders.append(
                {
                    "id": elder_id,
                    "name": person_name(rng),
                    "birth_date": birth,
                    "phone": phones.next(),
                    "address": f"{rng.choice(STREETS)}{rng.randrange(1, 40)}号楼{rng.randrange(1, 7)}单元{rng.randrange(1, 7)}0{rng.randrange(1, 5)}",
                    "community_id": cid,
                    "grid_id": rng.choice(grids),
                    "situations": ",".join(situations),
                    "care_level": rng.choice((0, 0, 1, 1, 2, 3)),
                    "health_notes": rng.choice(
                        ("", "高血压", "糖尿病", "行动不便，需助行器", "听力较弱，说话请大声")
                    ),
                    "guardian_name": person_name(rng),
                    "guardian_phone": phones.next(),
                    "registered_on": registered,
                    "active": rng.random() > 0.03,
                    "deactivated_reason": "",
                    "deactivated_on": None,
                }
            )
            left_on = None
            if not elders[-1]["active"]:
                # left care between registration and today, never before registering
                left_ago = min(rng.randrange(5, 200), (today - registered).days // 2)
                left_on = today - timedelta(days=left_ago)
                elders[-1] |= {
                    "deactivated_reason": rng.choice(("搬离本社区", "已去世", "入住养老院")),
                    "deactivated_on": left_on,
                }
            elder_ids[cid].append(elder_id)
            pool = visitors_of.get(cid, [])
            if pool and rng.random() > 0.15:
                chosen = {pool[0]} | ({pool[1]} if len(pool) > 1 and n % 5 == 0 else set())
                assignments += [{"elder_id": elder_id, "account_id": a} for a in chosen]
            interval = place(DEFAULT_TIERS, age, situations, 0).interval
            first_visit = len(visits)
            lapsed = rng.random() < 0.12
            day = today - timedelta(
                days=(interval + rng.randrange(1, 30)) if lapsed else rng.randrange(0, interval)
            )
            for _ in range(budget):
                if day < registered:
                    break
                need, follow = rng.choice(NEEDS) if rng.random() < 0.1 else ("", "")
                visits.append(
                    {
                        "elder_id": elder_id,
                        "visitor_account_id": pool[0] if pool else accounts["admin"],
                        "visitor_name": "",
                        "visited_on": day,
                        "mode": rng.choices(("上门", "电话", "视频"), (70, 25, 5))[0],
                        "wellbeing": rng.choices(("good", "fair", "poor"), (70, 25, 5))[0],
                        "hazards": rng.choice(("gas", "electricity", "falls", "fire"))
                        if rng.random() < 0.05
                        else "",
                        "needs_raised": need,
                        "follow_up": follow,
                        "created_at": None,
                    }
                )
                day -= timedelta(days=max(1, int(interval * rng.uniform(0.6, 1.3))))
            # A care level that asks for visits more often compresses this elder's visits
            # towards today; drawn with the same random numbers, so the later steps of the
            # demo stay as they were.
            closer = place(DEFAULT_TIERS, age, situations, elders[-1]["care_level"]).interval
            for v in visits[first_visit:] if closer < interval else ():
                v["visited_on"] = today - timedelta(  # rounded up: a lapsed elder stays lapsed
                    days=-(-(today - v["visited_on"]).days * closer // interval)
                )
            if left_on is not None:  # no visit is recorded for an elder who left care
                visits[first_visit:] = [
                    v for v in visits[first_visit:] if v["visited_on"] <= left_on
                ]
    ctx.bulk_insert(Elder, elders, "elders")
    ctx.bulk_insert(ElderVisitor, assignments, "elder visitors")
    # a visit names its visitor as the service does: the account's display name
    display = dict(ctx.session.exec(select(col(Account.id), col(Account.display_name))).all())
    stamp = utcnow()
    for visit_id, v in enumerate(visits, start=1):
        # recorded the evening of the visit, as offices do (not all at loading time: every
        # visit would look new to the readers catching up with writes, services/visit_memory)
        evening = datetime.combine(v["visited_on"], time(18), LOCAL_TZ).astimezone(UTC)
        v |= {
            "id": visit_id,
            "visitor_name": display[v["visitor_account_id"]],
            "created_at": min(evening, stamp),
        }
    left = {e["id"] for e in elders if not e["active"]}
    referrals = _content_and_referrals(visits, left, today, display)
    ctx.bulk_insert(Visit, visits, "visits", chunk=20000)
    ctx.bulk_insert(Referral, referrals, "referrals")
    _changes_and_campaign(ctx, elders, accounts["shuji"], communities["四千米社区"])
    ctx.ids["elder_ids"] = elder_ids


def _changes_and_campaign(
    ctx: DemoContext, elders: list[dict], shuji: int, community_id: int
) -> None:
    """A few major changes of the last days (some already followed by a visit) and a
    heatwave campaign of the 高风险 tier started five days ago, in 四千米社区."""
    # its own random numbers: the later steps of the demo stay as they were
    rng, today = random.Random(7), ctx.today
    cared = [e for e in elders if e["community_id"] == community_id and e["active"]]
    changes = []
    for e in rng.sample(cared, min(6, len(cared))):
        day = today - timedelta(days=rng.randrange(0, 4))
        if day >= e["registered_on"]:
            changes.append(
                {
                    "elder_id": e["id"],
                    "kind": rng.choice(("discharge", "bereavement", "fall", "weather")),
                    "occurred_on": day,
                    "note": "",
                    "recorded_by": shuji,
                    "created_at": utcnow(),
                }
            )
    ctx.bulk_insert(ElderChange, changes, "major changes")
    start = today - timedelta(days=5)
    members = [
        e["id"]
        for e in cared
        if e["registered_on"] <= start
        and place(
            DEFAULT_TIERS,
            age_on(e["birth_date"], start),
            [s for s in e["situations"].split(",") if s],
            e["care_level"],
        ).tier.name
        == "高风险"
    ]
    ctx.bulk_insert(
        VisitCampaign,
        [
            {
                "id": 1,
                "community_id": community_id,
                "name": "高温天气专项探访",
                "group_kind": "tier",
                "group_value": "高风险",
                "starts_on": start,
                "days": 7,
                "created_by": shuji,
                "active": True,
            }
        ],
        "campaigns",
    )
    ctx.bulk_insert(
        VisitCampaignElder,
        [{"campaign_id": 1, "elder_id": elder_id} for elder_id in members],
        "campaign elders",
    )


def _content_and_referrals(
    visits: list[dict[str, Any]], left: set[int], today: date, display: dict[int, str]
) -> list[dict[str, Any]]:
    """Fills what each visit found in the content areas (健康, 经济, 赡养, 安全, 需求) and
    refers the recent needs of elders still in care, as visit_record would: due a week
    on; the older ones mostly closed by their visitor, a few left open past the deadline.
    Drawn from a random source of its own, so the other demo steps stay as they were."""
    rng = random.Random(len(visits))
    referrals: list[dict[str, Any]] = []
    for v in visits:
        v |= {
            "family": rng.choices(FAMILY, (25, 20, 30, 15, 8, 2))[0],
            "health": {"poor": rng.choice(("unwell", "unwell,doctor")), "good": ""}.get(
                v["wellbeing"], rng.choice(("", "", "medication", "memory"))
            ),
            "economy": "hardship" if rng.random() < 0.03 else "",
        }
        if not v["needs_raised"]:
            continue
        ticks, service = NEED_FINDINGS[v["needs_raised"]]
        for column, item in ticks.items():
            found = {*v.get(column, "").split(","), item} - {""}
            v[column] = ",".join(i for i in AREAS[AREA_OF.get(column, column)] if i in found)
        if v["elder_id"] in left or (today - v["visited_on"]).days > REFERRAL_WINDOW:
            continue
        due = v["visited_on"] + timedelta(days=REFERRAL_DAYS)
        closed = due < today and rng.random() < 0.7
        closed_on = min(today, v["visited_on"] + timedelta(days=rng.randrange(1, 11)))
        outcome = "not_possible" if closed and rng.random() < 0.1 else "done"
        referrals.append(
            {
                "id": len(referrals) + 1,
                "visit_id": v["id"],
                "elder_id": v["elder_id"],
                "service": service,
                "need": v["needs_raised"],
                "due_on": due,
                "state": outcome if closed else "open",
                "created_by": v["visitor_account_id"],
                "created_on": v["visited_on"],
                "closed_on": closed_on if closed else None,
                "closed_by": v["visitor_account_id"] if closed else None,
                "closed_by_name": display[v["visitor_account_id"]] if closed else "",
                "closure_note": (v["follow_up"] if outcome == "done" else "老人不需要了")
                if closed
                else "",
                "created_at": v["created_at"],
            }
        )
    return referrals
