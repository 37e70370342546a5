"""What every optical MIB family shares: the decoded triple, column helpers and the reading builder."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from collectors.enums import Method
from collectors.readings import OpticalReading, Source, Thresholds
from collectors.snmp import oids
from collectors.snmp.mapping import PortMap, Tables
from collectors.thresholds import sanitize

Decoded = list[tuple[str, int | None, OpticalReading]]


class Decoder(Protocol):
    """Walked tables in, ``(device port name, ifIndex or None, reading)`` triples out. Power rows that
    belong to no port the device lists go to ``unplaced`` (their index and name), so the collector can
    say so instead of returning nothing."""

    def __call__(self, tables: Tables, pmap: PortMap, device: str, time: datetime,
                 patterns: Sequence[tuple[str, str]] = (), unplaced: list[str] | None = None) -> Decoded: ...


@dataclass(frozen=True, slots=True)
class OpticalMib:
    """One vendor MIB family that carries optical power: what to walk, and how to read it.

    ``columns`` are walked besides the port map; ``static_columns`` (thresholds, sensor types,
    scales, the device model) describe the modules rather than their state, so a poller keeps them
    per device (``collectors.snmp.facts.FactCache``) and walks only the rest in steady state;
    ``row_columns`` are live columns whose row set is the set of modules or sensors (when it changes,
    a module came or went and the static facts are re-read); ``entity_indexed`` says the table is
    indexed by entPhysicalIndex, so the ENTITY-MIB tree is walked to find each row's port.
    """

    name: str  # what a platform profile names (``snmp.optical`` in its YAML)
    decode: Decoder
    columns: tuple[str, ...]
    static_columns: frozenset[str]
    row_columns: tuple[str, ...]
    entity_indexed: bool = True

def int_col(tables: Tables, column: str) -> dict[str, int]:
    return {k: v for k, v in tables.get(column, {}).items() if isinstance(v, int)}


def port_speed_bps(tables: Tables, if_index: int | None) -> int | None:
    """ifHighSpeed (Mbit/s, walked with the optical columns) of a port, in bit/s; None when unknown."""
    if if_index is None:
        return None
    value = tables.get(oids.IF_HIGH_SPEED, {}).get(str(if_index))
    return value * 1_000_000 if isinstance(value, int) and value > 0 else None


def uw_to_dbm(microwatts: float) -> float | None:
    return 10.0 * math.log10(microwatts / 1000.0) if microwatts > 0 else None


def finish(
    device: str,
    port: str,
    time: datetime,
    ref: str,
    raw: str,
    *,
    rx: float | None,
    tx: float | None,
    rx_th: Thresholds,
    tx_th: Thresholds,
    notes: list[str],
    module: str | None = None,
    rx_lanes: tuple[float | None, ...] = (),
    tx_lanes: tuple[float | None, ...] = (),
    temperature: float | None = None,
    bias_ma: float | None = None,
    voltage: float | None = None,
    speed_bps: int | None = None,
) -> OpticalReading:
    # bogus thresholds fall back to the defaults of the module class, guessed from the module text
    # or else the port speed (a 10G port: 10GBASE-LR, -14.4 dBm sensitivity), never blindly "generic"
    rx_th, rx_notes = sanitize(rx_th, kind="rx", module=module, speed_bps=speed_bps)
    tx_th, tx_notes = sanitize(tx_th, kind="tx", module=module, speed_bps=speed_bps)
    return OpticalReading(
        device=device,
        port=port,
        rx_dbm=None if rx is None else round(rx, 6),
        tx_dbm=None if tx is None else round(tx, 6),
        source=Source(device, port, Method.SNMP, ref, raw, time),
        rx_lanes_dbm=rx_lanes,
        tx_lanes_dbm=tx_lanes,
        rx_thresholds=rx_th,
        tx_thresholds=tx_th,
        temperature_c=temperature,
        bias_ma=bias_ma,
        voltage_v=voltage,
        module=module,
        notes=tuple(notes) + rx_notes + tx_notes,
    )


def row_order(index: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in index.split("."))
