"""The measured answer of a resource check (资源核查), as pure functions over readings already taken.

Source, 五 售前 4: a resource check is "资源确认、资源预留和信息反馈": after the group customer department
states its need, the center has the departments check, the O&M department answers "whether the
existing network has the resources to open it" (现网是否具备开通资源), and the center feeds back whether
it fits (是否符合要求). Here that answer is read from the devices, never guessed:

- C1 a port is free only when no circuit of the inventory uses it, it carries no description, and it
  is oper down (a port up or described is someone's, whatever the inventory says);
- C2 its module: fitted (the device shows optics) or not; the class (the device's name for it, else
  the inventory's transceiver) must carry the rate;
- C3 a new access fibre fits the class when Tx (measured, else the class's minimum) minus the fibre's
  budget stays at least ``min_margin_db`` above the receiver's sensitivity;
- C4 each hop of the proposed path over existing segments fits when its measured loss is not a fault
  against its budget (the diagnosis' rule: more than 3 dB over it; over it by less is a warning that
  is shown, not a refusal) and each receiving end keeps ``min_margin_db`` of Rx margin;
- C5 each shared uplink fits when its busier direction plus the new rate stays under
  ``max_utilisation`` of the port speed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from diagnosis.budget import assess_loss
from diagnosis.enums import Assessment
from diagnosis.optics import CONNECTOR_PAIR_LOSS_DB, SPLICE_LOSS_DB, attenuation_db_per_km, transceiver_defaults
from diagnosis.thresholds import DEFAULT_THRESHOLDS, Thresholds

MODULES_FILE = Path(__file__).with_name("modules.yaml")


@dataclass(frozen=True)
class ModuleClass:
    name: str
    speed_mbps: int
    tx_min_dbm: float
    reach_km: float
    sensitivity_dbm: float
    overload_dbm: float
    wavelength_nm: int


def load_module_classes(path: Path | None = None) -> dict[str, ModuleClass]:
    data = yaml.safe_load((path or MODULES_FILE).read_text(encoding="utf-8"))
    out = {}
    for name, v in data["classes"].items():
        rx = transceiver_defaults(name)
        if rx is None:
            raise ValueError(f"module class {name} has no receiver values in diagnosis/optics.py")
        out[name] = ModuleClass(name, int(v["speed_mbps"]), float(v["tx_min_dbm"]), float(v["reach_km"]),
                                rx.sensitivity_dbm, rx.overload_dbm, rx.wavelength_nm)
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


# --- C1, C2: free ports ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PortFacts:
    """One port as read from the device and known to the inventory."""

    port: str
    circuits: tuple[str, ...]  # inventory circuits using it
    description: str | None
    admin_up: bool | None
    oper_up: bool | None
    module_present: bool
    module_class: str | None  # the device's module name, else the inventory's transceiver
    rx_dbm: float | None
    tx_dbm: float | None
    speed_mbps: float | None
    role: str | None = None  # inventory role (uplink / egress)


@dataclass(frozen=True)
class PortJudgement:
    port: str
    free: bool
    reasons: tuple[str, ...]
    facts: PortFacts


def judge_port(f: PortFacts) -> PortJudgement:
    reasons = []
    if f.circuits:
        reasons.append(f"carries {', '.join(f.circuits)} in the inventory")
    if f.role:
        reasons.append(f"inventory role {f.role}")
    if f.description and f.description.strip():
        reasons.append(f"description {f.description.strip()!r}")
    if f.oper_up is None:
        reasons.append("oper status unreadable")
    elif f.oper_up:
        reasons.append("oper up")
    return PortJudgement(f.port, not reasons, tuple(reasons), f)


@dataclass(frozen=True)
class AccessFit:
    fits: bool
    module_class: str | None
    tx_dbm: float | None
    tx_from: str
    budget_db: float | None
    rx_expected_dbm: float | None
    margin_db: float | None
    reason: str


def access_fit(module: ModuleClass | None, tx_measured_dbm: float | None, length_km: float | None,
               connectors: int, splices: int, min_margin_db: float) -> AccessFit:
    """C3: the new access fibre against the module class."""
    if module is None:
        return AccessFit(False, None, None, "", None, None, None, "no known module class to judge the access fibre by")
    if length_km is None:
        return AccessFit(True, module.name, tx_measured_dbm, "measured" if tx_measured_dbm is not None else "class minimum",
                         None, None, None, "no access fibre length given: the budget is not judged")
    att = attenuation_db_per_km(module.wavelength_nm) or 0.0
    budget = round(length_km * att + connectors * CONNECTOR_PAIR_LOSS_DB + splices * SPLICE_LOSS_DB, 2)
    tx, tx_from = (tx_measured_dbm, "measured") if tx_measured_dbm is not None else (module.tx_min_dbm, "class minimum")
    rx = round(tx - budget, 2)
    margin = round(rx - module.sensitivity_dbm, 2)
    fits = margin >= min_margin_db and length_km <= module.reach_km
    why = (f"Tx {tx:g} dBm ({tx_from}) - budget {budget:g} dB ({length_km:g} km x {att:g} dB/km + {connectors} connectors"
           f" + {splices} splices) = Rx {rx:g} dBm, {margin:g} dB above the {module.name} sensitivity "
           f"{module.sensitivity_dbm:g} dBm (needs {min_margin_db:g}); reach {module.reach_km:g} km")
    return AccessFit(fits, module.name, tx, tx_from, budget, rx, margin, why)


@dataclass(frozen=True)
class PortProposal:
    port: str | None
    needs_module: str | None  # the class to fit when the port has none
    reason: str
    access: AccessFit | None
    candidates: tuple[PortJudgement, ...] = field(default=())


def propose_port(judged: Sequence[PortJudgement], classes: dict[str, ModuleClass], rate_mbps: float,
                 access_km: float | None, connectors: int, splices: int, min_margin_db: float) -> PortProposal:
    """The free port to use: one with a fitted module of a class that carries the rate and the access
    fibre first (no site visit to fit a module), else a free port without a module, naming the class
    to fit. Ports are taken in the device's own order (the lowest free one)."""
    free = [j for j in judged if j.free]
    if not free:
        return PortProposal(None, None, "no free port on the device: every port carries a circuit, a description or is up",
                            None, tuple(judged))
    for j in free:
        f = j.facts
        cls = classes.get((f.module_class or "").upper())
        if f.module_present and cls is not None and cls.speed_mbps >= rate_mbps:
            fit = access_fit(cls, f.tx_dbm, access_km, connectors, splices, min_margin_db)
            if fit.fits:
                return PortProposal(f.port, None, f"free ({'; '.join(_free_why(f))}); fitted {cls.name} module: {fit.reason}",
                                    fit, tuple(judged))
    for j in free:
        f = j.facts
        if f.module_present:
            continue
        speed_ok = f.speed_mbps is None or f.speed_mbps >= rate_mbps
        if not speed_ok:
            continue
        for cls in sorted(classes.values(), key=lambda c: (c.reach_km, c.speed_mbps)):
            if cls.speed_mbps < rate_mbps or (f.speed_mbps is not None and cls.speed_mbps > f.speed_mbps):
                continue
            fit = access_fit(cls, None, access_km, connectors, splices, min_margin_db)
            if fit.fits:
                return PortProposal(f.port, cls.name, f"free ({'; '.join(_free_why(f))}); no module fitted: fit a "
                                    f"{cls.name}: {fit.reason}", fit, tuple(judged))
    return PortProposal(None, None, "free ports exist but none whose module class carries the rate and the access fibre",
                        None, tuple(judged))


def _free_why(f: PortFacts) -> list[str]:
    return ["no circuit in the inventory", "no description", "oper down",
            f"module {'present, ' + (f.module_class or 'class unknown') if f.module_present else 'absent'}"]


# --- C4, C5: the path over existing segments --------------------------------------------------------
@dataclass(frozen=True)
class HopReading:
    """One existing hop as measured: both directions' loss and the receiving ends' Rx margins."""

    index: int
    a: str  # device:port
    z: str
    budget_db: float | None
    loss_az_db: float | None  # Tx(A) - Rx(Z)
    loss_za_db: float | None
    rx_a_dbm: float | None
    rx_z_dbm: float | None
    sensitivity_a_dbm: float | None
    sensitivity_z_dbm: float | None


@dataclass(frozen=True)
class HopFit:
    index: int
    fits: bool
    reasons: tuple[str, ...]
    reading: HopReading
    warnings: tuple[str, ...] = ()


def hop_fit(h: HopReading, min_margin_db: float, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> HopFit:
    bad, warnings = [], []
    for label, loss in (("A->Z", h.loss_az_db), ("Z->A", h.loss_za_db)):
        if loss is None:
            bad.append(f"{label} loss unreadable")
        elif h.budget_db is not None:
            excess, verdict = assess_loss(loss, h.budget_db, thresholds)
            if verdict == Assessment.FAULT:
                bad.append(f"{label} loss {loss:g} dB is {excess:g} dB over the budget {h.budget_db:g} dB")
            elif verdict == Assessment.WARN:
                warnings.append(f"{label} loss {loss:g} dB is {excess:g} dB over the budget {h.budget_db:g} dB (warning)")
    for end, rx, sens in (("A", h.rx_a_dbm, h.sensitivity_a_dbm), ("Z", h.rx_z_dbm, h.sensitivity_z_dbm)):
        if rx is None:
            bad.append(f"no Rx reading at {h.a if end == 'A' else h.z}")
        elif sens is not None and rx - sens < min_margin_db:
            bad.append(f"Rx {rx:g} dBm at {h.a if end == 'A' else h.z} is {_r(rx - sens):g} dB above its sensitivity "
                       f"{sens:g} dBm (needs {min_margin_db:g})")
    return HopFit(h.index, not bad, tuple(bad), h, tuple(warnings))


@dataclass(frozen=True)
class UplinkReading:
    port: str  # device:port
    speed_mbps: float | None
    in_mbps: float | None
    out_mbps: float | None
    seconds: float | None  # the measurement interval


@dataclass(frozen=True)
class UplinkFit:
    port: str
    fits: bool
    utilisation_now: float | None
    utilisation_after: float | None
    reason: str
    reading: UplinkReading


def uplink_fit(u: UplinkReading, new_rate_mbps: float, max_utilisation: float) -> UplinkFit:
    if u.speed_mbps is None or u.in_mbps is None or u.out_mbps is None:
        return UplinkFit(u.port, False, None, None, f"{u.port}: utilisation unreadable (speed {u.speed_mbps}, "
                         f"in {u.in_mbps}, out {u.out_mbps} Mbps)", u)
    busier = max(u.in_mbps, u.out_mbps)
    now, after = busier / u.speed_mbps, (busier + new_rate_mbps) / u.speed_mbps
    fits = after <= max_utilisation
    reason = (f"{u.port}: busier direction {busier:.1f} Mbps of {u.speed_mbps:g} ({now:.1%}) + {new_rate_mbps:g} Mbps "
              f"= {after:.1%} {'within' if fits else 'over'} {max_utilisation:.0%}")
    return UplinkFit(u.port, fits, round(now, 4), round(after, 4), reason, u)
