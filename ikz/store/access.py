"""Who is acting: the identity every write function takes, and the one check that refuses non-editors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Via = Literal["oidc", "lokal"]


class PermissionDenied(Exception):
    """The acting identity may not do this; the message is German and meant for users."""


@dataclass(frozen=True)
class Identity:
    """A person acting in the app: from the sign-in token (oidc) or, in local mode, a given name."""

    email: str  # from the token's e-mail claim; in local mode 'lokal'
    subject: str  # the token's 'sub' claim; in local mode 'lokal:<name>'
    name: str  # display name
    is_editor: bool  # may write (review decisions, imports, publish, rollback, record edits, marks)
    via: Via = "oidc"

    @classmethod
    def local(cls, name: str, *, is_editor: bool = True) -> Identity:
        """The identity of a person in local mode, who gives their name once per session."""
        clean = " ".join(name.split())[:80]
        if not clean:
            raise PermissionDenied(
                "Bitte zuerst einen Namen angeben: jede Änderung wird mit Namen gespeichert."
            )
        return cls(email="lokal", subject=f"lokal:{clean}", name=clean, is_editor=is_editor, via="lokal")

    def label(self) -> str:
        """How the person appears in lists and exports: name and e-mail, or name (lokal)."""
        return f"{self.name} (lokal)" if self.via == "lokal" else f"{self.name} <{self.email}>"


def require_editor(identity: Identity | None) -> Identity:
    """The identity if it may write; otherwise PermissionDenied with a German reason."""
    if identity is None:
        raise PermissionDenied("Keine Berechtigung: Bitte anmelden, um Daten zu ändern.")
    if not identity.is_editor:
        raise PermissionDenied(
            f"Keine Berechtigung: {identity.name} darf Daten lesen, aber nicht ändern "
            "(nur Redakteurinnen und Redakteure der Stabsstelle)."
        )
    return identity


# --- Sign-in (OIDC): who is a reader, who an editor ------------------------------------------

DEFAULT_SESSION_HOURS = 12.0  # a working day; then the person signs in again


class AccessConfigError(Exception):
    """The [ikz] section of the secrets is malformed; the message is German and names the key."""


@dataclass(frozen=True)
class AccessRules:
    """Who may read and who may write, from the `[ikz]` section of .streamlit/secrets.toml."""

    editors: frozenset[str] = frozenset()  # e-mail addresses, lower case
    allowed_domains: tuple[str, ...] = ()  # e-mail domains, lower case; empty = every signed-in user
    session_hours: float = DEFAULT_SESSION_HOURS  # a sign-in older than this counts as signed out

    @classmethod
    def from_settings(cls, section: Mapping[str, Any] | None) -> AccessRules:
        """The rules from the `[ikz]` section (None or empty: no editors, every domain, 12 hours)."""
        section = dict(section or {})
        editors = _string_list(section, "editors")
        domains = _string_list(section, "allowed_domains")
        hours = section.get("session_hours", DEFAULT_SESSION_HOURS)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24 * 30:
            raise AccessConfigError(
                "[ikz] session_hours in .streamlit/secrets.toml muss eine Zahl von Stunden zwischen "
                f"0 und 720 sein, nicht {hours!r}."
            )
        bad = [e for e in editors if "@" not in e]
        if bad:
            raise AccessConfigError(
                f"[ikz] editors in .streamlit/secrets.toml enthält keine E-Mail-Adresse: {', '.join(bad)}"
            )
        return cls(
            editors=frozenset(e.strip().lower() for e in editors),
            allowed_domains=tuple(d.strip().lower().lstrip("@") for d in domains),
            session_hours=float(hours),
        )

    def domain_allowed(self, email: str) -> bool:
        """True when the e-mail's domain may read (no list: every domain)."""
        if not self.allowed_domains:
            return True
        domain = email.rpartition("@")[2].lower()
        return domain in self.allowed_domains


def _string_list(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise AccessConfigError(
            f"[ikz] {key} in .streamlit/secrets.toml muss eine Liste von Texten sein, z. B. "
            f'{key} = ["…"], nicht {value!r}.'
        )
    return [v for v in value if v.strip()]


def claims_email(claims: Mapping[str, Any]) -> str:
    """The e-mail a token names: `email`, else an e-mail-shaped `preferred_username` or `upn`
    (Entra ID and ADFS often send the address only there); '' when none."""
    for key in ("email", "preferred_username", "upn"):
        value = claims.get(key)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return ""


def claims_name(claims: Mapping[str, Any], email: str) -> str:
    """A display name: `name`, else given and family name, else the e-mail."""
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return " ".join(name.split())[:80]
    parts = [claims.get(k) for k in ("given_name", "family_name")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return joined[:80] or email


def session_expired(claims: Mapping[str, Any], rules: AccessRules, now: float) -> bool:
    """True when the sign-in (the token's `iat`) is older than rules.session_hours or has no time.

    Streamlit keeps its identity cookie for 30 days and does not look at the token's times; the
    ID token's own `exp` is minutes (Keycloak: 5), far too short for a working session.
    """
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return True  # fail closed: a token without issue time cannot be aged
    return not (issued - 300 <= now <= issued + rules.session_hours * 3600)


def identity_from_claims(claims: Mapping[str, Any], rules: AccessRules, *, now: float) -> Identity:
    """The signed-in person from the ID token's claims; PermissionDenied (German) when they may not read."""
    if session_expired(claims, rules, now):
        raise PermissionDenied("Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise PermissionDenied("Die Anmeldung enthält keine Kennung (sub). Bitte erneut anmelden.")
    email = claims_email(claims)
    if not email:
        raise PermissionDenied(
            "Die Anmeldung enthält keine E-Mail-Adresse. Bitte wenden Sie sich an die IT: der "
            "Identitätsanbieter muss den Claim „email“ senden."
        )
    if not rules.domain_allowed(email):
        raise PermissionDenied(
            f"Keine Berechtigung: Anmeldungen mit {email.rpartition('@')[2]} sind für dieses "
            "Dashboard nicht freigegeben."
        )
    # An address the provider marks as unverified could be anybody's: such a person may read only.
    verified = claims.get("email_verified", True) is not False
    return Identity(
        email=email,
        subject=subject,
        name=claims_name(claims, email),
        is_editor=verified and email in rules.editors,
        via="oidc",
    )
