"""The board's own look where Streamlit's theme cannot set it, and the large-text mode.

Colours: Streamlit draws captions (st.caption) in the theme's text colour at 60 % opacity,
which reads as #797b7e on white: 4.24:1, under the 4.5:1 that WCAG AA asks of normal text.
The theme has no option for it, so the CSS below draws them opaque in #5F6368: 6.0:1 on
white and 5.4:1 on the sidebar's #F6F1EC.

Headings: a page has one h1 (its title), its sections and cards are h2 and their parts h3,
so a screen reader's list of headings skips no level. An h2 is drawn at the size of
Streamlit's h3 (1.75rem), as the board's sections and cards were drawn before: the level
says where a heading sits, the size how much it weighs on a phone.

Large text (大字模式): many residents who open the public pages are old. The switch at the
top of those pages enlarges the page's text (20 px body) and its buttons; it is kept for
the browser session, and a link with ?large=1 (shared in the residents' WeChat group)
opens with it on.
"""

from __future__ import annotations

import streamlit as st

from ui.i18n import t

CAPTION_COLOUR = "#5F6368"
LARGE_PARAM = "large"  # ?large=1
LARGE_KEY = "a11y_large"  # the choice, kept for the browser session
SWITCH_KEY = "a11y_large_switch"  # the switch; Streamlit forgets it on pages without it

BOARD_CSS = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
  color: {CAPTION_COLOUR};
  opacity: 1;
}}
[data-testid="stMain"] h2 {{
  font-size: 1.75rem;
}}
.st-key-{SWITCH_KEY} label {{
  min-height: 44px;
  align-items: center;
}}
</style>"""

# The marker lets a test (and a reader of the page source) tell the mode is on.
LARGE_TEXT_CSS = """<style id="board-large-text">
[data-testid="stMain"] { font-size: 20px; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] input, [data-testid="stMain"] textarea,
[data-testid="stMain"] [data-testid="stMarkdownContainer"],
[data-testid="stMain"] [data-baseweb="select"] div {
  font-size: 20px !important;
  line-height: 1.6;
}
[data-testid="stMain"] [data-testid="stCaptionContainer"],
[data-testid="stMain"] [data-testid="stCaptionContainer"] p {
  font-size: 18px !important;
}
[data-testid="stMain"] button {
  min-height: 52px;
  padding: 0.5rem 1.25rem;
}
[data-testid="stMain"] button p { font-size: 22px !important; }
[data-testid="stMain"] input { min-height: 48px; }
</style>"""


def apply_board_style() -> None:
    """The board's colour and heading CSS, on every page (app.py)."""
    st.html(BOARD_CSS)


def large_text_on() -> bool:
    """Whether this browser session reads the public pages in large text; a link with
    ?large=1 turns it on."""
    if st.query_params.get(LARGE_PARAM) == "1":
        st.session_state[LARGE_KEY] = True
    return bool(st.session_state.get(LARGE_KEY, False))


def _remember() -> None:
    """Keeps the choice beyond this page, and in the address so a copied link keeps it."""
    on = bool(st.session_state[SWITCH_KEY])
    st.session_state[LARGE_KEY] = on
    if on:
        st.query_params[LARGE_PARAM] = "1"
    elif LARGE_PARAM in st.query_params:
        del st.query_params[LARGE_PARAM]


def large_text_switch() -> None:
    """The 大字模式 switch, near the top of a public page, and the larger text when on."""
    on = large_text_on()
    st.session_state[SWITCH_KEY] = on
    st.toggle(t("a11y.large_text"), key=SWITCH_KEY, on_change=_remember)
    if on:
        st.html(LARGE_TEXT_CSS)
