"""Reminders (issue 17): an outbox with one row per message to send, so a message is
never sent twice (its unique `key`) and a failed send is tried again later with back-off
(services/outbox.py)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from models.base import dt_field, enum_field, one_of


class MessageKind(StrEnum):
    task_tomorrow = "task_tomorrow"  # the day before a task, to each confirmed volunteer
    promoted = "promoted"  # a place came free and the volunteer moved off the waitlist
    task_cancelled = "task_cancelled"  # to each volunteer who had a place or waited
    event_cancelled = "event_cancelled"  # to the staff of the community (and its group)
    visit_due = "visit_due"  # an elder's visit falls due, to the assigned visitor
    proxy_deadline = "proxy_deadline"  # a proxy request nears its deadline, to its agent


class MessageChannel(StrEnum):
    board = "board"  # the bell in the board, for one account
    wecom = "wecom"  # the community's 企业微信 group robot (Community.wecom_webhook)


class MessageStatus(StrEnum):
    pending = "pending"  # to send at `next_attempt_at` (at once for the board's bell)
    sent = "sent"  # delivered (a board message is delivered when written)
    failed = "failed"  # given up after the last attempt; `last_error` says why
    skipped = "skipped"  # not sent: its task or event was cancelled or is past by then


class Message(SQLModel, table=True):
    """One message on one channel. `key` names the occasion and the recipient (e.g.
    "task_tomorrow:signup=34:board"), unique, so making the same reminder again adds
    nothing. `params` is JSON of the words the message needs (a title, a time, a place, a
    masked name: never a phone or an address); the text is written in the reader's
    language when shown (board) or in Chinese when sent (wecom). `record_type` and
    `record_id` name the task, event, elder or proxy request, so a sender can skip a
    message whose item was cancelled or is past."""

    __table_args__ = (
        UniqueConstraint("key", name="uq_message_key"),
        one_of("message", "kind", MessageKind),
        one_of("message", "channel", MessageChannel),
        one_of("message", "status", MessageStatus),
        # the sender's queue: what is due on a channel; one account's unread messages
        Index("ix_message_queue", "channel", "status", "next_attempt_at"),
        Index("ix_message_account_read", "account_id", "read_at"),
    )

    id: int = Field(default=None, primary_key=True)  # set on flush (models/base.py)
    key: str = Field(max_length=160)
    kind: MessageKind = enum_field(MessageKind)
    channel: MessageChannel = enum_field(MessageChannel)
    status: MessageStatus = enum_field(MessageStatus, default=MessageStatus.pending)
    account_id: int | None = Field(default=None, foreign_key="account.id")  # board channel
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    record_type: str = Field(default="", max_length=20)  # task, event, elder, proxy_request
    record_id: int | None = None
    params: str = Field(default="{}", max_length=2000)
    created_at: datetime = dt_field(default_now=True)
    next_attempt_at: datetime = dt_field(default_now=True)
    attempts: int = 0
    sent_at: datetime | None = dt_field(nullable=True)
    last_error: str = Field(default="", max_length=300)
    read_at: datetime | None = dt_field(nullable=True)  # board: when the reader opened it
