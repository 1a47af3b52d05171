"""The actions of one case, as its card offers them: only those the service says the
actor may take now (CaseDetail.actions), each one service call through ui.actions.write,
a refusal shown beside it, the outcome in the case's own message slot.

Every widget carries the case's id in its key (ui.records.record_key), so a press can
only reach the case it was drawn for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import streamlit as st

from models.cases import SATISFACTION_LEVELS, SATISFIED_FROM
from services import case_lists, cases
from services.access import Actor
from services.case_lists import CaseDetail
from services.cases import CaseAction
from ui.actions import flash, read, write
from ui.cases_photos import photo_uploader
from ui.filters import today
from ui.i18n import t
from ui.records import confirm_action, record_key

SCOPE = "case"
# 44 px touch targets (grid workers are on phones)
TOUCH_CSS = """<style>
[data-testid="stButtonGroup"] button, [data-testid="stFormSubmitButton"] button,
.stButton button { min-height: 44px; }
</style>"""


def message_anchor(case_id: int) -> str:
    return record_key(SCOPE, "msg", case_id)


def _done(case_id: int, action: CaseAction, clear: tuple[str, ...] = ()) -> None:
    flash(t(f"cases.done.{action.value}"), anchor=message_anchor(case_id), clear=clear)
    st.rerun()


def _key(action: CaseAction | str, field: str, case_id: int) -> str:
    name = action.value if isinstance(action, CaseAction) else action
    return record_key(SCOPE, f"{name}_{field}", case_id)


def _simple(actor: Actor, detail: CaseDetail, action: CaseAction, fn: Callable[..., Any]) -> None:
    """One tap: 受理, 开始处置."""
    case_id = detail.row.id
    if st.button(
        t(f"cases.action.{action.value}"),
        key=record_key(SCOPE, action.value, case_id),
        type="primary",
        width="stretch",
    ) and write(fn, actor=actor, case_id=case_id):
        _done(case_id, action)


def _with_reason(
    actor: Actor, detail: CaseDetail, action: CaseAction, fn: Callable[..., Any], arg: str
) -> None:
    """不予受理, 吹哨, 核查不通过, 无法回访: asked in place, with the reason required."""
    case_id = detail.row.id
    confirmed = confirm_action(
        t(f"cases.action.{action.value}"),
        scope=SCOPE,
        action=action.value,
        record_id=case_id,
        question=t(f"cases.ask.{action.value}", number=detail.row.number),
        confirm_label=t(f"cases.action.{action.value}"),
        reason_label=t(f"cases.reason_label.{action.value}"),
    )
    if confirmed and write(
        fn, where=confirmed.box, actor=actor, case_id=case_id, **{arg: confirmed.reason}
    ):
        _done(case_id, action, confirmed.keys)


def _dispatch(actor: Actor, detail: CaseDetail) -> None:
    """派遣: a person or a team of the community; for an escalated case, a department."""
    case_id = detail.row.id
    choices = read(case_lists.dispatch_choices, actor=actor, case_id=case_id)
    options: dict[str, str] = {}
    for c in choices.people:
        options[f"account:{c.id}"] = t("cases.to_person", name=c.name)
    for c in choices.teams:
        options[f"team:{c.id}"] = t("cases.to_team", name=c.name)
    for c in choices.departments:
        options[f"department:{c.id}"] = t("cases.to_department", name=c.name)
    with st.expander(t("cases.action.dispatch"), icon=":material/send:"):
        if not options:
            st.info(t("cases.no_dispatch_choices"))
            return
        with st.form(_key(CaseAction.dispatch, "form", case_id)):
            picked = st.selectbox(
                t("cases.dispatch_to"),
                list(options),
                format_func=options.__getitem__,
                key=_key(CaseAction.dispatch, "to", case_id),
            )
            note = st.text_input(
                t("cases.note"), key=_key(CaseAction.dispatch, "note", case_id), max_chars=200
            )
            sent = st.form_submit_button(t("cases.action.dispatch"), type="primary")
        if sent and picked:
            kind, _, target = picked.partition(":")
            if write(
                cases.case_dispatch,
                actor=actor,
                case_id=case_id,
                note=note,
                **{f"{kind}_id": int(target)},
            ):
                _done(case_id, CaseAction.dispatch)


def _text_form(
    actor: Actor,
    detail: CaseDetail,
    action: CaseAction,
    fn: Callable[..., Any],
    arg: str,
    icon: str,
) -> None:
    """记录部门报到, 添加备注: one text, required."""
    case_id = detail.row.id
    key = _key(action, "text", case_id)
    with st.expander(t(f"cases.action.{action.value}"), icon=icon):
        with st.form(_key(action, "form", case_id)):
            text = st.text_area(t(f"cases.text_label.{action.value}"), key=key, max_chars=500)
            sent = st.form_submit_button(t(f"cases.action.{action.value}"), type="primary")
        if sent and write(fn, actor=actor, case_id=case_id, **{arg: text}):
            _done(case_id, action, (key,))


def _feedback(actor: Actor, detail: CaseDetail) -> None:
    """反馈结果: what was done (required), with photos of it (optional)."""
    case_id = detail.row.id
    action = CaseAction.feedback
    key = _key(action, "text", case_id)
    with st.expander(t(f"cases.action.{action.value}"), icon=":material/task_alt:"):
        with st.form(_key(action, "form", case_id)):
            text = st.text_area(t(f"cases.text_label.{action.value}"), key=key, max_chars=500)
            photos = photo_uploader(_key(action, "photos", case_id))
            sent = st.form_submit_button(t(f"cases.action.{action.value}"), type="primary")
        if sent and write(
            cases.case_feedback, actor=actor, case_id=case_id, result=text, photos=photos
        ):
            _done(case_id, action, (key,))


def _close(actor: Actor, detail: CaseDetail) -> None:
    """核查结案: resolved or not, with a note."""
    case_id = detail.row.id
    with st.expander(t("cases.action.close"), icon=":material/fact_check:"):
        with st.form(_key(CaseAction.close, "form", case_id)):
            resolved = st.segmented_control(
                t("cases.resolved_q"),
                [True, False],
                format_func=lambda v: t("cases.resolved_yes" if v else "cases.resolved_no"),
                key=_key(CaseAction.close, "resolved", case_id),
                width="stretch",
            )
            note = st.text_input(
                t("cases.note"), key=_key(CaseAction.close, "note", case_id), max_chars=200
            )
            sent = st.form_submit_button(t("cases.action.close"), type="primary")
        if sent and write(
            cases.case_close, actor=actor, case_id=case_id, resolved=resolved, note=note
        ):
            _done(case_id, CaseAction.close)


def _call_back(actor: Actor, detail: CaseDetail) -> None:
    """回访评价: the resident's level of the five (不满意 or worse opens 整改)."""
    case_id = detail.row.id
    with st.expander(t("cases.action.call_back"), icon=":material/call:", expanded=True):
        with st.form(_key(CaseAction.call_back, "form", case_id)):
            level = st.segmented_control(
                t("cases.level_q"),
                SATISFACTION_LEVELS,
                format_func=lambda n: t(f"cases.level.{n}"),
                help=t("cases.level_help", level=t(f"cases.level.{SATISFIED_FROM - 1}")),
                key=_key(CaseAction.call_back, "level", case_id),
                width="stretch",
            )
            note = st.text_input(
                t("cases.note"), key=_key(CaseAction.call_back, "note", case_id), max_chars=200
            )
            sent = st.form_submit_button(t("cases.action.call_back"), type="primary")
        if sent and write(
            cases.case_call_back,
            actor=actor,
            case_id=case_id,
            level=level if level is not None else 0,
            note=note,
        ):
            _done(case_id, CaseAction.call_back)


def _extend(actor: Actor, detail: CaseDetail) -> None:
    """延期: a later due day, the reason and who approved it."""
    case_id = detail.row.id
    due = detail.row.due or today()
    with st.expander(t("cases.action.extend"), icon=":material/more_time:"):
        with st.form(_key(CaseAction.extend, "form", case_id)):
            new_due = st.date_input(
                t("cases.new_due"),
                value=due + timedelta(days=3),
                min_value=due + timedelta(days=1),
                key=_key(CaseAction.extend, "due", case_id),
            )
            reason = st.text_input(
                t("cases.reason_label.extend"),
                key=_key(CaseAction.extend, "reason", case_id),
                max_chars=200,
            )
            approved = st.text_input(
                t("cases.approved_by"),
                key=_key(CaseAction.extend, "approved", case_id),
                max_chars=40,
            )
            sent = st.form_submit_button(t("cases.action.extend"), type="primary")
        if sent and write(
            cases.case_extend,
            actor=actor,
            case_id=case_id,
            new_due=new_due,
            reason=reason,
            approved_by=approved,
        ):
            _done(case_id, CaseAction.extend)


def case_actions(actor: Actor, detail: CaseDetail) -> None:
    """The buttons and forms of the actions the actor may take on the case now."""
    st.html(TOUCH_CSS)
    a = CaseAction
    for action in detail.actions:
        if action == a.accept:
            _simple(actor, detail, action, cases.case_accept)
        elif action == a.start:
            _simple(actor, detail, action, cases.case_start)
        elif action == a.decline:
            _with_reason(actor, detail, action, cases.case_decline, "reason")
        elif action == a.escalate:
            _with_reason(actor, detail, action, cases.case_escalate, "reason")
        elif action == a.send_back:
            _with_reason(actor, detail, action, cases.case_send_back, "note")
        elif action == a.unreachable:
            _with_reason(actor, detail, action, cases.case_unreachable, "note")
        elif action == a.dispatch:
            _dispatch(actor, detail)
        elif action == a.feedback:
            _feedback(actor, detail)
        elif action == a.department_answer:
            _text_form(
                actor,
                detail,
                action,
                cases.case_department_answer,
                "note",
                ":material/how_to_reg:",
            )
        elif action == a.note:
            _text_form(actor, detail, action, cases.case_note, "note", ":material/edit_note:")
        elif action == a.close:
            _close(actor, detail)
        elif action == a.call_back:
            _call_back(actor, detail)
        elif action == a.extend:
            _extend(actor, detail)
