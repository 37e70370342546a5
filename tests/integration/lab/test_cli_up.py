"""`lab up` in a real child process: device table, inventory file, control endpoint driven by
`inject` / `clear`; bad requests get clear errors."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml
from typer.testing import CliRunner

from lab.cli import app

REPO = Path(__file__).resolve().parents[3]


def _wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def test_up_writes_inventory_and_obeys_inject(tmp_path: Path) -> None:
    block = f"127.{random.randint(100, 250)}.{random.randint(1, 254)}"
    control = random.randint(20000, 60000)
    inv = tmp_path / "inventory.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "lab.cli", "up", "--address-block", block, "--snmp-port", str(random.randint(20000, 40000)),
         "--ssh-port", str(random.randint(40001, 60000)), "--control-port", str(control), "--inventory-out", str(inv)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "200"})
    try:
        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read() if proc.stdout else "lab up exited")
            try:
                return httpx.get(f"http://127.0.0.1:{control}/devices", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False
        _wait_for(ready)
        data = yaml.safe_load(inv.read_text(encoding="utf-8"))
        assert "lab" not in data and len(data["devices"]) == 9
        assert all(d["mgmt_address"].startswith(block + ".") for d in data["devices"])

        runner = CliRunner()
        res = runner.invoke(app, ["inject", "fiber_cut", "CIR-EPL-0001#0", "--control-port", str(control)])
        assert res.exit_code == 0, res.output
        fault_id = res.output.strip()
        port = httpx.get(f"http://127.0.0.1:{control}/port",
                         params={"device": "acc-a-sw1", "port": "GigabitEthernet0/0/1"}).json()
        assert port["oper_up"] is False and port["rx_dbm"] is None
        res = runner.invoke(app, ["inject", "fiber_degraded", "CIR-EPL-0001#0", "-p", "decibels=3",
                                  "--control-port", str(control)])
        assert res.exit_code == 1 and "unknown parameter" in res.output
        res = runner.invoke(app, ["clear", fault_id, "--control-port", str(control)])
        assert res.exit_code == 0 and fault_id in res.output
        port = httpx.get(f"http://127.0.0.1:{control}/port",
                         params={"device": "acc-a-sw1", "port": "GigabitEthernet0/0/1"}).json()
        assert port["oper_up"] is True
        res = runner.invoke(app, ["inject", "speed_mismatch", "cpe-hosp-1:Gi0/1", "-p", "speed_mbps=100",
                                  "--control-port", str(control)])
        assert res.exit_code == 0, res.output
        port = httpx.get(f"http://127.0.0.1:{control}/port",
                         params={"device": "cpe-hosp-1", "port": "GigabitEthernet0/1"}).json()
        assert port["speed_mbps"] == 100 and port["oper_up"] is True
        res = runner.invoke(app, ["inject", "speed_mismatch", "cpe-hosp-1:Gi0/1", "-p", "speed_mbps=7",
                                  "--control-port", str(control)])
        assert res.exit_code == 1 and "speed_mbps" in res.output
        res = runner.invoke(app, ["inject", "clear", "cpe-hosp-1:Gi0/1", "--control-port", str(control)])
        assert res.exit_code == 0, res.output
        res = runner.invoke(app, ["inject", "cpe_power_off", "cpe-bank-1", "--control-port", str(control)])
        again = res.output.strip()
        res = runner.invoke(app, ["inject", "clear", "cpe-bank-1", "--control-port", str(control)])
        assert res.exit_code == 0 and again in res.output
        assert httpx.get(f"http://127.0.0.1:{control}/faults").json() == []
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "acc-a-sw1" in out and "huawei_vrp" in out and "control endpoint" in out


def test_a_generated_topology_runs_on_its_own_addresses(tmp_path: Path) -> None:
    """`lab generate` output starts as is (no --address-block): every device on its own address."""
    import asyncio

    from lab import Lab

    base = f"127.{random.randint(100, 250)}"
    out = tmp_path / "big.yaml"
    res = CliRunner().invoke(app, ["generate", "--devices", "40", "--ports", "10", "--out", str(out),
                                   "--address-base", base])
    assert res.exit_code == 0, res.output
    snmp_port, ssh_port = random.randint(20000, 40000), random.randint(40001, 60000)

    async def run() -> tuple[list[str], list[str]]:
        from pysnmp.hlapi.v3arch.asyncio import (
            CommunityData, ContextData, ObjectIdentity, ObjectType, SnmpEngine, UdpTransportTarget, get_cmd)

        lab = Lab.load(out, snmp_port=snmp_port, ssh_port=ssh_port)
        async with lab:
            engine = SnmpEngine()
            names = []
            try:
                for ep in (lab.devices[0], lab.devices[17], lab.devices[-1]):
                    target = await UdpTransportTarget.create((ep.host, ep.snmp_port), timeout=2, retries=1)
                    err, status, _, vbs = await get_cmd(engine, CommunityData(ep.community), target, ContextData(),
                                                        ObjectType(ObjectIdentity("1.3.6.1.2.1.1.5.0")), lookupMib=False)
                    assert err is None and not status, err
                    names.append(str(vbs[0][1]))
            finally:
                engine.close_dispatcher()
            return [d.host for d in lab.devices], names

    hosts, names = asyncio.run(run())
    assert len(set(hosts)) == 40 and all(h.startswith(base + ".") for h in hosts)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert names == [data["devices"][i]["name"] for i in (0, 17, 39)]
