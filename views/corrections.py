"""更正申请 (staff): the volunteers' requests to correct what the board holds about them,
resolved as done (for a name, phone or skills, the value written into the record in the
same step) or declined with a reason the volunteer reads (services/corrections.py); and
one person's data, a volunteer's or an elder's, exported on their request
(services/person_export.py, logged in the access log and the audit trail).
"""

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from services import corrections, person_export, volunteers
from services.access import Actor
from services.corrections import CorrectionLine
from ui.actions import flash, read, show_flash, write
from ui.empty import empty_hint
from ui.filters import today
from ui.fmt import when
from ui.i18n import lang, t
from ui.records import record_key, record_picker
from ui.session import page_guard
from ui.tabs import lazy_tabs
from ui.text import plain

SCOPE = "fix"


def _value(c: CorrectionLine, value: str) -> str:
    return plain(corrections.value_text(c.field, value, t)) or "—"


def resolve_form(c: CorrectionLine) -> None:
    """Done (writing the value, for a field that can be) or declined with a reason."""
    key = lambda name: record_key(SCOPE, name, c.id)  # noqa: E731
    with st.form(key("resolve")):
        outcome = st.radio(
            t("corrections.outcome"),
            ("done", "declined"),
            format_func=lambda o: t(f"corrections.outcome.{o}"),
            horizontal=True,
            key=key("outcome"),
        )
        value: str | None = None
        if c.can_apply:
            apply = st.checkbox(t("corrections.apply"), value=True, key=key("apply"))
            if c.field == "skills":
                picked = st.multiselect(
                    t("corrections.apply_value"),
                    list(volunteers.SKILLS),
                    default=[s for s in c.requested.split(",") if s in volunteers.SKILLS],
                    format_func=lambda s: t(f"volunteers.skill.{s}"),
                    key=key("skills"),
                    placeholder=t("common.choose_any"),
                )
                typed = ",".join(picked)
            else:
                typed = st.text_input(
                    t("corrections.apply_value"), value=c.requested, key=key("value")
                )
            value = typed if apply else None
        resolution = st.text_input(
            t("corrections.resolution"),
            key=key("resolution"),
            max_chars=corrections.RESOLUTION_MAX,
            help=t("corrections.resolution_help"),
        )
        sent = st.form_submit_button(t("corrections.submit"), type="primary")
    if not sent:
        return
    done = outcome == "done"
    if write(
        corrections.correction_resolve,
        actor=actor,
        correction_id=c.id,
        done=done,
        resolution=resolution,
        apply_value=value if done else None,
    ):
        flash(t("corrections.resolved", name=plain(c.volunteer)))
        st.rerun()


def request_card(c: CorrectionLine) -> None:
    with st.container(border=True, key=record_key(SCOPE, "card", c.id)):
        st.markdown(
            f"**{plain(c.volunteer)}** · {t(f'corrections.field.{c.field}')} · {when(c.created_at)}"
        )
        left, right = st.columns(2)
        left.caption(t("corrections.held"))
        left.write(_value(c, c.current_value))
        right.caption(t("corrections.requested"))
        right.write(_value(c, c.requested))
        if not c.can_apply:
            st.caption(t("corrections.fix_elsewhere"))
        resolve_form(c)


def open_tab() -> None:
    waiting: list[CorrectionLine] = read(corrections.correction_list, actor=actor)
    if not waiting:
        empty_hint(t("corrections.none_open"))
        return
    st.caption(t("corrections.open_count", n=len(waiting)))
    for c in waiting:
        request_card(c)


def all_tab() -> None:
    rows: list[CorrectionLine] = read(corrections.correction_list, actor=actor, open_only=False)
    if not rows:
        st.info(t("corrections.none"), icon=":material/info:")
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("corrections.col.volunteer"): [c.volunteer for c in rows],
                t("my_data.col.asked_on"): [when(c.created_at) for c in rows],
                t("my_data.col.field"): [t(f"corrections.field.{c.field}") for c in rows],
                t("my_data.col.requested"): [
                    corrections.value_text(c.field, c.requested, t) for c in rows
                ],
                t("my_data.col.status"): [t(f"corrections.status.{c.status}") for c in rows],
                t("my_data.col.resolution"): [c.resolution for c in rows],
                t("corrections.col.resolved_by"): [c.resolved_by for c in rows],
                t("my_data.col.resolved_at"): [when(c.resolved_at) for c in rows],
            }
        ),
        hide_index=True,
        width="stretch",
    )


class ExportRefused(RuntimeError):
    """The export was refused (no page is drawing while the file is made)."""


def _made(actor: Actor, record_type: str, record_id: int, language: str, day: date) -> bytes:
    done = write(
        person_export.person_export,
        actor=actor,
        record_type=record_type,
        record_id=record_id,
        lang=language,
        today=day,
    )
    if done is None:
        raise ExportRefused(record_type)
    return done.value


def export_tab() -> None:
    st.caption(t("person_export.intro"))
    record_type = st.radio(
        t("person_export.whose"),
        person_export.RECORD_TYPES,
        format_func=lambda r: t(f"person_export.type.{r}"),
        horizontal=True,
        key="fix_export_type",
    )
    people = read(person_export.person_choices, actor=actor, record_type=record_type)
    if not people:
        empty_hint(t(f"person_export.none.{record_type}"))
        return
    labels = {
        p.id: " · ".join(
            [
                p.name,
                *([p.community] if actor.is_street_admin else []),
                *([p.phone] if p.phone else []),
                *([] if p.active else [t("common.inactive")]),
            ]
        )
        for p in people
    }
    picked = record_picker(
        t("person_export.pick"),
        labels,
        key=f"fix_export_{record_type}",
        placeholder=t("person_export.pick_placeholder"),
        index=None,
    )
    if picked is None:
        return
    day, language = today(), lang()
    st.download_button(
        t("person_export.button"),
        data=partial(_made, actor, record_type, picked, language, day),
        file_name=read(
            person_export.person_export_name,
            actor=actor,
            record_type=record_type,
            record_id=picked,
            lang=language,
            today=day,
        ),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=record_key(SCOPE, f"export_{record_type}", picked),
        help=t("person_export.button_help"),
        icon=":material/download:",
        on_click="ignore",
    )


actor = page_guard("corrections")
st.title(t("nav.corrections"))
st.caption(t("corrections.intro"))
show_flash()
lazy_tabs(
    "fix_tab",
    [
        (t("corrections.tab.open"), open_tab),
        (t("corrections.tab.all"), all_tab),
        (t("corrections.tab.export"), export_tab),
    ],
)
