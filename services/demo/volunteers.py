"""Demo step: volunteers and teams, then tasks and sign-ups (to be written with the feature)."""

from services.demo import DemoContext


def seed_people(ctx: DemoContext) -> None:
    """Placeholder until the volunteers feature lands."""


def seed_tasks(ctx: DemoContext) -> None:
    """Placeholder until the tasks feature lands."""
