"""Text for Streamlit's Markdown-based elements (st.info, st.caption, …): shown as typed, never as markup."""

from __future__ import annotations

_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def md_escape(text: object) -> str:
    """Document text for Markdown-based elements: Markdown and Streamlit ":…:" characters escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in str(text))
