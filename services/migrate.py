"""Applying the Alembic migrations from code (make run, the tests, the benchmark)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from services.settings import ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
