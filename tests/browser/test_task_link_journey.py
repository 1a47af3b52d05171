"""A volunteer opens a task's link from the WeChat group on a phone that is not signed
in: the sign-in form shows at that address, and after signing in the board opens on the
task, first in the list, ready for one tap."""

from datetime import timedelta

from tests.browser.conftest import PHONE, wait_idle
from tests.browser.test_signup_journey import publish_task

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
    first_card = page.locator('[data-testid="stMain"] h3').first
    assert first_card.inner_text().strip() == TITLE
    assert page.get_by_text("Page not found").count() == 0
    page.screenshot(path=str(output_dir / "task-link.png"), full_page=True)

    # Signed in already, the next link opens straight on its task: /open_tasks is the
    # volunteer's home page, served at "/" and at its own address.
    page.goto(f"{server}/my_tasks")
    wait_idle(page)
    page.goto(link)
    wait_idle(page)
    page.locator('[data-testid="stMain"] h3').first.wait_for(timeout=20000)
    assert page.locator('[data-testid="stMain"] h3').first.inner_text().strip() == TITLE
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
