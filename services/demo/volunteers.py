"""Demo step: volunteers and teams, then tasks and their sign-ups with hours.

Data follows the rules the board enforces: never more confirmed than capacity, no
volunteer in two places at once, hours only inside a task's window.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from models.base import LOCAL_TZ
from models.volunteers import Signup, Task, Team, TeamMember, Volunteer
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.volunteers import SKILLS

TEAMS = [
    ("爱心阿姨服务队", "上门陪伴独居、高龄老人，帮忙打扫、买菜、聊天"),
    ("老党员先锋队", "退休老党员带头巡查楼院、调解邻里矛盾、宣传政策"),
    ("红色代办服务队", "为辖区商户和行动不便的居民代办年报、缴费、取快递"),
    ("青年志愿服务队", "大学生和全职宝妈参与活动服务、辅导孩子功课"),
]
TASK_TEMPLATES = {
    "elder_visit": [
        ("探访独居老人", "上门问候，检查燃气和用电安全"),
        ("陪高龄老人就医", "陪同去社区卫生服务站复查"),
    ],
    "proxy_errand": [
        ("为商户代收快递", "帮助商户集中代收、分发快递"),
        ("代办水电缴费", "帮助老人和商户线上缴纳水电费"),
    ],
    "event_staff": [
        ("齐包非遗烧卖活动服务", "活动签到、引导、维持秩序"),
        ("参观归化展馆引导", "带领居民参观，讲解展品"),
    ],
    "patrol": [
        ("楼院安全巡查", "检查消防通道、楼道杂物和电动车充电"),
        ("防诈骗宣传", "在小区门口发放宣传材料"),
    ],
    "other": [("环境卫生清扫", "清理楼院卫生死角"), ("社区图书角整理", "整理图书、登记借阅")],
}
KIND_WEIGHTS = {"elder_visit": 4, "proxy_errand": 2, "event_staff": 2, "patrol": 2, "other": 1}
SLOTS = {0: time(9, 0), 1: time(14, 30), 2: time(19, 0)}  # morning, afternoon, evening
# 补录: hours staff entered for a volunteer who could not check out, and why
ENTERED_REASONS = (
    "忘记签退，按服务队记录补录",
    "手机没电，按纸质签到表补录",
    "签到码故障，现场负责人确认",
)
ENTERED_EVERY = 17  # about one past attendance in 17 has entered hours (by sign-up id)
CHECKED_IN = {"hours_source": "check", "hours_entered_by": None, "hours_reason": ""}


def seed_people(ctx: DemoContext) -> None:
    rng, size = ctx.rng, ctx.size
    phones = Phones(rng)
    communities = ctx.ids["community_ids"]
    accounts = ctx.ids["account_ids"]
    linked = {
        ("四千米社区", 0): ("张志愿", "zhiyuan"),
        ("大召社区", 0): ("赵代办", "daiban"),
    }
    per_community = max(10, size.volunteers // len(communities))
    volunteers: list[dict] = []
    by_community: dict[int, list[int]] = {}
    next_id = 1
    for cname, cid in communities.items():
        by_community[cid] = []
        grids = ctx.ids["grid_ids"][cid]
        for i in range(per_community):
            name, username = linked.get((cname, i), (person_name(rng), None))
            skills = rng.sample(SKILLS, rng.choice((1, 1, 2, 3)))
            row = {
                "id": next_id,
                "name": name,
                "phone": phones.next(),
                "community_id": cid,
                "grid_id": rng.choice(grids),
                "skills": ",".join(sorted(skills)),
                "party_member": rng.random() < 0.35,
                "joined_on": ctx.today - timedelta(days=rng.randrange(30, 365 * size.years + 400)),
                "active": username is not None or rng.random() < 0.93,
                "account_id": accounts.get(username) if username else None,
                "note": "",
            }
            # one who left did so halfway between joining and today (no draw of the
            # generator: the rest of the demo stays as it was)
            joined: date = row["joined_on"]
            row["deactivated_on"] = None if row["active"] else joined + (ctx.today - joined) // 2
            volunteers.append(row)
            by_community[cid].append(next_id)
            next_id += 1
    ctx.bulk_insert(Volunteer, volunteers, "volunteers")

    teams, members, team_id = [], [], 1
    for cname, cid in communities.items():
        pool = by_community[cid]
        for name, purpose in TEAMS:
            if (
                name == "红色代办服务队"
                and cname not in ("大召社区", "四千米社区")
                and rng.random() < 0.5
            ):
                continue
            chosen = rng.sample(pool, min(len(pool), rng.randrange(8, 20)))
            if name == "红色代办服务队" and cname == "大召社区":
                chosen = [pool[0], *[v for v in chosen if v != pool[0]]]
            if name == "爱心阿姨服务队" and cname == "四千米社区":
                chosen = [pool[0], *[v for v in chosen if v != pool[0]]]
            teams.append(
                {
                    "id": team_id,
                    "name": name,
                    "community_id": cid,
                    "leader_id": chosen[1],
                    "purpose": purpose,
                    "active": True,
                }
            )
            members += [
                {
                    "team_id": team_id,
                    "volunteer_id": v,
                    "active": True,
                    "joined_on": ctx.today - timedelta(days=rng.randrange(10, 700)),
                }
                for v in chosen
            ]
            team_id += 1
    ctx.bulk_insert(Team, teams, "teams")
    ctx.bulk_insert(TeamMember, members, "team members")
    active = {v["id"] for v in volunteers if v["active"]}
    ctx.ids["volunteer_ids"] = {
        cid: [v for v in ids if v in active] for cid, ids in by_community.items()
    }


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, LOCAL_TZ).astimezone(UTC)


def seed_tasks(ctx: DemoContext) -> None:
    rng, size = ctx.rng, ctx.size
    communities = list(ctx.ids["community_ids"].values())
    pools = ctx.ids["volunteer_ids"]
    kinds = [k for k, w in KIND_WEIGHTS.items() for _ in range(w)]
    n_tasks = max(40, int(size.signups / 4.8))  # about 4.8 sign-ups land on a task
    first_day = ctx.today - timedelta(days=365 * size.years)
    span_days = (ctx.today - first_day).days + 21
    busy: set[tuple[int, date, int]] = set()  # (volunteer, day, slot) already holding a place
    zhiyuan_cid = ctx.ids["community_ids"].get("四千米社区")
    zhiyuan_vid = pools.get(zhiyuan_cid, [None])[0]
    tasks, signups, signup_id = [], [], 1
    for task_id in range(1, n_tasks + 1):
        cid = rng.choice(communities)
        day = first_day + timedelta(days=rng.randrange(span_days))
        if task_id <= 6 and zhiyuan_cid:  # a few open tasks soon in 四千米社区
            cid, day = zhiyuan_cid, ctx.today + timedelta(days=task_id)
        slot = rng.choice((0, 0, 1, 1, 2))
        hours = rng.choice((1.5, 2, 2, 3))
        starts = _utc(day, SLOTS[slot])
        ends = starts + timedelta(hours=hours)
        kind = rng.choice(kinds)
        title, description = rng.choice(TASK_TEMPLATES[kind])
        past = day < ctx.today
        capacity = rng.randrange(3, 13)
        demand = rng.randrange(1, capacity + 4) if not past else rng.randrange(2, capacity + 1)
        taken = 0
        pool = [v for v in pools[cid] if v != zhiyuan_vid]  # zhiyuan signs up in the demo
        candidates = rng.sample(pool, min(len(pool), demand + 3))
        placed = 0
        for vid in candidates:
            if placed >= demand:
                break
            if (vid, day, slot) in busy:
                continue
            placed += 1
            created = min(starts, _utc(ctx.today, time(7, 0))) - timedelta(
                days=rng.randrange(1, 10), minutes=rng.randrange(600)
            )
            row = {
                "id": signup_id,
                "task_id": task_id,
                "volunteer_id": vid,
                "created_at": created,
                "check_in_at": None,
                "check_out_at": None,
                "hours": 0.0,
                "hours_status": "none",
                "approved_by": None,
                "approved_at": None,
                **CHECKED_IN,
            }
            if taken >= capacity:
                row["status"] = "cancelled" if past else "waitlisted"
            elif past:
                taken += 1
                busy.add((vid, day, slot))
                if rng.random() < 0.08:
                    row["status"] = "no_show"
                else:
                    recent = (ctx.today - day).days <= 7
                    row |= {
                        "status": "attended",
                        "check_in_at": starts + timedelta(minutes=rng.randrange(-10, 10)),
                        "check_out_at": ends,
                        "hours": hours,
                        "hours_status": "pending" if recent else "approved",
                        "approved_by": None if recent else ctx.ids["approver_ids"][cid],
                        "approved_at": None if recent else ends + timedelta(days=1),
                    }
                    if signup_id % ENTERED_EVERY == 0:  # no check-out: staff entered them
                        row |= _entered(signup_id, ctx.ids["account_ids"].get("admin"))
            else:
                taken += 1
                busy.add((vid, day, slot))
                row["status"] = "confirmed"
            signups.append(row)
            signup_id += 1
        tasks.append(
            {
                "id": task_id,
                "title": title,
                "kind": kind,
                "community_id": cid,
                "place": f"{rng.choice(('社区党群服务中心', '社区活动室', '小区北门', '网格服务站'))}",
                "starts_at": starts,
                "ends_at": ends,
                "capacity": capacity,
                "taken": sum(
                    1
                    for s in signups[-placed:]
                    if s["status"] in ("confirmed", "attended", "no_show")
                )
                if placed
                else 0,
                "required_skills": "",
                "description": description,
                "status": "done" if past else "open",
                "elder_id": None,
                "proxy_request_id": None,
                "event_id": None,
                "created_by": None,
                "created_at": starts - timedelta(days=14),
            }
        )
    if zhiyuan_vid:  # zhiyuan's own history: about 1★ of approved hours
        _history(ctx, tasks, signups, zhiyuan_cid, zhiyuan_vid)
    ctx.bulk_insert(Task, tasks, "tasks")
    ctx.bulk_insert(Signup, signups, "signups")


def _entered(signup_id: int, staff_id: int | None) -> dict:
    """The hours of a sign-up as entered by staff (补录), with who and why."""
    return {
        "check_out_at": None,
        "hours_source": "staff",
        "hours_entered_by": staff_id,
        "hours_reason": ENTERED_REASONS[signup_id % len(ENTERED_REASONS)],
    }


def _history(ctx: DemoContext, tasks: list[dict], signups: list[dict], cid: int, vid: int) -> None:
    """Forty past visits for zhiyuan, so the demo volunteer has hours and a star."""
    for n in range(40):
        day = ctx.today - timedelta(days=9 + 7 * n)
        starts = _utc(day, time(8, 0))
        ends = starts + timedelta(hours=3)
        task_id, signup_id = len(tasks) + 1, len(signups) + 1
        tasks.append(
            {
                "id": task_id,
                "title": "爱心阿姨服务队探访独居老人",
                "kind": "elder_visit",
                "community_id": cid,
                "place": "四千米社区 第一网格",
                "starts_at": starts,
                "ends_at": ends,
                "capacity": 4,
                "taken": 1,
                "required_skills": "elder_care",
                "description": "上门问候，检查燃气和用电安全",
                "status": "done",
                "elder_id": None,
                "proxy_request_id": None,
                "event_id": None,
                "created_by": None,
                "created_at": starts - timedelta(days=7),
            }
        )
        signups.append(
            {
                "id": signup_id,
                "task_id": task_id,
                "volunteer_id": vid,
                "status": "attended",
                "created_at": starts - timedelta(days=3),
                "check_in_at": starts,
                "check_out_at": ends,
                "hours": 3.0,
                "hours_status": "approved",
                "approved_by": ctx.ids["approver_ids"][cid],
                "approved_at": ends + timedelta(days=1),
                **CHECKED_IN,
            }
            | (_entered(signup_id, ctx.ids["account_ids"].get("shuji")) if n in (5, 12) else {})
        )
