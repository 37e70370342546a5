"""Page sign-in (登录): a user's API token is exchanged once for a signed session cookie.

The cookie is HttpOnly (no script reads it), SameSite=Lax (a cross-site form post does not carry it)
and expires (``SESSION_TTL``). It holds the user's id, a fingerprint of their token hash (rotating
the token ends every session of that user), the expiry and the session's CSRF token, signed with
HMAC-SHA256; the role is read from the user table on every request, so a role change counts at once.

Every POST from a page carries the CSRF token (a hidden form field, or the ``X-CSRF-Token`` header
HTMX sends): a form posted without it is refused even with a valid cookie. The sign-in form itself
is protected by a double-submit token in a short-lived cookie of its own.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_COOKIE = "fl_session"
LOGIN_CSRF_COOKIE = "fl_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_TTL = timedelta(hours=12)  # one duty shift


@dataclass(frozen=True)
class PageSession:
    user_id: int
    token_print: str  # first 16 hex of sha256(token_hash): the session ends when the token is rotated
    expires_at: datetime
    csrf: str


def token_print(token_hash: str) -> str:
    return hashlib.sha256(token_hash.encode()).hexdigest()[:16]


class SessionSigner:
    """Signs and reads session cookies with one process-wide secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret needs at least 32 bytes")
        self._secret = secret

    def _mac(self, body: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self._secret, body, hashlib.sha256).digest()).decode().rstrip("=")

    def issue(self, user_id: int, token_hash: str, now: datetime) -> tuple[str, PageSession]:
        session = PageSession(user_id, token_print(token_hash), now + SESSION_TTL, secrets.token_urlsafe(24))
        payload = json.dumps({"u": session.user_id, "t": session.token_print,
                              "e": int(session.expires_at.timestamp()), "c": session.csrf}, separators=(",", ":"))
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{self._mac(body.encode())}", session

    def read(self, cookie: str | None, now: datetime) -> PageSession | None:
        """The session in ``cookie``, or None when it is missing, forged, malformed or expired."""
        if not cookie or cookie.count(".") != 1:
            return None
        body, mac = cookie.split(".")
        if not hmac.compare_digest(mac, self._mac(body.encode())):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            session = PageSession(int(data["u"]), str(data["t"]),
                                  datetime.fromtimestamp(int(data["e"]), tz=now.tzinfo), str(data["c"]))
        except (ValueError, KeyError, TypeError):
            return None
        return session if session.expires_at > now else None


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(expected, given)
