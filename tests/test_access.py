"""Who may read and who may write, from the sign-in token's claims and the [ikz] settings (pure)."""

from __future__ import annotations

import pytest

from ikz.store.access import (
    AccessConfigError,
    AccessRules,
    Identity,
    PermissionDenied,
    claims_email,
    identity_from_claims,
    require_editor,
    session_expired,
)

NOW = 1_800_000_000.0
RULES = AccessRules.from_settings(
    {"editors": ["Anna.Redakteurin@Erfurt.de"], "allowed_domains": ["erfurt.de", "@stadt.erfurt.de"]}
)


def claims(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "sub": "a7f3",
        "email": "anna.redakteurin@erfurt.de",
        "name": "Anna Redakteurin",
        "iat": NOW - 60,
        "exp": NOW + 240,
        "iss": "https://login.erfurt.de/realms/stadt",
    }
    return {**base, **extra}


def test_editor_from_the_token() -> None:
    assert identity_from_claims(claims(), RULES, now=NOW) == Identity(
        email="anna.redakteurin@erfurt.de",
        subject="a7f3",
        name="Anna Redakteurin",
        is_editor=True,
        via="oidc",
    )


def test_reader_is_every_other_allowed_person() -> None:
    reader = identity_from_claims(claims(sub="b9", email="ben@stadt.erfurt.de", name="Ben"), RULES, now=NOW)
    assert (reader.email, reader.subject, reader.is_editor) == ("ben@stadt.erfurt.de", "b9", False)
    with pytest.raises(PermissionDenied, match="darf Daten lesen, aber nicht ändern"):
        require_editor(reader)


def test_other_domains_are_refused_and_no_list_allows_all() -> None:
    with pytest.raises(PermissionDenied, match=r"example\.org sind für dieses Dashboard nicht freigegeben"):
        identity_from_claims(claims(email="eve@example.org"), RULES, now=NOW)
    # A look-alike domain is not a subdomain.
    with pytest.raises(PermissionDenied):
        identity_from_claims(claims(email="eve@boese-erfurt.de"), RULES, now=NOW)
    anyone = identity_from_claims(claims(email="eve@example.org"), AccessRules(), now=NOW)
    assert anyone.is_editor is False


def test_unverified_editor_address_may_only_read() -> None:
    assert identity_from_claims(claims(email_verified=False), RULES, now=NOW).is_editor is False
    assert identity_from_claims(claims(email_verified=True), RULES, now=NOW).is_editor is True


def test_email_from_entra_and_adfs_claims() -> None:
    assert claims_email({"preferred_username": "Anna.R@Erfurt.de"}) == "anna.r@erfurt.de"
    assert claims_email({"upn": "anna@erfurt.de", "preferred_username": "anna"}) == "anna@erfurt.de"
    assert claims_email({"preferred_username": "anna"}) == ""
    with pytest.raises(PermissionDenied, match="keine E-Mail-Adresse"):
        identity_from_claims(claims(email=None), RULES, now=NOW)


def test_name_falls_back_to_given_and_family_name_then_email() -> None:
    who = identity_from_claims(claims(name=None, given_name="Anna", family_name="R."), RULES, now=NOW)
    assert who.name == "Anna R."
    assert identity_from_claims(claims(name=" "), RULES, now=NOW).name == "anna.redakteurin@erfurt.de"


def test_missing_subject_is_refused() -> None:
    with pytest.raises(PermissionDenied, match="keine Kennung"):
        identity_from_claims(claims(sub=""), RULES, now=NOW)


@pytest.mark.parametrize(
    ("iat", "expired"),
    [
        (NOW - 60, False),
        (NOW - 11.9 * 3600, False),
        (NOW - 12.1 * 3600, True),  # older than session_hours
        (NOW + 3600, True),  # issued in the future: a forged or broken clock
        (None, True),  # no issue time: cannot be aged, so refused
        ("gestern", True),
    ],
)
def test_session_age(iat: object, expired: bool) -> None:
    assert session_expired(claims(iat=iat), RULES, NOW) is expired
    if expired:
        with pytest.raises(PermissionDenied, match="abgelaufen"):
            identity_from_claims(claims(iat=iat), RULES, now=NOW)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"editors": "anna@erfurt.de"}, None),  # one address as text is fine
        ({"editors": [1, 2]}, "editors .* Liste von Texten"),
        ({"editors": ["anna"]}, "keine E-Mail-Adresse: anna"),
        ({"allowed_domains": {"a": 1}}, "allowed_domains"),
        ({"session_hours": 0}, "session_hours"),
        ({"session_hours": "8"}, "session_hours"),
        ({"session_hours": 8}, None),
    ],
)
def test_settings_are_checked_with_german_messages(section: dict, message: str | None) -> None:
    if message is None:
        AccessRules.from_settings(section)
    else:
        with pytest.raises(AccessConfigError, match=message):
            AccessRules.from_settings(section)


def test_no_section_means_no_editors() -> None:
    rules = AccessRules.from_settings(None)
    assert rules == AccessRules(editors=frozenset(), allowed_domains=(), session_hours=12.0)
