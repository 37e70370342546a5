"""Pure physics of the lab: light budgets, bit errors, collisions, utilisation. No state, no I/O.

All powers in dBm, losses in dB, rates per second of simulated time.
"""
from __future__ import annotations

from dataclasses import dataclass

NO_LIGHT_DBM = -40.0  # what devices report for a dark receiver (Huawei -4000, IOS -40.0)
AVG_FRAME_BYTES = 800.0
KEEPALIVE_PPS = 5.0  # protocol frames on an idle up port, so errors show even without traffic
BIT_ERROR_ZONE_DB = 3.0  # within this margin above sensitivity, bit errors grow
LOCAL_LOOP_LOSS_DB = 0.3
TX_LOW_ALARM_BELOW_NOMINAL_DB = 4.0  # the Tx low alarm threshold every lab transceiver reports (nominal - 4 dB)


def received_dbm(tx_dbm: float, loss_db: float) -> float:
    """Rx at the far port = Tx - actual segment loss."""
    return tx_dbm - loss_db


def has_light(rx_dbm: float | None, sensitivity_dbm: float) -> bool:
    return rx_dbm is not None and rx_dbm >= sensitivity_dbm


def error_fraction(rx_dbm: float | None, sensitivity_dbm: float, overload_dbm: float) -> float:
    """Share of received frames that arrive errored (CRC) for this Rx level.

    1 % at the sensitivity edge, falling tenfold per dB of margin, nothing past 3 dB; above the
    overload point the saturated receiver errs in proportion to the excess.
    """
    if rx_dbm is None or rx_dbm < sensitivity_dbm:
        return 0.0
    frac = 0.0
    margin = rx_dbm - sensitivity_dbm
    if margin < BIT_ERROR_ZONE_DB:
        frac += 10 ** (-2.0 - margin)
    if rx_dbm > overload_dbm:
        frac += 1e-3 * (1.0 + rx_dbm - overload_dbm)
    return min(frac, 0.5)


def pps(mbps: float) -> float:
    return max(mbps * 1e6 / 8.0 / AVG_FRAME_BYTES, KEEPALIVE_PPS)


def octets_per_s(mbps: float) -> float:
    return mbps * 1e6 / 8.0


def utilisation(mbps: float, speed_mbps: float) -> float:
    """0..1 share of the port speed."""
    if speed_mbps <= 0:
        return 0.0
    return max(0.0, min(mbps / speed_mbps, 1.0))


@dataclass(frozen=True)
class DuplexEffect:
    """Per-second error rates caused by a speed/duplex mismatch on one end of a link."""

    late_collisions: float = 0.0
    out_errors: float = 0.0
    in_errors: float = 0.0  # CRC / runts / alignment seen by the full-duplex side


def duplex_effect(own_duplex: str, peer_duplex: str, in_pps: float, out_pps: float,
                  own_speed: float | None = None, peer_speed: float | None = None) -> DuplexEffect:
    """Errors from a duplex or speed mismatch between the two ends of a link.

    Duplex: the half-duplex end sees late collisions (and aborts those frames: out errors); the
    full-duplex end sees the truncated frames as CRC/runt errors. Speed: a port forced to another
    speed than its peer loses autonegotiation, and the end that falls back to the lower speed runs
    half duplex (parallel detection), so the slower end behaves like the half-duplex end and the
    faster end like the full-duplex one, whatever duplex both are configured with.
    """
    if own_speed is not None and peer_speed is not None and own_speed != peer_speed:
        own_duplex, peer_duplex = ("half", "full") if own_speed < peer_speed else ("full", "half")
    if own_duplex == peer_duplex:
        return DuplexEffect()
    if own_duplex == "half":
        return DuplexEffect(late_collisions=out_pps * 0.02, out_errors=out_pps * 0.02)
    return DuplexEffect(in_errors=in_pps * 0.03)
