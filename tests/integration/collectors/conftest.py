"""Real SNMP peers for the collector tests: snmpsim serving the recorded devices on a loopback address."""
from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from collectors.errors import CollectorError
from collectors.snmp.adapter import SnmpClient
from collectors.target import DeviceTarget, SnmpParams
from tests.support.net import random_loopback

V3_USER = "faultline"
V3_AUTH = "auth-key-123"
V3_PRIV = "priv-key-456"


@dataclass(frozen=True)
class Snmpsim:
    address: str
    port: int
    data_dir: Path

    def recordings(self) -> list[str]:
        return sorted(p.stem for p in self.data_dir.glob("*.snmprec"))

    def target(self, recording: str, platform: str, **snmp: object) -> DeviceTarget:
        params = SnmpParams(community=recording, port=self.port, timeout=2.0, retries=1, **snmp)  # type: ignore[arg-type]
        return DeviceTarget(recording, platform, self.address, snmp=params)

    def v3_target(self, recording: str, platform: str, *, auth_key: str = V3_AUTH) -> DeviceTarget:
        params = SnmpParams(
            version="3", port=self.port, user=V3_USER, auth_protocol="SHA", auth_key=auth_key,
            priv_protocol="AES", priv_key=V3_PRIV, context=recording, timeout=1.0, retries=0,
        )
        return DeviceTarget(recording, platform, self.address, snmp=params)


async def _answers(address: str, port: int, community: str) -> bool:
    target = DeviceTarget("probe", "generic", address, snmp=SnmpParams(community=community, port=port, timeout=0.5, retries=0))
    async with SnmpClient() as client:
        try:
            (await client.get(target, ["1.3.6.1.2.1.1.3.0"])).complete()
            return True
        except CollectorError:
            return False


def start_snmpsim(data_dir: Path, work: Path) -> tuple[subprocess.Popen[bytes], str, int]:
    exe = Path(sys.executable).with_name("snmpsim-command-responder")
    probe = sorted(data_dir.glob("*.snmprec"))[0].stem
    for _ in range(5):
        address, port = random_loopback(), random.randint(20000, 60000)
        cache = work / f"cache-{port}"
        cache.mkdir()
        log = open(work / f"snmpsim-{port}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [str(exe), f"--data-dir={data_dir}", f"--cache-dir={cache}",
             f"--agent-udpv4-endpoint={address}:{port}",
             f"--v3-user={V3_USER}", f"--v3-auth-key={V3_AUTH}", "--v3-auth-proto=SHA",
             f"--v3-priv-key={V3_PRIV}", "--v3-priv-proto=AES"],
            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if asyncio.run(_answers(address, port, probe)):
                return proc, address, port
        stop(proc)
    raise RuntimeError(f"snmpsim did not start; see logs in {work}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="session")
def snmpsim(fixtures_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """snmpsim serving every recording in fixtures/snmp (community = file name; v3 context = same)."""
    work = tmp_path_factory.mktemp("snmpsim")
    data = work / "data"
    data.mkdir()
    for rec in (fixtures_dir / "snmp").glob("*.snmprec"):
        shutil.copy(rec, data / rec.name)
    proc, address, port = start_snmpsim(data, work)
    yield Snmpsim(address, port, data)
    stop(proc)
