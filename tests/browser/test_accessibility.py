"""适老化 on a phone (390×844, zh-CN): an axe-core scan of the sign-in, programme, open
tasks, my tasks, dashboard and elders pages finds no serious or critical fault, and no
skipped heading level, among the board's own elements; the public programme opens in
large text from a link (?large=1) and its switch turns it off.

"The board's own elements": the whole page except three parts Streamlit draws by itself,
which the board neither writes nor can change: the navigation list built from
st.navigation ([data-testid="stSidebarNav"]: axe finds its <li> items outside a proper
<ul>, Streamlit's markup), the sidebar's header with its collapse button
([data-testid="stSidebarHeader"]) and the top bar with the toolbar
([data-testid="stHeader"]). They are left out of the scan with axe's own `exclude`
context, so what is scanned (the page body and the board's part of the sidebar: the
signed-in line, the sign-out button, the language switch) is everything the board draws.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import PHONE, press, sign_in, wait_idle

STREAMLIT_CHROME = (
    '[data-testid="stSidebarNav"]',
    '[data-testid="stSidebarHeader"]',
    '[data-testid="stHeader"]',
)
# Who opens which page: the public pages signed out, a volunteer's pages as zhiyuan,
# the office's pages as the secretary shuji.
SCANS = (
    (None, ("", "programme")),
    ("zhiyuan", ("open_tasks", "my_tasks")),
    ("shuji", ("dashboard", "elders")),
)


def findings(axe: Axe, page) -> list[str]:
    """The board's own serious or critical faults and heading-order faults, one line a node."""
    results = axe.run(page, context={"exclude": [[selector] for selector in STREAMLIT_CHROME]})
    return [
        f"{v['id']} ({v['impact']}): {node['html'][:120]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"
        for node in v["nodes"]
    ]


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.locator('[data-testid="stMain"] h1').first.wait_for()


def text_size(page) -> float:
    """The font size, in px, of the page's first paragraph of body text."""
    paragraph = page.locator('[data-testid="stMain"] [data-testid="stMarkdownContainer"] p').first
    return paragraph.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")


def test_the_boards_own_elements_pass_axe_and_large_text_opens_from_a_link(
    server, browser, output_dir
):
    axe = Axe()
    found: dict[str, list[str]] = {}
    public = None
    for user, paths in SCANS:
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        if user:
            sign_in(page, server, user)
        for path in paths:
            open_page(page, f"{server}/{path}")
            page.screenshot(path=str(output_dir / f"{path or 'sign_in'}.png"))
            found[path or "sign_in"] = findings(axe, page)
        if user is None:
            public = page  # kept for the large text below
        else:
            context.close()
    assert found == {name: [] for name in found}

    # The programme as shared in the residents' WeChat group: in large text, and the
    # switch at its top turns it off (and out of the address).
    open_page(public, f"{server}/programme?large=1")
    switch = public.locator(".st-key-a11y_large_switch input")
    assert switch.is_checked()
    assert text_size(public) >= 20
    public.screenshot(path=str(output_dir / "programme_large.png"))
    assert findings(axe, public) == []
    press(public, public.locator(".st-key-a11y_large_switch label").filter(has_text="大字模式"))
    assert not switch.is_checked()
    assert text_size(public) < 20
    assert "large=1" not in public.url
    public.context.close()
