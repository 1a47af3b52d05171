"""What a visit records (探访内容): the five content areas an office reports on.

健康 health, 经济 economy, 赡养 family (does the family visit or call), 安全 safety (the
hazards found: water, electricity, gas, heating, falls, fire) and 需求 needs (care,
rehabilitation, company, home adaptation), each a short checklist of fixed items plus an
optional note. Here: the areas and their items, the rules a record must meet, and the
record read back from a stored visit.

Not here: who may record a visit, its date and mode (services/visits.py), referring a
need to a service (services/referrals.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypedDict

from models.elders import ECONOMY_ITEMS, FAMILY_ITEMS, HAZARDS, HEALTH_ITEMS, NEED_ITEMS, Visit
from services.errors import BoardError

# The areas in the order the form and the history show them, with their checklist items.
AREAS: dict[str, tuple[str, ...]] = {
    "health": HEALTH_ITEMS,
    "economy": ECONOMY_ITEMS,
    "family": FAMILY_ITEMS,
    "safety": HAZARDS,
    "needs": NEED_ITEMS,
}
# The message key of each area's items (安全's are the hazards' keys).
ITEM_KEYS = {
    "health": "visits.health",
    "economy": "visits.economy",
    "family": "visits.family",
    "safety": "visits.hazard",
    "needs": "visits.need",
}
# 赡养: "the family rarely gets in touch" cannot be ticked with "visits" or "calls".
FAMILY_OUT_OF_TOUCH = "rarely"
FAMILY_IN_TOUCH = ("visits", "calls")


@dataclass(frozen=True)
class Checklist:
    """One area of a visit: the items ticked and a note."""

    ticked: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class VisitContent:
    """The five content areas of one visit. The needs note is what the visit raised: a
    follow-up task or a referral starts from it."""

    health: Checklist = Checklist()
    economy: Checklist = Checklist()
    family: Checklist = Checklist()
    safety: Checklist = Checklist()
    needs: Checklist = Checklist()

    def area(self, name: str) -> Checklist:
        return {
            "health": self.health,
            "economy": self.economy,
            "family": self.family,
            "safety": self.safety,
            "needs": self.needs,
        }[name]

    @property
    def raises_a_need(self) -> bool:
        """A need was ticked or described."""
        return bool(self.needs.ticked or self.needs.note.strip())


def item_key(area: str, item: str) -> str:
    """The message key of an item of an area's checklist."""
    return f"{ITEM_KEYS[area]}.{item}"


def area_text(content: VisitContent, area: str, tr: Callable[[str], str]) -> str:
    """The items ticked in an area, in the reader's language, and its note, as exports
    write them: 需要就医、情绪低落 · 腿疼."""
    found = content.area(area)
    items = "、".join(tr(item_key(area, item)) for item in found.ticked)
    return " · ".join(part for part in (items, found.note) if part)


def checklist(ticked: Sequence[str] | None, note: str | None = "") -> Checklist:
    """A checklist from what a form returns (None for nothing picked or typed)."""
    return Checklist(tuple(ticked or ()), note or "")


def _items(area: str, ticked: Sequence[str]) -> str:
    items = AREAS[area]
    if any(item not in items for item in ticked):
        raise BoardError("visits.item_invalid")
    return ",".join(item for item in items if item in ticked)


class ContentColumns(TypedDict):
    """The visit's columns that hold its content areas."""

    health: str
    health_note: str
    economy: str
    economy_note: str
    family: str
    family_note: str
    hazards: str
    safety_note: str
    needs: str
    needs_raised: str


def stored(content: VisitContent) -> ContentColumns:
    """The visit's columns for `content`, or a refusal: every item ticked must be one of
    its area's, and the family cannot both be out of touch and visit or call. Items are
    stored in the area's order, notes trimmed."""
    family = content.family.ticked
    if FAMILY_OUT_OF_TOUCH in family and any(i in family for i in FAMILY_IN_TOUCH):
        raise BoardError("visits.family_contradiction")
    return ContentColumns(
        health=_items("health", content.health.ticked),
        health_note=content.health.note.strip(),
        economy=_items("economy", content.economy.ticked),
        economy_note=content.economy.note.strip(),
        family=_items("family", content.family.ticked),
        family_note=content.family.note.strip(),
        hazards=_items("safety", content.safety.ticked),
        safety_note=content.safety.note.strip(),
        needs=_items("needs", content.needs.ticked),
        needs_raised=content.needs.note.strip(),
    )


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


def content_of(visit: Visit) -> VisitContent:
    """The content areas of a stored visit."""
    return VisitContent(
        health=Checklist(_split(visit.health), visit.health_note),
        economy=Checklist(_split(visit.economy), visit.economy_note),
        family=Checklist(_split(visit.family), visit.family_note),
        safety=Checklist(_split(visit.hazards), visit.safety_note),
        needs=Checklist(_split(visit.needs), visit.needs_raised),
    )
