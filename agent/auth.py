"""API users and bearer tokens. Tokens are random (256 bits) and stored only as SHA-256 hashes."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.clock import Clock
from agent.enums import Role
from agent.errors import FaultlineError
from agent.models import User

TOKEN_PREFIX = "flt_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add_user(session: Session, name: str, role: Role | str, clock: Clock, token: str | None = None) -> tuple[User, str]:
    """Create a user (or rotate the token of an existing one); returns the user and the clear token, shown once."""
    role = Role(role)
    token = token or new_token()
    if len(token) < 16:
        raise FaultlineError("a token must have at least 16 characters")
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        user = User(name=name, role=role.value, token_hash=hash_token(token), active=True, created_at=clock.now())
        session.add(user)
    else:
        user.role, user.token_hash, user.active = role.value, hash_token(token), True
    session.flush()
    return user, token


def authenticate(session: Session, token: str) -> User | None:
    user = session.scalar(select(User).where(User.token_hash == hash_token(token)))
    return user if user is not None and user.active else None
