"""A record's action buttons, built one way on every page.

Every widget that acts on a record carries the record's id in its key
(`record_key("tasks", "cancel", 12)` = "tasks_cancel_12"), never its position in a list:
after a rerun, a message or a re-sorted list, a press can only ever reach the record it
was drawn for. A destructive action asks first, in place, says what else it changes,
and may require a reason; the question stays open (by key, in session state) until the
write goes through or the person says no.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.i18n import t


def record_key(scope: str, action: str, record_id: int | str) -> str:
    """The key of one record's widget: <scope>_<action>_<id>."""
    return f"{scope}_{action}_{record_id}"


def action_button(
    label: str,
    *,
    scope: str,
    action: str,
    record_id: int | str,
    where: Any = None,
    primary: bool = False,
    icon: str | None = None,
    disabled_reason: str | None = None,
    width: str = "stretch",
) -> bool:
    """A button for one record. With `disabled_reason`, it is greyed out and the reason
    is said beneath it, before anyone presses (a button that can only refuse is not
    offered as if it worked)."""
    target = where or st
    pressed = target.button(
        label,
        key=record_key(scope, action, record_id),
        type="primary" if primary else "secondary",
        icon=icon,
        disabled=disabled_reason is not None,
        width=width,
    )
    if disabled_reason:
        target.caption(disabled_reason)
    return pressed


@dataclass(frozen=True)
class Confirmed:
    """The person said yes (with their reason, when one was asked for). `box` is the
    question's container, for write(where=box) so a refusal shows inside it; `keys` are
    the widget keys of the question, for flash(clear=...) once the write has gone through."""

    reason: str
    keys: tuple[str, ...]
    box: Any


def confirm_action(
    label: str,
    *,
    scope: str,
    action: str,
    record_id: int | str,
    question: str,
    confirm_label: str,
    where: Any = None,
    box_where: Any = None,
    reason_label: str | None = None,
    reason_missing: str | None = None,
    icon: str | None = None,
    width: str = "stretch",
) -> Confirmed | None:
    """A destructive action that asks first: `label` opens the question in place,
    `confirm_label` answers yes, 返回 closes it. With `reason_label`, a reason is required
    and an empty one is refused here, next to the field (with `reason_missing`, or a
    general "please give a reason"). Returns Confirmed on yes."""
    target = where or st
    asking = record_key(scope, f"{action}_asking", record_id)
    reason_key = record_key(scope, f"{action}_reason", record_id)
    if target.button(label, key=record_key(scope, action, record_id), icon=icon, width=width):
        st.session_state[asking] = True
    if not st.session_state.get(asking):
        return None
    # `box_where`: where the question opens when the button sits in a narrow column
    # (a roster row), e.g. a full-width container under the row; default: under the button.
    box = (box_where or target).container(
        border=True, key=record_key(scope, f"{action}_box", record_id)
    )
    box.warning(question, icon=":material/warning:")
    reason = ""
    if reason_label:
        reason = box.text_input(reason_label, key=reason_key, max_chars=200)
    yes, no = box.columns(2)
    if no.button(
        t("common.back"), key=record_key(scope, f"{action}_no", record_id), width="stretch"
    ):
        st.session_state.pop(asking, None)
        st.session_state.pop(reason_key, None)
        st.rerun()
    if not yes.button(
        confirm_label,
        key=record_key(scope, f"{action}_yes", record_id),
        type="primary",
        width="stretch",
    ):
        return None
    if reason_label and not reason.strip():
        box.error(reason_missing or t("common.reason_required"), icon=":material/error:")
        return None
    return Confirmed(reason.strip(), (asking, reason_key), box)


def record_picker(
    label: str,
    labels: dict[Any, str],
    *,
    key: str,
    where: Any = None,
    **kwargs: Any,
) -> Any:
    """A selectbox that picks a record and keeps it by id.

    `labels` maps each record's id to its label, in the order shown. The browser answers
    with the label it showed, so a label that changed since (a renamed volunteer, a team
    now 已停用, an elder no longer overdue) would match no option and the widget would fall
    back to the first record, where the next press lands. Writing the id kept from the
    last run back before the widget is drawn keeps the same record picked under its new
    label; a record that left the list (a filter, a deactivation) falls back to the first.
    Returns the picked id (None when the list is empty)."""
    target = where or st
    kept = st.session_state.get(key)
    if kept in labels:
        st.session_state[key] = kept
    elif key in st.session_state:
        del st.session_state[key]
    return target.selectbox(
        label, list(labels), format_func=lambda i: labels.get(i, str(i)), key=key, **kwargs
    )
