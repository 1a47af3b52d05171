"""Events pages: the public programme (signed out), registration, and the staff page.

Empty, refused and successful submissions of each form, checked against the database
and the text on the page; every widget of an event or a registration carries its id."""

import re
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from models.accounts import Account
from models.base import LOCAL_TZ, local_today, utcnow
from models.events import Event, Registration
from models.org import Community
from models.volunteers import Task
from services import db, events
from services.auth import actor_of
from services.registrations import registration_cancel, registration_create
from tests.conftest import app_test
from tests.pages.conftest import open_tab
from ui import actions

pytestmark = pytest.mark.usefixtures("fresh_read_cache")

SUBMIT = "提交报名"


@contextmanager
def _write(engine):
    """A change made here, as if from another session: later reads see it (a write
    through a page clears the cache the same way)."""
    with db.transaction(engine) as s:
        yield s
    actions.clear_reads()


def _shuji(engine):
    with Session(engine) as s:
        return actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())


def _new_event(
    engine,
    *,
    capacity=10,
    starts_in=None,
    waitlist=True,
    publish=True,
    registrations=(),
    title="马头琴体验课",
) -> int:
    """An event of shuji's community (四千米社区) with registrations (phone, party)."""
    shuji = _shuji(engine)
    if starts_in is None:  # in three days at 14:30, so the edit form's one day fits it
        starts = datetime.combine(local_today() + timedelta(days=3), time(14, 30), LOCAL_TZ)
    else:
        starts = utcnow() + starts_in
    with _write(engine) as s:
        eid = events.event_create(
            session=s,
            actor=shuji,
            title=title,
            category="arts",
            community_id=shuji.community_id,
            venue="社区文化广场",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            waitlist=waitlist,
        )
        if publish:
            events.event_set_status(session=s, actor=shuji, event_id=eid, status="published")
        for phone, party in registrations:
            registration_create(
                session=s, event_id=eid, name=f"居民{phone[-2:]}", phone=phone, party_size=party
            )
    return eid


def _rows(engine, eid) -> dict[str, str]:
    with Session(engine) as s:
        rows = s.exec(select(Registration).where(Registration.event_id == eid)).all()
        return {r.phone: str(r.status) for r in rows}


def _programme(engine, eid=None):
    at = app_test(engine, None, "views/programme.py")
    if eid is not None:
        at.query_params["event"] = str(eid)
        at.run()
    return at


def _fill(at, eid, name="乌日娜", phone="13904711234", party=1):
    if f"programme_open_{eid}" in [b.key for b in at.button]:
        at.button(key=f"programme_open_{eid}").click().run()
    at.text_input(key=f"programme_name_{eid}").input(name)
    at.text_input(key=f"programme_phone_{eid}").input(phone)
    at.number_input(key=f"programme_party_{eid}").set_value(party)
    return at.button(key=f"FormSubmitter:programme_form_{eid}-{SUBMIT}").click().run()


def _texts(at) -> str:
    return " ".join(
        [m.value for m in at.markdown]
        + [e.value for e in at.info]
        + [e.value for e in at.success]
        + [c.value for c in at.caption]
    )


# --- the public programme ----------------------------------------------------------------


def test_what_staff_typed_is_shown_as_typed_never_as_a_link(demo_engine):
    """Issue 11: a description written as Markdown is not a live link on the public page."""
    eid = _new_event(demo_engine, title="**剪纸** [课](http://evil.example/)")
    lure = "[点此领取补贴](http://evil.example/)"
    with _write(demo_engine) as s:
        s.get(Event, eid).description = lure
    at = _programme(demo_engine, eid)
    assert lure in [x.value for x in at.text]
    assert at.header[0].value == r"\*\*剪纸\*\* \[课\]\(http\:\/\/evil\.example\/\)"
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not [v for v in shown if "](http://evil" in v]


def test_a_session_registers_at_most_three_parties_a_minute(demo_engine):
    """Issue 11: a script or a thumb on the button cannot fill an event's places."""
    eid = _new_event(demo_engine)
    at = _programme(demo_engine, eid)
    for n in range(3):
        _fill(at, eid, name=f"居民{n}", phone=f"1390471000{n}")
        assert not at.error and not at.warning
        at.button(key=f"programme_again_{eid}").click().run()
    _fill(at, eid, name="居民3", phone="13904710003")
    assert at.warning[0].value.startswith("提交得太快了")
    assert len(_rows(demo_engine, eid)) == 3


def test_anyone_with_the_link_registers_and_the_result_replaces_the_form(demo_engine):
    eid = _new_event(demo_engine)
    at = _programme(demo_engine, eid)
    assert at.title[0].value == "活动预告"
    _fill(at, eid, party=3)
    assert not at.error
    with Session(demo_engine) as s:
        row = s.exec(select(Registration).where(Registration.phone == "13904711234")).one()
        assert (row.event_id, row.party_size, row.name) == (eid, 3, "乌日娜")
    assert [m.value for m in at.success] == [
        f"报名成功！“马头琴体验课”的签到码是 {row.code}，请到场时出示"
    ]
    # the form is gone (its fields emptied), the entry with its code is in its place
    keys = {w.key for w in at.text_input}
    assert f"programme_name_{eid}" not in keys
    assert f"programme_again_{eid}" in [b.key for b in at.button]
    assert f"### 签到码\u3000:blue[{row.code}]" in _texts(at)
    assert "剩余 7 个名额（共 10 个）" in _texts(at)
    assert "13904711234" not in _texts(at)  # no personal data on the public page
    at.run()  # a second run of the same press writes nothing more
    assert _rows(demo_engine, eid) == {"13904711234": "confirmed"}


def test_an_empty_or_wrong_registration_is_refused_next_to_the_form(demo_engine):
    eid = _new_event(demo_engine)
    at = _programme(demo_engine, eid)
    _fill(at, eid, name="", phone="")
    assert [e.value for e in at.error] == ["请填写姓名"]
    _fill(at, eid, name="乌日娜", phone="")
    assert [e.value for e in at.error] == ["请填写手机号"]
    _fill(at, eid, name="乌日娜", phone="12345")
    assert len(at.error) == 1
    assert _rows(demo_engine, eid) == {}
    # what was typed stays for the person to correct
    assert at.text_input(key=f"programme_name_{eid}").value == "乌日娜"


def test_duplicate_phone_is_refused_with_a_clear_message(demo_engine):
    eid = _new_event(demo_engine, registrations=(("13904711234", 1),))
    at = _programme(demo_engine, eid)
    _fill(at, eid, name="重复")
    assert [e.value for e in at.error] == [
        "这个手机号已经报名了本场活动，不用再报；忘了签到码请联系社区"
    ]


def test_pressing_again_for_the_same_party_says_it_is_done(demo_engine):
    eid = _new_event(demo_engine)
    at = _programme(demo_engine, eid)
    _fill(at, eid)
    code = _rows_code(demo_engine, "13904711234")
    at.button(key=f"programme_again_{eid}").click().run()
    assert f"programme_open_{eid}" not in [b.key for b in at.button]  # the form, open again
    assert at.text_input(key=f"programme_name_{eid}").value == ""
    _fill(at, eid, phone="139 0471 1234")
    assert not at.error
    assert [i.value for i in at.info][-1] == (
        f"这组报名刚才已经提交成功了，不用再报。签到码是 {code}"
    )
    assert _rows(demo_engine, eid) == {"13904711234": "confirmed"}


def _rows_code(engine, phone) -> str:
    with Session(engine) as s:
        return s.exec(select(Registration.code).where(Registration.phone == phone)).one()


def test_the_waitlist_place_is_shown_and_kept_current(demo_engine):
    eid = _new_event(
        demo_engine, capacity=2, registrations=(("13904710001", 2), ("13904710002", 1))
    )
    at = _programme(demo_engine, eid)
    assert "名额已满，可以报名候补（已有 1 人候补）" in _texts(at)
    _fill(at, eid)
    assert "名额已满，您已进入候补第 2 位" in at.success[0].value
    assert "您在“马头琴体验课”的候补中排第 2 位（1 人）" in _texts(at)
    with _write(demo_engine) as s:  # the first waiting party gives up
        code = s.exec(select(Registration.code).where(Registration.phone == "13904710002")).one()
        registration_cancel(session=s, code=code, phone="13904710002")
    at.run()
    assert "候补中排第 1 位" in _texts(at)
    with _write(demo_engine) as s:  # the confirmed party cancels: both move up
        code = s.exec(select(Registration.code).where(Registration.phone == "13904710001")).one()
        registration_cancel(session=s, code=code, phone="13904710001")
    at.run()
    assert "您已报名“马头琴体验课”（1 人），是正式报名" in _texts(at)


def test_look_up_and_cancel_by_code(demo_engine):
    eid = _new_event(demo_engine, capacity=2, registrations=(("13904710001", 2),))
    code = _rows_code(demo_engine, "13904710001")
    at = _programme(demo_engine)
    cancel = "FormSubmitter:programme_mine-取消报名"
    look = "FormSubmitter:programme_mine-查询"
    at.button(key=cancel).click().run()
    assert [e.value for e in at.error] == ["请填写签到码和报名时的手机号"]
    at.text_input(key="programme_mine_code").input(code.lower())
    at.text_input(key="programme_mine_phone").input("13904710009")
    at.button(key=cancel).click().run()
    assert [e.value for e in at.error] == ["签到码或手机号不对，请核对"]
    assert _rows(demo_engine, eid) == {"13904710001": "confirmed"}
    at.text_input(key="programme_mine_phone").input("139-0471-0001")
    at.button(key=look).click().run()
    assert "您已报名“马头琴体验课”（2 人），是正式报名" in _texts(at)
    at.button(key=cancel).click().run()
    assert not at.error
    assert [m.value for m in at.success] == ["已取消“马头琴体验课”的报名"]
    assert _rows(demo_engine, eid) == {"13904710001": "cancelled"}
    assert at.text_input(key="programme_mine_code").value == ""  # emptied after success
    at.button(key=cancel).click().run()  # pressed again: nothing to cancel, nothing written
    assert [e.value for e in at.error] == ["请填写签到码和报名时的手机号"]


def test_a_programme_link_that_cannot_be_shown_says_why(demo_engine):
    cancelled = _new_event(demo_engine)
    with _write(demo_engine) as s:
        events.event_set_status(
            session=s, actor=_shuji(demo_engine), event_id=cancelled, status="cancelled"
        )
    full = _new_event(demo_engine, capacity=1, waitlist=False, registrations=(("13904710001", 1),))
    draft = _new_event(demo_engine, publish=False)
    for eid, says in (
        (cancelled, "这个活动已经取消了，看看其他活动吧"),
        (draft, "找不到这个活动，它可能已被删除或还未发布"),
        (999999, "找不到这个活动，它可能已被删除或还未发布"),
        (full, "这个活动名额已满，且不设候补"),
    ):
        at = _programme(demo_engine, eid)
        assert [w.value for w in at.warning] == [says]
        assert "programme_show_all" in [b.key for b in at.button]
    assert [h.value for h in at.header] == ["马头琴体验课"]  # the full one is still shown
    assert f"programme_open_{full}" not in [b.key for b in at.button]
    at.button(key="programme_show_all").click().run()
    assert not at.warning and len(at.header) > 1


def test_programme_filters_by_community_and_shows_no_personal_data(demo_engine):
    at = app_test(demo_engine, None, "views/programme.py")
    box = at.selectbox(key="programme_community")
    assert (box.value, box.options[0]) == (0, "全部社区")
    with Session(demo_engine) as s:
        # the community with the most events still to come (the demo is built for a fixed
        # day, the programme reads the clock: one community's events run out first)
        upcoming = select(Event).where(Event.status == "published", Event.starts_at > utcnow())
        community = Counter(e.community_id for e in s.exec(upcoming)).most_common(1)[0][0]
        name = s.get(Community, community).name
        titles = {e.title for e in s.exec(upcoming.where(Event.community_id == community))}
        phones = s.exec(select(Registration.phone)).all()
    everywhere = len(at.header)
    box.set_value(community).run()
    shown = [h.value for h in at.header]
    assert set(shown) <= titles and len(shown) >= 1 and len(shown) < everywhere
    assert all(name in m.value for m in at.markdown if ":material/location_on:" in m.value)
    page = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert not any(p in page for p in phones)


# --- the staff page ------------------------------------------------------------------------


def _on_event(engine, event_id: int, username: str = "shuji"):
    at = app_test(engine, username, "views/events.py")
    at.session_state["events_picked"] = event_id
    return at.run()


def test_secretary_creates_publishes_and_the_door_opens_in_its_window(demo_engine):
    at = open_tab(app_test(demo_engine, "shuji", "views/events.py"), "events_tab", "新建活动")
    at.button(key="FormSubmitter:events_new-创建活动").click().run()  # empty
    assert [e.value for e in at.error] == ["请填写活动名称和地点"]
    at.text_input(key="events_title").input("驼绒编织体验课")
    at.text_input(key="events_venue").input("社区活动室")
    at.button(key="FormSubmitter:events_new-创建活动").click().run()
    assert not at.error
    assert [m.value for m in at.success] == [
        "已创建活动“驼绒编织体验课”（草稿），在“活动”页签中发布后居民即可报名"
    ]
    assert at.text_input(key="events_title").value == ""  # a second press makes nothing
    with Session(demo_engine) as s:
        event = s.exec(select(Event).where(Event.title == "驼绒编织体验课")).one()
    assert event.status == "draft"
    open_tab(at, "events_tab", "活动")  # where the message says to publish it: picked there
    assert at.selectbox(key="events_pick").value == event.id
    # a draft has no door: said before anyone presses
    assert at.button(key=f"events_checkin_{event.id}").disabled
    assert "活动还是草稿，发布后才能签到" in _texts(at)
    at.button(key=f"events_to_published_{event.id}").click().run()
    assert "活动已发布，居民现在可以报名" in [m.value for m in at.success]
    with _write(demo_engine) as s:
        assert s.get(Event, event.id).status == "published"
        code = registration_create(
            session=s, event_id=event.id, name="游客甲", phone="13800001111", party_size=2
        ).code
    at.run()
    # a week ahead: the door is closed and says when it opens
    assert at.button(key=f"events_checkin_{event.id}").disabled
    assert "（活动开始前 1 小时）" in _texts(at)
    assert f"events_in_{_reg_id(demo_engine, code)}" not in [b.key for b in at.button]
    with _write(demo_engine) as s:  # the day comes: it starts in half an hour
        row = s.get(Event, event.id)
        row.starts_at, row.ends_at = (
            utcnow() + timedelta(minutes=30),
            utcnow() + timedelta(hours=2),
        )
        s.add(row)
    at.run()
    assert not at.button(key=f"events_checkin_{event.id}").disabled
    at.button(key=f"events_checkin_{event.id}").click().run()  # no code
    assert [e.value for e in at.error] == ["请输入签到码"]
    at.text_input(key=f"events_checkin_code_{event.id}").input("zzzzzz")
    at.button(key=f"events_checkin_{event.id}").click().run()
    assert [e.value for e in at.error] == ["没有找到这个签到码，请核对"]
    at.text_input(key=f"events_checkin_code_{event.id}").input(code.lower())
    at.button(key=f"events_checkin_{event.id}").click().run()
    assert not at.error
    assert "游客甲 签到成功" in [m.value for m in at.success]
    assert at.text_input(key=f"events_checkin_code_{event.id}").value == ""
    with Session(demo_engine) as s:
        assert s.exec(select(Registration).where(Registration.code == code)).one().attended


def _reg_id(engine, code) -> int:
    with Session(engine) as s:
        return s.exec(select(Registration.id).where(Registration.code == code)).one()


def test_secretary_edits_an_event_and_more_places_go_to_the_waitlist(demo_engine):
    eid = _new_event(
        demo_engine, capacity=2, registrations=(("13904710000", 2), ("13904710001", 2))
    )
    at = _on_event(demo_engine, eid)
    at.text_input(key=f"events_edit_venue_{eid}").input("社区文化广场东侧")
    at.number_input(key=f"events_edit_capacity_{eid}").set_value(4)
    at.button(key=f"FormSubmitter:events_edit_{eid}-保存修改").click().run()
    assert not at.error
    with Session(demo_engine) as s:
        row = s.get(Event, eid)
        assert (row.capacity, row.venue, row.taken) == (4, "社区文化广场东侧", 4)
    assert _rows(demo_engine, eid) == {"13904710000": "confirmed", "13904710001": "confirmed"}
    assert at.success[0].value == "已保存对“马头琴体验课”的修改，1 组候补转为正式报名"


def test_edit_refused_empty_and_below_the_confirmed(demo_engine):
    eid = _new_event(demo_engine, capacity=4, registrations=(("13904710000", 3),))
    at = _on_event(demo_engine, eid)
    at.number_input(key=f"events_edit_capacity_{eid}").set_value(1)
    at.button(key=f"FormSubmitter:events_edit_{eid}-保存修改").click().run()
    assert [e.value for e in at.error] == ["已有 3 人正式报名，名额不能少于 3"]
    at.number_input(key=f"events_edit_capacity_{eid}").set_value(4)
    at.text_input(key=f"events_edit_title_{eid}").input("")
    at.button(key=f"FormSubmitter:events_edit_{eid}-保存修改").click().run()
    assert [e.value for e in at.error] == ["请填写活动名称和地点"]
    with Session(demo_engine) as s:
        assert (s.get(Event, eid).capacity, s.get(Event, eid).title) == (4, "马头琴体验课")


def test_staff_cancel_a_registration_after_saying_where_the_places_go(demo_engine):
    eid = _new_event(
        demo_engine, capacity=2, registrations=(("13904710000", 2), ("13904710001", 1))
    )
    first = _reg_id(demo_engine, _rows_code(demo_engine, "13904710000"))
    at = _on_event(demo_engine, eid)
    assert "候补第 1 位" in _texts(at)
    at.button(key=f"events_cancel_reg_{first}").click().run()
    assert [w.value for w in at.warning] == [
        "确认取消 居民00 的报名（2 人）？空出的名额会按顺序留给候补的 1 组"
    ]
    assert _rows(demo_engine, eid)["13904710000"] == "confirmed"  # asked, nothing done yet
    at.button(key=f"events_cancel_reg_yes_{first}").click().run()
    assert not at.error
    assert "已取消 居民00 的报名，1 组候补转为正式报名" in [m.value for m in at.success]
    assert _rows(demo_engine, eid) == {"13904710000": "cancelled", "13904710001": "confirmed"}
    assert f"events_cancel_reg_{first}" not in [b.key for b in at.button]  # nothing to redo


def test_cancelling_an_event_asks_and_says_what_else_it_changes(demo_engine):
    eid = _new_event(
        demo_engine, capacity=3, registrations=(("13904710000", 2), ("13904710001", 2))
    )
    at = _on_event(demo_engine, eid)
    at.button(key=f"events_staff_{eid}").click().run()
    assert at.success[0].value == "已发布 3 个志愿者名额"
    at.number_input(key=f"events_staff_n_{eid}").set_value(5)
    at.button(key=f"events_staff_{eid}").click().run()
    assert at.success[0].value == "志愿者任务已改为 5 个名额"
    with Session(demo_engine) as s:
        staff = s.exec(select(Task).where(Task.event_id == eid)).all()
        assert [(t.capacity, t.status, t.title) for t in staff] == [
            (5, "open", "活动服务：马头琴体验课")
        ]
    at.button(key=f"events_cancel_event_{eid}").click().run()
    assert [w.value for w in at.warning] == [
        "取消后不能恢复：2 条报名（共 4 人）会一并取消，志愿者任务也会取消。"
        "请记得通知已报名的居民。"
    ]
    with Session(demo_engine) as s:
        assert s.get(Event, eid).status == "published"
    at.button(key=f"events_cancel_event_yes_{eid}").click().run()
    assert at.success[0].value == "活动已取消，2 条报名已一并取消，志愿者任务也已取消"
    with Session(demo_engine) as s:
        assert s.get(Event, eid).status == "cancelled"
        assert s.get(Task, staff[0].id).status == "cancelled"
    assert set(_rows(demo_engine, eid).values()) == {"cancelled"}
    assert "活动已取消，不再签到" in [i.value for i in at.info]
    assert f"events_cancel_event_{eid}" not in [b.key for b in at.button]


def test_staffing_and_cancel_questions_for_a_draft(demo_engine):
    eid = _new_event(demo_engine, publish=False)
    at = _on_event(demo_engine, eid)
    keys = [b.key for b in at.button]
    assert f"events_to_published_{eid}" in keys
    assert f"events_staff_{eid}" not in keys
    at.button(key=f"events_cancel_event_{eid}").click().run()
    assert [w.value for w in at.warning] == [
        "取消后不能恢复：0 条报名（共 0 人）会一并取消。请记得通知已报名的居民。"
    ]
    at.button(key=f"events_cancel_event_no_{eid}").click().run()  # 返回: nothing changes
    assert not at.warning
    with Session(demo_engine) as s:
        assert s.get(Event, eid).status == "draft"


def test_the_picked_event_stays_picked_when_its_label_or_the_list_changes(demo_engine):
    eid = _new_event(demo_engine)
    at = _on_event(demo_engine, eid)
    at.text_input(key=f"events_edit_title_{eid}").input("马头琴体验课（改期）")
    at.button(key=f"FormSubmitter:events_edit_{eid}-保存修改").click().run()
    assert at.selectbox(key="events_pick").value == eid
    assert at.subheader[0].value == "马头琴体验课（改期）"
    _new_event(demo_engine, starts_in=timedelta(hours=5), title="更早的活动")  # sorts first
    at.toggle(key="events_upcoming").set_value(False).run()
    at.toggle(key="events_upcoming").set_value(True).run()
    assert at.selectbox(key="events_pick").value == eid


def test_an_event_link_that_cannot_be_shown_says_why(demo_engine):
    at = app_test(demo_engine, "shuji", "views/events.py")
    at.query_params["event"] = "999999"
    at.run()
    assert [w.value for w in at.warning] == ["找不到这个活动，它可能已被删除或还未发布"]
    assert at.selectbox(key="events_pick").value is not None  # the list is there
    at.button(key="events_link_dismiss").click().run()
    assert not at.warning
    with Session(demo_engine) as s:
        other = s.exec(select(Event).where(Event.community_id != 1)).first()
        past = s.exec(
            select(Event).where(Event.community_id == 1, Event.ends_at < utcnow())
        ).first()
    at = app_test(demo_engine, "shuji", "views/events.py")
    at.query_params["event"] = str(other.id)
    at.run()
    assert [w.value for w in at.warning] == ["这个活动不属于您负责的社区，无法查看"]
    at = app_test(demo_engine, "shuji", "views/events.py")
    at.query_params["event"] = str(past.id)
    at.run()
    assert [w.value for w in at.warning] == ["这个活动已经结束，已切换为显示全部活动"]
    assert at.toggle(key="events_upcoming").value is False
    assert at.selectbox(key="events_pick").value == past.id


def test_every_action_widget_carries_its_record_id(demo_engine):
    eid = _new_event(
        demo_engine,
        capacity=2,
        starts_in=timedelta(minutes=30),
        registrations=(("13904710000", 2), ("13904710001", 1)),
    )
    at = _on_event(demo_engine, eid)
    page_wide = {"events_pick", "events_upcoming", "events_link_dismiss"}
    new_form = {"events_title", "events_venue", "events_partner", "events_organiser"}
    new_form |= {"events_capacity", "events_description"}
    keys = [w.key or "" for w in [*at.button, *at.text_input, *at.number_input]]
    acting = [k for k in keys if k.startswith("events_") and k not in page_wide | new_form]
    assert len(acting) >= 6  # the event's buttons and each registration's
    assert [k for k in acting if not re.search(r"_\d+$", k)] == []


WAITLIST_RULE_START = "候补规则：名额按报名先后分配。"


def test_the_waitlist_rule_is_stated_on_the_programme_and_the_event_page(demo_engine):
    public = _programme(demo_engine)
    assert any(c.value.startswith(WAITLIST_RULE_START) for c in public.caption)
    assert "减少名额不会取消已确认的报名" in _texts(public)
    staff = app_test(demo_engine, "shuji", "views/events.py")
    assert any(c.value.startswith(WAITLIST_RULE_START) for c in staff.caption)
