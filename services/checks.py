"""Input rules several domains share: phones and required text.

Volunteers, elders, merchants and event registrations all keep mainland mobile numbers;
one rule decides what a phone is, so a number accepted on one page is accepted on all.
"""

from __future__ import annotations

import re

from services.errors import BoardError

# ASCII digits only: \d would also take ٣ or fullwidth ３, which no phone can dial.
PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")


def valid_phone(phone: str) -> str:
    """A mainland mobile number without spaces or dashes, or a refusal."""
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(phone):
        raise BoardError("volunteers.phone_invalid")
    return phone


def normalise_phone(phone: str) -> str | None:
    """A phone as it is stored ("138 0000-0001" is 13800000001), or None when it is not a
    valid phone: for matching what someone typed against a stored number."""
    try:
        return valid_phone(phone)
    except BoardError:
        return None


def required_text(value: str | None, message_key: str) -> str:
    """The value without surrounding blanks, refused with `message_key` when empty."""
    text = (value or "").strip()
    if not text:
        raise BoardError(message_key)
    return text
