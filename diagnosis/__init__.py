"""faultline diagnosis (诊断): pure logic from readings to a verdict.

No I/O, no clock reads (the ticket passes `now`), deterministic (same input, same output: nothing
depends on hashing, set order or time of day), and no imports from agent/, collectors/, api/, lab/
or pysnmp/netmiko/sqlalchemy/fastapi.

Entry point::

    diagnose(path: CircuitPath, observations: Observations, ticket: TicketContext,
             thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Diagnosis

Inputs (frozen dataclasses; lists are accepted and stored as tuples; times timezone-aware):
- `CircuitPath` (circuit id, customer, service type, contracted rate Mbps, ordered `Segment`s from
  the customer end outwards; each `Segment` has index, A and Z `PortEnd` (device, port, `SiteKind`,
  platform, transceiver, wavelength, Rx sensitivity/overload if known, speed), length km, connector
  pairs, splices).
- `Observations`: `OpticalReading` (Rx/Tx dBm, the module's DDM thresholds, LOS), `PortStatus`
  (oper/admin, speed, duplex), `ErrorReading` (CRC/input counters and/or rates), `UtilisationReading`
  (Mbps or fraction), `AlarmRecord` (raised/cleared), `FlapRecord`, `DeviceAccess` (ok, unreachable,
  timeout, auth_failed, not_supported, error), `ReadingGap` (a reading asked for that did not come),
  `RxTrendPoint` (optional stored series), `stored_alarms_queried`, `alarm_history_devices`. Every
  reading carries a `Source` (device, port, method snmp/cli/stored, OID or command, raw excerpt, time).
- `TicketContext`: kind (assist_check | interruption), symptom (interruption_or_flap |
  latency_or_errors | down), reported time, optional window, `now`, approved cutover windows.

Playbook choice (`choose_playbook`): interruption tickets -> playbook 3; assist-check by symptom:
interruption_or_flap -> 1 (alarms), latency_or_errors -> 2 (line quality), down -> 3. A path without
segments gives `missing_handover_data` in every playbook.

Output `Diagnosis`: `verdict` (`Verdict`), `summary_zh` / `summary_en`, `suspected_segments` (primary
first, with reasons), `findings` (every rule that fired, by the playbook's priority), `evidence`
(`EvidenceItem`: stable name, value, unit, limit and threshold text, segment/device/port, sources
with method, OID/command, raw excerpt and time, assessment ok/warn/fault/unknown), `actions` (zh + en,
worded after DOMAIN.md), `loop_plan` (ordered `LoopPoint`s; empty where no loop is warranted:
assist-check alarm checks, rate limit, congestion, early warning, no fault), `could_not_check`. `to_dict()` is
JSON-ready; `render.render_text(d)` the journal text.

Evidence names: `segment_loss_db` (one per fiber direction, limit = budget), `loss_budget_db`,
`loss_over_budget_db`, `rx_power_dbm` (limit = sensitivity), `rx_margin_db`, `oper_status`,
`speed_duplex`, `crc_errors_per_s`, `input_errors_per_s`, `crc_errors_total`, `input_errors_total`,
`customer_utilisation_mbps`, `egress_utilisation` (fraction), `customer_device_state`,
`rx_trend_db_per_day`, `device_reachability`, `alarm`, `flap_count`, `alarms_in_window`,
`tx_power_dbm` (limit = the module's Tx low alarm, where it reports one), `readings_disagree` (one
per `Contradiction`), and `<kind>_missing` (value = the AccessState) for a reading that could not be
had.

Every `Diagnosis` carries `confidence` (high/medium/low), `confidence_reasons` and `contradictions`
(readings that cannot all be true, each naming the readings, their sources and the check that
settles it); see `diagnosis.confidence` and `diagnosis.contradictions`.

Every verdict has one entry in `diagnosis.verdicts.REGISTRY` (titles, actions, rank per playbook);
the `PRIORITY` tuple of `playbook_alarms`, `playbook_quality`, `playbook_interruption` is derived
from it; every finding stays in `findings`. Limits are in `Thresholds` (boundaries:
loss exactly 3 dB over budget is a warning, more is a fault; Rx exactly 3 dB above sensitivity is
low margin; Rx exactly at overload is not overload; utilisation exactly at 90 % is at the limit).
`diagnosis.rules.DOMAIN_RULES` maps each DOMAIN.md rule to its modules and proving tests.

Replay: `diagnosis.serialize.inputs_to_dict(path, observations, ticket)` gives the inputs as JSON-ready
data to store with the diagnosis; `inputs_from_dict` rebuilds them, and `diagnose` on them gives the
same diagnosis.

Exceptions: `DiagnosisError` > `InvalidInput` (ValueError) for input that cannot describe a circuit
or ticket. Unreachable devices and missing readings are never errors.
"""
from diagnosis.engine import choose_playbook, diagnose
from diagnosis.enums import (
    AccessState, ActionCode, Assessment, Confidence, ContradictionKind, Duplex, LinkState, Method,
    Playbook, ReadingKind, SiteKind, Symptom, TicketKind, Verdict,
)
from diagnosis.errors import DiagnosisError, InvalidInput
from diagnosis.path import CircuitPath, PortEnd, Segment
from diagnosis.readings import (
    AlarmRecord, DeviceAccess, ErrorReading, FlapRecord, Observations, OpticalReading, PortStatus,
    ReadingGap, RxTrendPoint, Source, UtilisationReading,
)
from diagnosis.result import (
    ConfidenceReason, Contradiction, Diagnosis, EvidenceItem, Finding, LoopPoint, NotChecked,
    RecommendedAction, SuspectedSegment,
)
from diagnosis.thresholds import DEFAULT_THRESHOLDS, Thresholds
from diagnosis.ticket import CutoverWindow, TicketContext

__all__ = [
    "AccessState", "ActionCode", "AlarmRecord", "Assessment", "CircuitPath", "Confidence",
    "ConfidenceReason", "Contradiction", "ContradictionKind", "CutoverWindow",
    "DEFAULT_THRESHOLDS", "DeviceAccess", "Diagnosis", "DiagnosisError", "Duplex", "ErrorReading",
    "EvidenceItem", "Finding", "FlapRecord", "InvalidInput", "LinkState", "LoopPoint", "Method",
    "NotChecked", "Observations", "OpticalReading", "Playbook", "PortEnd", "PortStatus",
    "ReadingGap", "ReadingKind", "RecommendedAction", "RxTrendPoint", "Segment", "SiteKind",
    "Source", "SuspectedSegment", "Symptom", "Thresholds", "TicketContext", "TicketKind",
    "UtilisationReading", "Verdict", "choose_playbook", "diagnose",
]
