"""大字模式 on the public pages (ui/style.py): a switch near the top of the sign-in page,
the programme, the privacy notice and the certificate check; on, the page carries the
large-text CSS (20 px body, larger buttons), kept for the browser session and in the
address (?large=1), which also turns it on when a link is opened."""

from tests.conftest import app_test

PUBLIC = (
    "views/login.py",
    "views/programme.py",
    "views/privacy.py",
    "views/certificate_check.py",
)
SWITCH = "a11y_large_switch"


def large_text_css(at) -> bool:
    return any('id="board-large-text"' in html.proto.body for html in at.get("html"))


def test_the_switch_is_on_every_public_page_and_the_choice_follows_the_session(demo_engine):
    at = app_test(demo_engine, None)
    for page in PUBLIC:
        at.switch_page(page).run()
        assert at.toggle(key=SWITCH).label == "大字模式", page
        assert at.toggle(key=SWITCH).value is False, page
        assert not large_text_css(at), page

    at.toggle(key=SWITCH).set_value(True).run()  # on the certificate check
    assert large_text_css(at)
    assert at.query_params["large"] == "1"  # a copied link opens large too
    assert "20px" in next(
        h.proto.body for h in at.get("html") if "board-large-text" in h.proto.body
    )

    at.query_params.clear()  # another public page, opened without the parameter
    at.switch_page("views/programme.py").run()
    assert at.toggle(key=SWITCH).value is True
    assert large_text_css(at)

    at.toggle(key=SWITCH).set_value(False).run()
    assert not large_text_css(at)
    assert "large" not in at.query_params
    at.switch_page("views/login.py").run()
    assert at.toggle(key=SWITCH).value is False
    assert not large_text_css(at)


def test_a_link_with_large_1_opens_in_large_text(demo_engine):
    at = app_test(demo_engine, None, lang="en")
    at.query_params["large"] = "1"
    at.switch_page("views/programme.py").run()
    assert at.toggle(key=SWITCH).label == "Large text"
    assert at.toggle(key=SWITCH).value is True
    assert large_text_css(at)
