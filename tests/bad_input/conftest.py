"""Clients signed in by role, for the bad-input tests and the fuzz test."""

from __future__ import annotations

import pytest

#: The demo centre each role's account belongs to (an administrator has none).
ROLES = {"psychologist": 2, "supervisor": 2, "administrator": None}


@pytest.fixture
def signed_in(make_user, staff_client):
    """``client, headers = signed_in("supervisor")``: a client signed in as a new account of that
    role, and headers carrying its CSRF token. The one place these tests sign in: when signing
    in gains a step, only this fixture (or ``staff_client``) changes."""
    made: dict[str, tuple] = {}
    usernames: dict[str, str] = {}

    def make(role: str, fresh: bool = False):
        """``fresh``: sign the same account in again (after a request signed it out)."""
        if role not in usernames:
            usernames[role] = f"{role}-{len(usernames)}"
            make_user(usernames[role], role=role, centre_id=ROLES[role])
        if fresh or role not in made:
            made[role] = staff_client(usernames[role])
        return made[role]

    return make
