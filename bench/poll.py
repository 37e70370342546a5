"""SNMP poll benchmark: optical power, interface status and counters of every port of the lab's
large topology (default 1,000 devices / 20,000 ports), read by the collectors, and in the same run
against the same agents by net-snmp's `snmpbulkwalk` walking the same tables device by device.

Prints values/s, wall time (and the time for 20,000 ports), the collector's own CPU seconds per
1,000 values, peak memory, and the collector/snmpbulkwalk values/s ratio. Asserts nothing.

    .venv/bin/python bench/poll.py [--devices 1000] [--ports 20] [--concurrency 16]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import random
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _serve(devices: int, ports: int, block: str, snmp_port: int, ssh_port: int, ready, stop, inventory) -> None:  # noqa: ANN001
    from lab import Lab
    from lab.generator import generate_topology

    async def main() -> None:
        lab = Lab.load(generate_topology(devices, ports), address_block=block, snmp_port=snmp_port, ssh_port=ssh_port)
        async with lab:
            inventory.put(lab.inventory())
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(main())


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run_collectors(targets, concurrency: int, polls: int = 1) -> list[dict[str, float]]:
    from collectors.enums import Want
    from collectors.profiles import get_profile
    from collectors.snmp.adapter import SnmpClient
    from collectors.snmp.collect import collect_snmp

    gate = asyncio.Semaphore(concurrency)
    readings = errors = 0
    wants = {Want.OPTICAL, Want.INTERFACE, Want.COUNTERS}
    runs = []
    async with SnmpClient(max_in_flight=concurrency * 2, per_device=4) as client:

        async def one(t) -> None:  # noqa: ANN001
            nonlocal readings, errors
            async with gate:
                result = await collect_snmp(client, t, get_profile(t.platform), wants, map_ttl=3600)
            readings += len(result.optical) + len(result.interfaces) + len(result.counters)
            errors += len(result.errors)

        for _ in range(polls):  # the first poll also reads names/entities; later ones reuse them
            readings = errors = 0
            values0, cpu0, t0 = client.values_read, time.process_time(), time.perf_counter()
            await asyncio.gather(*(one(t) for t in targets))
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            runs.append({"values": client.values_read - values0, "wall": wall, "cpu": cpu,
                         "readings": readings, "errors": errors})
    return runs


def _roots(platform: str) -> list[str]:
    """The same tables the collector reads, as subtrees for snmpbulkwalk."""
    from collectors.profiles import get_profile
    from collectors.snmp import oids
    from collectors.snmp.interfaces import COUNTER_COLUMNS, ENTITY_COLUMNS, MAP_COLUMNS, STATE_COLUMNS
    from collectors.snmp.optical import DECODERS

    columns = [*MAP_COLUMNS, *STATE_COLUMNS, *COUNTER_COLUMNS]
    decoder = get_profile(platform).snmp_optical
    if decoder:
        columns += [*ENTITY_COLUMNS, *DECODERS[decoder][1]]
    del oids
    return list(dict.fromkeys(columns))


async def run_netsnmp(targets, concurrency: int) -> dict[str, float]:
    gate = asyncio.Semaphore(concurrency)
    values = 0

    async def one(t) -> None:  # noqa: ANN001
        nonlocal values
        async with gate:
            for root in _roots(t.platform):  # device by device, table column by column
                proc = await asyncio.create_subprocess_exec(
                    "snmpbulkwalk", "-v2c", "-c", t.snmp.community, "-On", "-Cr50", "-t", "3", "-r", "1",
                    f"{t.address}:{t.snmp.port}", root, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
                out, _ = await proc.communicate()
                values += sum(1 for line in out.splitlines() if b" = " in line and b"No Such" not in line
                              and b"No more variables" not in line)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    await asyncio.gather(*(one(t) for t in targets))
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"values": values, "wall": wall, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--ports", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16, help="devices polled at once (both clients)")
    args = parser.parse_args()
    if shutil.which("snmpbulkwalk") is None:
        sys.exit("net-snmp's snmpbulkwalk is needed for the reference figures (apt-get install snmp)")

    from collectors.target import target_from_inventory

    block = f"127.{random.randint(100, 250)}"
    snmp_port, ssh_port = random.randint(20000, 40000), random.randint(40001, 60000)
    ctx = mp.get_context("spawn")
    ready, stop, inventory = ctx.Event(), ctx.Event(), ctx.Queue()
    child = ctx.Process(target=_serve, args=(args.devices, args.ports, block, snmp_port, ssh_port, ready, stop, inventory))
    child.start()
    try:
        if not ready.wait(300):
            sys.exit("the lab did not start")
        targets = [target_from_inventory(d) for d in inventory.get(timeout=60)["devices"]]
        ports = sum(len(t.ports) for t in targets)
        rss0 = _rss_mb()
        first, ours = asyncio.run(run_collectors(targets, args.concurrency, polls=2))
        rss_peak = _rss_mb()
        ref = asyncio.run(run_netsnmp(targets, args.concurrency))
    finally:
        stop.set()
        child.join(30)
        if child.is_alive():
            child.terminate()

    ours_vps, ref_vps = ours["values"] / ours["wall"], ref["values"] / ref["wall"]
    print(f"SNMP poll of {len(targets)} devices / {ports} ports (optical, status, counters), {args.concurrency} devices at once")
    print(f"  collectors : {ours['values']:>9,.0f} values in {ours['wall']:6.2f} s = {ours_vps:8,.0f} values/s; "
          f"{ours['readings']:,.0f} readings, {ours['errors']:.0f} item errors")
    print(f"               20,000 ports would take {ours['wall'] * 20000 / max(ports, 1):6.1f} s; "
          f"own CPU {ours['cpu']:.2f} s = {1000 * ours['cpu'] / max(ours['values'], 1):.3f} s per 1,000 values; "
          f"peak RSS {rss_peak:.0f} MB (before polling {rss0:.0f} MB)")
    print(f"  snmpbulkwalk: {ref['values']:>9,.0f} values in {ref['wall']:6.2f} s = {ref_vps:8,.0f} values/s; "
          f"CPU of the walk processes {ref['cpu']:.2f} s = {1000 * ref['cpu'] / max(ref['values'], 1):.3f} s per 1,000 values")
    print(f"  collectors, first poll (also reads names/entities): {first['values']:,.0f} values in "
          f"{first['wall']:.2f} s = {first['values'] / first['wall']:,.0f} values/s "
          f"(20,000 ports: {first['wall'] * 20000 / max(ports, 1):.1f} s); the line above is the steady-state poll")
    print(f"  ratio collectors / snmpbulkwalk values/s: first poll (same tables) {first['values'] / first['wall'] / ref_vps:.2f}, "
          f"steady state {ours_vps / ref_vps:.2f} (goal >= 0.8); "
          f"wall-time ratio for the same ports: {ref['wall'] / ours['wall']:.2f}x faster")


if __name__ == "__main__":
    main()
