"""Text for Streamlit's Markdown-based elements (st.info, st.caption, …): shown as typed, never as markup."""

from __future__ import annotations

import re

_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")
# GFM turns bare web and e-mail addresses into links after parsing, escapes notwithstanding: an
# invisible word joiner (U+2060) inside „https://“, „www.“ and after „@“ keeps them plain text.
_AUTOLINK = re.compile(r"(?i)(?<=https:)(?=//)|(?<=http:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Document text for Markdown-based elements: Markdown and Streamlit ":…:" characters escaped,
    bare addresses kept from becoming links."""
    plain = _AUTOLINK.sub(WORD_JOINER, str(text))
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in plain)
