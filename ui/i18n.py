"""The translation function pages use: t("key", name=value) in the session's language."""

from __future__ import annotations

import streamlit as st

from services.errors import BoardError, Label
from services.i18n import DEFAULT_LANG, LANGUAGES, translate
from ui.text import plain

LANG_KEY = "ui_lang"


def lang() -> str:
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


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


def language_switch() -> None:
    """The sidebar switch between 中文 and English."""
    st.session_state.setdefault(LANG_KEY, DEFAULT_LANG)
    st.sidebar.selectbox(
        t("nav.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANG_KEY,
        on_change=_relabel_widgets,
    )
