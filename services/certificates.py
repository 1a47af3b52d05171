"""志愿服务记录证明: the numbered certificate of service a community issues to a volunteer
(民政部《志愿服务记录与证明出具办法》, 民发〔2015〕149号 for what it states).

What a certificate lists: the volunteer's sign-ups whose hours are approved (the only
hours that count, services/signups.py), on tasks of the volunteer's own community (谁组织
谁记录, 谁记录谁证明: a community certifies the service it organised and recorded) that
started within the period (local days, both ends included). Each line: the day, the
task, the hours and who confirmed them (the account that approved the hours; rows
approved before the approver was kept, such as the demo's, name the task's community).

Who may issue one: the volunteer for themself (their own sign-in account), the staff of
the volunteer's community, and the street admin. It is refused for a period with no
approved service, and while the community has not set its person in charge and office
phone (组织架构 → the community → 证明署名与联系电话), which every certificate states.

The number is ZYZM-<year of issue>-<row id, six digits>: the database gives the id, so two
certificates issued at the same moment never share a number, and numbers only grow.

Nothing but the totals and a sha256 digest of the lines is kept: a reprint reads the
lines again and, if they no longer give the digest (hours approved, changed or a task
renamed since), says so on the PDF and on the public check.

The public check (`check_certificate`) shows whether the number is valid and only: the
volunteer's masked name (张*), the period, the total hours, the issuing community and the
day of issue.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session, col, select

from models.accounts import Account
from models.base import local, local_today
from models.certificates import ServiceCertificate
from models.org import Community
from models.privacy import AccessKind
from models.volunteers import HoursStatus, Signup, Task, Volunteer
from services import access_log, audit
from services.access import STAFF, Actor, mask_name
from services.db import local_bounds
from services.errors import BoardError
from services.i18n import DEFAULT_LANG, translate
from services.pdf_documents import Document

PREFIX = "ZYZM"  # 志愿证明
CHECK_PATH = "/certificate_check"  # the public check page (services/access.py)
CHECK_PARAM = "no"  # /certificate_check?no=ZYZM-2026-000042


class CheckStatus(StrEnum):
    valid = "valid"
    changed = "changed"  # the records no longer give the certificate's digest
    not_found = "not_found"


@dataclass(frozen=True)
class ServiceLine:
    """One service a certificate lists."""

    signup_id: int
    day: date  # the task's start, local day
    task: str
    hours: float
    confirmed_by: str
    confirmer_key: str  # what identifies the confirmer in the digest (stable across renames)


@dataclass(frozen=True)
class CertificateDraft:
    """What a certificate for this volunteer and period would state (a preview)."""

    volunteer_id: int
    volunteer_name: str
    volunteer_number: str
    community_id: int
    community: str
    period_start: date
    period_end: date
    lines: tuple[ServiceLine, ...]
    person_in_charge: str
    office_phone: str

    @property
    def service_count(self) -> int:
        return len(self.lines)

    @property
    def total_hours(self) -> float:
        return round(sum(line.hours for line in self.lines), 2)

    @property
    def contact_missing(self) -> bool:
        return not (self.person_in_charge and self.office_phone)


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate as issued, for lists and the PDF (no session-bound rows)."""

    id: int
    number: str
    volunteer_id: int
    volunteer_name: str
    volunteer_number: str
    community: str
    period_start: date
    period_end: date
    service_count: int
    total_hours: float
    person_in_charge: str
    contact_phone: str
    issued_by: str  # the account that issued it
    self_issued: bool  # by the volunteer themself, from their own page
    issued_on: date


@dataclass(frozen=True)
class CertificateCheck:
    """What the public check shows, and nothing else."""

    status: CheckStatus
    number: str
    masked_name: str = ""
    period_start: date | None = None
    period_end: date | None = None
    total_hours: float = 0.0
    community: str = ""
    issued_on: date | None = None


# --- small rules ---------------------------------------------------------------------


def volunteer_number(community_id: int, volunteer_id: int) -> str:
    """The board's own volunteer number (志愿者编号): community and volunteer id, e.g.
    001-000042. Stable for life (a volunteer keeps their community and id); it is not the
    national system's (全国志愿服务信息系统) number, which the board does not hold."""
    return f"{community_id:03d}-{volunteer_id:06d}"


def certificate_number(year: int, row_id: int) -> str:
    return f"{PREFIX}-{year}-{row_id:06d}"


def digest(lines: tuple[ServiceLine, ...] | list[ServiceLine]) -> str:
    """sha256 (hex) of the lines a certificate lists: one text line each, in order, of
    the sign-up, day, task, hours and confirmer."""
    text = "\n".join(
        f"{ln.signup_id}|{ln.day.isoformat()}|{ln.task}|{ln.hours:.2f}|{ln.confirmer_key}"
        for ln in lines
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_period(period_start: date | None, period_end: date | None, today: date) -> None:
    if period_start is None or period_end is None or period_start > period_end:
        raise BoardError("certificates.period_invalid")
    if period_end > today:
        raise BoardError("certificates.period_future")


# --- reads -------------------------------------------------------------------------------


def _volunteer_for(session: Session, actor: Actor, volunteer_id: int) -> Volunteer:
    """The volunteer, for the volunteer themself, staff of their community or the admin."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise BoardError("common.not_found")
    if volunteer.account_id is not None and volunteer.account_id == actor.id:
        return volunteer
    actor.require(STAFF)
    actor.require_community(volunteer.community_id)
    return volunteer


def service_lines(
    session: Session, volunteer_id: int, community_id: int, period_start: date, period_end: date
) -> tuple[ServiceLine, ...]:
    """The approved services of the volunteer on the community's tasks that started in
    [period_start, period_end] (local days), earliest first."""
    begin, finish = local_bounds(period_start, period_end + timedelta(days=1))
    community = session.get(Community, community_id)
    assert community is not None  # a foreign key
    rows = session.exec(
        select(Signup, Task, col(Account.display_name))
        .join(Task, col(Task.id) == Signup.task_id)
        .join(Account, col(Account.id) == Signup.approved_by, isouter=True)
        .where(
            Signup.volunteer_id == volunteer_id,
            Signup.hours_status == HoursStatus.approved,
            Task.community_id == community_id,
            col(Task.starts_at) >= begin,
            col(Task.starts_at) < finish,
        )
        .order_by(col(Task.starts_at), col(Signup.id))
    ).all()
    return tuple(
        ServiceLine(
            signup_id=signup.id,
            day=local(task.starts_at).date(),
            task=task.title,
            hours=round(signup.hours, 2),
            confirmed_by=approver or community.name,
            confirmer_key=(
                f"account:{signup.approved_by}"
                if signup.approved_by
                else f"community:{community.id}"
            ),
        )
        for signup, task, approver in rows
    )


def certificate_draft(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: int,
    period_start: date,
    period_end: date,
    today: date | None = None,
) -> CertificateDraft:
    """The lines and totals a certificate would state, before it is issued."""
    volunteer = _volunteer_for(session, actor, volunteer_id)
    _check_period(period_start, period_end, today or local_today())
    community = session.get(Community, volunteer.community_id)
    assert community is not None  # the volunteer's foreign key
    return CertificateDraft(
        volunteer_id=volunteer.id,
        volunteer_name=volunteer.name,
        volunteer_number=volunteer_number(volunteer.community_id, volunteer.id),
        community_id=community.id,
        community=community.name,
        period_start=period_start,
        period_end=period_end,
        lines=service_lines(session, volunteer.id, community.id, period_start, period_end),
        person_in_charge=community.person_in_charge,
        office_phone=community.office_phone,
    )


def _issued(session: Session, cert: ServiceCertificate) -> IssuedCertificate:
    volunteer = session.get(Volunteer, cert.volunteer_id)
    community = session.get(Community, cert.community_id)
    issuer = session.get(Account, cert.issued_by)
    assert volunteer is not None and community is not None  # foreign keys
    return IssuedCertificate(
        id=cert.id,
        number=cert.number,
        volunteer_id=volunteer.id,
        volunteer_name=volunteer.name,
        volunteer_number=volunteer_number(cert.community_id, volunteer.id),
        community=community.name,
        period_start=cert.period_start,
        period_end=cert.period_end,
        service_count=cert.service_count,
        total_hours=cert.total_hours,
        person_in_charge=cert.person_in_charge,
        contact_phone=cert.contact_phone,
        issued_by=issuer.display_name if issuer else "",
        self_issued=volunteer.account_id is not None and volunteer.account_id == cert.issued_by,
        issued_on=local(cert.issued_at).date(),
    )


def certificate_list(
    *, session: Session, actor: Actor, volunteer_id: int | None = None, limit: int = 200
) -> list[IssuedCertificate]:
    """Certificates issued, latest first: a volunteer's own (volunteer_id given, for
    themself or staff), or every one of the actor's communities (staff)."""
    stmt = select(ServiceCertificate).order_by(col(ServiceCertificate.id).desc()).limit(limit)
    if volunteer_id is not None:
        _volunteer_for(session, actor, volunteer_id)
        stmt = stmt.where(ServiceCertificate.volunteer_id == volunteer_id)
    else:
        actor.require(STAFF)
        ids = actor.community_ids()
        if ids is not None:
            stmt = stmt.where(col(ServiceCertificate.community_id).in_(ids))
    return [_issued(session, cert) for cert in session.exec(stmt).all()]


# --- the write --------------------------------------------------------------------------


def issue_certificate(
    *,
    session: Session,
    actor: Actor,
    volunteer_id: int,
    period_start: date,
    period_end: date,
    today: date | None = None,
) -> IssuedCertificate:
    """Issues a numbered certificate of the volunteer's approved service in the period,
    with the community's person in charge and office phone as they are now; audited."""
    draft = certificate_draft(
        session=session,
        actor=actor,
        volunteer_id=volunteer_id,
        period_start=period_start,
        period_end=period_end,
        today=today,
    )
    if draft.contact_missing:
        raise BoardError(
            "certificates.contact_missing_staff"
            if actor.role in STAFF
            else "certificates.contact_missing",
            community=draft.community,
        )
    if not draft.lines:
        raise BoardError("certificates.no_service")
    cert = ServiceCertificate(
        # a placeholder until the row has its id (the number is made from it, below)
        number=f"pending-{secrets.token_hex(8)}",
        volunteer_id=draft.volunteer_id,
        community_id=draft.community_id,
        period_start=draft.period_start,
        period_end=draft.period_end,
        service_count=draft.service_count,
        total_hours=draft.total_hours,
        digest=digest(draft.lines),
        person_in_charge=draft.person_in_charge,
        contact_phone=draft.office_phone,
        issued_by=actor.id,
    )
    session.add(cert)
    session.flush()
    cert.number = certificate_number(local(cert.issued_at).year, cert.id)
    session.add(cert)
    audit.record(session, actor_id=actor.id, action="create", row=cert)
    return _issued(session, cert)


# --- reprint and check -----------------------------------------------------------------


@dataclass(frozen=True)
class CertificateContent:
    """A certificate with its lines read again, for the PDF."""

    certificate: IssuedCertificate
    lines: tuple[ServiceLine, ...]
    matches: bool  # the lines still give the digest stated at issue


def _lines_of(session: Session, cert: ServiceCertificate) -> tuple[ServiceLine, ...]:
    return service_lines(
        session, cert.volunteer_id, cert.community_id, cert.period_start, cert.period_end
    )


def certificate_content(
    *, session: Session, actor: Actor, certificate_id: int
) -> CertificateContent:
    """The certificate and its lines as the records give them now (for the volunteer
    themself, staff of the community, the admin)."""
    cert = session.get(ServiceCertificate, certificate_id)
    if cert is None:
        raise BoardError("common.not_found")
    _volunteer_for(session, actor, cert.volunteer_id)
    lines = _lines_of(session, cert)
    return CertificateContent(_issued(session, cert), lines, digest(lines) == cert.digest)


def _hours(value: float) -> str:
    return f"{value:g}"


def certificate_pdf(
    *, session: Session, actor: Actor, certificate_id: int, lang: str = DEFAULT_LANG
) -> bytes:
    """The certificate as an A4 PDF, printed again from the records: its lines are read
    afresh, and when they no longer give the digest stated at issue the PDF says so."""
    content = certificate_content(session=session, actor=actor, certificate_id=certificate_id)
    cert = content.certificate

    def tr(key: str, **params: object) -> str:
        return translate(f"certificates.pdf.{key}", lang, **params)

    def col_(key: str) -> str:
        return translate(f"certificates.col.{key}", lang)

    issued_on = cert.issued_on.isoformat()
    doc = Document(
        title=tr("title"),
        header=f"{tr('title')} · {cert.number}",
        page_label=translate("pdf.page_label", lang),
        footer=tr("number", number=cert.number),
        author=tr("issuer_name", community=cert.community),
    )
    doc.add_title(tr("title"))
    doc.add_key_values(
        [
            (tr("number_label"), cert.number),
            (tr("date_label"), issued_on),
        ],
        label_width=34,
    )
    doc.add_paragraph(
        tr(
            "body",
            name=cert.volunteer_name,
            volunteer_number=cert.volunteer_number,
            start=cert.period_start.isoformat(),
            end=cert.period_end.isoformat(),
            community=cert.community,
            count=cert.service_count,
            hours=_hours(cert.total_hours),
        )
    )
    doc.add_heading(tr("services"))
    doc.add_table(
        [col_("date"), col_("task"), col_("hours"), col_("confirmed_by")],
        [
            [line.day.isoformat(), line.task, _hours(line.hours), line.confirmed_by]
            for line in content.lines
        ]
        + [[tr("total"), "", _hours(round(sum(ln.hours for ln in content.lines), 2)), ""]],
        widths=[22, 72, 26, 38],
        align=["L", "L", "R", "L"],
    )
    if not content.matches:
        doc.add_paragraph(tr("changed", count=cert.service_count, hours=_hours(cert.total_hours)))
    doc.add_paragraph(tr("note"), small=True, muted=True)
    doc.add_key_values(
        [
            (tr("issuer"), tr("issuer_name", community=cert.community)),
            (tr("person"), cert.person_in_charge),
            (tr("handler"), tr("self_issued") if cert.self_issued else cert.issued_by),
            (tr("contact"), cert.contact_phone),
            (tr("date_label"), issued_on),
        ],
        label_width=34,
    )
    doc.add_paragraph(tr("seal"))
    doc.add_space(40)
    doc.add_paragraph(
        tr("check", path=f"{CHECK_PATH}?{CHECK_PARAM}={cert.number}"), small=True, muted=True
    )
    return doc.output()


def certificate_print(
    *, session: Session, actor: Actor, certificate_id: int, lang: str = DEFAULT_LANG
) -> bytes:
    """The certificate's PDF (`certificate_pdf`), logged in the same transaction as a
    print of the volunteer's personal data (services/access_log.py): from 我的任务 when
    the volunteer prints their own, from 服务证明 when staff do."""
    data = certificate_pdf(session=session, actor=actor, certificate_id=certificate_id, lang=lang)
    cert = session.get(ServiceCertificate, certificate_id)
    volunteer = session.get(Volunteer, cert.volunteer_id) if cert else None
    assert cert is not None and volunteer is not None  # read by certificate_pdf
    access_log.log_access(
        session,
        actor=actor,
        kind=AccessKind.print,
        record_type="volunteer",
        record_id=volunteer.id,
        community_id=cert.community_id,
        page="my_tasks" if volunteer.account_id == actor.id else "certificates",
        detail={"certificate": cert.number},
    )
    return data


def check_certificate(*, session: Session, number: str) -> CertificateCheck:
    """What anyone may learn from a certificate's number: valid or not, and only the
    masked name, period, total hours, issuing community and day of issue."""
    wanted = (number or "").strip().upper()
    cert = session.exec(
        select(ServiceCertificate).where(ServiceCertificate.number == wanted)
    ).first()
    if cert is None:
        return CertificateCheck(CheckStatus.not_found, wanted)
    volunteer = session.get(Volunteer, cert.volunteer_id)
    community = session.get(Community, cert.community_id)
    assert volunteer is not None and community is not None  # foreign keys
    unchanged = digest(_lines_of(session, cert)) == cert.digest
    return CertificateCheck(
        status=CheckStatus.valid if unchanged else CheckStatus.changed,
        number=cert.number,
        masked_name=mask_name(volunteer.name),
        period_start=cert.period_start,
        period_end=cert.period_end,
        total_hours=cert.total_hours,
        community=community.name,
        issued_on=local(cert.issued_at).date(),
    )
