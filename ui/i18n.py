"""The translation function pages use: t("key", name=value) in the session's language."""

from __future__ import annotations

import streamlit as st

from services.i18n import DEFAULT_LANG, LANGUAGES, translate

LANG_KEY = "ui_lang"


def lang() -> str:
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def t(key: str, /, **params: object) -> str:
    return translate(key, lang(), **params)


def language_switch() -> None:
    """The sidebar switch between 中文 and English."""
    st.session_state.setdefault(LANG_KEY, DEFAULT_LANG)
    st.sidebar.selectbox(
        t("nav.language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.get,
        key=LANG_KEY,
    )
