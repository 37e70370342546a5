"""The ``faultline`` command line on SQLite and PostgreSQL: users add (token once, last line, stored
hashed), inventory import (errors located, nothing written) and export, db upgrade."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select, text
from typer.testing import CliRunner

from agent.auth import hash_token
from agent.db import Base, make_engine, make_session_factory
from agent.inventory import export_inventory
from agent.migrate import MIGRATIONS, alembic_config
from agent.models import Circuit, Device, Site, User
from agent.services import build_services
from agent.settings import Settings
from api.app import create_app
from faultline.cli import app

FAULTLINE = Path(sys.executable).with_name("faultline")
runner = CliRunner()


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as s:
            return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in (Site, Device, Circuit)}
    finally:
        engine.dispose()


def test_users_add_prints_the_token_last_and_stores_only_its_hash(db_url):
    env = {**os.environ, "FAULTLINE_DATABASE_URL": db_url}
    run = subprocess.run([str(FAULTLINE), "users", "add", "li.wei", "--role", "engineer"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout
    lines = run.stdout.strip().splitlines()
    token = lines[-1]
    assert token.startswith("flt_") and len(token) > 40 and token not in "\n".join(lines[:-1])

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            user = conn.execute(select(User.__table__).where(User.name == "li.wei")).one()
            assert user.role == "engineer" and user.token_hash == hash_token(token)
            for table in Base.metadata.sorted_tables:  # the clear token is nowhere in the database
                for row in conn.execute(select(table)):
                    assert token not in repr(tuple(row)), table.name
    finally:
        engine.dispose()

    services = build_services(Settings(database_url=db_url), migrate=False)
    try:
        with TestClient(create_app(services)) as client:
            assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
            assert client.post("/api/v1/tickets/1/sign", json={},
                               headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    finally:
        services.close()


def test_users_add_with_an_unknown_role_fails_and_creates_nobody(db_url):
    result = runner.invoke(app, ["users", "add", "x", "--role", "superuser", "--database-url", db_url])
    assert result.exit_code == 2 and "unknown role" in result.output
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(User.__table__)).scalar() == 0
    engine.dispose()


def test_inventory_import_of_a_bad_file_lists_errors_and_writes_nothing(db_url, tmp_path, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["circuits"][1]["customer"] = "CUST-GHOST"
    data["circuits"][0]["segments"][2]["a"] = {"device": "pex-1", "port": "XGigabitEthernet0/0/1"}
    data["devices"][0]["site"] = "NOWHERE"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["inventory", "import", str(bad), "--database-url", db_url])
    assert result.exit_code == 1
    out = result.output
    assert "3 error(s); nothing imported" in out
    assert "circuits[1].customer: unknown customer 'CUST-GHOST'" in out
    assert "circuits[0].segments[2].a.device: path is broken" in out and "devices[0].site: unknown site" in out
    assert _counts(db_url) == {"Site": 0, "Device": 0, "Circuit": 0}

    broken = tmp_path / "broken.yaml"
    broken.write_text("sites: [\n  - {id: x", encoding="utf-8")
    result = runner.invoke(app, ["inventory", "import", str(broken), "--database-url", db_url])
    assert result.exit_code == 1 and "line " in result.output
    assert runner.invoke(app, ["inventory", "import", str(tmp_path / "missing.yaml"), "--database-url", db_url]).exit_code != 0


def test_inventory_import_then_export(db_url, tmp_path, sample_inventory_text):
    good = tmp_path / "inventory.yaml"
    good.write_text(sample_inventory_text, encoding="utf-8")
    result = runner.invoke(app, ["inventory", "import", str(good), "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and "2 circuits" in result.output
    assert _counts(db_url) == {"Site": 6, "Device": 6, "Circuit": 2}

    out = tmp_path / "export.yaml"
    assert runner.invoke(app, ["inventory", "export", "-o", str(out), "--database-url", db_url]).exit_code == 0
    exported = yaml.safe_load(out.read_text(encoding="utf-8"))
    engine = make_engine(db_url)
    with make_session_factory(engine)() as s:
        assert exported == export_inventory(s, include_secrets=True)
    engine.dispose()
    assert {d["name"]: d for d in exported["devices"]}["cpe-logi"]["cli"]["secret"] == "example-enable"

    bare = runner.invoke(app, ["inventory", "export", "--no-with-secrets", "--database-url", db_url])
    assert bare.exit_code == 0 and "cpe-logi" in bare.stdout
    for secret in ("example-password", "example-ro", "example-auth-key", "example-priv-key", "example-enable"):
        assert secret not in bare.stdout


@pytest.fixture
def fresh_db_url(db_url, tmp_path):
    """An empty database that has never seen a migration (same backend as db_url)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'nested' / 'fresh.db'}"
        return
    import psycopg

    admin = os.environ.get("FAULTLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"faultline_t3_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_db_upgrade_creates_the_schema_at_head_and_is_repeatable(fresh_db_url):
    head = ScriptDirectory.from_config(alembic_config(fresh_db_url)).get_current_head()
    assert head and MIGRATIONS.is_dir()
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade", "--database-url", fresh_db_url])
        assert result.exit_code == 0, result.output
        assert "schema up to date" in result.output
    engine = make_engine(fresh_db_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
    finally:
        engine.dispose()
