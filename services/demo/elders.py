"""Demo step: elders in care, who visits them, the interval policy and three years of visits.

Intervals follow the default policy; some elders have slipped past theirs, so the
overdue list has work on it, as in any real office.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from models.base import utcnow
from models.elders import Elder, ElderVisitor, Visit, VisitPolicy
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.visit_policy import DEFAULTS, interval_of

STREETS = ("学府康都", "电力小区", "昭乌达路", "大学西街", "锡林南路", "大召前街", "通道南街")
NEEDS = (
    ("燃气灶打火困难，需要维修", "联系物业维修"),
    ("想办理高龄津贴", "帮助准备材料"),
    ("家里灯泡坏了，够不着", "请志愿者上门更换"),
    ("腿脚不便，需要代买药品", "转红色代办员"),
    ("希望有人陪着聊聊天", "安排爱心阿姨服务队每周上门"),
)


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
    ctx.bulk_insert(
        VisitPolicy,
        [
            {"id": i, "community_id": None, "situation": rule, "interval_days": days}
            for i, (rule, days) in enumerate(DEFAULTS.items(), start=1)
        ],
        "visit policy",
    )

    per_community = max(10, size.elders // len(communities))
    # Elders join over the years, so the average one has only part of the span to be
    # visited in: the budget per elder is set a little higher to reach the volume.
    budget = int(size.visits * 1.25) // (per_community * len(communities))
    elders: list[dict] = []
    assignments: list[dict] = []
    visits: list[dict[str, Any]] = []
    elder_ids: dict[int, list[int]] = {}
    elder_id = visit_id = 0
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
                )
                if rng.random() < p
            ]
            if age >= 80:
                situations.append("高龄")
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
            if not elders[-1]["active"]:
                elders[-1] |= {
                    "deactivated_reason": rng.choice(("搬离本社区", "已去世", "入住养老院")),
                    "deactivated_on": today - timedelta(days=rng.randrange(5, 200)),
                }
            elder_ids[cid].append(elder_id)
            pool = visitors_of.get(cid, [])
            if pool and rng.random() > 0.15:
                chosen = {pool[0]} | ({pool[1]} if len(pool) > 1 and n % 5 == 0 else set())
                assignments += [{"elder_id": elder_id, "account_id": a} for a in chosen]
            interval = interval_of(situations, age, DEFAULTS)
            first_visit = len(visits)
            lapsed = rng.random() < 0.12
            day = today - timedelta(
                days=(interval + rng.randrange(1, 30)) if lapsed else rng.randrange(0, interval)
            )
            for _ in range(budget):
                if day < registered:
                    break
                visit_id += 1
                need, follow = rng.choice(NEEDS) if rng.random() < 0.1 else ("", "")
                visits.append(
                    {
                        "id": visit_id,
                        "elder_id": elder_id,
                        "visitor_account_id": pool[0] if pool else None,
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
            closer = interval_of(situations, age, DEFAULTS, elders[-1]["care_level"])
            for v in visits[first_visit:] if closer < interval else ():
                v["visited_on"] = today - timedelta(  # rounded up: a lapsed elder stays lapsed
                    days=-(-(today - v["visited_on"]).days * closer // interval)
                )
    ctx.bulk_insert(Elder, elders, "elders")
    ctx.bulk_insert(ElderVisitor, assignments, "elder visitors")
    names = {a: n for n, a in accounts.items()}
    display = {"wangge": "刘网格员", "zhiyuan": "张志愿", "shuji": "王书记"}
    stamp = utcnow()
    for v in visits:
        v["visitor_name"] = display.get(names.get(v["visitor_account_id"], ""), "社区工作人员")
        v["created_at"] = stamp
    ctx.bulk_insert(Visit, visits, "visits", chunk=20000)
    ctx.ids["elder_ids"] = elder_ids
