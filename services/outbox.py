"""The reminders' outbox (models/messages.py): a message is written once, in the
transaction of the write it is about, and sent later; never twice, and a failed send is
tried again with back-off.

- `enqueue` adds a row unless one with its key exists (INSERT … ON CONFLICT DO NOTHING,
  on SQLite and PostgreSQL alike: two writers making the same reminder at once add one
  row, and neither fails). A board message is delivered by being written: its status is
  sent, and the bell shows it until it is read.
- `send_due` sends the group (wecom) messages that are due. It first claims them: one
  UPDATE moves each row's next attempt forward by its back-off and counts the attempt,
  WHERE it is still pending and due, so two senders (two app servers on one PostgreSQL,
  or the server's thread beside `manage.py outbox send`) never both send a row: the
  second finds it no longer due. Each claimed message is then checked (its task or
  event still on and not begun, the community's group still set: skipped otherwise),
  posted, and marked sent; a failure leaves it pending until the back-off has passed,
  and the MAX_ATTEMPTS-th failure marks it failed with its last error.
- The bell's reads: `unread_count`, `inbox`, and `mark_read`. Reading a message is no
  change to a record, so it leaves no audit entry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from models.base import UTCDateTime, aware_utc, utcnow
from models.events import Event, EventStatus
from models.messages import Message, MessageChannel, MessageKind, MessageStatus
from models.org import Community
from models.volunteers import Task, TaskStatus
from services import wecom
from services.access import Actor
from services.db import transaction

log = logging.getLogger("board")

# The wait after each failed attempt; the MAX_ATTEMPTS-th failure is the last.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
INBOX_LIMIT = 50
# Messages about a cancellation are sent although (because) their item is cancelled.
_ABOUT_CANCELLING = (MessageKind.task_cancelled, MessageKind.event_cancelled)


def enqueue(
    session: Session,
    *,
    key: str,
    kind: MessageKind,
    channel: MessageChannel,
    community_id: int | None,
    account_id: int | None = None,
    record_type: str,
    record_id: int | None,
    params: Mapping[str, object],
    send_at: datetime | None = None,
) -> bool:
    """Adds the message `key` in the caller's transaction, unless it exists. Returns
    whether it was added. (A key seen is not written at all: the day's reminders made
    again write nothing, so the cached reads of messages stay valid.)"""
    if session.exec(select(Message.id).where(col(Message.key) == key)).first() is not None:
        return False
    now = utcnow()
    board = channel == MessageChannel.board
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    stmt = (
        insert(Message)
        .values(
            key=key,
            kind=kind,
            channel=channel,
            status=MessageStatus.sent if board else MessageStatus.pending,
            account_id=account_id,
            community_id=community_id,
            record_type=record_type,
            record_id=record_id,
            params=json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
            created_at=now,
            next_attempt_at=send_at or now,
            attempts=0,
            sent_at=now if board else None,
            last_error="",
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]


# --- sending the group messages ---------------------------------------------------------


@dataclass
class SendReport:
    """What one `send_due` did, message ids by outcome."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _lease(now: datetime) -> Any:
    """SQL: the next attempt of a row about to be tried, by the attempts made before."""
    return case(
        *(
            (col(Message.attempts) == made, literal(now + wait, UTCDateTime()))
            for made, wait in enumerate(BACKOFF)
        ),
        else_=literal(now + BACKOFF[-1], UTCDateTime()),
    )


def _claim(session: Session, now: datetime, limit: int) -> list[int]:
    """The ids of up to `limit` due group messages, claimed for this sender alone."""
    due = (
        (col(Message.channel) == MessageChannel.wecom)
        & (col(Message.status) == MessageStatus.pending)
        & (col(Message.next_attempt_at) <= now)
    )
    ids = session.exec(
        select(Message.id)
        .where(due)
        .order_by(col(Message.next_attempt_at), col(Message.id))
        .limit(limit)
    ).all()
    if not ids:  # nothing due: no write, so no new data version every half minute
        return []
    claimed = session.execute(
        update(Message)
        .where(col(Message.id).in_(ids), due)
        .values(attempts=col(Message.attempts) + 1, next_attempt_at=_lease(now))
        .returning(col(Message.id))
        .execution_options(synchronize_session=False)
    )
    return sorted(claimed.scalars().all())


def skip_reason(session: Session, message: Message, now: datetime) -> str:
    """Why a claimed group message is not sent ("" to send it): its community's group is
    gone, or its task or event was cancelled or has begun."""
    community = session.get(Community, message.community_id) if message.community_id else None
    if community is None or not community.wecom_webhook:
        return "no group webhook"
    item: Task | Event | None = None
    if message.record_type == "task" and message.record_id is not None:
        item = session.get(Task, message.record_id)
        cancelled = item is not None and TaskStatus(item.status) == TaskStatus.cancelled
    elif message.record_type == "event" and message.record_id is not None:
        item = session.get(Event, message.record_id)
        cancelled = item is not None and EventStatus(item.status) == EventStatus.cancelled
    else:
        return ""
    if item is None:
        return "item gone"
    if cancelled and MessageKind(message.kind) not in _ABOUT_CANCELLING:
        return "cancelled"
    if aware_utc(item.starts_at) <= now:
        return "past"
    return ""


def _finish(
    session_factory: Callable[[], AbstractContextManager[Session]],
    message_id: int,
    now: datetime,
    error: str,
) -> MessageStatus:
    """Records the outcome of a send: sent, still pending (its back-off set by the claim),
    or failed after the last attempt. Returns the outcome."""
    with session_factory() as session:
        message = session.get(Message, message_id)
        assert message is not None  # claimed by this sender a moment ago
        if not error:
            message.status, message.sent_at, message.last_error = MessageStatus.sent, now, ""
        else:
            message.last_error = error[:300]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = MessageStatus.failed
        session.add(message)
        return MessageStatus(message.status)


def send_due(
    *,
    session_factory: Callable[[], AbstractContextManager[Session]] = transaction,
    now: datetime | None = None,
    post: Callable[..., None] = wecom.post,
    limit: int = 50,
) -> SendReport:
    """Sends the group messages due at `now` (see the module's docstring)."""
    now = now or utcnow()
    report = SendReport()
    with session_factory() as session:
        claimed = _claim(session, now, limit)
    for message_id in claimed:
        with session_factory() as session:
            message = session.get(Message, message_id)
            assert message is not None
            reason = skip_reason(session, message, now)
            if reason:
                message.status, message.last_error = MessageStatus.skipped, reason
                session.add(message)
                report.skipped.append(message_id)
                continue
            community = session.get(Community, message.community_id)
            assert community is not None  # skip_reason checked it
            url = community.wecom_webhook
            body = wecom.markdown_body(message.kind, json.loads(message.params))
        try:
            post(url, body)
            error = ""
        except wecom.SendError as err:
            error = str(err) or type(err).__name__
        except Exception as err:  # a fault in one message must not stop the others
            log.exception("outbox: sending message %s", message_id)
            error = f"{type(err).__name__}: {err}"
        outcome = _finish(session_factory, message_id, now, error)
        if outcome == MessageStatus.sent:
            report.sent.append(message_id)
        elif outcome == MessageStatus.failed:
            report.failed.append(message_id)
        else:
            report.retrying.append(message_id)
    return report


# --- the bell: one account's board messages -----------------------------------------------


@dataclass(frozen=True)
class InboxMessage:
    """One board message, as the messages page writes it in the reader's language."""

    id: int
    kind: str
    params: dict[str, str]
    record_type: str
    record_id: int | None
    created_at: datetime
    read: bool


def _mine(actor: Actor) -> Any:
    return (
        (col(Message.channel) == MessageChannel.board)
        & (col(Message.account_id) == actor.id)
        & (col(Message.status) == MessageStatus.sent)
    )


def unread_count(*, session: Session, actor: Actor) -> int:
    """How many of the actor's board messages are not read yet (the bell's number)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Message)
            .where(_mine(actor), col(Message.read_at).is_(None))
        ).one()
    )


def inbox(*, session: Session, actor: Actor, limit: int = INBOX_LIMIT) -> list[InboxMessage]:
    """The actor's board messages, newest first."""
    rows = session.exec(
        select(Message)
        .where(_mine(actor))
        .order_by(col(Message.created_at).desc(), col(Message.id).desc())
        .limit(max(1, min(limit, INBOX_LIMIT)))
    ).all()
    return [
        InboxMessage(
            id=row.id,
            kind=str(row.kind),
            params={k: str(v) for k, v in json.loads(row.params).items()},
            record_type=row.record_type,
            record_id=row.record_id,
            created_at=aware_utc(row.created_at),
            read=row.read_at is not None,
        )
        for row in rows
    ]


def mark_read(*, session: Session, actor: Actor, message_ids: list[int]) -> int:
    """Marks the actor's own messages among `message_ids` read; returns how many."""
    if not message_ids:
        return 0
    rows = session.exec(
        select(Message).where(
            _mine(actor), col(Message.id).in_(message_ids), col(Message.read_at).is_(None)
        )
    ).all()
    now = utcnow()
    for row in rows:
        row.read_at = now
        session.add(row)
    return len(rows)
