"""The ``faultline`` command line."""
from __future__ import annotations

import typer

app = typer.Typer(help="faultline: fault diagnosis agent for enterprise leased lines", no_args_is_help=True)


@app.callback()
def main() -> None:
    """faultline: triage, SLA clocks and loop tests for enterprise leased-line faults."""


@app.command()
def version() -> None:
    """Print the version."""
    from importlib.metadata import version as _v

    typer.echo(_v("faultline"))
