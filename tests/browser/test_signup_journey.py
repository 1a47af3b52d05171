"""zhiyuan signs up for a task from a phone and sees it in My tasks; shuji checks the
volunteer in, enters the hours and approves them."""

from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.volunteers import Signup, TaskKind
from services import db, tasks
from services.auth import actor_of
from tests.browser.conftest import DESKTOP, PHONE, sign_in, wait_idle


def publish_task(
    database_url: str,
    *,
    title: str = "浏览器测试：陪伴独居老人",
    starts_in: timedelta = timedelta(minutes=30),
) -> int:
    """shuji publishes an open task in 四千米社区 (for the server's database)."""
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    starts = utcnow() + starts_in
    with db.transaction(engine) as s:
        task_id = tasks.task_create(
            session=s,
            actor=shuji,
            title=title,
            kind=TaskKind.elder_visit,
            community_id=shuji.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=3,
            place="四千米社区 第一网格",
        )
    engine.dispose()
    return task_id


def test_volunteer_signs_up_on_a_phone_and_staff_approve_hours(server, browser, output_dir):
    task_id = publish_task(server.database_url)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "zhiyuan")
    page.wait_for_selector("h1:has-text('报名服务')")
    page.locator(f".st-key-open_signup_{task_id} button").click()
    page.wait_for_selector("text=报名成功", timeout=20000)
    page.screenshot(path=str(output_dir / "1-phone-signed-up.png"), full_page=True)
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.wait_for_selector("text=浏览器测试：陪伴独居老人", timeout=20000)
    page.screenshot(path=str(output_dir / "2-phone-my-tasks.png"), full_page=True)
    phone.close()

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
    engine.dispose()
