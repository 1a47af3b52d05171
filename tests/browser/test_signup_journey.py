"""zhiyuan signs up for a task from a phone and sees it in My tasks; shuji checks the
volunteer in, enters the hours (补录, with the reason) and approves them."""

from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.volunteers import Signup, Task, TaskKind
from services import db, signups, tasks, volunteers
from services.access import Actor
from services.auth import actor_of
from tests.browser.conftest import DESKTOP, PHONE, sign_in, wait_idle


def actor_named(database_url: str, username: str) -> Actor:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        actor = actor_of(s.exec(select(Account).where(Account.username == username)).one())
    engine.dispose()
    return actor


def publish_task(
    database_url: str,
    *,
    title: str = "浏览器测试：陪伴独居老人",
    starts_in: timedelta = timedelta(minutes=30),
    hours: float = 2,
    capacity: int = 3,
    by: str = "shuji",
) -> int:
    """`by` (shuji: 四千米社区) publishes an open task in their community, for the server's
    database. A negative `starts_in` makes a task that has already started."""
    staff = actor_named(database_url, by)
    engine = db.make_engine(database_url)
    starts = utcnow() + starts_in
    with db.transaction(engine) as s:
        task_id = tasks.task_create(
            session=s,
            actor=staff,
            title=title,
            kind=TaskKind.elder_visit,
            community_id=staff.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            capacity=capacity,
            place="四千米社区 第一网格",
        )
    engine.dispose()
    return task_id


def start_task_now(database_url: str, task_id: int) -> None:
    """Moves the task so that it started a minute ago (time passing, for a journey)."""
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        task = s.get(Task, task_id)
        starts = utcnow() - timedelta(minutes=1)
        task.ends_at = starts + (task.ends_at - task.starts_at)
        task.starts_at = starts
    engine.dispose()


def new_volunteer(database_url: str, username: str, name: str, phone: str) -> Actor:
    """A volunteer of 四千米社区 with their own sign-in (password demo1234), so a journey
    never depends on what other journeys do with zhiyuan."""
    shuji = actor_named(database_url, "shuji")
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        vid = volunteers.volunteer_create(
            session=s, actor=shuji, name=name, phone=phone, community_id=shuji.community_id
        )
        account_id = volunteers.volunteer_account_create(
            session=s, actor=shuji, volunteer_id=vid, username=username, password="demo1234"
        )
        account = s.get(Account, account_id)
        if "must_change_password" in Account.model_fields:  # the first sign-in's own journey
            account.must_change_password = False
    engine.dispose()
    return actor_named(database_url, username)


def sign_up(database_url: str, actor: Actor, task_id: int, **kwargs) -> int:
    """The volunteer signs up through the service (kwargs: now=... for a started task)."""
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        signup_id = signups.signup_create(
            session=s, actor=actor, task_id=task_id, **kwargs
        ).signup_id
    engine.dispose()
    return signup_id


def signup_row(database_url: str, signup_id: int) -> Signup:
    engine = db.make_engine(database_url)
    with Session(engine, expire_on_commit=False) as s:
        row = s.get(Signup, signup_id)
        s.expunge(row)
    engine.dispose()
    return row


def test_volunteer_signs_up_on_a_phone_and_staff_approve_hours(server, browser, output_dir):
    task_id = publish_task(server.database_url)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "zhiyuan")  # lands on 我的任务
    page.goto(f"{server}/open_tasks")
    page.wait_for_selector("h1:has-text('报名服务')")
    page.locator(f".st-key-open_signup_{task_id} button").click()
    page.wait_for_selector("text=报名成功", timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-signed-up.png"), full_page=True)
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.wait_for_selector("text=浏览器测试：陪伴独居老人", timeout=20000)
    page.screenshot(path=str(output_dir / "2-phone-my-tasks.png"), full_page=True)
    phone.close()

    # Time passes: the task has started (hours are entered from the start on).
    start_task_now(server.database_url, task_id)

    office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = office.new_page()
    sign_in(page, server, "shuji")
    page.goto(f"{server}/tasks?task={task_id}")
    wait_idle(page)
    page.get_by_text("浏览器测试：陪伴独居老人").first.wait_for(timeout=20000)
    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        sid = s.exec(select(Signup.id).where(Signup.task_id == task_id)).one()
    engine.dispose()
    page.locator(f".st-key-tasks_in_{sid} button").click()
    wait_idle(page)
    page.get_by_role("button", name="录入时长").click()
    page.locator(f".st-key-tasks_hours_reason_{sid} input").fill("忘记签退")  # 补录 says why
    page.locator(f".st-key-tasks_hours_save_{sid} button").click()
    wait_idle(page)
    page.locator(f".st-key-tasks_approve_{sid} button").click()
    page.wait_for_selector("text=已确认 张志愿 的服务时长", timeout=20000)
    page.screenshot(path=str(output_dir / "3-office-approved.png"), full_page=True)
    office.close()

    engine = db.make_engine(server.database_url)
    with Session(engine) as s:
        signup = s.exec(select(Signup).where(Signup.task_id == task_id)).one()
        assert (signup.status, signup.hours_status, signup.hours) == ("attended", "approved", 2.0)
        assert (signup.hours_source, signup.hours_reason) == ("staff", "忘记签退")
    engine.dispose()


def test_cancelling_a_sign_up_nobody_waits_for_says_so_on_the_card(server, browser, output_dir):
    """Issue 10: 取消报名 with an empty waitlist was cancelled in the database while the
    card kept saying 您已报名 with its cancel button and no message."""
    person = new_volunteer(server.database_url, "quxiao", "取消测试", "13700001001")
    task_id = publish_task(
        server.database_url, title="浏览器测试：无人候补的任务", starts_in=timedelta(days=3)
    )
    signup_id = sign_up(server.database_url, person, task_id)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "quxiao")
    page.goto(f"{server}/open_tasks?task={task_id}")
    wait_idle(page)
    page.locator(f".st-key-open_cancel_{task_id} button").click()
    page.wait_for_selector("text=已取消报名", timeout=10000)
    wait_idle(page)
    page.locator(f".st-key-open_cancel_{task_id}").wait_for(state="detached", timeout=10000)
    # next to the card it was pressed on, and the card now offers to sign up again
    assert "已取消报名" in page.locator(f".st-key-flash_open_msg_{task_id}").inner_text()
    assert page.locator(f".st-key-open_cancel_{task_id}").count() == 0
    assert page.locator(f".st-key-open_signup_{task_id} button").is_enabled()
    page.screenshot(path=str(output_dir / "phone-cancelled.png"), full_page=True)
    phone.close()
    assert signup_row(server.database_url, signup_id).status == "cancelled"
