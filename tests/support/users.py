"""The test users: one per role, each with a name and a bearer token the test agents bootstrap."""
from __future__ import annotations

from agent.enums import Role
from agent.settings import BootstrapUser

ROLES: tuple[str, ...] = tuple(r.value for r in Role)


def user_name(role: str) -> str:
    """The name the agent records for the role's actions (journal authors, approvedBy, Actor names)."""
    return f"{role}-user"


def token_for(role: str) -> str:
    return f"test-token-for-{role}-0123456789"


def auth(role: str) -> dict[str, str]:
    """The Authorization header of the role's user."""
    return {"Authorization": f"Bearer {token_for(role)}"}


def bootstrap_users(roles: tuple[str, ...] = ROLES) -> list[BootstrapUser]:
    return [BootstrapUser(name=user_name(r), role=r, token=token_for(r)) for r in roles]
