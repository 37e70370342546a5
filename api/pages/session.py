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
import logging
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("faultline.pages")

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


SECRET_FILE_NAME = "session.secret"
SECRET_BYTES = 32


def secret_file_of(settings) -> Path:
    """Where the generated secret lives: the setting, else next to the SQLite database, else ./var."""
    if settings.session_secret_file is not None:
        return Path(settings.session_secret_file)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / SECRET_FILE_NAME
    return Path("var").resolve() / SECRET_FILE_NAME


def session_secret(settings) -> bytes:
    """The secret the session cookies are signed with, the same across restarts and processes.

    ``session_secret`` from the settings (FAULTLINE_SESSION_SECRET) when given; otherwise the secret in
    ``secret_file_of(settings)``, generated there once (mode 0600, created exclusively: of two processes
    starting together one writes it, the other reads it). A file that cannot be read or written, or holds
    too short a secret, stops the start with the path named: signing with a throw-away secret would end
    every session at the next restart without a word.
    """
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode()
    path = secret_file_of(settings)
    try:
        if not path.exists():
            _create_secret_file(path)
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise RuntimeError(f"the console's session secret file {path} cannot be used ({exc}); set "
                           f"FAULTLINE_SESSION_SECRET or FAULTLINE_SESSION_SECRET_FILE") from exc
    if len(secret) < SECRET_BYTES:
        raise RuntimeError(f"the console's session secret in {path} is shorter than {SECRET_BYTES} bytes "
                           f"({len(secret)}): remove the file to have a new one generated")
    return secret


def _create_secret_file(path: Path) -> None:
    """Written whole to a private temporary file, then linked into place: the link fails when another
    process was first, and no reader ever sees a half-written secret."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(SECRET_BYTES) + "\n")
        try:
            os.link(tmp, path)
            log.info("console session secret generated in %s", path)
        except FileExistsError:
            pass  # another process made it first: theirs is read
    finally:
        tmp.unlink(missing_ok=True)
