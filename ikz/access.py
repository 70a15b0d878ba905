"""Who is acting: the identity every write function takes, and the one check that refuses non-editors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
