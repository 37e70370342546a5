"""`faultline lab ...`: run the lab in the foreground and drive it through its control endpoint.

The lead mounts `app` under the main CLI; it also runs alone: `python -m lab.cli up`.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import yaml
from rich.console import Console
from rich.table import Table

from lab import DEFAULT_TOPOLOGY
from lab.control import ControlServer
from lab.errors import LabError
from lab.lab import Lab

app = typer.Typer(help="The network twin: simulated Huawei/Cisco/ZTE devices over real SNMP and SSH.",
                  no_args_is_help=True)
console = Console() if sys.stdout.isatty() else Console(width=200)  # logs keep full endpoints
DEFAULT_CONTROL_PORT = 18180

ControlPort = Annotated[int, typer.Option("--control-port", help="Loopback port of the lab control endpoint.")]


def device_table(lab: Lab) -> Table:
    table = Table(title=f"lab devices ({len(lab.devices)})")
    for col in ("name", "vendor", "site", "SNMP", "SSH", "SNMP auth", "SSH login (lab only)"):
        table.add_column(col, no_wrap=True)
    for d in lab.devices:
        snmp_auth = f"v3 {lab.v3.user}" if d.snmp_version == "3" else f"v2c {d.community}"
        table.add_row(d.name, d.vendor.value, d.site, d.snmp, d.ssh, snmp_auth, f"{d.username}/{d.password}")
    return table


async def _run(lab: Lab, control_port: int, inventory_out: Path | None, receivers: list[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    control = ControlServer(lab, port=control_port)
    async with lab:
        await control.start()
        for r in receivers:
            host, _, port = r.rpartition(":")
            lab.add_trap_receiver(host, int(port))
        console.print(device_table(lab))
        if inventory_out is not None:
            inventory_out.write_text(yaml.safe_dump(lab.inventory(), allow_unicode=True, sort_keys=False),
                                     encoding="utf-8")
            console.print(f"inventory written to {inventory_out}")
        console.print(f"SNMPv3: user {lab.v3.user}, {lab.v3.auth_protocol}/{lab.v3.auth_key}, "
                      f"{lab.v3.priv_protocol}/{lab.v3.priv_key}")
        console.print(f"device latency: {lab.latency.mode}")
        console.print(f"control endpoint http://127.0.0.1:{control.port}  (Ctrl+C stops the lab)")
        await stop.wait()
        await control.stop()


@app.command()
def up(
    topology: Annotated[Path, typer.Option(help="Topology YAML (inventory format + lab: section).")] = DEFAULT_TOPOLOGY,
    inventory_out: Annotated[Path | None, typer.Option(help="Write the inventory YAML the agent imports.")] = None,
    address_block: Annotated[str | None, typer.Option(help="Loopback block, e.g. 127.20.0 (default: topology addresses).")] = None,
    snmp_port: Annotated[int, typer.Option(help="UDP port of every SNMP agent.")] = 1161,
    ssh_port: Annotated[int, typer.Option(help="TCP port of every SSH server.")] = 2222,
    control_port: ControlPort = DEFAULT_CONTROL_PORT,
    trap_receiver: Annotated[list[str] | None, typer.Option(help="host:port to send traps to (repeatable).")] = None,
    time_scale: Annotated[float, typer.Option(help="Simulated seconds per real second (ageing demos: 3600).")] = 1.0,
    latency: Annotated[str | None, typer.Option(
        help="Device response times: 'realistic' (SNMP tens of ms, SSH login 1-3 s, commands ~0.3 s; "
             "per device in lab.latency) or 'off'. Default: $FAULTLINE_LAB_LATENCY, else off.")] = None,
) -> None:
    """Run the lab in the foreground: print the device table, write the inventory."""
    logging.getLogger("asyncssh").setLevel(logging.WARNING)  # one INFO line per SSH event drowns the table
    try:
        lab = Lab.load(topology, address_block=address_block, snmp_port=snmp_port, ssh_port=ssh_port,
                       time_scale=time_scale, latency=latency)
        asyncio.run(_run(lab, control_port, inventory_out, trap_receiver or []))
    except (LabError, ValueError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def generate(
    out: Annotated[Path, typer.Option("--out", help="Topology YAML to write.")],
    devices: Annotated[int, typer.Option(help="Number of devices (metro core, aggregation, access, CPEs).")] = 1000,
    ports: Annotated[int, typer.Option(help="Ports per device.")] = 20,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same topology).")] = 7,
    address_base: Annotated[str, typer.Option(help="Loopback /16 for the management addresses.")] = "127.30",
    scenarios: Annotated[int | None, typer.Option(help="Instead: N random fault scenarios (lab/scenarios.py), "
                                                       "one island network each, in one topology with their truth.")] = None,
) -> None:
    """Write a large topology for benchmarks; `lab up --topology FILE` runs it as is."""
    from lab.generator import generate_topology

    if scenarios is not None:
        from dataclasses import asdict

        from lab.scenarios import generate_scenarios

        (slab,) = generate_scenarios(seed, scenarios, per_lab=max(scenarios, 1))
        data = slab.topology
        data["lab"]["scenarios"] = [  # the truth, for people; the lab itself ignores this key
            {**{k: v for k, v in asdict(sc).items() if k != "truth"},
             "truth": {**asdict(sc.truth), "kind": sc.truth.kind.value if sc.truth.kind else None}}
            for sc in slab.scenarios]
        out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        console.print(f"{out}: {len(data['devices'])} devices, {len(slab.scenarios)} scenarios (inject each "
                      f"lab.scenarios[].truth with `lab inject`)")
        return
    try:
        data = generate_topology(devices=devices, ports_per_device=ports, seed=seed, address_base=address_base)
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    out.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    n_ports = sum(len(d["ports"]) for d in data["devices"])
    console.print(f"{out}: {len(data['devices'])} devices, {n_ports} ports, {len(data['circuits'])} circuits")


def _call(method: str, path: str, control_port: int, body: dict[str, Any] | None = None) -> Any:
    try:
        resp = httpx.request(method, f"http://127.0.0.1:{control_port}{path}", json=body, timeout=10)
    except httpx.HTTPError as exc:
        console.print(f"[red]lab control endpoint on 127.0.0.1:{control_port} unreachable: {exc}[/red]")
        raise typer.Exit(2) from exc
    data = resp.json()
    if resp.status_code != 200:
        console.print(f"[red]{data.get('error', data)}[/red]")
        raise typer.Exit(1)
    return data


def _params(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"expected key=value, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@app.command()
def inject(
    kind: Annotated[str, typer.Argument(help="fiber_degraded | fiber_cut | loose_connector | duplex_mismatch | "
                                             "speed_mismatch | port_congestion | egress_congestion | cpe_power_off | transceiver_ageing")],
    target: Annotated[str, typer.Argument(help="segment 'CIR#i' / 'devA:portA--devB:portB', port 'dev:port', or device")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value, e.g. -p db=6")] = None,
    control_port: ControlPort = DEFAULT_CONTROL_PORT,
) -> None:
    """Inject a fault into the running lab; prints the fault id. `inject clear TARGET` clears it."""
    if kind == "clear":
        cleared = _call("POST", "/clear", control_port, {"target": target})["cleared"]
        console.print(" ".join(cleared) or f"no fault on {target}")
        return
    data = _call("POST", "/inject", control_port, {"kind": kind, "target": target, "params": _params(param or [])})
    console.print(data["fault_id"])


@app.command()
def clear(
    fault_id: Annotated[str | None, typer.Argument(help="Fault id; omit to clear every fault.")] = None,
    control_port: ControlPort = DEFAULT_CONTROL_PORT,
) -> None:
    """Clear one fault or all of them."""
    data = _call("POST", "/clear", control_port, {"fault_id": fault_id})
    console.print(" ".join(data["cleared"]) or "nothing to clear")


@app.command()
def faults(control_port: ControlPort = DEFAULT_CONTROL_PORT) -> None:
    """List the active faults."""
    for f in _call("GET", "/faults", control_port):
        console.print(f"{f['id']}  {f['kind']:<20} {f['target']}  {f['params']}")


@app.command()
def loop(
    device: str, port: str,
    mode: Annotated[str | None, typer.Argument(help="local | remote; omit to clear")] = None,
    control_port: ControlPort = DEFAULT_CONTROL_PORT,
) -> None:
    """Set or clear a loop directly (the SSH CLI is the realistic way)."""
    state = _call("POST", "/loop", control_port, {"device": device, "port": port, "mode": mode})
    console.print(f"{device} {port}: loop={state['loop']} up={state['oper_up']} rx={state['rx_dbm']}")


if __name__ == "__main__":
    app()
