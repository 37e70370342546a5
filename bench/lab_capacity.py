"""How much the lab serves, so polling benchmarks know it is not their bottleneck.

Runs the lab on a generated large topology (default 1,000 devices / 20,000 ports) in a child
process, then measures from this process:
  * SNMP GETBULK, v2c: concurrent net-snmp `snmpbulkwalk -Cr50` over many devices, counted three ways:
    varbinds/s (one OID value each; whole-device walks), GETBULK responses/s (the walk's PDUs:
    ceil(varbinds / 50) + 1 that steps past the subtree) and ifTable rows/s (ifTable-only walks,
    22 columns a row); reference in the same run: snmpsim serving a real recording to the same client.
  * SNMPv3 authPriv (SHA/AES): the same whole-device walks with the lab's v3 user, varbinds/s.
  * SSH sessions/s: concurrent asyncssh clients doing login, one command, logout.
Prints figures; asserts nothing about time.

    .venv/bin/python bench/lab_capacity.py [--devices 1000] [--ports 20] [--seconds 8]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WHOLE_DEVICE = ("1.3.6.1",)  # ~2.5k values per walk, so client start-up costs little
IF_TABLE = ("1.3.6.1.2.1.2.2",)
IF_TABLE_COLUMNS = 22
MAX_REPETITIONS = 50
V3_ARGS = ["-v3", "-l", "authPriv", "-u", "faultline", "-a", "SHA", "-A", "lab-auth-key-1",
           "-x", "AES", "-X", "lab-priv-key-1"]  # lab.snmp.agent.V3Credentials defaults (lab-only)


def _serve(devices: int, ports: int, block: str, snmp_port: int, ssh_port: int, ready: mp.Event, stop: mp.Event) -> None:
    from lab import Lab
    from lab.generator import generate_topology

    async def main() -> None:
        lab = Lab.load(generate_topology(devices, ports), address_block=block, snmp_port=snmp_port, ssh_port=ssh_port)
        t0 = time.perf_counter()
        async with lab:
            print(f"lab: {devices} devices / {devices * ports} ports started in {time.perf_counter() - t0:.2f} s")
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(main())


async def _walk_values(host: str, port: int, community: str = "public", roots: tuple[str, ...] = WHOLE_DEVICE,
                       auth: list[str] | None = None) -> tuple[int, int]:
    """One walk per root: (varbinds, GETBULK responses). A varbind is a line starting with the OID
    (-On), so string values printed over several lines count once."""
    values = responses = 0
    for root in roots:
        proc = await asyncio.create_subprocess_exec(
            "snmpbulkwalk", *(auth or ["-v2c", "-c", community]), "-On", f"-Cr{MAX_REPETITIONS}", "-t", "3", "-r", "1",
            f"{host}:{port}", root, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
        out, _ = await proc.communicate()
        n = sum(1 for line in out.splitlines() if line.startswith(b".") and b" = No more variables" not in line)
        values += n
        responses += -(-n // MAX_REPETITIONS) + 1
    return values, responses


async def bench_snmp(targets: list[tuple[str, int, str]], seconds: float, concurrency: int,
                     roots: tuple[str, ...] = WHOLE_DEVICE, auth: list[str] | None = None) -> tuple[float, int, float]:
    """(varbinds/s, varbinds, GETBULK responses/s) of concurrent walks over random targets."""
    deadline = time.perf_counter() + seconds
    values = responses = 0
    queue = list(targets)

    async def worker() -> None:
        nonlocal values, responses
        while time.perf_counter() < deadline:
            host, port, community = queue[random.randrange(len(queue))]
            t = time.perf_counter()
            got, pdus = await _walk_values(host, port, community, roots, auth)
            values += got
            responses += pdus
            if os.environ.get("LAB_BENCH_DEBUG"):
                print(f"  walk {host}: {got} values in {time.perf_counter() - t:.2f} s")

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    return values / elapsed, values, responses / elapsed


async def bench_ssh(hosts: list[tuple[str, str]], ssh_port: int, seconds: float, concurrency: int) -> tuple[float, int]:
    import asyncssh

    deadline = time.perf_counter() + seconds
    done = 0
    command = {"huawei_vrp": "display interface brief", "cisco_ios": "show interfaces transceiver",
               "zte_zxros": "show interface brief"}

    async def one(host: str, platform: str) -> None:
        async with asyncssh.connect(host, ssh_port, username="admin", password="Lab@12345", known_hosts=None) as conn:
            proc = await conn.create_process(term_type="vt100")
            await proc.stdout.readuntil(("#", ">"))
            proc.stdin.write(command[platform] + "\n")
            await proc.stdout.readuntil(("#", ">"))
            proc.stdin.write_eof()
            proc.close()

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            host, platform = hosts[random.randrange(len(hosts))]
            await one(host, platform)
            done += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - t0), done


def bench_netmiko(hosts: list[tuple[str, str]], ssh_port: int, seconds: float, concurrency: int) -> tuple[float, int]:
    """The client the collectors use: netmiko (blocking) in a thread pool."""
    from concurrent.futures import ThreadPoolExecutor

    from netmiko import ConnectHandler

    command = {"huawei_vrp": "display interface brief", "cisco_ios": "show interfaces transceiver",
               "zte_zxros": "show interface brief"}
    deadline = time.perf_counter() + seconds

    def worker() -> int:
        n = 0
        while time.perf_counter() < deadline:
            host, platform = hosts[random.randrange(len(hosts))]
            # huawei_vrp's disconnect waits ~2 s for a quiet channel; the Cisco-like types do not
            conn = ConnectHandler(device_type=platform, host=host, port=ssh_port, username="admin",
                                  password="Lab@12345")
            conn.send_command(command[platform])
            conn.disconnect()
            n += 1
        return n

    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        done = sum(pool.map(lambda _: worker(), range(concurrency)))
    return done / (time.perf_counter() - t0), done


def _snmpsim_reference(port: int) -> tuple[subprocess.Popen[bytes], str] | None:
    recording = Path(os.environ.get("FAULTLINE_FIXTURES", REPO.parent / "shared" / "fixtures")) / "snmp" / "librenms_ios_2960x.snmprec"
    exe = shutil.which("snmpsim-command-responder") or str(Path(sys.executable).parent / "snmpsim-command-responder")
    if not recording.is_file() or not Path(exe).exists():
        return None
    data = Path(tempfile.mkdtemp(prefix="lab-bench-snmpsim-"))
    (data / "public.snmprec").write_text(recording.read_text(errors="replace"))
    proc = subprocess.Popen(
        [exe, f"--data-dir={data}", f"--cache-dir={data / 'cache'}", f"--agent-udpv4-endpoint=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "SNMPSIM_ALLOW_ROOT": "true"})
    return proc, "public"


def _wait_snmp(host: str, port: int, community: str, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run(["snmpget", "-v2c", "-c", community, "-t", "1", "-r", "0", f"{host}:{port}",
                            "1.3.6.1.2.1.1.5.0"], capture_output=True)
        if r.returncode == 0:
            return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--ports", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    if shutil.which("snmpbulkwalk") is None:
        print("snmpbulkwalk not installed (Debian package snmp): cannot measure")
        return
    from lab.generator import generate_topology

    block = f"127.{random.randint(100, 250)}"
    snmp_port, ssh_port = random.randint(20000, 40000), random.randint(40001, 60000)
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    child = ctx.Process(target=_serve, args=(args.devices, args.ports, block, snmp_port, ssh_port, ready, stop))
    child.start()
    try:
        if not ready.wait(120):
            print("lab did not start")
            return
        topo = generate_topology(args.devices, args.ports)
        n = len(topo["devices"])
        hosts = [(f"{block}.{(i - 1) // 254}.{(i - 1) % 254 + 1}", d["platform"]) for i, d in enumerate(topo["devices"], 1)]
        targets = [(h, snmp_port, "public") for h, _ in hosts]
        rate, values, pdus = asyncio.run(bench_snmp(targets, args.seconds, args.concurrency))
        print(f"lab SNMP v2c GETBULK (snmpbulkwalk -Cr{MAX_REPETITIONS} x{args.concurrency}, whole-device walks, "
              f"{n} devices): {rate:,.0f} varbinds/s ({values} varbinds), {pdus:,.0f} GETBULK responses/s")
        if_rate, if_values, _ = asyncio.run(bench_snmp(targets, args.seconds, args.concurrency, roots=IF_TABLE))
        print(f"lab SNMP v2c GETBULK, ifTable-only walks: {if_rate / IF_TABLE_COLUMNS:,.0f} ifTable rows/s "
              f"({if_values // IF_TABLE_COLUMNS} rows of {IF_TABLE_COLUMNS} columns; {if_rate:,.0f} varbinds/s)")
        v3_rate, v3_values, v3_pdus = asyncio.run(bench_snmp(targets, args.seconds, args.concurrency, auth=V3_ARGS))
        print(f"lab SNMPv3 authPriv SHA/AES GETBULK (same walks): {v3_rate:,.0f} varbinds/s ({v3_values} varbinds), "
              f"{v3_pdus:,.0f} GETBULK responses/s; v3/v2c = {v3_rate / rate:.2f}")
        ref_port = random.randint(20000, 40000)
        ref = _snmpsim_reference(ref_port)
        if ref is not None:
            proc, community = ref
            try:
                if _wait_snmp("127.0.0.1", ref_port, community):
                    ref_rate, _, _ = asyncio.run(bench_snmp([("127.0.0.1", ref_port, community)], args.seconds, args.concurrency))
                    print(f"reference snmpsim (same client, real 2960X recording): {ref_rate:,.0f} varbinds/s; "
                          f"lab/snmpsim = {rate / ref_rate:.2f}")
                else:
                    print("reference snmpsim did not answer")
            finally:
                proc.terminate()
                proc.wait(10)
        else:
            print("reference snmpsim: not available (fixtures or snmpsim missing)")
        ssh_rate, sessions = asyncio.run(bench_ssh(hosts, ssh_port, args.seconds, args.concurrency))
        print(f"lab SSH sessions (asyncssh client: login + one command + logout, x{args.concurrency} concurrent): "
              f"{ssh_rate:,.1f} sessions/s ({sessions} sessions)")
        nm_rate, nm_sessions = bench_netmiko(hosts, ssh_port, args.seconds, args.concurrency)
        print(f"lab SSH sessions (netmiko client in {args.concurrency} threads, all three vendors): "
              f"{nm_rate:,.1f} sessions/s ({nm_sessions} sessions; netmiko's own waits dominate)")
    finally:
        stop.set()
        child.join(30)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
