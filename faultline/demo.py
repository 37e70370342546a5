"""`faultline demo`: the lab network, the agent on SQLite, a fault, a ticket as upstream files it, and
the diagnosis as the duty officer reads it."""
from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime
from pathlib import Path

import httpx
import yaml
from rich.console import Console

from agent.settings import BootstrapUser, Settings
from faultline.render import diagnosis_panel
from faultline.server import running_agent
from lab import DEFAULT_TOPOLOGY, Lab

DEMO_FAULT = ("fiber_cut", "CIR-EPL-0001#1", {})
DEMO_TICKET = {"ticketType": "interruption", "symptom": "down", "circuitId": "CIR-EPL-0001",
               "description": "某某银行城东支行反映专线全部中断 / the bank reports the leased line is down",
               "reporterContact": "张伟 13800000001", "observedImpact": "down"}


async def wait_for_diagnosis(client: httpx.AsyncClient, ticket_id: str, timeout: float = 30.0) -> dict:
    """Poll the API until the ticket's first diagnosis is stored (the product's own answer, nothing faked)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        r = await client.get(f"/api/v1/tickets/{ticket_id}/diagnoses")
        r.raise_for_status()
        if r.json():
            return r.json()[0]
        await asyncio.sleep(0.1)
    notes = (await client.get(f"/api/v1/tickets/{ticket_id}/journal")).json()
    raise TimeoutError(f"no diagnosis within {timeout:.0f} s; journal: {[n['kind'] for n in notes]}")


async def run_demo(*, once: bool, host: str, port: int, workdir: Path, console: Console) -> int:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    tokens = {role: f"demo-{role}-{secrets.token_hex(8)}" for role in ("admin", "duty_officer", "engineer", "noc", "province")}
    settings = Settings(database_url=f"sqlite:///{db}", host=host, port=port,
                        bootstrap_users=[BootstrapUser(name=f"demo-{r}", role=r, token=t) for r, t in tokens.items()])

    with console.status("starting the lab network (simulated Huawei / Cisco / ZTE over SNMP and SSH)..."):
        lab = Lab.load(DEFAULT_TOPOLOGY)
        await lab.start()
    console.print(f"[green]✓[/] lab up: {len(lab.devices)} devices on loopback addresses")
    if settings.trap_port:
        lab.add_trap_receiver(settings.trap_host, settings.trap_port)  # the devices' traps reach the agent
    try:
        with console.status(f"starting faultline on http://{host}:{port} (SQLite {db})..."):
            agent_cm = running_agent(settings, host=host, port=port)
            agent = await agent_cm.__aenter__()
        console.print(f"[green]✓[/] faultline API on {agent.base_url} (OpenAPI at {agent.base_url}/docs)")
        try:
            admin = {"Authorization": f"Bearer {tokens['admin']}"}
            duty = {"Authorization": f"Bearer {tokens['duty_officer']}"}
            # one client for the whole run: the duty officer's token by default, the admin's for the import
            async with httpx.AsyncClient(base_url=agent.base_url, timeout=60, headers=duty) as client:
                r = await client.post("/api/v1/inventory:import", headers=admin,
                                      content=yaml.safe_dump(lab.inventory(), allow_unicode=True))
                r.raise_for_status()
                counts = r.json()["imported"]
                console.print(f"[green]✓[/] inventory imported from the lab: {counts['devices']} devices, "
                              f"{counts['circuits']} circuits, {counts['segments']} segments")
                kind, target, params = DEMO_FAULT
                lab.inject(kind, target, **params)
                console.print(f"[yellow]![/] fault injected in the lab: {kind} on {target} "
                              "(access room A → aggregation); faultline is not told where")
                external_id = f"10069-{datetime.now(UTC):%Y%m%d%H%M%S}"
                body = {**DEMO_TICKET, "externalId": external_id, "reportedDate": datetime.now(UTC).isoformat()}
                with console.status("filing the ticket as the upstream system would, and waiting for triage..."):
                    r = await client.post("/api/v1/tickets", json=body)
                    r.raise_for_status()
                    ticket = r.json()
                    diagnosis = await wait_for_diagnosis(client, ticket["id"])
                console.print(f"[green]✓[/] ticket {external_id} → faultline ticket {ticket['id']}, "
                              f"triaged in {diagnosis['durationMs']:.0f} ms")
                console.print(diagnosis_panel(diagnosis, ticket))
            if once:
                return 0
            _print_tour(console, agent.base_url, tokens, ticket["id"])
            await asyncio.Event().wait()  # serve until interrupted
            return 0
        finally:
            await agent_cm.__aexit__(None, None, None)
    finally:
        await lab.stop()


def _print_tour(console: Console, base: str, tokens: dict[str, str], ticket_id: str) -> None:
    api = f"{base}/api/v1"
    console.print("\n[bold]faultline keeps serving; try (Ctrl-C to stop):[/]")
    console.print(f"""  export TOKEN={tokens['duty_officer']}   # duty officer; NOC: {tokens['noc']}
  curl -s {api}/tickets/{ticket_id} -H "Authorization: Bearer $TOKEN"            # ticket, SLA clocks, journal
  curl -s {api}/tickets/{ticket_id}/diagnoses -H "Authorization: Bearer $TOKEN"  # evidence and verdict
  curl -s -X POST {api}/tickets/{ticket_id}/sign -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{{}}'
  curl -s -X POST {api}/tickets/{ticket_id}/triage -H "Authorization: Bearer $TOKEN"  # re-run triage
  curl -s -X POST {api}/tickets/{ticket_id}/loop-tests -H "Authorization: Bearer {tokens['engineer']}" \\
       -H 'Content-Type: application/json' -d '{{"device":"agg-rtr1","port":"TenGigabitEthernet1/1/1","mode":"remote"}}'
  curl -s "{api}/sla/upcoming?within=15m" -H "Authorization: Bearer $TOKEN"
  .venv/bin/faultline lab --help     # inject other faults: see lab/__init__.py""")
