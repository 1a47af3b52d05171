"""Demo step: events (to be written with its feature)."""

from services.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    """Placeholder until the events feature lands."""
