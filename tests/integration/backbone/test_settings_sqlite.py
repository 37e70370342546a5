"""Settings from FAULTLINE_ environment variables and a .env file; SQLite's WAL mode and foreign keys."""
from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from agent.db import make_engine
from agent.migrate import upgrade
from agent.settings import Settings


def test_environment_and_dotenv_with_their_precedence(monkeypatch, tmp_path):
    for var in ("FAULTLINE_DATABASE_URL", "FAULTLINE_PORT", "FAULTLINE_TIMEZONE", "FAULTLINE_HOST"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("FAULTLINE_PORT=9123\nFAULTLINE_TIMEZONE=Asia/Urumqi\nFAULTLINE_HOST=0.0.0.0\n"
                                   "FAULTLINE_NIGHT_START=23:00\n", encoding="utf-8")
    monkeypatch.setenv("FAULTLINE_DATABASE_URL", "postgresql+psycopg://faultline@db.example/faultline")
    monkeypatch.setenv("FAULTLINE_HOST", "127.0.0.2")  # the environment beats .env
    monkeypatch.setenv("FAULTLINE_REOPEN_WINDOW_HOURS", "24")
    monkeypatch.setenv("FAULTLINE_SLA__SIGN_LIMIT_MINUTES", "12")  # nested: "__"
    monkeypatch.setenv("FAULTLINE_BOOTSTRAP_USERS", '[{"name": "ops", "role": "admin", "token": "tok-0123456789abcdef"}]')
    s = Settings()
    assert s.database_url == "postgresql+psycopg://faultline@db.example/faultline"
    assert (s.port, s.timezone, s.host) == (9123, "Asia/Urumqi", "127.0.0.2")
    assert s.reopen_window_hours == 24 and s.sla.sign_limit_minutes == 12 and s.sla.sign_warn_minutes == 5
    assert (s.night_start, s.night_end) == (time(23, 0), time(8, 0))
    assert s.bootstrap_users[0].name == "ops" and "tok-0123456789abcdef" not in repr(s)
    assert Settings(port=8001, host="127.0.0.3").port == 8001  # explicit beats both
    monkeypatch.chdir(tmp_path.parent)  # no .env here: defaults
    assert Settings().port == 8000 and Settings().timezone == "Asia/Shanghai"


def test_default_database_is_a_sqlite_file_under_var(monkeypatch, tmp_path):
    monkeypatch.delenv("FAULTLINE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings().database_url == f"sqlite:///{tmp_path.resolve() / 'var' / 'faultline.db'}"


def test_sqlite_runs_in_wal_mode_with_foreign_keys_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'f.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        with pytest.raises(IntegrityError, match="FOREIGN KEY"), engine.begin() as conn:
            conn.execute(text("INSERT INTO device (name, site_id, platform, mgmt_address) "
                              "VALUES ('d1', 'NO-SUCH-SITE', 'generic', '192.0.2.1')"))
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO site (id, name, kind) VALUES ('S1', 'site', 'core')"))
        assert (tmp_path / "sub" / "f.db-wal").exists()
    finally:
        engine.dispose()
