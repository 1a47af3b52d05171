"""The export button every register page shows: one line on the page.

The file is made only when the button is pressed: Streamlit calls a callable `data`
on the click, outside the page's run (streamlit/runtime/media_file_manager.py
`execute_deferred`), so drawing the page costs nothing, and the audit and access-log
entries of an export are written by a press, not by a page view. What the callable needs (the actor,
the language, the day, the filters, whether sensitive fields go with the file) is bound
when the page is drawn.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import streamlit as st

from services import register_exports
from services.access import Actor
from ui.actions import read, write
from ui.filters import today
from ui.i18n import lang, t


class ExportRefused(RuntimeError):
    """The export was refused: no page is drawing while the file is made, so Streamlit
    logs this and tells the browser the file could not be made. (The button is drawn
    only on the register's own page, for those who may open it.)"""


def _made(
    actor: Actor, register: str, language: str, day: date, filters: dict, sensitive: bool
) -> bytes:
    done = write(
        register_exports.register_export,
        actor=actor,
        register=register,
        lang=language,
        today=day,
        filters=filters,
        include_sensitive=sensitive,
    )
    if done is None:
        raise ExportRefused(register)
    return done.value


def export_button(actor: Actor, register: str, /, *, key: str, **filters: Any) -> None:
    """An "导出 Excel" button for `register` (services/register_exports.REGISTERS) with the
    page's filter arguments, as the page passed them to its own read; the file is named
    by register_exports.export_name. Where the register can carry sensitive fields and
    the actor may take them, an opt-in beside it, off by default."""
    language, day = lang(), today()
    sensitive = register_exports.offers_sensitive(actor, register) and st.checkbox(
        t("sensitive.export_include"),
        value=False,
        key=f"{key}_sensitive",
        help=t("sensitive.export_include_help"),
    )
    name = read(
        register_exports.export_name,
        actor=actor,
        register=register,
        lang=language,
        today=day,
        community_id=filters.get("community_id"),
    )
    st.download_button(
        t("exports.button"),
        data=partial(_made, actor, register, language, day, filters, sensitive),
        file_name=name,
        mime=register_exports.XLSX_MIME,
        key=key,
        help=t("exports.button_help"),
        icon=":material/download:",
        on_click="ignore",
    )
