"""How often one visitor may do something on a public page (no account to hold them to).

The public programme lets anyone register; a script or an impatient thumb could fill an
event's places in seconds. Each browser session keeps the moments of its recent
attempts, and this sliding window says whether one more is allowed and, if not, how
many seconds to wait. Plain data in, plain data out: the page keeps the list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

REGISTRATIONS_PER_MINUTE = 3


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    recent: tuple[float, ...]  # the attempts still inside the window, this one included
    wait_seconds: int  # until the next attempt is allowed (0 when allowed)


def attempt(
    recent: tuple[float, ...] | list[float],
    *,
    now: float,
    limit: int = REGISTRATIONS_PER_MINUTE,
    window_seconds: float = 60.0,
) -> Verdict:
    """One more attempt at `now` (seconds): allowed while fewer than `limit` attempts
    fall within the last `window_seconds`. A refused attempt is not counted."""
    inside = tuple(t for t in recent if now - t < window_seconds)
    if len(inside) < limit:
        return Verdict(True, (*inside, now), 0)
    wait = math.ceil(window_seconds - (now - min(inside)))
    return Verdict(False, inside, max(1, wait))
