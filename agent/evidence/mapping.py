"""Collector readings -> diagnosis observations. Pure functions: no I/O, no clock."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from collectors import errors as cerr
from collectors import readings as cr
from collectors.enums import AdminStatus, OperStatus, ProbableCause
from collectors.rates import counter_rates
from diagnosis import readings as dr
from diagnosis.enums import AccessState, Duplex, LinkState, Method, ReadingKind

_METHOD = {"snmp": Method.SNMP, "cli": Method.CLI, "trap": Method.STORED}
_LINK = {OperStatus.UP: LinkState.UP, OperStatus.DOWN: LinkState.DOWN, OperStatus.LOWER_LAYER_DOWN: LinkState.DOWN,
         OperStatus.NOT_PRESENT: LinkState.DOWN, OperStatus.TESTING: LinkState.TESTING,
         AdminStatus.UP: LinkState.UP, AdminStatus.DOWN: LinkState.DOWN, AdminStatus.TESTING: LinkState.TESTING}
_ITEM_KIND = {"optical": ReadingKind.OPTICAL, "interface": ReadingKind.STATUS, "counters": ReadingKind.ERRORS,
              "alarms": ReadingKind.ALARMS, "survey": ReadingKind.DEVICE}
# An error on one of these items means the device's own alarm table/log was not (completely) read.
_ALARM_HISTORY_INCOMPLETE = ("alarms", "survey", "cli")


def access_state(error: cerr.CollectorError) -> AccessState:
    """How a collector error reads in the diagnosis (unreachable, timeout, ... each has its own wording)."""
    for cls, state in ((cerr.UnreachableError, AccessState.UNREACHABLE), (cerr.CollectorTimeout, AccessState.TIMEOUT),
                       (cerr.AuthenticationFailed, AccessState.AUTH_FAILED), (cerr.Unsupported, AccessState.NOT_SUPPORTED)):
        if isinstance(error, cls):
            return state
    return AccessState.ERROR


def source(s: cr.Source) -> dr.Source:
    return dr.Source(device=s.device, method=_METHOD.get(str(s.method), Method.STORED), time=s.time, port=s.port,
                     reference=s.ref, raw=(s.raw or "")[:400])


def optical(r: cr.OpticalReading) -> dr.OpticalReading:
    t, tx = r.rx_thresholds, r.tx_thresholds
    # The Tx thresholds are the module's own: a laser below its Tx low alarm is a transmitter fault,
    # not the fibre (issue 10 item 4).
    return dr.OpticalReading(device=r.device, port=r.port, source=source(r.source), rx_dbm=r.rx_dbm, tx_dbm=r.tx_dbm,
                             rx_low_alarm_dbm=t.low_alarm, rx_low_warn_dbm=t.low_warning,
                             rx_high_warn_dbm=t.high_warning, rx_high_alarm_dbm=t.high_alarm,
                             tx_low_alarm_dbm=tx.low_alarm, tx_low_warn_dbm=tx.low_warning)


def status(r: cr.InterfaceState) -> dr.PortStatus:
    duplex = {"full": Duplex.FULL, "half": Duplex.HALF}.get(str(r.duplex), Duplex.UNKNOWN)
    return dr.PortStatus(device=r.device, port=r.port, source=source(r.source), oper=_LINK.get(r.oper, LinkState.UNKNOWN),
                         admin=_LINK.get(r.admin, LinkState.UNKNOWN),
                         speed_mbps=int(r.speed_bps // 1_000_000) if r.speed_bps else None, duplex=duplex)


def counters(first: cr.CounterSample, second: cr.CounterSample | None, speed_mbps: int | None
             ) -> tuple[dr.ErrorReading, dr.UtilisationReading | None, dr.ReadingGap | None]:
    """Error counters (with rates when two samples exist) and utilisation between the two samples.

    The rates come from ``collectors.rates``: over the interval between THOSE two samples (the device's
    sysUpTime where the responses allow it), never from when the survey as a whole ended. Two samples
    that cannot have been produced by the port (a rate above its speed beyond the interval's error, a
    64-bit counter going back) give no rate at all but a reading gap naming the measurement fault with
    the raw counters: silence would be the defect, a rate from them a wrong verdict."""
    src = source((second or first).source)
    last = second or first
    totals = dr.ErrorReading(device=first.device, port=first.port, source=src, crc_errors=last.in_crc,
                             input_errors=last.in_errors)
    if second is None or second.read_at <= first.read_at:
        return totals, None, None
    rates = counter_rates(first, second, speed_bps=speed_mbps * 1e6 if speed_mbps else None)
    if rates.fault is not None:
        gap = dr.ReadingGap(device=first.device, port=first.port, kind=ReadingKind.UTILISATION,
                            reason=AccessState.ERROR, source=src,
                            detail=f"measurement fault, not traffic: {rates.fault.reason} ({rates.fault.raw})"[:600])
        return totals, None, gap
    errors = replace(totals, crc_per_s=rates.crc_per_s, input_errors_per_s=rates.in_errors_per_s)
    if rates.in_bps is None and rates.out_bps is None:
        return errors, None, None
    util = dr.UtilisationReading(device=first.device, port=first.port, source=src,
                                 in_mbps=None if rates.in_bps is None else rates.in_bps / 1e6,
                                 out_mbps=None if rates.out_bps is None else rates.out_bps / 1e6, speed_mbps=speed_mbps)
    return errors, util, None


def alarm(a: cr.AlarmRecord) -> dr.AlarmRecord:
    name = a.probable_cause.value + (f" ({a.specific_problem})" if a.specific_problem else "")
    return dr.AlarmRecord(device=a.device, port=a.port, name=name, severity=a.severity.value, raised_at=a.raised_at,
                          source=source(a.source), cleared_at=a.cleared_at, alarm_id=f"{a.device}|{a.port}|{a.probable_cause.value}")


def flaps(alarms: Iterable[cr.AlarmRecord]) -> list[dr.FlapRecord]:
    """Link-down alarms as link state changes: each raise is a change to down, each clear a change to up."""
    out: list[dr.FlapRecord] = []
    for a in alarms:
        if a.port is None or a.probable_cause != ProbableCause.LINK_DOWN:
            continue
        src = source(a.source)
        out.append(dr.FlapRecord(device=a.device, port=a.port, time=a.raised_at, state=LinkState.DOWN, source=src,
                                 count=max(1, a.count)))
        if a.cleared_at is not None:
            out.append(dr.FlapRecord(device=a.device, port=a.port, time=a.cleared_at, state=LinkState.UP, source=src,
                                     count=max(1, a.count)))
    return out


def observations(surveys: Sequence[cr.DeviceSurvey], second_counters: dict[tuple[str, str], cr.CounterSample],
                 speeds: dict[tuple[str, str], int | None], stored_alarms: Sequence[cr.AlarmRecord],
                 missing_devices: dict[str, str], rx_trend: Sequence[dr.RxTrendPoint] = (),
                 second_missing: dict[str, str] | None = None) -> dr.Observations:
    """Everything read for one triage, in the diagnosis's terms.

    ``missing_devices`` names devices whose survey did not finish inside the triage deadline (with why);
    ``rx_trend`` is the path ports' stored Rx series (agent.polling), for the early warning;
    ``second_missing`` names devices whose second counter read gave nothing (their rates are a gap).
    """
    opt, stat, errs, utils, devs, gaps = [], [], [], [], [], []
    history_devices: list[str] = []
    device_alarms: list[cr.AlarmRecord] = []
    for sv in surveys:
        opt += [optical(r) for r in sv.optical]
        stat += [status(r) for r in sv.interfaces]
        for c in sv.counters:
            e, u, gap = counters(c, second_counters.get((c.device, c.port)), speeds.get((c.device, c.port)))
            errs.append(e)
            if u is not None:
                utils.append(u)
            if gap is not None:
                gaps.append(gap)
        device_alarms += list(sv.alarms)
        # A survey cut short by its timeout before any reading came back is a device that did not answer.
        whole_device_error = next((e for e in sv.errors if e.port is None
                                   and e.item in ("snmp", "cli", "device", "survey")), None)
        unreachable = not sv.reachable
        if unreachable or (whole_device_error and not (sv.optical or sv.interfaces or sv.counters)):
            err = whole_device_error.error if whole_device_error else next(e.error for e in sv.errors)
            devs.append(dr.DeviceAccess(device=sv.device, state=access_state(err), detail=str(err)))
        else:
            devs.append(dr.DeviceAccess(device=sv.device, state=AccessState.OK))
            if not any(e.item in _ALARM_HISTORY_INCOMPLETE and e.port is None for e in sv.errors):
                history_devices.append(sv.device)
        for e in sv.errors:
            kind = _ITEM_KIND.get(e.item)
            if kind is not None:
                gaps.append(dr.ReadingGap(device=sv.device, port=e.port, kind=kind, reason=access_state(e.error),
                                          detail=str(e.error)))
    for device, why in missing_devices.items():
        devs.append(dr.DeviceAccess(device=device, state=AccessState.TIMEOUT, detail=why))
    for device, why in (second_missing or {}).items():
        gaps.append(dr.ReadingGap(device=device, port=None, kind=ReadingKind.UTILISATION,
                                  reason=AccessState.ERROR if "failed" in why else AccessState.TIMEOUT, detail=why))
    all_alarms = list(stored_alarms) + device_alarms
    return dr.Observations(
        optical=tuple(opt), status=tuple(stat), errors=tuple(errs), utilisation=tuple(utils),
        alarms=tuple(alarm(a) for a in all_alarms), flaps=tuple(flaps(all_alarms)), devices=tuple(devs),
        gaps=tuple(gaps), rx_trend=tuple(rx_trend), stored_alarms_queried=True,
        alarm_history_devices=tuple(history_devices))
