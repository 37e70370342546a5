"""procrastinate's job queue schema (PostgreSQL only; SQLite runs jobs in-process and gets nothing)

Why an Alembic migration and not ``procrastinate schema --apply`` at start: the schema is part of the
database the agent owns, so one ``faultline db upgrade`` (run by every process on start) brings all of it
to one known version, on one transaction, in the one migration history; and the SQL is vendored
(agent/migrations/sql/procrastinate-3.10.0.sql, the package's own schema.sql) so this revision means
the same DDL whatever procrastinate version is installed later. A procrastinate upgrade (the
dependency is pinned to a minor) comes with a new revision that applies the package's migration files
for that step.

Revision ID: 0015_procrastinate
Revises: 0014_period_reports
"""
from pathlib import Path

from alembic import op

revision = "0015_procrastinate"
down_revision = "0014_period_reports"
branch_labels = None
depends_on = None

SCHEMA = Path(__file__).resolve().parent.parent / "sql" / "procrastinate-3.10.0.sql"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # The driver's own execute, no parameters: the schema's '%' are literal, not placeholders.
    bind.connection.driver_connection.execute(SCHEMA.read_text(encoding="utf-8"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.connection.driver_connection.execute("""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.sig);
  END LOOP;
  FOR r IN SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = current_schema() AND typname LIKE 'procrastinate\\_%' AND typtype IN ('e', 'c') LOOP
    EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', r.typname);
  END LOOP;
END $$;
""")
