"""A friendly error page instead of a traceback."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from ui.i18n import t

log = logging.getLogger("board")


def show_friendly_error(exc: BaseException) -> None:
    ref = secrets.token_hex(4)
    log.error("Unexpected error, reference %s", ref, exc_info=exc)
    st.error(t("error.unexpected_title"), icon=":material/sentiment_dissatisfied:")
    st.write(t("error.unexpected_body", ref=ref))


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Streamlit's stop/rerun signals are BaseExceptions and pass through untouched."""
    try:
        yield
    except Exception as exc:
        show_friendly_error(exc)
