"""Console sessions outlive a restart and are good in a second process on the same secret: the secret is
the settings' (FAULTLINE_SESSION_SECRET) or the one generated once into the data folder."""
from __future__ import annotations

import re
import stat

import pytest
from fastapi.testclient import TestClient

from agent.services import build_services
from api.app import create_app
from api.pages.session import SESSION_COOKIE, secret_file_of, session_secret
from tests.support.settings import settings_for
from tests.support.users import token_for


def _signed_in(client: TestClient) -> str:
    page = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"csrf_token": csrf, "token": token_for("duty_officer"), "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.cookies[SESSION_COOKIE]


def _board_with(settings, cookie: str):
    services = build_services(settings)
    try:
        with TestClient(create_app(services)) as c:
            c.cookies.set(SESSION_COOKIE, cookie)
            return c.get("/", follow_redirects=False)
    finally:
        services.close()


@pytest.mark.parametrize("given", [False, True], ids=["generated", "from-settings"])
def test_a_session_survives_a_restart_and_works_in_a_second_process(db_url, tmp_path, given):
    extra = {"session_secret": "s" * 40} if given else {"session_secret_file": tmp_path / "secret"}
    settings = settings_for(db_url, **extra)
    first = build_services(settings)
    try:
        with TestClient(create_app(first)) as c:
            cookie = _signed_in(c)
            assert c.get("/", follow_redirects=False).status_code == 200
    finally:
        first.close()
    # the first process is gone: a new one (or a second one beside it) reads the same secret
    again = _board_with(settings, cookie)
    assert again.status_code == 200 and "duty_officer-user" in again.text
    if not given:
        path = tmp_path / "secret"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(path.read_bytes().strip()) >= 32
    # another secret does not take it: sign in again
    other = settings_for(db_url, session_secret="o" * 40)
    refused = _board_with(other, cookie)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")


def test_secret_file_defaults_to_the_sqlite_folder_and_a_short_one_stops_the_start(tmp_path):
    settings = settings_for(f"sqlite:///{tmp_path}/data/faultline.db")
    assert secret_file_of(settings) == tmp_path / "data" / "session.secret"
    made = session_secret(settings)
    assert session_secret(settings) == made == (tmp_path / "data" / "session.secret").read_bytes().strip()
    short = tmp_path / "short"
    short.write_text("abc\n")
    with pytest.raises(RuntimeError, match="shorter than 32 bytes"):
        session_secret(settings_for(f"sqlite:///{tmp_path}/x.db", session_secret_file=short))
