"""User text is shown as typed: plain() leaves no Markdown or Streamlit directive live."""

import re

from ui.text import plain

HOSTILE = [
    "[点此领取补贴](http://evil.example/)",
    "**王**大爷",
    ":red[紧急] :material/warning:",
    "# 标题\n- 列表\n1. 一",
    "<b>粗</b> & `code` $x$ ~~删~~ _斜_ \\*",
]


def test_chinese_text_and_punctuation_are_left_alone():
    assert plain("普通文字，中文标点：不变。") == "普通文字，中文标点：不变。"
    assert plain(None) == ""
    assert plain(12) == "12"


def test_every_ascii_mark_is_escaped_so_markdown_has_nothing_to_act_on():
    for text in HOSTILE:
        shown = plain(text)
        # Unescaping gives back exactly what was typed...
        assert re.sub(r"\\(.)", r"\1", shown) == text
        # ...and no mark is left bare: each is behind a backslash.
        bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", shown)
        assert not re.search(r"[!-/:-@\[-`{-~]", bare), (text, shown)
