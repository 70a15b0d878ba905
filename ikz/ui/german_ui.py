"""German words for the few texts Streamlit's browser code prints in English and has no option for.

Where Streamlit has an option, the app uses it (labels, placeholders, .streamlit/config.toml). The
rest — the multiselect's „Select all“, the file uploader's drop zone and button, the running
indicator's „Stop“, the skip link, the input hints, the main menu — is rewritten in the browser: a
MutationObserver, installed once per tab by app.py, replaces exactly these texts inside exactly
these widgets (never a user's data, which could say „Upload“ too). docs/words.md lists what stays.
"""

from __future__ import annotations

import json
import re

import streamlit as st

MULTISELECT_LIST = '[role="listbox"]'
UPLOADER = '[data-testid="stFileUploader"]'
RUNNING = '[data-testid="stStatusWidget"]'
MENU = '[data-testid="stMainMenuPopover"]'
SKIP_LINK = '[data-testid="stSkipToContent"]'
INPUT_HINT = '[data-testid="InputInstructions"]'

# English text as Streamlit 1.67 renders it → German, each only inside the element it comes from
# (so a user's own data is never touched). Matched against a text node's trimmed text.
EXACT: dict[str, tuple[str, str]] = {
    # st.multiselect's bulk action (Multiselect.*.js)
    "Select all": ("Alle auswählen", MULTISELECT_LIST),
    # st.file_uploader (FileUploader.*.js)
    "Drag and drop a file here": ("Datei hierher ziehen", UPLOADER),
    "Drag and drop files here": ("Dateien hierher ziehen", UPLOADER),
    "Upload": ("Datei auswählen", UPLOADER),
    "Add files": ("Dateien hinzufügen", UPLOADER),
    "File type not allowed.": ("Dieser Dateityp ist hier nicht erlaubt.", UPLOADER),
    "Only one file is allowed.": ("Nur eine Datei ist erlaubt.", UPLOADER),
    # The running indicator in the toolbar (shown when a run takes a while)
    "Stop": ("Anhalten", RUNNING),
    "Stopping...": ("Wird angehalten …", RUNNING),
    "Running...": ("Läuft …", RUNNING),
    # The skip link (visible on keyboard focus)
    "Skip to main content": ("Zum Inhalt springen", SKIP_LINK),
    # The main menu (⋮)
    "Rerun": ("Neu laden", MENU),
    "Settings": ("Einstellungen", MENU),
    "Print": ("Drucken", MENU),
    "About": ("Über dieses Dashboard", MENU),
    "Record screen": ("Bildschirm aufnehmen", MENU),
    "Record a screencast": ("Bildschirm aufnehmen", MENU),
    "Clear cache": ("Zwischenspeicher leeren", MENU),
    "System": ("wie das System", MENU),
    "Light": ("Hell", MENU),
    "Dark": ("Dunkel", MENU),
    # Text inputs' hints under the field
    "Press Enter to apply": ("Enter übernimmt", INPUT_HINT),
    "Press Enter to submit form": ("Enter sendet das Formular ab", INPUT_HINT),
}
# Texts with a number or a name in them: (JavaScript regular expression, replacement, scope).
PATTERNS: list[tuple[str, str, str]] = [
    (r"^Select (\d+) matches$", "Alle $1 Treffer auswählen", MULTISELECT_LIST),
    (r"^Add: ([\s\S]*)$", "Hinzufügen: $1", MULTISELECT_LIST),
    (r"^(\d+(?:\.\d+)?)\s?([KMGT]?B) per file$", "höchstens $1 $2 je Datei", UPLOADER),
    (r"^File must be (.+) or smaller\.$", "Die Datei darf höchstens $1 groß sein.", UPLOADER),
    (r"^(.+) files are not allowed\.$", "Dateien vom Typ $1 sind hier nicht erlaubt.", UPLOADER),
    (r"^Made with Streamlit (v[\d.]+)$", "Erstellt mit Streamlit $1", MENU),
    (r"^Press (⌘|Ctrl)\+Enter to apply$", "$1+Enter übernimmt", INPUT_HINT),
]


def german(text: str) -> str | None:
    """The German for one of the English texts above (Python's twin of the script's lookup), else None."""
    if text in EXACT:
        return EXACT[text][0]
    for pattern, replacement, _ in PATTERNS:
        if re.search(pattern, text):
            return re.sub(pattern, replacement.replace("$", "\\"), text)
    return None


_SCRIPT = """<script>
if (!window.ikzGerman) {
  window.ikzGerman = true;
  const exact = new Map(Object.entries(%(exact)s));
  const patterns = %(patterns)s.map(([source, to, scope]) => [new RegExp(source), to, scope]);
  const inside = (node, scope) => node.parentElement !== null && node.parentElement.closest(scope) !== null;
  const translate = (node) => {
    const text = node.nodeValue;
    const trimmed = text && text.trim();
    if (!trimmed) return;
    let to = null;
    const hit = exact.get(trimmed);
    if (hit && inside(node, hit[1])) to = hit[0];
    for (const [re, replacement, scope] of patterns) {
      if (to === null && re.test(trimmed) && inside(node, scope)) to = trimmed.replace(re, replacement);
    }
    if (to !== null) node.nodeValue = text.replace(trimmed, to);  // German never matches again: no loop
  };
  const walk = (root) => {
    if (root.nodeType === Node.TEXT_NODE) return translate(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) translate(n);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') translate(r.target);
      else r.addedNodes.forEach(walk);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
  walk(document.body);
}
</script>"""


def script() -> str:
    """The script that rewrites the English texts above, with the tables filled in."""
    return _SCRIPT % {
        "exact": json.dumps(EXACT, ensure_ascii=False),
        "patterns": json.dumps(PATTERNS, ensure_ascii=False),
    }


def install() -> None:
    """Add the script to the page; it installs itself once per browser tab."""
    st.html(script(), unsafe_allow_javascript=True)
