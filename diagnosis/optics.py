"""Optical engineering values (DOMAIN.md "Optical facts") and the Rx limits of a receiving port.

Precedence of Rx limits: the module's own DDM thresholds (as the device reports them) > the
inventory's `rx_sensitivity_dbm` / `rx_overload_dbm` > the defaults of the transceiver type below.
"""
from __future__ import annotations

from dataclasses import dataclass

from diagnosis.path import PortEnd
from diagnosis.readings import OpticalReading


@dataclass(frozen=True)
class TransceiverDefaults:
    sensitivity_dbm: float
    overload_dbm: float
    wavelength_nm: int


# Public engineering values. DOMAIN.md gives 1000BASE-LX (about -20 dBm sensitivity, -3 dBm
# overload) and 10GBASE-LR (-14.4 dBm); the others are IEEE 802.3 receiver limits (clause 38 for
# SX, 52 for 10G) and the usual vendor values for the non-standard 1000BASE-ZX.
TRANSCEIVER_DEFAULTS: dict[str, TransceiverDefaults] = {
    "1000BASE-LX": TransceiverDefaults(-20.0, -3.0, 1310),
    "1000BASE-LX10": TransceiverDefaults(-20.0, -3.0, 1310),
    "1000BASE-SX": TransceiverDefaults(-17.0, 0.0, 850),
    "1000BASE-ZX": TransceiverDefaults(-23.0, -3.0, 1550),
    "10GBASE-LR": TransceiverDefaults(-14.4, 0.5, 1310),
    "10GBASE-ER": TransceiverDefaults(-15.8, -1.0, 1550),
    "10GBASE-SR": TransceiverDefaults(-9.9, -1.0, 850),
    # not an IEEE type: the usual vendor values of 80 km 1550 nm ZR modules (e.g. Cisco SFP-10G-ZR
    # receiver -24 to -7 dBm), so that a long trunk is judged against a ZR receiver, not none
    "10GBASE-ZR": TransceiverDefaults(-24.0, -7.0, 1550),
}

# Fiber attenuation, dB/km: DOMAIN.md gives 0.35 at 1310 nm and 0.25 at 1550 nm (single mode);
# 850 nm multimode is 3.5 dB/km (TIA-568). Bands so that CWDM/DWDM wavelengths map sensibly.
_ATTENUATION_BANDS: tuple[tuple[int, int, float], ...] = (
    (800, 900, 3.5),
    (1260, 1360, 0.35),
    (1460, 1625, 0.25),
)
CONNECTOR_PAIR_LOSS_DB = 0.5
SPLICE_LOSS_DB = 0.1


def transceiver_defaults(transceiver: str) -> TransceiverDefaults | None:
    return TRANSCEIVER_DEFAULTS.get(transceiver.strip().upper().replace(" ", ""))


def wavelength_of(end: PortEnd) -> int | None:
    if end.wavelength_nm:
        return end.wavelength_nm
    defaults = transceiver_defaults(end.transceiver)
    return defaults.wavelength_nm if defaults else None


def attenuation_db_per_km(wavelength_nm: int | None) -> float | None:
    if wavelength_nm is None:
        return None
    for low, high, attenuation in _ATTENUATION_BANDS:
        if low <= wavelength_nm <= high:
            return attenuation
    return None


@dataclass(frozen=True)
class RxLimits:
    """The limits a receiving port's Rx power is judged against, and where each came from."""

    sensitivity_dbm: float | None
    sensitivity_from: str
    overload_dbm: float | None
    overload_from: str
    low_warn_dbm: float | None = None  # the module's own low-warning threshold, if reported


def rx_limits(end: PortEnd, reading: OpticalReading | None) -> RxLimits:
    defaults = transceiver_defaults(end.transceiver)
    sensitivity, sensitivity_from = None, ""
    overload, overload_from = None, ""
    if reading is not None and reading.rx_low_alarm_dbm is not None:
        sensitivity, sensitivity_from = reading.rx_low_alarm_dbm, "module DDM low-alarm threshold"
    elif end.rx_sensitivity_dbm is not None:
        sensitivity, sensitivity_from = end.rx_sensitivity_dbm, "inventory sensitivity"
    elif defaults is not None:
        sensitivity, sensitivity_from = defaults.sensitivity_dbm, f"{end.transceiver} default sensitivity"
    if reading is not None and reading.rx_high_alarm_dbm is not None:
        overload, overload_from = reading.rx_high_alarm_dbm, "module DDM high-alarm threshold"
    elif end.rx_overload_dbm is not None:
        overload, overload_from = end.rx_overload_dbm, "inventory overload"
    elif defaults is not None:
        overload, overload_from = defaults.overload_dbm, f"{end.transceiver} default overload"
    low_warn = reading.rx_low_warn_dbm if reading is not None else None
    return RxLimits(sensitivity, sensitivity_from, overload, overload_from, low_warn)
