"""The ``faultline`` command line."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console

from agent.settings import Settings
from faultline.logs import configure as configure_logging
from faultline.logs import uvicorn_config
from lab.cli import app as lab_app

app = typer.Typer(help="faultline: fault diagnosis agent for enterprise leased lines", no_args_is_help=True)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
users_app = typer.Typer(help="API users and tokens", no_args_is_help=True)
inventory_app = typer.Typer(help="Inventory import and export", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(inventory_app, name="inventory")
console = Console(stderr=True)

app.add_typer(lab_app, name="lab", help="The lab: a network twin of simulated devices (SNMP + SSH)")


def _settings(database_url: str | None) -> Settings:
    return Settings(database_url=database_url) if database_url else Settings()


DbOpt = typer.Option(None, "--database-url", envvar="FAULTLINE_DATABASE_URL", help="SQLAlchemy URL")


@app.callback()
def main() -> None:
    """faultline: triage, SLA clocks and loop tests for enterprise leased-line faults."""
    configure_logging(Settings().log_level)


@app.command()
def version() -> None:
    """Print the version."""
    from importlib.metadata import version as _v

    typer.echo(_v("faultline"))


@app.command()
def serve(host: str = typer.Option(None, help="bind address (default from settings: 127.0.0.1)"),
          port: int = typer.Option(None, help="TCP port (default 8000)"),
          workers: int | None = typer.Option(None, "--workers", min=0, help=(
              "PostgreSQL: jobs on the procrastinate queues, with a worker of N jobs at a time in this "
              "process (0: this process only enqueues; run `faultline worker`). Default: everything in-process")),
          database_url: str | None = DbOpt) -> None:
    """Run the API and the agent's jobs in one process (the schema is upgraded on start)."""
    import uvicorn

    from faultline.server import KEEP_ALIVE_SECONDS, build_app

    settings = _settings(database_url)
    level = configure_logging(settings.log_level)
    if workers is not None:  # --- issue 17
        if not settings.database_url.startswith("postgresql"):
            console.print("[red]--workers needs PostgreSQL[/] (the job queue lives in it); on SQLite every job runs in-process")
            raise typer.Exit(2)
        settings = settings.model_copy(update={"job_queue": "queue"})
    application = build_app(settings, workers=workers)
    uvicorn.run(application, host=host or settings.host, port=port or settings.port,
                log_config=uvicorn_config(level), timeout_keep_alive=KEEP_ALIVE_SECONDS)


@app.command()
def worker(queues: str = typer.Option("triage,loops,notify,reports", "--queues", help=(
               "comma-separated: triage, loops, notify, reports, poll.<region>, collect.<region>")),
           concurrency: int | None = typer.Option(None, "--concurrency", min=1, help="jobs at a time (default 8)"),
           name: str | None = typer.Option(None, "--name", help="this worker's name (default host-pid)"),
           metrics_port: int | None = typer.Option(None, "--metrics-port", help="serve /metrics of this worker here"),
           metrics_host: str = typer.Option("127.0.0.1", "--metrics-host"),
           database_url: str | None = DbOpt) -> None:
    """Run jobs from the procrastinate queues of a PostgreSQL database (issue 17, docs/workers.md)."""
    import asyncio

    from agent.work.metrics import WorkMetrics
    from agent.work.queues import check_queues
    from agent.work.worker import run_worker

    settings = _settings(database_url)
    if not settings.database_url.startswith("postgresql"):
        console.print("[red]faultline worker needs PostgreSQL[/]: on SQLite `faultline serve` runs every job itself")
        raise typer.Exit(2)
    try:
        wanted = check_queues(q.strip() for q in queues.split(",") if q.strip())
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    metrics = WorkMetrics()
    if metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr=metrics_host, registry=metrics.registry)
    try:
        asyncio.run(run_worker(settings.model_copy(update={"job_queue": "queue"}), wanted, concurrency, name,
                               metrics=metrics))
    except KeyboardInterrupt:
        pass


@app.command()
def demo(once: bool = typer.Option(False, "--once", help="exit 0 after printing the diagnosis"),
         host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000),
         workdir: Path = typer.Option(Path("var"), help="where the demo's SQLite file goes")) -> None:
    """Start the lab and the agent (SQLite), inject a fault, file a ticket through the API, show the diagnosis."""
    import asyncio

    from faultline.demo import run_demo

    # The demo prints its own story; the log says only what went wrong (or everything, at DEBUG).
    asked = logging.getLevelName(Settings().log_level.upper())
    configure_logging(logging.DEBUG if asked == logging.DEBUG else logging.WARNING)
    try:
        code = asyncio.run(run_demo(once=once, host=host, port=port, workdir=workdir, console=Console()))
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@db_app.command("upgrade")
def db_upgrade(database_url: str | None = DbOpt) -> None:
    """Upgrade the database schema to the latest migration."""
    from agent.migrate import upgrade

    settings = _settings(database_url)
    upgrade(settings.database_url)
    console.print(f"[green]schema up to date[/] on {_safe_url(settings.database_url)}")


@users_app.command("add")
def users_add(name: str, role: str = typer.Option(..., "--role", help="duty_officer | engineer | noc | province | admin"),
              database_url: str | None = DbOpt) -> None:
    """Create a user (or rotate its token); the token is printed once, as the last line."""
    from agent.auth import add_user
    from agent.clock import SystemClock
    from agent.db import make_engine, make_session_factory, unit_of_work
    from agent.enums import Role
    from agent.migrate import upgrade

    try:
        role_value = Role(role)
    except ValueError:
        console.print(f"[red]unknown role {role!r}[/]; one of: {', '.join(r.value for r in Role)}")
        raise typer.Exit(2) from None
    settings = _settings(database_url)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        _, token = add_user(session, name, role_value, SystemClock())
    engine.dispose()
    console.print(f"user [bold]{name}[/] ({role_value.value}) ready; keep this token, it is not shown again:")
    print(token)


@inventory_app.command("import")
def inventory_import(file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
                     database_url: str | None = DbOpt) -> None:
    """Validate and import an inventory YAML file in one transaction (nothing is written on any error)."""
    from agent.db import make_engine, make_session_factory, unit_of_work
    from agent.errors import InventoryError
    from agent.inventory import import_inventory
    from agent.migrate import upgrade

    settings = _settings(database_url)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            counts = import_inventory(session, file.read_text(encoding="utf-8"))
    except InventoryError as exc:
        console.print(f"[red]{len(exc.errors)} error(s); nothing imported[/]")
        for e in exc.errors:
            console.print(f"  {e['loc']}: {e['msg']}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print("[green]imported[/] " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@inventory_app.command("export")
def inventory_export(output: Path | None = typer.Option(None, "--output", "-o"),
                     with_secrets: bool = typer.Option(True, help="include device credentials (file for re-import)"),
                     database_url: str | None = DbOpt) -> None:
    """Export the inventory in the import format."""
    from agent.db import make_engine, make_session_factory
    from agent.inventory import dump_yaml, export_inventory

    settings = _settings(database_url)
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        text = dump_yaml(export_inventory(session, include_secrets=with_secrets))
    engine.dispose()
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
