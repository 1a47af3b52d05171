"""Message catalogs and the one translation function.

Catalogs are gettext PO files read with Babel: locales/<lang>/*.po, one file per area
of the product, all merged per language. Message ids are stable keys
("auth.wrong_password"); the text may hold {named} placeholders.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LANG = "zh_CN"
LANGUAGES = {"zh_CN": "中文", "en": "English"}


@lru_cache(maxsize=len(LANGUAGES))
def catalog(lang: str) -> dict[str, str]:
    messages: dict[str, str] = {}
    for po_path in sorted((LOCALES_DIR / lang).glob("*.po")):
        with po_path.open("rb") as fh:
            for message in read_po(fh, locale=lang.split("_")[0]):
                if message.id and message.string:
                    messages[str(message.id)] = str(message.string)
    return messages


def translate(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The text for key in lang, falling back to Chinese, then to the key itself."""
    text = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def translator(lang: str) -> Callable[..., str]:
    """`translate` bound to one language: what a service that writes a file in the
    reader's language passes around as `tr`."""

    def tr(key: str, /, **params: object) -> str:
        return translate(key, lang, **params)

    return tr
