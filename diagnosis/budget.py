"""Segment loss budget and Rx margin: the numeric rules of DOMAIN.md "Optical facts".

- Segment loss = Tx power at the sending port − Rx power at the receiving port (dB).
- Budget = length_km × attenuation (0.35 dB/km at 1310 nm, 0.25 at 1550 nm)
           + 0.5 dB per connector pair + 0.1 dB per splice.
- Loss exactly at the budget is ok; above it a warning; more than 3 dB above it (strictly) a fault:
  degraded fiber or dirty/loose connector.
- Rx below the sensitivity: no light / link down. Within 3 dB above it (inclusive): bit errors
  likely. Above the overload point (strictly): the receiver saturates.

All values are rounded to 0.01 dB before they are compared, so that -20 + 3 is exactly -17 and the
boundaries behave as written.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from diagnosis.enums import Assessment
from diagnosis.optics import (
    CONNECTOR_PAIR_LOSS_DB, SPLICE_LOSS_DB, RxLimits, attenuation_db_per_km, wavelength_of,
)
from diagnosis.path import Segment
from diagnosis.thresholds import Thresholds


def db(value: float) -> float:
    return round(value, 2)


@dataclass(frozen=True)
class LossBudget:
    budget_db: float | None
    wavelength_nm: int | None
    attenuation_db_per_km: float | None
    length_km: float | None
    connectors: int
    splices: int
    missing: tuple[str, ...]  # hand-over data the budget needed and did not get
    assumed: tuple[str, ...]  # counts taken as 0 because they were not given

    def describe_en(self) -> str:
        if self.budget_db is None:
            return "budget unknown (missing: " + ", ".join(self.missing) + ")"
        return (f"budget {self.budget_db} dB = {self.length_km} km × {self.attenuation_db_per_km} dB/km "
                f"@{self.wavelength_nm} nm + {self.connectors} × {CONNECTOR_PAIR_LOSS_DB} dB connectors "
                f"+ {self.splices} × {SPLICE_LOSS_DB} dB splices")


def segment_budget(segment: Segment) -> LossBudget:
    wavelength = wavelength_of(segment.a) or wavelength_of(segment.z)
    attenuation = attenuation_db_per_km(wavelength)
    missing = []
    if segment.length_km is None:
        missing.append("length_km")
    if wavelength is None:
        missing.append("wavelength / transceiver type")
    elif attenuation is None:
        missing.append(f"attenuation for {wavelength} nm")
    assumed = tuple(name for name in ("connectors", "splices") if getattr(segment, name) is None)
    connectors = segment.connectors or 0
    splices = segment.splices or 0
    budget = None
    if not missing:
        assert segment.length_km is not None and attenuation is not None
        budget = db(segment.length_km * attenuation + connectors * CONNECTOR_PAIR_LOSS_DB
                    + splices * SPLICE_LOSS_DB)
    return LossBudget(budget, wavelength, attenuation, segment.length_km, connectors, splices,
                      tuple(missing), assumed)


def segment_loss_db(tx_dbm: float, rx_dbm: float) -> float:
    """Loss of one fiber direction: Tx at the sending port − Rx at the receiving port."""
    return db(tx_dbm - rx_dbm)


def assess_loss(loss_db: float, budget_db: float, thresholds: Thresholds) -> tuple[float, Assessment]:
    """(dB over budget, assessment): at or under the budget ok, above it warn, more than
    `loss_over_budget_fault_db` above it fault."""
    excess = db(loss_db - budget_db)
    if excess > thresholds.loss_over_budget_fault_db:
        return excess, Assessment.FAULT
    if excess > 0:
        return excess, Assessment.WARN
    return excess, Assessment.OK


class RxState(StrEnum):
    OK = "ok"
    NO_LIGHT = "no_light"  # below sensitivity, or loss of signal
    LOW_MARGIN = "low_margin"  # within 3 dB above sensitivity, or under the module's low warning
    OVERLOAD = "overload"  # above the overload point
    UNKNOWN = "unknown"  # no Rx value, or no limit to judge it by


@dataclass(frozen=True)
class RxAssessment:
    state: RxState
    rx_dbm: float | None
    margin_db: float | None  # Rx − sensitivity
    limits: RxLimits


def rx_is_dark(rx_dbm: float | None, los: bool) -> bool:
    return los or (rx_dbm is not None and math.isinf(rx_dbm) and rx_dbm < 0)


def assess_rx(rx_dbm: float | None, los: bool, limits: RxLimits, thresholds: Thresholds) -> RxAssessment:
    finite = rx_dbm is not None and math.isfinite(rx_dbm)
    rx = db(rx_dbm) if finite and rx_dbm is not None else None
    margin = db(rx - limits.sensitivity_dbm) if rx is not None and limits.sensitivity_dbm is not None else None
    if rx_is_dark(rx_dbm, los):  # the module's loss-of-signal flag wins over the value it shows
        return RxAssessment(RxState.NO_LIGHT, rx, margin, limits)
    if rx is None:
        return RxAssessment(RxState.UNKNOWN, None, None, limits)
    if margin is not None and margin < 0:
        return RxAssessment(RxState.NO_LIGHT, rx, margin, limits)
    if limits.overload_dbm is not None and rx > db(limits.overload_dbm):
        return RxAssessment(RxState.OVERLOAD, rx, margin, limits)
    if margin is not None and margin <= thresholds.rx_low_margin_db:
        return RxAssessment(RxState.LOW_MARGIN, rx, margin, limits)
    if limits.low_warn_dbm is not None and rx <= db(limits.low_warn_dbm):
        return RxAssessment(RxState.LOW_MARGIN, rx, margin, limits)
    if margin is None:  # under the overload point, but no sensitivity to measure a margin from
        return RxAssessment(RxState.UNKNOWN, rx, None, limits)
    return RxAssessment(RxState.OK, rx, margin, limits)
