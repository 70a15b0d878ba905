"""Start the dashboard: `streamlit run app.py` without Streamlit's legacy handling of pages/.

app.py declares its pages with st.navigation. Because they live in a folder named pages/ (the
client's layout), Streamlit starts each server in its old multipage mode, and until st.navigation
has run once it answers a direct link to a sub-page (…/vergleich) with a „Page not found“ dialog
before showing the right page. Switching that mode off before the first session avoids it.

Run: .venv/bin/python scripts/serve.py [streamlit run options …]   (run.sh does this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str]) -> None:
    """Run the app with the given `streamlit run` options (exits with Streamlit's exit code)."""
    # A class attribute Streamlit sets once, on the first session, from "is there a pages/ folder".
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *argv]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
