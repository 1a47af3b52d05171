"""Settings read from the environment, with safe defaults for one office on one machine."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


def _secret_key() -> str:
    """The key that signs session cookies: from BOARD_SECRET_KEY, else one made once per install.

    There is no built-in default key: a key in the source would let anyone forge a session.
    """
    env = os.environ.get("BOARD_SECRET_KEY")
    if env:
        return env
    path = DATA_DIR / ".secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    demo: bool
    secret_key: str
    session_days: int
    cookie_secure: bool


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'board.db'}"),
        demo=os.environ.get("BOARD_DEMO", "1") not in {"0", "false", "no"},
        secret_key=_secret_key(),
        session_days=int(os.environ.get("BOARD_SESSION_DAYS", "7")),
        cookie_secure=os.environ.get("BOARD_COOKIE_SECURE", "0") in {"1", "true", "yes"},
    )
