"""On site, on phones: a volunteer with a place on a task that has begun scans the
check-in QR (/check_in?task=N&code=…) on a phone that is not signed in, signs in, and
lands checked in; then the staff member, on a phone too, opens the task's roster and
checks in the one still missing with 全部签到."""

from contextlib import contextmanager
from datetime import timedelta

from sqlmodel import Session, select

from models.base import utcnow
from models.volunteers import Signup, Volunteer
from services import check_in_codes, db, settings, signups
from tests.browser.conftest import PHONE, press, sign_in, wait_idle
from tests.browser.test_signup_journey import actor_named, new_volunteer, publish_task

TITLE = "浏览器测试：社区门口扫码签到"
# A volunteer of this journey's own: zhiyuan's places in other journeys would overlap
# this task (under way now), and the sign-up below would be refused.
SCANNER = ("saomaren", "扫码的志愿者", "13700099002")


@contextmanager
def _server_key(monkeypatch):
    """The codes as the server makes them: with its secret key (serve() sets it)."""
    with monkeypatch.context() as m:
        m.setenv("BOARD_SECRET_KEY", "browser-test-key")
        settings.get_settings.cache_clear()
        try:
            yield
        finally:
            settings.get_settings.cache_clear()
    settings.get_settings.cache_clear()


def _places(database_url: str, task_id: int) -> tuple[int, int]:
    """The scanner's own place and one for a volunteer staff signed up, a day ago."""
    staff = actor_named(database_url, "shuji")
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        other = Volunteer(
            name="门口的李阿姨",
            phone="13700099001",
            community_id=staff.community_id,
            joined_on=utcnow().date(),
        )
        s.add(other)
        s.flush()
        yesterday = utcnow() - timedelta(days=1)
        own = signups.signup_create(
            session=s, actor=actor_named(database_url, SCANNER[0]), task_id=task_id, now=yesterday
        ).signup_id
        theirs = signups.signup_create(
            session=s, actor=staff, task_id=task_id, volunteer_id=other.id, now=yesterday
        ).signup_id
    engine.dispose()
    return own, theirs


def _way(database_url: str, signup_id: int) -> str | None:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        way = s.exec(select(Signup.check_in_way).where(Signup.id == signup_id)).one()
    engine.dispose()
    return way


def test_scan_on_arrival_then_staff_check_in_the_rest(server, browser, output_dir, monkeypatch):
    url = server.database_url
    task_id = publish_task(url, title=TITLE, starts_in=timedelta(minutes=-10))
    new_volunteer(url, *SCANNER)
    own, theirs = _places(url, task_id)
    with _server_key(monkeypatch):
        code = check_in_codes.current_code(task_id, utcnow())

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{server}/check_in?task={task_id}&code={code}")
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill(SCANNER[0])
    page.get_by_role("textbox", name="密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    done = page.locator(f".st-key-check_in_done_{task_id}")
    done.wait_for(timeout=30000)
    assert "签到成功" in done.inner_text() and TITLE in done.inner_text()
    assert "code=" not in page.url  # a reload does not try the code again
    page.screenshot(path=str(output_dir / "checked-in.png"), full_page=True)
    assert _way(url, own) == "scan"

    phone.clear_cookies()  # the staff member's phone
    staff = phone.new_page()
    sign_in(staff, server, "shuji")
    staff.goto(f"{server}/tasks?task={task_id}")
    wait_idle(staff)
    staff.locator(f".st-key-tasks_check_in_code_{task_id} img").wait_for(timeout=20000)
    bulk = staff.locator(f".st-key-tasks_in_all_{task_id} button")
    assert "全部签到（1）" in bulk.inner_text()
    press(staff, bulk)
    press(staff, staff.locator(f".st-key-tasks_in_all_yes_{task_id} button"))
    staff.get_by_text("已为 1 位志愿者签到").wait_for(timeout=20000)
    staff.screenshot(path=str(output_dir / "roster.png"), full_page=True)
    assert _way(url, theirs) == "staff"
    phone.close()
