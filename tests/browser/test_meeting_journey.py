"""huiyi, the projector account, opens the meeting screen: large, one screen at a time."""

from tests.browser.conftest import wait_idle


def test_meeting_mode_on_the_projector(server, browser, output_dir):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.goto(server)
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").fill("huiyi")
    page.get_by_role("textbox", name="密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server}/", timeout=20000)
    page.wait_for_selector("h1:has-text('我们一起做了这些事')", timeout=20000)
    wait_idle(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    page.screenshot(path=str(output_dir / "meeting-figures.png"))
    page.get_by_role("button", name="下一页").click()
    wait_idle(page)
    page.wait_for_selector(
        '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg', timeout=20000
    )
    page.screenshot(path=str(output_dir / "meeting-chart.png"))
    context.close()
