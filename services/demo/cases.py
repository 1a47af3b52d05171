"""Demo step: a year of residents' cases (需求清单 → 满意清单) up to the demo's today, with
every step of each case as the workflow (services/cases.py) writes it, the mediation
records of the disputes, and the departments the street calls in (吹哨).

Each case is told as its whole story first (reported, accepted or declined, dispatched,
handled, closed, called back, rectified after a 差评) and then cut at the demo's "now":
the recent ones are still open, some of them past their time limit. Its row is what its
steps leave it at, applied in order as services/cases.add_step does, so status and
timestamps always agree with the history. Most residents are satisfied; a few cases are
declined, escalated to a department, or rectified; nearly every dispute ends in an
agreement.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import select

from models.accounts import Account, Role
from models.base import LOCAL_TZ, local
from models.cases import (
    DISPUTES,
    SATISFIED_FROM,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseNumber,
    CaseStep,
    Mediation,
)
from models.org import Grid
from models.volunteers import Team
from services.case_settings import DEFAULT_LIMITS
from services.demo import DemoContext
from services.demo.names import Phones, person_name
from services.rectifications import DEFAULT_DAYS as RECTIFY_DAYS
from services.working_days import add_working_days

C = CaseCategory
CATEGORY_WEIGHTS = {
    C.facilities: 25,
    C.sanitation: 15,
    C.property_dispute: 5,
    C.neighbour_dispute: 6,
    C.family_dispute: 3,
    C.policy: 14,
    C.help: 12,
    C.complaint: 8,
    C.other: 4,
}
SOURCE_WEIGHTS = {"patrol": 35, "walk_in": 20, "council": 8, "hotline": 20, "phone": 12, "other": 5}
DESCRIPTIONS = {
    C.facilities: [
        "路灯不亮，晚上出行不便",
        "楼道声控灯坏了",
        "单元门门禁损坏，外人随意进出",
        "小区自来水管漏水",
        "下水道堵塞，一楼返水",
        "电梯故障停运，老人上下楼困难",
        "健身器材损坏，存在安全隐患",
        "井盖松动，夜间有安全隐患",
        "暖气不热，室温不足十六度",
        "顶楼屋面漏水",
    ],
    C.sanitation: [
        "楼道堆物，影响通行和消防安全",
        "垃圾清运不及时，有异味",
        "绿地内积存建筑垃圾",
        "宠物粪便无人清理",
        "楼道小广告乱贴乱画",
        "废弃自行车长期占用车棚",
    ],
    C.property_dispute: [
        "对物业费收费标准有异议",
        "车位被长期占用，物业不处理",
        "物业维修不及时引发纠纷",
        "小区停车管理引发业主与物业矛盾",
    ],
    C.neighbour_dispute: [
        "楼上漏水殃及楼下，双方对赔偿有争议",
        "深夜装修噪音扰民",
        "宠物纠纷：犬只未拴绳惊吓老人",
        "占用公共楼道引发邻里纠纷",
        "空调外机噪音和滴水纠纷",
    ],
    C.family_dispute: [
        "子女对赡养老人费用分担有争议",
        "夫妻矛盾，需要调解",
        "房屋继承引发家庭纠纷",
    ],
    C.policy: [
        "养老政策咨询：高龄津贴如何申领",
        "城乡居民医保缴费政策咨询",
        "低保申请条件咨询",
        "居住证办理咨询",
        "老旧小区改造政策咨询",
        "残疾人两项补贴咨询",
    ],
    C.help: [
        "独居老人需要助餐服务",
        "行动不便，需要代购药品",
        "困难家庭申请临时救助",
        "老人外出走失，家属求助",
        "双职工家庭孩子课后托管求助",
    ],
    C.complaint: [
        "夜市摊点油烟扰民",
        "商铺占道经营，影响通行",
        "小区内违规搭建",
        "建筑工地夜间施工噪音",
        "饭店油烟直排",
    ],
    C.other: [
        "建议增设快递柜",
        "建议在广场增加休闲座椅",
        "反映小区门口早晚高峰交通拥堵",
    ],
}
RESULTS = {
    C.facilities: "已联系物业和维修单位处理，恢复正常",
    C.sanitation: "已组织清理，并提醒居民文明维护",
    C.policy: "已当面解答政策，并告知办理材料和流程",
    C.help: "已对接志愿服务队和相关资源，提供帮助",
    C.complaint: "已会同执法人员现场处理，责令整改",
    C.other: "已记录建议，转相关部门研究落实",
}
MEDIATED = "经人民调解员组织双方调解，达成一致意见"
TERMS = {
    C.property_dispute: "物业于十五日内完成维修，业主按期缴纳物业费",
    C.neighbour_dispute: "责任方承担维修费用并书面致歉，双方互谅互让",
    C.family_dispute: "子女按月轮流照料老人，费用平均分担",
}
# (name, contact, categories it takes over when the street calls it in)
DEPARTMENTS = [
    ("城管执法队", "李队长", (C.complaint, C.sanitation)),
    ("房管所", "赵所长", (C.facilities,)),
    ("供水公司", "孙经理", (C.facilities,)),
    ("派出所", "周警官", (C.complaint,)),
    ("市场监管所", "吴所长", (C.complaint,)),
]
PLACES = ["小区南门", "中心广场", "社区服务站旁", "沿街商铺", "小区车棚", "健身广场"]
LEVELS_RESOLVED = ((5, 4, 3, 2, 1), (58, 30, 8, 3, 1))
# the last weeks' cases: more stuck past their limit and more 差评 still being rectified,
# so that the demo's today has a few of each to attend to
LEVELS_RECENT = ((5, 4, 3, 2, 1), (50, 30, 8, 8, 4))
RECENT_DAYS = 45
LEVELS_UNRESOLVED = ((5, 4, 3, 2, 1), (5, 20, 40, 25, 10))


@dataclass
class _Who:
    """Who works on the cases of one community: the office (its secretary, else the
    street admin), the street (its admin: the dispatch to a department), the grid workers
    of its grids, its volunteer teams."""

    office: tuple[int, str]
    street: tuple[int, str]
    grid_workers: dict[int, tuple[int, str]]
    teams: list[tuple[int, str]]


AT = "at"  # in a step's case columns: the step's own time


@dataclass
class _Story:
    """A case's steps in order: (kind, at, who, step columns, case columns it sets)."""

    steps: list[tuple[str, datetime, tuple[int, str], dict, dict]] = field(default_factory=list)
    last: datetime | None = None

    def add(
        self, kind: str, at: datetime, who: tuple[int, str], changes: dict | None = None, **step
    ) -> datetime:
        """A step at `at` (or a minute after the step before: steps never go back in
        time); case columns given the value AT get the step's time."""
        at = max(at, self.last + timedelta(minutes=1)) if self.last else at
        columns = {k: at if v is AT else v for k, v in (changes or {}).items()}
        self.steps.append((kind, at, who, step, columns))
        self.last = at
        return at


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _on(day: date, rng: random.Random) -> datetime:
    """A moment of office hours on a local day."""
    return datetime.combine(day, time(9), LOCAL_TZ) + _hours(rng, 0, 8.5)


def _due(category: CaseCategory, urgency: str, dispatched: date) -> date:
    """The time limit's last day (services/cases.due_for, with the default limits)."""
    if urgency == "on_the_spot":
        return dispatched
    limit = DEFAULT_LIMITS[category]
    if not limit.working_days:
        return dispatched + timedelta(days=limit.days)
    return add_working_days(dispatched, limit.days)


def _people(ctx: DemoContext) -> dict[int, _Who]:
    session = ctx.session
    accounts = session.exec(
        select(Account.id, Account.display_name, Account.role, Account.community_id)
    ).all()
    admin = next((a, n) for a, n, role, _ in accounts if role == Role.admin)
    office = {c: (a, n) for a, n, role, c in accounts if role == Role.secretary}
    names = {a: n for a, n, *_ in accounts}
    workers: dict[int, dict[int, tuple[int, str]]] = {}
    for gid, cid, worker in session.exec(
        select(Grid.id, Grid.community_id, Grid.worker_account_id)
    ):
        if worker is not None:
            workers.setdefault(cid, {})[gid] = (worker, names[worker])
    teams: dict[int, list[tuple[int, str]]] = {}
    for tid, cid, name in session.exec(select(Team.id, Team.community_id, Team.name)):
        teams.setdefault(cid, []).append((tid, name))
    return {
        cid: _Who(office.get(cid, admin), admin, workers.get(cid, {}), teams.get(cid, []))
        for cid in ctx.ids["community_ids"].values()
    }


def _departments(ctx: DemoContext) -> dict[CaseCategory, list[tuple[int, str]]]:
    phones = Phones(ctx.rng, prefix="137")
    rows = [
        {"id": n, "name": name, "contact_name": contact, "contact_phone": phones.next()}
        for n, (name, contact, _) in enumerate(DEPARTMENTS, start=1)
    ]
    ctx.bulk_insert(CaseDepartment, rows, "case departments")
    taken: dict[CaseCategory, list[tuple[int, str]]] = {}
    for n, (name, _, categories) in enumerate(DEPARTMENTS, start=1):
        for category in categories:
            taken.setdefault(category, []).append((n, name))
    return taken


def seed(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    now = datetime.combine(today, time(8), LOCAL_TZ)  # what happened before 08:00 today
    who = _people(ctx)
    departments = _departments(ctx)
    phones = Phones(rng, prefix="135")
    grids = ctx.ids["grid_ids"]
    communities = list(ctx.ids["community_ids"].values())
    categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    sources, source_weights = zip(*SOURCE_WEIGHTS.items(), strict=True)
    first = today - timedelta(days=365)
    reports = sorted(
        _on(first + timedelta(days=rng.randrange(365)), rng) for _ in range(ctx.size.cases)
    )
    cases: list[dict] = []
    steps: list[dict] = []
    mediations: list[dict] = []
    numbers: Counter[int] = Counter()
    for case_id, reported in enumerate((r for r in reports if r < now), start=1):
        cid = rng.choice(communities)
        grid = rng.choice(grids[cid]) if grids[cid] and rng.random() < 0.92 else None
        category = rng.choices(categories, weights)[0]
        source = rng.choices(sources, source_weights)[0]
        dispute = category in DISPUTES
        urgency = "normal"
        if not dispute and category in (C.facilities, C.help, C.policy) and rng.random() < 0.2:
            urgency = "on_the_spot"
        elif rng.random() < 0.08:
            urgency = "urgent"
        resident = "" if source == "patrol" and rng.random() < 0.12 else person_name(rng)
        row: dict[str, Any] = {
            "id": case_id,
            "community_id": cid,
            "grid_id": grid,
            "source": source,
            "category": category,
            "urgency": urgency,
            "place": f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元"
            if rng.random() < 0.7
            else rng.choice(PLACES),
            "description": rng.choice(DESCRIPTIONS[category]),
            "resident_name": resident,
            "resident_phone": phones.next() if resident else "",
            "reported_at": reported,
        }
        office = who[cid].office
        worker = who[cid].grid_workers.get(grid) if grid else None
        reporter = worker if source == "patrol" and worker else office
        recent = (today - reported.date()).days <= RECENT_DAYS
        story = _story(rng, row, reporter, who[cid], worker, departments, recent)
        taken = [s for s in story.steps if s[1] < now]
        row |= _row_after(taken)
        local_year = local(reported).year
        numbers[local_year] += 1
        row["number"] = f"{local_year}-{numbers[local_year]:04d}"
        row["reported_by"] = reporter[0]
        cases.append(row)
        for kind, at, (account, name), step, _ in taken:
            steps.append(
                {
                    "id": len(steps) + 1,
                    "case_id": case_id,
                    "kind": kind,
                    "at": at,
                    "account_id": account,
                    "account_name": name[:40],
                }
                | step
            )
        if dispute and any(kind == "dispatch" for kind, *_ in taken):
            record = _mediation(rng, row, story.steps, taken, office, today)
            mediations.append(record | {"id": len(mediations) + 1})
    ctx.bulk_insert(Case, [_complete(c) for c in cases], "cases")
    ctx.bulk_insert(CaseStep, [_step_complete(s) for s in steps], "case steps", chunk=20000)
    ctx.bulk_insert(Mediation, mediations, "mediations")
    ctx.bulk_insert(
        CaseNumber, [{"year": y, "last": n} for y, n in sorted(numbers.items())], "case numbers"
    )


def _story(
    rng: random.Random,
    row: dict,
    reporter: tuple[int, str],
    who: _Who,
    worker: tuple[int, str] | None,
    departments: dict[CaseCategory, list[tuple[int, str]]],
    recent: bool,
) -> _Story:
    """The whole life of a case, whether or not it has happened by the demo's now."""
    story, office = _Story(), who.office
    category, urgency = row["category"], row["urgency"]
    spot = urgency == "on_the_spot"
    at = story.add("report", row["reported_at"], reporter, {"status": "reported"})
    late_decision = rng.random() < 0.06
    at += _hours(rng, 25, 60) if late_decision else _hours(rng, 0.1, 0.5 if spot else 20)
    if category in (C.policy, C.other, C.complaint) and rng.random() < 0.05:
        reason = "不属于社区受理范围，已告知居民办理渠道"
        story.add(
            "decline", at, office, {"status": "declined", "decline_reason": reason}, note=reason
        )
        return story
    at = story.add("accept", at, office, {"status": "accepted", "accepted_at": AT})
    handler, target = worker or office, {"assignee_account_id": (worker or office)[0]}
    dispatcher = office
    if who.teams and category in (C.help, C.sanitation) and rng.random() < 0.3:
        team = rng.choice(who.teams)
        handler, target = office, {"assignee_team_id": team[0]}
        to_whom = team[1]
    else:
        to_whom = handler[1]
    if category in departments and not spot and rng.random() < 0.05:  # 吹哨
        reason = "超出社区职权，需要街道协调职能部门"
        at = story.add(
            "escalate",
            at + _hours(rng, 1, 6),
            office,
            {"status": "escalated", "escalated_at": AT},
            note=reason,
        )
        department = rng.choice(departments[category])
        handler, target, to_whom = who.street, {"department_id": department[0]}, department[1]
        dispatcher = who.street
    at += _hours(rng, 0.05, 0.3) if spot else _hours(rng, 0.2, 20)
    due = _due(category, urgency, local(at).date())
    at = story.add(
        "dispatch",
        at,
        dispatcher,
        {"status": "dispatched", "dispatched_at": AT, "due_on": due} | target,
        to_whom=to_whom[:80],
        new_due=due,
    )
    if "department_id" in target:
        at = story.add(
            "department_answer",
            at + _hours(rng, 2, 30),
            who.street,
            {"department_answered_at": AT},
        )
    start = at + _hours(rng, 0.1 if spot else 0.5, 1 if spot else 8)
    at = story.add("start", start, handler, {"status": "in_progress"})
    handled_on = _handled_on(rng, local(at).date(), due, spot, recent)
    if handled_on > due and rng.random() < 0.3:  # 延期, approved before the day ran out
        story.add(
            "extend",
            _on(due, rng),
            office,
            {"due_on": handled_on},
            note="需要协调多方，申请延期",
            new_due=handled_on,
            approved_by="街道分管主任",
        )
    handled = max(_on(handled_on, rng), at + _hours(rng, 0.5, 3))
    resolved = rng.random() < 0.95
    if category in DISPUTES:
        story.add("mediation", handled - timedelta(minutes=30), office, note="调解记录")
        resolved = rng.random() < 0.97  # an agreement: the need is met
    result = MEDIATED if category in DISPUTES else RESULTS[category]
    at = story.add(
        "feedback",
        handled,
        handler,
        {"status": "handled", "handled_at": AT, "result": result},
        note=result,
    )
    at = story.add(
        "close",
        at + _hours(rng, 1, 30),
        office,
        {"status": "closed", "resolved": resolved, "closed_at": AT},
    )
    _call_back(rng, story, row, at, office, handler, resolved, recent)
    return story


def _handled_on(rng: random.Random, started: date, due: date, spot: bool, recent: bool) -> date:
    """Most by the due day, one in ten late by days, a few stuck for weeks."""
    if spot:
        return started
    chance = rng.random()
    if chance < (0.15 if recent else 0.03):
        return due + timedelta(days=rng.randint(10, 50))
    if chance < 0.12:
        return due + timedelta(days=rng.randint(1, 6))
    span = max(0, (due - started).days)
    return started + timedelta(days=int(span * rng.random() ** 1.5))


def _call_back(
    rng: random.Random,
    story: _Story,
    row: dict,
    closed: datetime,
    office: tuple[int, str],
    handler: tuple[int, str],
    resolved: bool,
    recent: bool,
) -> None:
    """回访 the day after closing; a 差评 reopens the case for 整改 (due in working days),
    rectified and called back again."""
    at = closed + _hours(rng, 16, 60)
    if not row["resident_name"] or rng.random() < 0.02:
        story.add("unreachable", at, office, {"status": "unreachable"}, note="无法联系到居民")
        return
    levels, weights = (
        LEVELS_UNRESOLVED if not resolved else LEVELS_RECENT if recent else LEVELS_RESOLVED
    )
    level = rng.choices(levels, weights)[0]
    changes = {"called_back_at": AT, "satisfaction": level}
    if level >= SATISFIED_FROM:
        story.add("call_back", at, office, changes | {"status": "satisfied"}, level=level)
        return
    at = story.add("call_back", at, office, changes, level=level, note="居民不满意，要求整改")
    due = add_working_days(local(at).date(), RECTIFY_DAYS)
    at = story.add("reopen", at, office, {"status": "rectifying", "rectify_due": due}, new_due=due)
    at = story.add("start", at + _hours(rng, 4, 96), handler, {"status": "in_progress"})
    late = rng.random() < 0.15
    done_on = due + timedelta(days=rng.randint(1, 5)) if late else local(at).date()
    done_on += timedelta(days=0 if late else rng.randint(0, 3))
    at = story.add(
        "feedback",
        max(_on(done_on, rng), at + _hours(rng, 1, 3)),
        handler,
        {"status": "handled", "handled_at": AT, "result": "已按居民意见整改到位"},
    )
    at = story.add("close", at + _hours(rng, 1, 20), office, {"status": "closed", "resolved": True})
    again = rng.choices((5, 4, 3), (40, 45, 15))[0]
    story.add(
        "call_back",
        at + _hours(rng, 16, 48),
        office,
        {"called_back_at": AT, "satisfaction": again, "status": "satisfied"},
        level=again,
    )


def _row_after(taken: list) -> dict:
    """The case's columns after its steps, applied in order (closed_at: the first)."""
    row: dict[str, Any] = {}
    for _kind, at, _who, _step, changes in taken:
        for key, value in changes.items():
            if key == "closed_at" and row.get("closed_at") is not None:
                continue
            row[key] = value
        row["updated_at"] = at
    return row


CASE_DEFAULTS = {
    "elder_id": None,
    "visit_id": None,
    "accepted_at": None,
    "decline_reason": "",
    "dispatched_at": None,
    "assignee_account_id": None,
    "assignee_team_id": None,
    "department_id": None,
    "due_on": None,
    "escalated_at": None,
    "department_answered_at": None,
    "handled_at": None,
    "result": "",
    "closed_at": None,
    "resolved": None,
    "called_back_at": None,
    "satisfaction": None,
    "rectify_due": None,
}
STEP_DEFAULTS = {"note": "", "to_whom": "", "level": None, "new_due": None, "approved_by": ""}


def _complete(row: dict) -> dict:
    """Every column given (a bulk insert takes the columns of its first row)."""
    return CASE_DEFAULTS | row


def _step_complete(step: dict) -> dict:
    return STEP_DEFAULTS | step


def _mediation(
    rng: random.Random,
    row: dict,
    whole: list,
    taken: list,
    office: tuple[int, str],
    today: date,
) -> dict:
    """The 人民调解 record, opened when the dispute was dispatched; the outcome once the
    mediation took place (by the demo's now), the 回访 on performance once it was due."""
    mediated = next((at for kind, at, *_ in taken if kind == "mediation"), None)
    agreed = next(changes["resolved"] for kind, *_, changes in whole if kind == "close")
    parties = f"{row['resident_name'] or person_name(rng)}与{person_name(rng)}"
    record: dict[str, Any] = {
        "case_id": row["id"],
        "parties": parties,
        "source": rng.choices(
            ("application", "initiative", "transferred", "entrusted"), (50, 30, 15, 5)
        )[0],
        "facts": f"{row['description']}，双方各执一词，申请社区调解。",
        "mediator_name": office[1][:40],
        "mediated_on": None,
        "outcome": None,
        "terms": "",
        "perform_by": None,
        "referred_to": "",
        "performance_checked_on": None,
        "performed": None,
        "performance_note": "",
    }
    if mediated is None:
        return record
    day = local(mediated).date()
    record |= {"mediated_on": day}
    if not agreed:
        return record | {"outcome": "failed", "referred_to": rng.choice(("区人民法院", "派出所"))}
    perform_by = day + timedelta(days=rng.randint(7, 30))
    record |= {
        "outcome": "written" if rng.random() < 0.68 else "oral",
        "terms": TERMS[row["category"]],
        "perform_by": perform_by,
    }
    checked = perform_by + timedelta(days=rng.randint(1, 5))
    if checked < today:
        performed = rng.random() < 0.95
        record |= {
            "performance_checked_on": checked,
            "performed": performed,
            "performance_note": "已按协议履行" if performed else "一方未按期履行，继续督促",
        }
    return record
