"""Issue 11: hostile and careless input, property by property, for every create and update.

Each service that writes what people type is fed random text (any Unicode but lone
surrogates, control characters, NUL, huge strings, Markdown, HTML, formula prefixes,
emoji) and random numbers (huge integers, fractions, infinities) and must do one of two
things, the same on SQLite and on PostgreSQL (CI runs this file on both):

- store the value and read it back from the database verbatim, or with only the
  documented trimming of surrounding whitespace (phones: spaces and dashes removed,
  hours: rounded to two decimals), and never as something a spreadsheet would run
  (services.exports.inert); or
- refuse it with a BoardError whose message key is translated (zh_CN first, English too),
  and after the rollback every table holds exactly the rows it held before, and the row
  being edited is unchanged.

Any other exception (a raw database error, ValueError, OverflowError) fails the property.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import SQLModel, select

from models.accounts import Account, Role
from models.base import aware_utc, local_today, utcnow
from models.elders import HAZARDS, LIVING_SITUATIONS, VISIT_MODES, WELLBEING, Elder, Visit
from models.events import Event, EventStatus, Registration
from models.org import Community, Grid, Street
from models.proxy import Merchant, ProxyRequest, ProxyStatus
from models.volunteers import Signup, Task, TaskKind, Team, Volunteer
from services import (
    auth,
    elders,
    events,
    exports,
    merchants,
    org,
    proxy,
    registrations,
    signups,
    tasks,
    teams,
    visits,
)
from services import volunteers as volunteers_service
from services.errors import BoardError, Label
from services.i18n import catalog, translate
from services.visit_content import Checklist, VisitContent
from tests import factories
from tests.conftest import make_account

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TODAY = local_today()

# --- strategies -------------------------------------------------------------------------

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "+86 138 0000 0001",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "[点此领取补贴](http://evil.example/)",
    "**粗体** _斜体_ :red[红] `code` # 标题",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "👵🏻🧓 爷爷奶奶 👨‍👩‍👧‍👦",
    "\x00",
    "NUL\x00inside",
    "\x01",
    "bell\x07",
    "del\x7f",
    "\x1b[31mred",
    "\t",
    "\r\n",
    "tab\there\r\nnew line",
    "  padded  ",
    "\u3000全角空格\u3000",
    "\u202eRTL override",
    "\ufeffBOM",
    "zero\u200bwidth",
    "'; DROP TABLE volunteer; --",
    "%s %(name)s {0} {field}",
    "\\",
    "",
    " ",
]
LONG = st.tuples(st.sampled_from(["x", "长", "👵", " "]), st.integers(0, 5000)).map(
    lambda p: p[0] * p[1]
)
TEXT = st.one_of(
    st.text(max_size=40),  # any Unicode but lone surrogates, control characters included
    st.text(st.characters(min_codepoint=0, max_codepoint=0x9F), max_size=20),
    st.sampled_from(HOSTILE),
    st.tuples(st.sampled_from(HOSTILE), st.text(max_size=20)).map("".join),
    LONG,
    st.sampled_from(["x" * 5000, "长" * 10_000]),
)
# What people usually type: letters, digits, punctuation, symbols (= + - @ among them), spaces.
PLAIN = st.text(
    st.characters(categories=("L", "N", "P", "S", "Zs")),
    min_size=1,
    max_size=30,
)
NUMBER = st.one_of(
    st.integers(-10, 30),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.floats(min_value=-1, max_value=30, allow_nan=False),
    st.sampled_from(
        [
            *(0, 1, 4, 5, 10, 11, 24, 0.25, 2.5, 24.01, 2.0, -0.0, 1e-9),
            *(2**31 - 1, 2**31, -(2**31) - 1, 2**63, 2**64, float("inf"), float("-inf")),
        ]
    ),
)
_serial = itertools.count(1)


def mostly(valid: st.SearchStrategy, hostile: st.SearchStrategy) -> st.SearchStrategy:
    """Five examples in six pass this parameter's own check, so that the other checks
    (and the storing path) are exercised too; the sixth is hostile."""
    return st.integers(0, 5).flatmap(lambda i: hostile if i == 0 else valid)


PHONE = mostly(
    st.one_of(
        st.integers(0, 10**8 - 1).map(lambda n: f"139{n:08d}"),
        st.integers(0, 10**8 - 1).map(lambda n: f"137 {n // 10**4:04d}-{n % 10**4:04d}"),
    ),
    st.one_of(
        st.sampled_from(
            ["１３８００００００００", "13٨00000000", "13800000000\n", "+8613800000000"]
        ),
        TEXT,
    ),
)
CHINA = ZoneInfo("Asia/Shanghai")
WHEN = mostly(
    st.tuples(st.integers(-3 * 365, 700), st.integers(0, 24 * 60)).map(
        lambda p: utcnow() + timedelta(days=p[0], minutes=p[1])
    ),
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([UTC, CHINA]),
    ),
)
LENGTH = mostly(
    st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=2)),
    st.timedeltas(min_value=timedelta(hours=-2), max_value=timedelta(minutes=1)),
)
COUNT = mostly(st.integers(1, 50), NUMBER)
DAY = st.one_of(
    st.dates(min_value=date(1880, 1, 1), max_value=date(2100, 12, 31)),
    st.dates(),
    st.sampled_from([TODAY, TODAY - timedelta(days=1), TODAY + timedelta(days=1)]),
)


def texts(*fields: str):
    """Plain values for every field with one of them hostile (or all hostile now and
    then): each example probes one field while the others would pass."""
    plain = st.fixed_dictionaries({f: PLAIN for f in fields})
    one = st.tuples(plain, st.sampled_from(fields), TEXT).map(lambda p: p[0] | {p[1]: p[2]})
    return st.one_of(one, one, plain, plain, st.fixed_dictionaries({f: TEXT for f in fields}))


def choice(values) -> st.SearchStrategy:
    return mostly(st.sampled_from(list(values)), TEXT)


# --- the property -------------------------------------------------------------------------


def counts(session) -> dict[str, int]:
    return {
        t.name: session.exec(select(func.count()).select_from(t)).one()
        for t in SQLModel.metadata.sorted_tables
    }


def readable(err: BoardError) -> None:
    """A refusal people can read: its message and every field it names are translated."""
    assert translate(err.key, "zh_CN") != err.key, err
    assert err.key in catalog("en"), f"no English text for {err.key}"
    for value in err.params.values():
        if isinstance(value, Label):
            assert translate(value, "zh_CN") != value, err


@dataclass
class Outcome:
    value: object = None
    error: BoardError | None = None

    @property
    def stored(self) -> bool:
        return self.error is None


def attempt(session, call, *rows: tuple[type[SQLModel], int]) -> Outcome:
    """Runs one service call in its own transaction. On a refusal: rolled back, nothing
    written anywhere, the rows being edited unchanged. On success: committed, and the
    session forgets what it holds, so the checks read the database itself."""
    session.commit()
    session.expire_all()
    before = counts(session)
    snapshot = [session.get(model, row_id).model_dump() for model, row_id in rows]
    try:
        value = call()
        session.commit()
    except BoardError as err:
        session.rollback()
        readable(err)
        session.expire_all()
        assert counts(session) == before, f"{err!r} left rows behind"
        assert [session.get(m, i).model_dump() for m, i in rows] == snapshot, err
        event(f"refused: {err.key}")
        return Outcome(error=err)
    except Exception:
        session.rollback()  # the next example starts clean; the property fails
        raise
    session.expire_all()
    event("stored")
    return Outcome(value=value)


def same_text(typed: str, stored: str) -> None:
    """Stored verbatim, or with the surrounding whitespace trimmed, and inert in a sheet."""
    assert stored in (typed, typed.strip()), (typed, stored)
    shown = exports.inert(stored)
    assert not (isinstance(shown, str) and shown.startswith(exports.FORMULA_STARTS))


def same_texts(typed: dict[str, str], row: SQLModel) -> None:
    for name, value in typed.items():
        same_text(value, getattr(row, name))


def same_phone(typed: str, stored: str) -> None:
    assert stored == re.sub(r"[\s-]", "", typed)
    assert re.fullmatch(r"1[3-9][0-9]{9}", stored), stored  # a number one can dial


def same_number(typed, stored) -> None:
    assert stored == typed and type(stored) in (int, float), (typed, stored)


def same_moment(typed: datetime, stored: datetime) -> None:
    assert aware_utc(stored) == aware_utc(typed)


def fresh_phone() -> str:
    return f"136{next(_serial):08d}"


# --- volunteers and teams -------------------------------------------------------------------


@PROPERTY
@given(
    text=texts("name", "note"),
    phone=PHONE,
    skills=st.lists(choice(volunteers_service.SKILLS), max_size=3),
    joined_on=st.one_of(st.none(), DAY),
)
def test_volunteer_create(session, w, text, phone, skills, joined_on):
    out = attempt(
        session,
        lambda: volunteers_service.volunteer_create(
            session=session,
            actor=w.shuji,
            phone=phone,
            community_id=w.community_id,
            skills=skills,
            joined_on=joined_on,
            **text,
        ),
    )
    if out.stored:
        row = session.get(Volunteer, out.value)
        same_texts(text, row)
        same_phone(phone, row.phone)
        assert row.skills == ",".join(sorted({s.strip() for s in skills if s.strip()}))
        assert joined_on is None or row.joined_on == joined_on


@PROPERTY
@given(text=texts("name", "note"), phone=PHONE, skills=st.lists(choice(["first_aid", "it"])))
def test_volunteer_update(session, w, text, phone, skills):
    vid = volunteers_service.volunteer_create(
        session=session,
        actor=w.shuji,
        name="张志愿",
        phone=fresh_phone(),
        community_id=w.community_id,
    )
    out = attempt(
        session,
        lambda: volunteers_service.volunteer_update(
            session=session,
            actor=w.shuji,
            volunteer_id=vid,
            phone=phone,
            grid_id=None,
            skills=skills,
            party_member=True,
            **text,
        ),
        (Volunteer, vid),
    )
    if out.stored:
        row = session.get(Volunteer, vid)
        same_texts(text, row)
        same_phone(phone, row.phone)


@PROPERTY
@given(text=texts("name", "purpose"))
def test_team_create_and_update(session, w, text):
    out = attempt(
        session,
        lambda: teams.team_create(
            session=session, actor=w.shuji, community_id=w.community_id, **text
        ),
    )
    if out.stored:
        same_texts(text, session.get(Team, out.value))
    tid = teams.team_create(
        session=session, actor=w.shuji, name=f"服务队{next(_serial)}", community_id=w.community_id
    )
    out = attempt(
        session,
        lambda: teams.team_update(
            session=session, actor=w.shuji, team_id=tid, leader_id=None, **text
        ),
        (Team, tid),
    )
    if out.stored:
        same_texts(text, session.get(Team, tid))


# --- tasks and hours ------------------------------------------------------------------------


TASK_TEXT = texts("title", "place", "description", "required_skills")


def _check_task(row: Task, text, kind, capacity, starts, length) -> None:
    same_texts(text, row)
    assert row.kind == kind
    same_number(capacity, row.capacity)
    same_moment(starts, row.starts_at)
    same_moment(starts + length, row.ends_at)


@PROPERTY
@given(text=TASK_TEXT, kind=choice(TaskKind), capacity=COUNT, starts=WHEN, length=LENGTH)
def test_task_create(session, w, text, kind, capacity, starts, length):
    out = attempt(
        session,
        lambda: tasks.task_create(
            session=session,
            actor=w.shuji,
            kind=kind,
            community_id=w.community_id,
            starts_at=starts,
            ends_at=starts + length,
            capacity=capacity,
            **text,
        ),
    )
    if out.stored:
        _check_task(session.get(Task, out.value), text, kind, capacity, starts, length)


@PROPERTY
@given(text=TASK_TEXT, kind=choice(TaskKind), capacity=COUNT, starts=WHEN, length=LENGTH)
def test_task_update(session, w, text, kind, capacity, starts, length):
    tid = factories.task(session, w.community_id, title=f"任务{next(_serial)}")
    out = attempt(
        session,
        lambda: tasks.task_update(
            session=session,
            actor=w.shuji,
            task_id=tid,
            kind=kind,
            starts_at=starts,
            ends_at=starts + length,
            capacity=capacity,
            **text,
        ),
        (Task, tid),
    )
    if out.stored:
        _check_task(session.get(Task, tid), text, kind, capacity, starts, length)


@pytest.fixture
def signed_up(session, w) -> tuple[Task, int]:
    """A confirmed volunteer on a task two days ahead: (task, signup id)."""
    task_id = factories.task(session, w.community_id)
    actor = make_account(session, "v1", Role.volunteer, w.community_id)
    factories.volunteer(session, w.community_id, "志愿者", account=actor)
    sid = signups.signup_create(session=session, actor=actor, task_id=task_id).signup_id
    session.commit()
    return session.get(Task, task_id), sid


@PROPERTY
@given(hours=mostly(st.floats(min_value=0.25, max_value=24), st.one_of(NUMBER, st.none())))
def test_signup_set_hours(session, w, signed_up, hours):
    task, sid = signed_up
    out = attempt(
        session,
        lambda: signups.signup_set_hours(
            session=session,
            actor=w.shuji,
            signup_id=sid,
            hours=hours,
            reason="忘记签退",
            now=task.starts_at,
        ),
        (Signup, sid),
    )
    if out.stored:
        row = session.get(Signup, sid)
        assert row.hours == round(float(hours), 2) and (row.status, row.hours_status) == (
            "attended",
            "pending",
        )


# --- elders and visits ----------------------------------------------------------------------

ELDER_TEXT = texts("name", "address", "health_notes", "guardian_name")
BIRTH = mostly(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 1, 1)), DAY)
OPTIONAL_PHONE = st.one_of(st.just(""), PHONE)


def _check_elder(row: Elder, text, birth, phone, guardian_phone, situations, care_level) -> None:
    same_texts(text, row)
    assert row.birth_date == birth
    for typed, stored in ((phone, row.phone), (guardian_phone, row.guardian_phone)):
        if typed:
            same_phone(typed, stored)
        else:
            assert stored == ""
    assert row.situations == ",".join(s for s in LIVING_SITUATIONS if s in situations)
    same_number(care_level, row.care_level)


@PROPERTY
@given(
    text=ELDER_TEXT,
    birth=BIRTH,
    phone=OPTIONAL_PHONE,
    guardian_phone=OPTIONAL_PHONE,
    situations=st.lists(choice(LIVING_SITUATIONS), max_size=3),
    care_level=mostly(st.integers(0, 4), NUMBER),
)
def test_elder_create(session, w, text, birth, phone, guardian_phone, situations, care_level):
    out = attempt(
        session,
        lambda: elders.elder_create(
            session=session,
            actor=w.shuji,
            birth_date=birth,
            community_id=w.community_id,
            today=TODAY,
            phone=phone,
            guardian_phone=guardian_phone,
            situations=situations,
            care_level=care_level,
            **text,
        ),
    )
    if out.stored:
        row = session.get(Elder, out.value)
        _check_elder(row, text, birth, phone, guardian_phone, situations, care_level)


def _elder(session, w) -> int:
    return elders.elder_create(
        session=session,
        actor=w.shuji,
        name=f"李奶奶{next(_serial)}",
        birth_date=date(1940, 5, 1),
        address="四千米社区 1 号楼",
        community_id=w.community_id,
        today=TODAY,
    )


@PROPERTY
@given(
    text=ELDER_TEXT,
    birth=BIRTH,
    phone=OPTIONAL_PHONE,
    guardian_phone=OPTIONAL_PHONE,
    situations=st.lists(choice(LIVING_SITUATIONS), max_size=3),
    care_level=mostly(st.integers(0, 4), NUMBER),
)
def test_elder_update(session, w, text, birth, phone, guardian_phone, situations, care_level):
    eid = _elder(session, w)
    out = attempt(
        session,
        lambda: elders.elder_update(
            session=session,
            actor=w.shuji,
            elder_id=eid,
            birth_date=birth,
            today=TODAY,
            grid_id=None,
            phone=phone,
            guardian_phone=guardian_phone,
            situations=situations,
            care_level=care_level,
            visitor_ids=[],
            **text,
        ),
        (Elder, eid),
    )
    if out.stored:
        row = session.get(Elder, eid)
        _check_elder(row, text, birth, phone, guardian_phone, situations, care_level)


@pytest.fixture
def elder_id(session, w) -> int:
    eid = _elder(session, w)
    session.commit()
    return eid


@PROPERTY
@given(
    text=texts("needs_raised", "follow_up"),
    mode=choice(VISIT_MODES),
    wellbeing=st.one_of(st.just(""), choice(WELLBEING)),
    hazards=st.lists(choice(HAZARDS), max_size=3),
    task_title=st.one_of(st.none(), st.just(""), PLAIN, TEXT),
    task_capacity=COUNT,
)
def test_visit_record(
    session, w, elder_id, text, mode, wellbeing, hazards, task_title, task_capacity
):
    follow_up_task = (
        None
        if task_title is None
        else visits.FollowUpTask(
            title=task_title, day=TODAY + timedelta(days=1), capacity=task_capacity
        )
    )
    out = attempt(
        session,
        lambda: visits.visit_record(
            session=session,
            actor=w.shuji,
            elder_id=elder_id,
            visited_on=TODAY,
            mode=mode,
            today=TODAY,
            wellbeing=wellbeing,
            content=VisitContent(
                safety=Checklist(tuple(hazards)), needs=Checklist(note=text["needs_raised"])
            ),
            follow_up=text["follow_up"],
            follow_up_task=follow_up_task,
        ),
        (Elder, elder_id),
    )
    if out.stored:
        row = session.get(Visit, out.value)
        same_texts(text, row)
        assert (row.mode, row.wellbeing) == (mode, wellbeing)
        assert row.hazards == ",".join(h for h in HAZARDS if h in hazards)
        if follow_up_task is not None:
            task = session.exec(select(Task).order_by(Task.id.desc())).first()
            assert task.elder_id == elder_id
            if task_title.strip():
                same_text(task_title, task.title)
            same_number(task_capacity, task.capacity)
            same_text(text["needs_raised"], task.description)


# --- merchants and proxy requests -------------------------------------------------------------

MERCHANT_TEXT = texts("shop_name", "owner_name", "address", "business_type", "notes")
DUE = st.one_of(st.none(), DAY)


def _check_merchant(row: Merchant, text, phone, licence_due) -> None:
    same_texts(text, row)
    same_phone(phone, row.phone)
    assert row.licence_due == licence_due


@PROPERTY
@given(text=MERCHANT_TEXT, phone=PHONE, licence_due=DUE)
def test_merchant_create(session, w, text, phone, licence_due):
    out = attempt(
        session,
        lambda: merchants.merchant_create(
            session=session,
            actor=w.shuji,
            community_id=w.community_id,
            phone=phone,
            licence_due=licence_due,
            **text,
        ),
    )
    if out.stored:
        row = session.get(Merchant, out.value)
        _check_merchant(row, text, phone, licence_due)


def _merchant(session, w) -> int:
    return merchants.merchant_create(
        session=session,
        actor=w.shuji,
        community_id=w.community_id,
        shop_name=f"老绥元烧卖馆{next(_serial)}",
        owner_name="王老板",
        phone="13847112345",
        address="大召前街12号",
    )


@PROPERTY
@given(text=MERCHANT_TEXT, phone=PHONE, licence_due=DUE)
def test_merchant_update(session, w, text, phone, licence_due):
    mid = _merchant(session, w)
    out = attempt(
        session,
        lambda: merchants.merchant_update(
            session=session,
            actor=w.shuji,
            merchant_id=mid,
            phone=phone,
            licence_due=licence_due,
            **text,
        ),
        (Merchant, mid),
    )
    if out.stored:
        _check_merchant(session.get(Merchant, mid), text, phone, licence_due)


@pytest.fixture
def merchant_id(session, w) -> int:
    mid = _merchant(session, w)
    session.commit()
    return mid


@PROPERTY
@given(detail=st.one_of(PLAIN, TEXT), kind=choice(proxy.KINDS), due_on=DUE)
def test_request_create(session, w, merchant_id, detail, kind, due_on):
    out = attempt(
        session,
        lambda: proxy.request_create(
            session=session,
            actor=w.shuji,
            merchant_id=merchant_id,
            kind=kind,
            detail=detail,
            today=TODAY,
            due_on=due_on,
        ),
        (Merchant, merchant_id),
    )
    if out.stored:
        row = session.get(ProxyRequest, out.value)
        same_text(detail, row.detail)
        assert row.kind == kind and row.due_on >= TODAY
        assert due_on is None or row.due_on == due_on


@PROPERTY
@given(
    satisfaction=mostly(st.one_of(st.none(), st.integers(1, 5)), NUMBER),
    feedback=st.one_of(st.just(""), PLAIN, TEXT),
)
def test_request_close(session, w, merchant_id, satisfaction, feedback):
    rid = proxy.request_create(
        session=session,
        actor=w.shuji,
        merchant_id=merchant_id,
        kind="parcels",
        detail=f"代收快递 {next(_serial)}",
        today=TODAY,
    )
    for step in (ProxyStatus.accepted, ProxyStatus.in_progress):
        proxy.request_advance(session=session, actor=w.shuji, request_id=rid, to_status=step)
    out = attempt(
        session,
        lambda: proxy.request_close(
            session=session,
            actor=w.shuji,
            request_id=rid,
            satisfaction=satisfaction,
            feedback=feedback,
        ),
        (ProxyRequest, rid),
    )
    if out.stored:
        row = session.get(ProxyRequest, rid)
        assert row.status == ProxyStatus.done
        if satisfaction is None:
            assert row.satisfaction is None
        else:
            same_number(satisfaction, row.satisfaction)
        same_text(feedback, row.feedback)  # a comment given without a rating is kept too


# --- events and registrations -----------------------------------------------------------------

EVENT_TEXT = texts("title", "venue", "organiser", "partner", "description")


def _check_event(row: Event, text, category, capacity, starts, length, waitlist) -> None:
    same_texts(text, row)
    assert row.category == category and row.waitlist == waitlist
    same_number(capacity, row.capacity)
    same_moment(starts, row.starts_at)
    same_moment(starts + length, row.ends_at)


EVENT_ARGS = {
    "text": EVENT_TEXT,
    "category": choice(events.CATEGORIES),
    "capacity": COUNT,
    "starts": WHEN,
    "length": LENGTH,
    "waitlist": st.booleans(),
}


@PROPERTY
@given(**EVENT_ARGS)
def test_event_create(session, w, text, category, capacity, starts, length, waitlist):
    out = attempt(
        session,
        lambda: events.event_create(
            session=session,
            actor=w.shuji,
            category=category,
            community_id=w.community_id,
            starts_at=starts,
            ends_at=starts + length,
            capacity=capacity,
            waitlist=waitlist,
            **text,
        ),
    )
    if out.stored:
        row = session.get(Event, out.value)
        _check_event(row, text, category, capacity, starts, length, waitlist)


def _event(session, w, **kw) -> int:
    starts = utcnow() + timedelta(days=3)
    values = {
        "title": f"非遗剪纸体验{next(_serial)}",
        "category": "heritage",
        "community_id": w.community_id,
        "venue": "党群服务中心",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 20,
    } | kw
    return events.event_create(session=session, actor=w.shuji, **values)


@PROPERTY
@given(**EVENT_ARGS)
def test_event_update(session, w, text, category, capacity, starts, length, waitlist):
    eid = _event(session, w)
    out = attempt(
        session,
        lambda: events.event_update(
            session=session,
            actor=w.shuji,
            event_id=eid,
            category=category,
            starts_at=starts,
            ends_at=starts + length,
            capacity=capacity,
            waitlist=waitlist,
            **text,
        ),
        (Event, eid),
    )
    if out.stored:
        _check_event(session.get(Event, eid), text, category, capacity, starts, length, waitlist)


@pytest.fixture
def event_id(session, w) -> int:
    eid = _event(session, w, capacity=10_000)
    events.event_set_status(
        session=session, actor=w.shuji, event_id=eid, status=EventStatus.published
    )
    session.commit()
    return eid


@PROPERTY
@given(
    name=st.one_of(PLAIN, TEXT),
    phone=PHONE,
    party_size=mostly(st.integers(1, 10), NUMBER),
    visitor=st.booleans(),
)
def test_registration_create(session, w, event_id, name, phone, party_size, visitor):
    out = attempt(
        session,
        lambda: registrations.registration_create(
            session=session,
            event_id=event_id,
            name=name,
            phone=phone,
            party_size=party_size,
            visitor=visitor,
        ),
        (Event, event_id),
    )
    if out.stored:
        row = session.exec(select(Registration).where(Registration.code == out.value.code)).one()
        same_text(name, row.name)
        same_phone(phone, row.phone)
        same_number(party_size, row.party_size)
        assert row.visitor == visitor


# --- the street, communities, grids and accounts ------------------------------------------------


@PROPERTY
@given(names=st.one_of(PLAIN, TEXT), name=st.one_of(PLAIN, TEXT))
def test_communities_create_and_rename(session, w, names, name):
    out = attempt(
        session, lambda: org.communities_create(session=session, actor=w.admin, names=names)
    )
    if out.stored:
        stored = [session.get(Community, cid).name for cid in out.value]
        assert stored == org.split_names(names)
    out = attempt(
        session,
        lambda: org.community_rename(
            session=session, actor=w.admin, community_id=w.community_id, name=name
        ),
        (Community, w.community_id),
    )
    if out.stored:
        same_text(name, session.get(Community, w.community_id).name)


@PROPERTY
@given(names=st.one_of(PLAIN, TEXT), name=st.one_of(PLAIN, TEXT))
def test_grids_create_and_rename(session, w, names, name):
    out = attempt(
        session,
        lambda: org.grids_create(
            session=session, actor=w.shuji, community_id=w.community_id, names=names
        ),
    )
    if out.stored:
        stored = [session.get(Grid, gid).name for gid in out.value]
        assert stored == org.split_names(names)
    gid = org.grids_create(
        session=session, actor=w.shuji, community_id=w.community_id, names=[f"网格{next(_serial)}"]
    )[0]
    out = attempt(
        session,
        lambda: org.grid_rename(session=session, actor=w.shuji, grid_id=gid, name=name),
        (Grid, gid),
    )
    if out.stored:
        same_text(name, session.get(Grid, gid).name)


@PROPERTY
@given(text=texts("name", "district"))
def test_street_set(session, w, text):
    out = attempt(session, lambda: org.street_set(session=session, actor=w.admin, **text))
    if out.stored:
        same_texts(text, session.exec(select(Street)).one())
        community = session.get(Community, w.community_id)
        assert (community.street, community.district) == (
            text["name"].strip(),
            text["district"].strip(),
        )


@PROPERTY
@given(
    username=mostly(
        st.text("abcdefghijklmnopqrstuvwxyz0123456789_.-", min_size=3, max_size=12), TEXT
    ),
    password=mostly(st.just("secret123"), TEXT),
    display_name=st.one_of(PLAIN, TEXT),
    role=choice([Role.secretary, Role.grid_worker, Role.volunteer, Role.display]),
)
def test_account_create(session, w, username, password, display_name, role):
    out = attempt(
        session,
        lambda: auth.account_create(
            session=session,
            actor=w.shuji,
            username=username,
            password=password,
            display_name=display_name,
            role=role,
            community_id=w.community_id,
        ),
    )
    if out.stored:
        row = session.get(Account, out.value)
        assert row.username == username.strip() and row.role == role
        same_text(display_name, row.display_name)
        assert auth.sign_in(session=session, username=row.username, password=password).token
