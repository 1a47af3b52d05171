"""Every message key exists in both catalogs, and every key the code uses is in them."""

import re
from pathlib import Path

from models.accounts import Role
from services.i18n import LANGUAGES, catalog, translate

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ["app.py", "server.py", "views", "services", "ui"]
# t("key"), BoardError("key"), translate("key"), and *_key="key" arguments
KEY_RE = re.compile(
    r"""(?:\bt|BoardError|translate|_key\s*=)\(?\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']"""
)


def _code_files():
    for entry in CODE_DIRS:
        path = ROOT / entry
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_catalogs_have_the_same_keys():
    zh, en = set(catalog("zh_CN")), set(catalog("en"))
    assert zh - en == set(), f"missing in English: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in Chinese: {sorted(en - zh)}"


def test_every_key_used_in_code_is_translated():
    used = {}
    for path in _code_files():
        for key in KEY_RE.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, path.relative_to(ROOT))
    assert len(used) > 50
    for lang in LANGUAGES:
        missing = {k: str(p) for k, p in used.items() if k not in catalog(lang)}
        assert not missing, f"{lang} lacks {missing}"


def test_role_names_and_descriptions_are_translated():
    for lang in LANGUAGES:
        for role in Role:
            assert f"role.{role}" in catalog(lang)
            assert f"role.{role}.about" in catalog(lang)


def test_placeholders_match_between_languages():
    field = re.compile(r"{(\w+)}")
    for key, zh_text in catalog("zh_CN").items():
        assert set(field.findall(zh_text)) == set(field.findall(catalog("en")[key])), key


def test_translate_falls_back_and_formats():
    assert translate("auth.password_short", "zh_CN", n=8) == "密码至少需要 8 位"
    assert translate("auth.password_short", "en", n=8) == "A password needs at least 8 characters"
    assert translate("no.such.key", "en") == "no.such.key"


def test_dynamic_keys_of_every_enum_value_are_translated():
    from models.elders import CHANGE_KINDS, HAZARDS, LIVING_SITUATIONS, WELLBEING
    from models.events import EventStatus, RegistrationStatus
    from models.proxy import CallBackOutcome, FilingKind, ProxyStatus
    from models.volunteers import HoursStatus, SignupStatus, TaskKind, TaskStatus
    from services.dashboard import CHARTS, FIGURES
    from services.events import CATEGORIES
    from services.periods import PeriodKind
    from services.proxy import KINDS, RATINGS
    from services.volunteers import SKILLS

    expected = (
        [f"tasks.kind.{k}" for k in TaskKind]
        + [f"tasks.status.{s}" for s in TaskStatus]
        + [f"tasks.to.{s}" for s in TaskStatus]
        + [f"signups.status.{s}" for s in SignupStatus]
        + [f"signups.hours.{s}" for s in HoursStatus]
        + [f"signups.you_are.{s}" for s in ("confirmed", "waitlisted")]
        + [f"volunteers.skill.{s}" for s in SKILLS]
        + [f"elders.situation.{s}" for s in LIVING_SITUATIONS]
        + [f"elders.change.{k}" for k in CHANGE_KINDS]
        + [f"visits.wellbeing.{w}" for w in WELLBEING]
        + [f"visits.hazard.{h}" for h in HAZARDS]
        + ["elders.none_overdue"]
        + [f"proxy.kind.{k}" for k in KINDS]
        + [f"proxy.{p}.{s}" for p in ("status", "to") for s in ProxyStatus]
        + [f"proxy.due.{w}" for w in ("licence", *FilingKind)]
        + [f"filings.detail.{w}" for w in ("licence", *FilingKind)]
        + [f"proxy.rating.{n}" for n in RATINGS]
        + [f"rectification.outcome.{o}" for o in CallBackOutcome]
        + [f"rectification.rate.{k}" for k in ("month", "year")]
        + [f"proxy.{p}.{b}" for p in ("quality_by", "col") for b in ("community", "agent")]
        + [f"events.category.{c}" for c in CATEGORIES]
        + [f"events.{p}.{s}" for p in ("status", "to") for s in EventStatus]
        + [f"events.reg.{s}" for s in RegistrationStatus]
        + [f"events.registered.{s}" for s in ("confirmed", "waitlisted")]
        + [f"chart.events.{r}" for r in ("fill_rate", "attendance_rate")]
        + [f"dashboard.fig.{f.key}" for f in FIGURES]
        + [f"dashboard.chart.{c.key}" for c in CHARTS]
        + [f"dashboard.period.{k}" for k in PeriodKind]
    )
    for lang in LANGUAGES:
        missing = [k for k in expected if k not in catalog(lang)]
        assert not missing, (lang, missing)
