"""Sign-in, roles, audit, third-party requests and accessibility, in a real browser with a real OIDC flow.

An OIDC provider (oidc-provider-mock from PyPI) runs in this process on 127.0.0.1; the app runs as
run.sh starts it, with its own secrets file (`--secrets.files`, never the repo's) and its own store.
Chromium signs in through the provider's login form exactly as a person would. Every request any
page makes is recorded: only the app itself and the provider's login pages may be contacted.
axe-core checks every page against WCAG 2.1 AA, signed in and not.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import oidc_provider_mock
import pytest
import werkzeug.serving
from axe_playwright_python.sync_playwright import Axe
from itsdangerous import URLSafeTimedSerializer

from ikz.builder.database import build
from ikz.core.paths import ROOT
from ikz.store.access import Identity
from ikz.store.sqlite import Store
from tests.live_app import (
    PLOTLY_ELEMENT,
    AppServer,
    problems,
    screenshot,
    serve_app,
    settle,
    wait_idle,
    wait_until,
)

pytestmark = pytest.mark.browser

EDITOR = {"sub": "a7f3-redaktion", "email": "anna.redakteurin@erfurt.de", "name": "Anna Redakteurin"}
READER = {"sub": "b9c1-leser", "email": "ben.leser@erfurt.de", "name": "Ben Leser"}
OUTSIDER = {"sub": "c2d4-fremd", "email": "eve@example.org", "name": "Eve Fremd"}
COOKIE = "_streamlit_user"  # Streamlit's identity cookie (streamlit/web/server/server_util.py)
PAGES = {"ueberblick": "/", "vergleich": "/vergleich", "protokoll": "/protokoll"}
# Edit pages other branches add; each is checked once app.py lists it.
EDIT_PAGES = tuple(
    f"/{path}"
    for path in ("protokoll", "pruefen", "pflegen")
    if f'url_path="{path}"' in (ROOT / "app.py").read_text(encoding="utf-8")
)
DATA = '[data-testid="stPlotlyChart"], [data-testid="stDataFrame"], [data-testid="stMetric"]'
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


# --- The provider, the app with sign-in, the browser ------------------------------------------------


@pytest.fixture(scope="module")
def idp() -> Iterator[str]:
    """The OIDC provider on 127.0.0.1 (a free port), with the three people's claims registered."""
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback, tests only
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    for person in (EDITOR, READER, OUTSIDER):
        claims = {"email": person["email"], "email_verified": True, "name": person["name"]}
        request = urllib.request.Request(
            f"{url}/users/{quote(person['sub'])}",
            data=json.dumps(claims).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture(scope="module")
def cookie_secret() -> str:
    return secrets.token_urlsafe(32)


@pytest.fixture(scope="module")
def app_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Database, store, secrets and log of the signed-in app."""
    folder = tmp_path_factory.mktemp("auth")
    build(folder / "ikz.duckdb")
    # One earlier write (local mode), so the Protokoll has something to show and export.
    Store(folder / "pflege.sqlite").record_mark(
        Identity.local("Vorherige Person"), cooperation_key="k1", for_city="Erfurt", mark="ja", note=None
    )
    return folder


@pytest.fixture(scope="module")
def server(app_dir: Path, idp: str, cookie_secret: str) -> Iterator[AppServer]:
    """The app with [auth] against the provider; editors and allowed domain in [ikz]."""
    secrets_file = app_dir / "secrets.toml"
    secrets_file.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "{cookie_secret}"
client_id = "ikz-dashboard"
client_secret = "test-secret"
server_metadata_url = "{idp}/.well-known/openid-configuration"

[ikz]
editors = ["{EDITOR["email"].upper()}"]
allowed_domains = ["erfurt.de"]
""",
        encoding="utf-8",
    )
    with serve_app(
        app_dir / "ikz.duckdb",
        app_dir / "streamlit.log",
        extra_args=("--secrets.files", str(secrets_file)),
        extra_env={"IKZ_STORE": str(app_dir / "pflege.sqlite"), "AUTHLIB_INSECURE_TRANSPORT": "1"},
    ) as running:
        yield running


class Requests:
    """Every request of one browser context, and those that went to a third party."""

    def __init__(self, allowed: set[str], idp_host: str | None) -> None:
        self.allowed = allowed
        self.idp_host = idp_host
        self.seen: list[str] = []
        self.third_party: list[str] = []

    def record(self, request: Any) -> None:
        url = urlparse(request.url)
        if url.scheme not in ("http", "https", "ws", "wss"):
            return  # data:, blob: — nothing leaves the machine
        self.seen.append(request.url)
        if url.netloc in self.allowed:
            return
        # The provider's own login page (its stylesheet from a CDN) is not the app's.
        with contextlib.suppress(Exception):
            if self.idp_host and urlparse(request.frame.url).netloc == self.idp_host:
                return
        self.third_party.append(request.url)

    def route(self, route: Any) -> None:
        """Let the app and the provider through; abort the rest (offline, it would only hang)."""
        if urlparse(route.request.url).netloc in self.allowed:
            route.continue_()
        else:
            route.abort()


def new_context(browser: Any, server: AppServer, idp: str | None) -> tuple[Any, Requests]:
    """A fresh browser context (own cookies) recording every request."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    # Generous: eight helpers share two cores while these tests run.
    ctx.set_default_timeout(120_000)
    ctx.set_default_navigation_timeout(120_000)
    idp_host = urlparse(idp).netloc if idp else None
    requests = Requests({urlparse(server.url).netloc, *([idp_host] if idp_host else [])}, idp_host)
    ctx.on("request", requests.record)
    ctx.route("**/*", requests.route)
    return ctx, requests


@pytest.fixture
def visitor(browser: Any, server: AppServer, idp: str) -> Iterator[tuple[Any, Requests]]:
    ctx, requests = new_context(browser, server, idp)
    yield ctx, requests
    ctx.close()
    assert requests.third_party == [], requests.third_party


def settle_page(page: Any, *, charts: bool = False) -> None:
    """settle() with a long limit (Plotly's bundle can take 20 s on a busy machine); charts=True also
    waits until every chart is drawn."""
    settle(page, timeout=180)
    if charts:
        wait_until(lambda: page.locator(PLOTLY_ELEMENT).count() > 0, timeout=180, what="the charts")
        wait_idle(page, timeout=180)


def sign_in(page: Any, server: AppServer, person: dict[str, str], *, charts: bool = False) -> None:
    """Open the app, press „Anmelden“, authorise at the provider as person, return to the app.

    charts=True also waits until every chart is drawn (only tests that look at the charts need it).
    """
    page.goto(server.url)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_placeholder("sub").wait_for(timeout=120_000)
    page.get_by_placeholder("sub").fill(person["sub"])
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{server.url}/**", timeout=120_000)
    page.get_by_text("Angemeldet:").wait_for(timeout=120_000)
    settle_page(page, charts=charts)


def shows_no_data(page: Any) -> bool:
    return page.locator(DATA).count() == 0


def axe_violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page: rule, impact and the first elements."""
    # resultTypes: axe details only the violations (passes are counted, not listed), which spares
    # it most of its work on a page of 4,000 elements; the rules checked are the same.
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
    result = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – " + "; ".join(str(n["target"]) for n in v["nodes"][:4])
        for v in result.response["violations"]
    ]


# --- Not signed in ------------------------------------------------------------------------------


def test_not_signed_in_sees_title_and_sign_in_only(server: AppServer, visitor: tuple) -> None:
    """Every page, opened directly without a sign-in: the title and „Anmelden“, no data, axe clean."""
    ctx, _ = visitor
    page = ctx.new_page()
    for name, path in PAGES.items():
        page.goto(server.url + path)
        page.get_by_role("button", name="Anmelden").wait_for(timeout=120_000)
        settle_page(page)
        assert "IKZ Dashboard" in page.locator("h1").first.inner_text(), name
        assert shows_no_data(page), name
        assert "Kooperationen" not in page.locator('[data-testid="stMain"]').inner_text(), name
        assert page.locator('[data-testid="stSidebarNav"]').count() == 0, name
        assert problems(page) == [], name
        assert axe_violations(page) == [], name
        screenshot(page, f"anmeldung-{name}")


# --- Editor -----------------------------------------------------------------------------------------


def test_editor_signs_in_sees_every_page_writes_with_the_token_identity_and_asks_no_third_party(
    server: AppServer, visitor: tuple, app_dir: Path
) -> None:
    ctx, requests = visitor
    page = ctx.new_page()
    # Sign-in returns to the Überblick: it is checked there, without loading it again.
    sign_in(page, server, EDITOR, charts=True)
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert EDITOR["name"] in sidebar and EDITOR["email"] in sidebar and "Redaktion" in sidebar
    assert page.get_by_role("button", name="Abmelden").count() == 1
    assert page.get_by_role("link", name="Protokoll").count() == 1
    assert problems(page) == []
    assert axe_violations(page) == []
    screenshot(page, "redaktion-ueberblick")
    # The export panel: files are made on the server, nothing is fetched. (The deck and PDF
    # buttons are the same kind of download; test_browser.py clicks those.)
    with page.expect_download(timeout=120_000) as image:
        page.get_by_role("button", name="PNG herunterladen").click()
    assert Path(image.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Every chart's table opens by keyboard: focus its expander, press Enter; axe again with it open.
    expander = page.locator("summary", has_text="Daten als Tabelle").first
    expander.focus()
    page.keyboard.press("Enter")
    wait_until(
        lambda: page.locator('[data-testid="stExpander"] [data-testid="stDataFrame"]').count() >= 1,
        what="the chart's table",
    )
    assert axe_violations(page) == []
    for name, path in PAGES.items():
        if name == "ueberblick":
            continue
        page.goto(server.url + path)
        settle_page(page, charts=name != "protokoll")
        assert problems(page) == [], name
        assert page.get_by_text("Keine Berechtigung").count() == 0, name
        assert axe_violations(page) == [], name
        screenshot(page, f"redaktion-{name}")
    # Last, on the Protokoll: its export is recorded with e-mail and subject from the token, never a
    # form field.
    assert page.url.endswith("/protokoll")
    store = app_dir / "pflege.sqlite"
    with contextlib.closing(sqlite3.connect(store)) as con:
        before = con.execute("SELECT max(event_id) FROM audit_event").fetchone()[0]
    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV herunterladen").click()
    body = Path(download_info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    with contextlib.closing(sqlite3.connect(store)) as con:
        rows = con.execute(
            "SELECT actor_email, actor_subject, actor_name, via, action FROM audit_event WHERE event_id > ?",
            (before,),
        ).fetchall()
    assert rows == [(EDITOR["email"], EDITOR["sub"], EDITOR["name"], "oidc", "protokoll-export")]
    rows_in_csv = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert len(rows_in_csv) == before
    page.reload()
    settle_page(page)
    assert page.get_by_text(f"{before + 1} von {before + 1} Einträgen").count() == 1
    assert any(urlparse(u).path == "/oauth2callback" for u in requests.seen)  # the return from sign-in


# --- Reader, sign-out, outsider, tampered and expired cookies ----------------------------------------


def _identity_cookie(ctx: Any) -> dict:
    return next(c for c in ctx.cookies() if c["name"] == COOKIE)


def test_reader_signs_in_by_keyboard_reads_signs_out_and_forged_or_old_cookies_do_not_count(
    server: AppServer, visitor: tuple, cookie_secret: str
) -> None:
    """One person's journey: keyboard-only sign-in, reading without edit pages, sign-out; then an
    outsider's domain is refused, and the reader's cookie, forged or too old, signs nobody in."""
    ctx, _ = visitor
    page = ctx.new_page()
    # „Anmelden“ is reached with Tab and pressed with Enter; the provider's form too.
    page.goto(server.url)
    page.get_by_role("button", name="Anmelden").wait_for(timeout=120_000)
    settle_page(page)
    for _ in range(25):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.innerText") == "Anmelden":
            break
    else:
        pytest.fail("„Anmelden“ is not reachable by Tab")
    page.keyboard.press("Enter")
    page.get_by_placeholder("sub").wait_for(timeout=120_000)
    page.keyboard.type(READER["sub"])
    page.keyboard.press("Enter")
    page.get_by_text("Angemeldet:").wait_for(timeout=120_000)
    settle_page(page, charts=True)
    # A reader reads, but gets no edit page.
    assert "Lesezugriff" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert page.locator('[data-testid="stPlotlyChart"]').count() > 0
    assert page.get_by_role("link", name="Protokoll").count() == 0
    for path in EDIT_PAGES:
        page.goto(server.url + path)
        settle_page(page)
        assert page.get_by_text("Keine Berechtigung").count() >= 1, path
        assert shows_no_data(page), path
        assert axe_violations(page) == [], path
        screenshot(page, f"leser-{path.strip('/')}")
    cookie = _identity_cookie(ctx)
    # Sign-out: the provider asks to confirm the end of its session, then sends the browser back.
    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("button", name="End session").click(timeout=120_000)
    page.get_by_role("button", name="Anmelden").wait_for(timeout=120_000)
    assert shows_no_data(page)
    assert not [c for c in ctx.cookies() if c["name"] == COOKIE]
    # Someone of another domain signs in at the provider and is refused by the app.
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_placeholder("sub").fill(OUTSIDER["sub"])
    page.get_by_role("button", name="Authorize").click()
    page.get_by_text("nicht freigegeben").wait_for(timeout=120_000)
    assert shows_no_data(page)
    # The reader's cookie claiming to be the editor, signed without the server's secret: signed out.
    signer = URLSafeTimedSerializer(cookie_secret, salt=COOKIE)
    payload = json.loads(signer.loads(cookie["value"]))
    forged = dict(payload, email=EDITOR["email"], sub=EDITOR["sub"], name=EDITOR["name"])
    value = URLSafeTimedSerializer("falsch", salt=COOKIE).dumps(json.dumps(forged))
    ctx.add_cookies([{**cookie, "value": value}])
    page.goto(server.url)
    page.get_by_role("button", name="Anmelden").wait_for(timeout=120_000)
    assert shows_no_data(page)
    # Correctly signed, but the sign-in is two days old: longer than [ikz] session_hours (12).
    old = int(time.time()) - 2 * 86400
    ctx.add_cookies([{**cookie, "value": signer.dumps(json.dumps(dict(payload, iat=old, exp=old + 300)))}])
    page.goto(server.url + "/protokoll")
    page.get_by_role("button", name="Anmelden").wait_for(timeout=120_000)
    assert page.get_by_text("abgelaufen").count() >= 1
    assert shows_no_data(page)
