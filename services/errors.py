"""The one error type services raise when they refuse something.

It carries a message key and its parameters, not a sentence: the page translates it
into the user's language.
"""

from __future__ import annotations


class BoardError(Exception):
    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"BoardError({self.key!r}, {self.params!r})"


class Label(str):
    """A parameter that is itself a message key, such as a field's name ("field.title"):
    the page translates it along with the message, so "标题最多 100 个字" reads whole in
    the user's language."""
