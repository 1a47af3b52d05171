"""Every table, imported here so SQLModel.metadata (and Alembic) sees the whole schema."""

from models.accounts import Account, AuthSession, Role
from models.audit import AuditEntry
from models.elders import (
    Elder,
    ElderChange,
    ElderDue,
    ElderVisitor,
    Referral,
    Visit,
    VisitCampaign,
    VisitCampaignElder,
    VisitMonth,
    VisitMonthEnd,
    VisitTier,
)
from models.events import Event, EventStatus, Registration, RegistrationStatus
from models.org import Community, Grid, Street
from models.proxy import (
    Merchant,
    MerchantFiling,
    ProxyRectification,
    ProxyRequest,
    ProxyRequestChange,
    ProxyStatus,
)
from models.versions import DataVersion
from models.volunteers import (
    HoursSource,
    HoursStatus,
    Signup,
    SignupStatus,
    StarThreshold,
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
    "DataVersion",
    "Elder",
    "ElderChange",
    "ElderDue",
    "ElderVisitor",
    "Event",
    "EventStatus",
    "Grid",
    "HoursSource",
    "HoursStatus",
    "Merchant",
    "MerchantFiling",
    "ProxyRectification",
    "ProxyRequest",
    "ProxyRequestChange",
    "ProxyStatus",
    "Referral",
    "Registration",
    "RegistrationStatus",
    "Role",
    "Signup",
    "SignupStatus",
    "StarThreshold",
    "Street",
    "Task",
    "TaskKind",
    "TaskStatus",
    "Team",
    "TeamMember",
    "Visit",
    "VisitCampaign",
    "VisitCampaignElder",
    "VisitMonth",
    "VisitMonthEnd",
    "VisitTier",
    "Volunteer",
]
