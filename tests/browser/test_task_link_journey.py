"""A volunteer opens a task's link from the WeChat group on a phone that is not signed
in: the sign-in form shows at that address, and after signing in the board opens on the
task, first in the list, ready for one tap."""

from datetime import timedelta

import pytest

from models.volunteers import TaskStatus
from services import db, tasks
from tests.browser.conftest import PHONE, sign_in, wait_idle
from tests.browser.test_signup_journey import actor_named, publish_task

TITLE = "浏览器测试：帮独居老人取药"


def test_a_task_link_opens_the_task_after_signing_in(server, browser, output_dir):
    # After the demo's open tasks, so it is first only because the link names it.
    task_id = publish_task(server.database_url, title=TITLE, starts_in=timedelta(days=20))
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
    first_card = page.locator('[data-testid="stMain"] h2').first
    assert first_card.inner_text().strip() == TITLE
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(output_dir / "task-link.png"), full_page=True)

    # Signed in already, the next link opens straight on its task, from another page
    # (the volunteer lands on 我的任务).
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.goto(link)
    wait_idle(page)
    page.locator('[data-testid="stMain"] h2').first.wait_for(timeout=20000)
    assert page.locator('[data-testid="stMain"] h2').first.inner_text().strip() == TITLE
    assert page.get_by_text("Page not found").count() == 0
    phone.close()


def test_the_way_back_never_leaves_the_board(server, browser):
    """/session/enter sends the browser only to a path of this server."""
    context = browser.new_context()
    page = context.new_page()
    for target in ("https://example.org/", "//example.org/", "/\\example.org/"):
        page.goto(f"{server}/session/enter?code=nothing&next={target}")
        assert page.url.startswith(server), target
    context.close()


def _set_status(database_url: str, task_id: int, status: TaskStatus) -> None:
    engine = db.make_engine(database_url)
    with db.transaction(engine) as s:
        tasks.task_set_status(
            session=s, actor=actor_named(database_url, "shuji"), task_id=task_id, status=status
        )
    engine.dispose()


@pytest.fixture(scope="module")
def unshowable_links(server):
    """Tasks a link can name but a volunteer of 四千米社区 cannot sign up for, each with
    the reason the page must give."""
    url = server.database_url
    closed = publish_task(url, title="浏览器测试：已截止的任务", starts_in=timedelta(days=6))
    _set_status(url, closed, TaskStatus.closed)
    cancelled = publish_task(url, title="浏览器测试：已取消的任务", starts_in=timedelta(days=6))
    _set_status(url, cancelled, TaskStatus.cancelled)
    started = publish_task(url, title="浏览器测试：已开始的任务", starts_in=timedelta(hours=-1))
    elsewhere = publish_task(
        url, title="浏览器测试：前进社区的任务", starts_in=timedelta(days=6), by="qianjin"
    )
    return {
        "closed": (closed, "这个任务已截止报名"),
        "cancelled": (cancelled, "这个任务已取消"),
        "started": (started, "这个任务已经开始"),
        "elsewhere": (elsewhere, "这不是您所在社区的任务"),
        "missing": (999999, "任务不存在或已取消"),
    }


@pytest.mark.parametrize("case", ["closed", "cancelled", "started", "elsewhere", "missing"])
def test_a_link_that_cannot_be_shown_says_why_and_offers_the_list(
    server, browser, output_dir, unshowable_links, case
):
    """Issue 10: such a link silently showed the general list."""
    task_id, reason = unshowable_links[case]
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "zhiyuan")
    page.goto(f"{server}/open_tasks?task={task_id}")
    wait_idle(page)
    notice = page.locator(".st-key-open_link_notice")
    notice.get_by_text(reason).first.wait_for(timeout=20000)
    page.screenshot(path=str(output_dir / f"link-{case}.png"), full_page=True)
    # the list is offered: the notice's button leaves the link for the plain list
    page.locator(".st-key-open_link_all button").click()
    wait_idle(page)
    page.wait_for_url(f"{server}/open_tasks", timeout=10000)
    page.locator(".st-key-open_link_notice").wait_for(state="detached", timeout=10000)
    wait_idle(page)
    assert page.locator('[data-testid="stMain"] h2').count() > 0
    phone.close()
