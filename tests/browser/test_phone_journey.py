"""The phone, as a volunteer uses it (issue 17), in one journey at 390×844 in zh-CN: she
lands on 我的任务, the bottom bar takes her to 可报名任务 in one tap, every control is at
least 44 px, the phone field opens the number pad, nothing of Streamlit's English is
left, nothing scrolls sideways (at 390 px nor at 360 px), and the language she chose
survives a reload."""

from tests.browser.conftest import PHONE, choose, press, rerun, sign_in, wait_idle

# Streamlit's own English the Chinese interface must not show (text, aria-label, title,
# placeholder): the list, and what a look at the phone pages found besides.
ENGLISH = (
    "View ",
    "Press Enter",
    "Choose options",
    "Choose an option",
    "Show/hide columns",
    "Download as CSV",
    "Fullscreen",
    "Search",
    "Copy to clipboard",
    "Link to heading",
    "Choose date",
    "Date range",
    "Past ",
    "Select...",
    "Previous month",
    "Next month",
    "start date",
    "end date",
    "Increment",
    "Decrement",
    "Expand sidebar",
    "Collapse sidebar",
    "Skip to main content",
    "December",
    "January",
)

WORDS = """() => {
  const found = [document.body.innerText];
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
    for (const name of ["aria-label", "title", "placeholder"]) {
      if (el.getAttribute(name)) found.push(el.getAttribute(name));
    }
  }
  return found.join("\\n");
}"""

# Every control a thumb presses, visible on the screen, with its height and width.
TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0
      && getComputedStyle(el).visibility !== "hidden"; })
  .map((el) => { const r = el.getBoundingClientRect();
    const where = el.closest("[data-testid]");
    return [(el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 20),
            Math.round(r.height), Math.round(r.width), where && where.dataset.testid]; })"""
CONTROLS = (
    # a select's own open/clear icons sit inside its box: the box is the target
    '[data-testid="stMain"] button:not([data-testid="stSelectbox"] button),'
    ' .st-key-phone_bar a, [data-testid="stMain"] [role="radio"],'
    ' [data-testid="stMain"] [data-testid="stCheckbox"] label,'
    ' [data-testid="stMain"] [data-testid="stTextInputRootElement"],'
    ' [data-testid="stMain"] [data-testid="stSelectbox"] [role="group"],'
    ' [data-testid="stMain"] a[href^="tel:"],'
    ' [data-testid="stMain"] a[href^="https://uri.amap.com"]'
)


def _small_targets(page, selector: str = CONTROLS) -> list:
    return [t for t in page.evaluate(TARGETS, selector) if t[1] < 44 or t[2] < 44]


def _english(page) -> list[str]:
    text = page.evaluate(WORDS)
    return [word for word in ENGLISH if word in text]


def _open_menu(page) -> None:
    """Opens the sidebar (collapsed on a phone) unless Streamlit kept it open."""
    wait_idle(page)
    expand = page.locator('[data-testid="stExpandSidebarButton"]')
    if expand.is_visible():
        expand.click()
    page.locator('[data-testid="stSidebarNavLink"]').first.wait_for()
    # a press during the sidebar's slide lands beside its target
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stSidebar"]')
            .getBoundingClientRect().left >= 0"""
    )
    page.wait_for_timeout(300)


def _scroll_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_a_volunteer_on_her_phone(server, browser, output_dir):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    sign_in(page, server, "zhiyuan")

    # She lands on 我的任务, with the bottom bar.
    assert page.locator("h1").first.inner_text().strip() == "我的任务"
    bar = page.locator(".st-key-phone_bar")
    assert bar.is_visible()
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= PHONE["height"] + 1
    assert _small_targets(page) == []
    assert _english(page) == []
    assert _scroll_width(page) <= PHONE["width"]
    # The date picker of her certificate speaks Chinese too.
    page.locator('[data-testid="stExpander"] summary').first.click()
    page.locator('[data-testid="stDateInputCalendarButton"]').first.click()
    page.get_by_role("button", name="下个月").first.wait_for(timeout=10000)
    assert _english(page) == []
    page.locator('[data-testid="stDateInputQuickSelect"] button').click()
    page.get_by_role("option").first.wait_for(timeout=10000)
    assert _english(page) == []
    page.screenshot(path=str(output_dir / "1-my-tasks-calendar.png"))
    page.keyboard.press("Escape")  # the quick choices
    page.keyboard.press("Escape")  # the calendar
    page.locator('[data-testid="stDateInputCalendar"]').wait_for(state="detached")

    # One tap on the bar: the open tasks, as cards, each control a thumb's size.
    with rerun(page):
        bar.get_by_text("报名服务").click()
    page.wait_for_url(f"{server}/open_tasks", timeout=10000)
    assert page.locator("h1").first.inner_text().strip() == "报名服务"
    assert page.locator('[data-testid="stDataFrame"]').count() == 0
    assert page.locator('[data-testid="stMain"] a[href^="https://uri.amap.com"]').count() > 0
    assert _small_targets(page) == []
    assert _english(page) == []
    assert _scroll_width(page) <= PHONE["width"]
    page.screenshot(path=str(output_dir / "2-open-tasks.png"))

    # The menu's links, once opened, are a thumb's size too.
    _open_menu(page)
    assert _small_targets(page, '[data-testid="stSidebarNavLink"]') == []
    assert page.get_by_text("View ").count() == 0  # every page listed, no "View N more"
    page.locator('[data-testid="stSidebarCollapseButton"] button').click()

    # The programme: the register control is a button; the phone field opens the number pad.
    page.goto(f"{server}/programme")
    wait_idle(page)
    register = page.locator('[class*="st-key-programme_open_"] button').first
    assert register.bounding_box()["height"] >= 44
    press(page, register)
    phone_field = page.locator('[class*="st-key-programme_phone_"] input').first
    phone_field.wait_for()
    assert phone_field.get_attribute("inputmode") == "tel"
    assert _english(page) == []
    assert _scroll_width(page) <= PHONE["width"]
    page.screenshot(path=str(output_dir / "3-programme-form.png"))

    # At 360 px nothing scrolls sideways either.
    page.set_viewport_size({"width": 360, "height": 780})
    for path in ("my_tasks", "open_tasks"):
        page.goto(f"{server}/{path}")
        wait_idle(page)
        page.locator("h1").first.wait_for()
        assert _scroll_width(page) <= 360, path
    page.set_viewport_size(PHONE)

    # English, chosen once, is still English after a reload; and Chinese again after that.
    _open_menu(page)
    choose(page, "ui_lang", "English")
    page.locator("h1", has_text="Sign up").first.wait_for(timeout=10000)
    page.reload()
    wait_idle(page)
    page.locator("h1", has_text="Sign up").first.wait_for(timeout=20000)
    assert any(c["name"] == "board_lang" and c["value"] == "en" for c in context.cookies())
    page.screenshot(path=str(output_dir / "4-english-after-reload.png"))
    _open_menu(page)
    choose(page, "ui_lang", "中文")
    page.locator("h1", has_text="报名服务").first.wait_for(timeout=10000)
    page.reload()
    wait_idle(page)
    page.locator("h1", has_text="报名服务").first.wait_for(timeout=20000)
    context.close()
