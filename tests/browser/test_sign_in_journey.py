"""shuji signs in, reloads and is still signed in, then signs out."""

from tests.browser.conftest import DESKTOP, sign_in_by_form, wait_idle


def test_sign_in_survives_reload_then_sign_out(server, browser, output_dir):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in_by_form(page, server, "shuji")
    page.wait_for_selector('[data-testid="stSidebar"]:has-text("王书记 · 社区书记")')

    # The cookie is HttpOnly and SameSite; scripts in the page cannot read it.
    cookie = next(c for c in context.cookies() if c["name"] == "board_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0
    assert "board_session" not in page.evaluate("document.cookie")

    page.reload()
    wait_idle(page)
    page.wait_for_selector('[data-testid="stSidebar"]:has-text("王书记 · 社区书记")', timeout=20000)
    page.screenshot(path=str(output_dir / "home.png"), full_page=True)

    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("textbox", name="用户名").wait_for(timeout=20000)
    assert not [c for c in context.cookies() if c["name"] == "board_session"]
    page.reload()
    wait_idle(page)
    page.get_by_role("textbox", name="用户名").wait_for(timeout=20000)
    assert page.get_by_text("王书记 · 社区书记").count() == 0
    context.close()


def test_language_switch_in_the_browser(server, browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(server)
    wait_idle(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
    page.get_by_role("option", name="English").click()
    page.get_by_role("textbox", name="Username").fill("nobody")
    page.get_by_role("textbox", name="Password").fill("whatever")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("text=Wrong username or password", timeout=20000)
    context.close()
