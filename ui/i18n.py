"""The translation function pages use: t("key", name=value) in the session's language."""

from __future__ import annotations

import json
from collections.abc import Mapping

import streamlit as st

from services.errors import BoardError, Label
from services.i18n import DEFAULT_LANG, LANGUAGES, translate
from ui.text import plain

LANG_KEY = "ui_lang"
LANG_COOKIE = "board_lang"  # the chosen language, kept by the browser across reloads
COOKIE_DAYS = 365


def remembered_lang(cookies: Mapping[str, str]) -> str:
    """The language this browser chose before (its cookie), else the default."""
    value = cookies.get(LANG_COOKIE)
    return value if value in LANGUAGES else DEFAULT_LANG


def lang() -> str:
    """The session's language: on its first run, the one this browser chose before."""
    if LANG_KEY not in st.session_state:
        st.session_state[LANG_KEY] = remembered_lang(st.context.cookies)
    return st.session_state[LANG_KEY]


def t(key: str, /, **params: object) -> str:
    return translate(key, lang(), **params)


def error_text(err: BoardError) -> str:
    """A refusal in the user's language, its Label parameters (field names) translated too.
    It is shown as Markdown (st.error): any other text in it (a name someone typed, a
    title) is escaped, so it reads as typed."""
    params = {
        k: t(v) if isinstance(v, Label) else plain(v) if isinstance(v, str) else v
        for k, v in err.params.items()
    }
    return t(err.key, **params)


def _relabel_widgets() -> None:
    """Keeps every choice when the language changes.

    A keyed widget is identified by its key alone, and the browser answers with the
    option's label in the old language, which the new labels no longer contain (a period
    of '按月' among 'By month', 'By quarter'...). Writing each value back through session
    state makes Streamlit send it to the browser again, labelled in the new language.
    Buttons, uploads and table edits (bool, None, dict) cannot be set this way, nor need it.
    """
    for key in list(st.session_state.keys()):
        value = st.session_state[key]
        if key != LANG_KEY and not isinstance(value, bool | dict | None):
            st.session_state[key] = value


def _remember(chosen: str) -> None:
    """Keeps the choice in a cookie (the page's script sets it: Streamlit cannot), so a
    reload or a link opened later in this browser comes in the same language. Sent while
    the cookie the session began with says otherwise."""
    if st.context.cookies.get(LANG_COOKIE) == chosen:
        return
    cookie = f"{LANG_COOKIE}={chosen}; path=/; max-age={COOKIE_DAYS * 86400}; samesite=lax"
    st.sidebar.html(
        f"<script>document.cookie = {json.dumps(cookie)};</script>",
        unsafe_allow_javascript=True,
    )


def language_switch() -> None:
    """The sidebar switch between 中文 and English, remembered by the browser."""
    lang()
    st.sidebar.selectbox(
        t("nav.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANG_KEY,
        on_change=_relabel_widgets,
    )
    _remember(lang())
