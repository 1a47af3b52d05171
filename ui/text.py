"""Text that people typed, shown as text.

Streamlit renders Markdown (and its own :color[...] and :material/...: directives) in
st.markdown, st.write, captions, labels and messages. A name, a note or an event
description must never become a link, bold type or an icon: `plain()` escapes every
ASCII punctuation mark (CommonMark lets a backslash escape any of them), so the text
reads exactly as it was typed. Where a whole value stands alone, st.text does the same.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """User text, safe inside a Markdown string: shown verbatim, never formatted."""
    return _PUNCTUATION.sub(r"\\\1", "" if text is None else str(text))
