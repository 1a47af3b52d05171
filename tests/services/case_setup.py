"""A world for the tests of residents' cases: one community with two grids and their
workers, a secretary, a volunteer, the meeting display, a team and a department, and a
second community's secretary; and helpers that report a case and take it to a status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, func, select

from models.accounts import Role
from models.base import LOCAL_TZ
from models.cases import Case, CaseDepartment, CaseStep
from models.org import Grid
from models.volunteers import Team
from services import cases
from services.access import Actor
from services.cases import CaseDraft
from services.errors import BoardError
from tests.conftest import make_account, make_community

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TZ)  # an ordinary Friday


@dataclass
class CaseWorld:
    community_id: int
    grid_id: int
    other_grid_id: int  # in the same community, another worker's
    admin: Actor
    shuji: Actor
    wangge: Actor  # works grid_id
    wangge2: Actor  # works other_grid_id
    zhiyuan: Actor  # a volunteer of the community
    huiyi: Actor  # the meeting display
    team_id: int
    department_id: int
    other_shuji: Actor  # of another community


def case_world(session: Session) -> CaseWorld:
    cid = make_community(session, "四千米社区")
    other = make_community(session, "前进社区")
    admin = make_account(session, "admin", Role.admin, None)
    shuji = make_account(session, "shuji", Role.secretary, cid)
    wangge = make_account(session, "wangge", Role.grid_worker, cid)
    wangge2 = make_account(session, "wangge2", Role.grid_worker, cid)
    zhiyuan = make_account(session, "zhiyuan", Role.volunteer, cid)
    huiyi = make_account(session, "huiyi", Role.display, cid)
    other_shuji = make_account(session, "qianjin", Role.secretary, other)
    grid = Grid(community_id=cid, name="第一网格", worker_account_id=wangge.id)
    grid2 = Grid(community_id=cid, name="第二网格", worker_account_id=wangge2.id)
    team = Team(name="红马甲服务队", community_id=cid)
    dept = CaseDepartment(name="供水公司", contact_name="李工", contact_phone="13912345678")
    session.add_all([grid, grid2, team, dept])
    session.commit()
    return CaseWorld(
        cid,
        grid.id,
        grid2.id,
        admin,
        shuji,
        wangge,
        wangge2,
        zhiyuan,
        huiyi,
        team.id,
        dept.id,
        other_shuji,
    )


def report(session: Session, w: CaseWorld, category="facilities", urgency="normal", **kw) -> int:
    actor = kw.pop("actor", w.wangge)
    fields = {
        "category": category,
        "description": "3号楼门口路灯不亮",
        "urgency": urgency,
        "grid_id": w.grid_id,
        "place": "3号楼",
        "resident_name": "张大爷",
        "resident_phone": "13800001111",
    } | kw
    case_id = cases.case_report(session=session, actor=actor, draft=CaseDraft(**fields), now=FRIDAY)
    session.commit()
    return case_id


def do(session: Session, w: CaseWorld, action: str, actor: Actor, case_id: int, **kw) -> None:
    """Takes `action` with valid input (kw overrides it) and commits; rolls back when
    refused and raises the refusal."""
    args: dict[str, object] = {
        "accept": {},
        "decline": {"reason": "不属于社区职责"},
        "dispatch": {"account_id": w.wangge.id},
        "escalate": {"reason": "需要供水公司维修主管道"},
        "department_answer": {"note": "供水公司已派人到场"},
        "start": {},
        "feedback": {"result": "已更换灯泡"},
        "close": {"resolved": True},
        "send_back": {"note": "灯仍不亮"},
        "call_back": {"level": 4},
        "unreachable": {"note": "三次电话无人接听"},
        "extend": {"new_due": date(2026, 12, 31), "reason": "等配件", "approved_by": "王书记"},
        "note": {"note": "居民又来问了"},
    }[action] | kw
    fn = getattr(cases, f"case_{action}")
    try:
        fn(session=session, actor=actor, case_id=case_id, now=FRIDAY, **args)
    except BoardError:
        session.rollback()
        raise
    session.commit()


# How to reach each status, written out (a dispatch here goes to the grid worker).
PATHS: dict[str, list[str]] = {
    "reported": [],
    "declined": ["decline"],
    "accepted": ["accept"],
    "escalated": ["accept", "escalate"],
    "dispatched": ["accept", "dispatch"],
    "in_progress": ["accept", "dispatch", "start"],
    "handled": ["accept", "dispatch", "start", "feedback"],
    "closed": ["accept", "dispatch", "start", "feedback", "close"],
    "rectifying": ["accept", "dispatch", "start", "feedback", "close", "call_back:2"],
    "satisfied": ["accept", "dispatch", "start", "feedback", "close", "call_back:4"],
    "unreachable": ["accept", "dispatch", "start", "feedback", "close", "unreachable"],
}


def case_in(session: Session, w: CaseWorld, status: str) -> int:
    case_id = report(session, w)
    for step in PATHS[status]:
        action, _, level = step.partition(":")
        actor = w.shuji if action != "start" else w.wangge
        do(session, w, action, actor, case_id, **({"level": int(level)} if level else {}))
    assert status_of(session, case_id) == status
    return case_id


def status_of(session: Session, case_id: int) -> str:
    session.expire_all()
    return session.get(Case, case_id).status.value


def steps(session: Session, case_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(CaseStep).where(CaseStep.case_id == case_id)
    ).one()
