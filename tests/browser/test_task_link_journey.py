"""A volunteer opens a task's link from the WeChat group on a phone that is not signed
in: the sign-in form shows at that address, and after signing in the board opens on the
task, first in the list, ready for one tap."""

from datetime import timedelta

from sqlmodel import Session, select

from models.accounts import Account
from models.base import utcnow
from models.volunteers import TaskKind
from services import db, tasks
from services.auth import actor_of
from tests.browser.conftest import PHONE, wait_idle

TITLE = "浏览器测试：帮独居老人取药"


def _publish_task(database_url: str) -> int:
    engine = db.make_engine(database_url)
    with Session(engine) as s:
        shuji = actor_of(s.exec(select(Account).where(Account.username == "shuji")).one())
    starts = utcnow() + timedelta(days=20)  # after the demo's open tasks: not first by date
    with db.transaction(engine) as s:
        task_id = tasks.task_create(
            session=s,
            actor=shuji,
            title=TITLE,
            kind=TaskKind.elder_visit,
            community_id=shuji.community_id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            capacity=2,
            place="四千米社区 第二网格",
        )
    engine.dispose()
    return task_id


def test_a_task_link_opens_the_task_after_signing_in(server, browser, output_dir):
    task_id = _publish_task(server.database_url)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    link = f"{server}/open_tasks?task={task_id}"
    page.goto(link)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill("zhiyuan")
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_role("textbox", name="密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    # Through /session/enter for the cookie, and back to the link.
    page.wait_for_url(link, timeout=20000)
    page.wait_for_selector('[data-testid="stSidebar"] button:has-text("退出登录")', timeout=20000)
    wait_idle(page)
    first_card = page.locator('[data-testid="stMain"] h3').first
    assert first_card.inner_text().strip() == TITLE
    page.screenshot(path=str(output_dir / "task-link.png"), full_page=True)
    phone.close()


def test_the_way_back_never_leaves_the_board(server, browser):
    """/session/enter sends the browser only to a path of this server."""
    context = browser.new_context()
    page = context.new_page()
    for target in ("https://example.org/", "//example.org/", "/\\example.org/"):
        page.goto(f"{server}/session/enter?code=nothing&next={target}")
        assert page.url.startswith(server), target
    context.close()
