"""Every table, imported here so SQLModel.metadata (and Alembic) sees the whole schema."""

from models.accounts import Account, AuthSession, Role
from models.audit import AuditEntry
from models.elders import Elder, ElderVisitor, Visit, VisitPolicy
from models.events import Event, EventStatus, Registration, RegistrationStatus
from models.org import Community, Grid, Street
from models.proxy import Merchant, ProxyRequest, ProxyRequestChange, ProxyStatus
from models.volunteers import (
    HoursStatus,
    Signup,
    SignupStatus,
    Task,
    TaskKind,
    TaskStatus,
    Team,
    TeamMember,
    Volunteer,
)

__all__ = [
    "Account",
    "AuditEntry",
    "AuthSession",
    "Community",
    "Elder",
    "ElderVisitor",
    "Event",
    "EventStatus",
    "Grid",
    "HoursStatus",
    "Merchant",
    "ProxyRequest",
    "ProxyRequestChange",
    "ProxyStatus",
    "Registration",
    "RegistrationStatus",
    "Role",
    "Signup",
    "SignupStatus",
    "Street",
    "Task",
    "TaskKind",
    "TaskStatus",
    "Team",
    "TeamMember",
    "Visit",
    "VisitPolicy",
    "Volunteer",
]
