"""The mapping of collector readings onto diagnosis observations (pure, no I/O)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agent.evidence.mapping import counters, flaps, observations
from collectors import readings as cr
from collectors.enums import (
    AdminStatus,
    AlarmType,
    Duplex,
    Method,
    OperStatus,
    ProbableCause,
    Severity,
)
from collectors.errors import CollectorTimeout, UnreachableError
from diagnosis.enums import AccessState, LinkState
from diagnosis.enums import Method as DMethod

T = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def src(device="acc-1", port="Gi0/0/1", method=Method.SNMP, t=T):
    return cr.Source(device=device, port=port, method=method, ref="1.3.6.1.2.1.31.1.1.1.6.3", raw="123", time=t)


def sample(t, in_octets, out_octets, crc, errors=None):
    return cr.CounterSample(device="acc-1", port="Gi0/0/1", read_at=t, source=src(t=t), in_octets=in_octets,
                            out_octets=out_octets, in_crc=crc, in_errors=errors if errors is not None else crc)


def test_two_counter_reads_give_rates_and_utilisation():
    a = sample(T, 1_000_000, 5_000_000, 10)
    b = sample(T + timedelta(seconds=2), 1_000_000 + 25_000_000, 5_000_000 + 2_500_000, 50)
    err, util, gap = counters(a, b, 1000)
    assert gap is None
    assert err.crc_errors == 50 and err.crc_per_s == 20.0 and err.input_errors_per_s == 20.0
    assert util.in_mbps == 100.0 and util.out_mbps == 10.0 and util.speed_mbps == 1000


def test_one_counter_read_gives_totals_without_rates():
    err, util, _ = counters(sample(T, 1, 2, 7), None, 1000)
    assert (err.crc_errors, err.crc_per_s, util) == (7, None, None)


def test_counter_wrap_of_32_bit_counters():
    a = cr.CounterSample(device="d", port="p", read_at=T, source=src(), in_octets=2**32 - 1000, out_octets=0, counter_bits=32)
    b = cr.CounterSample(device="d", port="p", read_at=T + timedelta(seconds=1), source=src(), in_octets=1000, out_octets=0,
                         counter_bits=32)
    _, util, _ = counters(a, b, 100)
    assert util.in_mbps == 2000 * 8 / 1e6


def _alarm(raised, cleared=None, cause=ProbableCause.LINK_DOWN, count=1):
    return cr.AlarmRecord(device="cpe-1", port="GE0/0/1", alarm_type=AlarmType.COMMUNICATIONS, probable_cause=cause,
                          severity=Severity.MAJOR, raised_at=raised, source=src("cpe-1", "GE0/0/1", Method.TRAP, raised),
                          cleared_at=cleared, count=count)


def test_link_down_alarms_become_state_changes():
    records = flaps([_alarm(T, T + timedelta(seconds=30)), _alarm(T + timedelta(minutes=2)),
                     _alarm(T, cause=ProbableCause.RX_POWER_LOW)])
    assert [(r.state, r.time) for r in records] == [
        (LinkState.DOWN, T), (LinkState.UP, T + timedelta(seconds=30)), (LinkState.DOWN, T + timedelta(minutes=2))]
    assert records[0].source.method == DMethod.STORED  # a trap is faultline's own stored record


def test_unreachable_and_timed_out_devices_are_evidence_not_crashes():
    up = cr.DeviceSurvey(device="acc-1", started_at=T, finished_at=T, interfaces=(cr.InterfaceState(
        device="acc-1", port="Gi0/0/1", admin=AdminStatus.UP, oper=OperStatus.LOWER_LAYER_DOWN, source=src(),
        speed_bps=1_000_000_000, duplex=Duplex.FULL),))
    dead = cr.DeviceSurvey(device="cpe-1", started_at=T, finished_at=T, errors=(
        cr.ItemError(item="snmp", error=UnreachableError("no SNMP response", device="cpe-1")),))
    obs = observations([up, dead], {}, {}, [], {"agg-1": "no answer within the triage deadline (6.0 s)"})
    access = {d.device: d.state for d in obs.devices}
    assert access == {"acc-1": AccessState.OK, "cpe-1": AccessState.UNREACHABLE, "agg-1": AccessState.TIMEOUT}
    assert obs.status[0].oper == LinkState.DOWN and obs.status[0].speed_mbps == 1000
    assert obs.alarm_history_devices == ("acc-1",) and obs.stored_alarms_queried


def test_item_errors_become_reading_gaps():
    sv = cr.DeviceSurvey(device="acc-1", started_at=T, finished_at=T, interfaces=(), optical=(), errors=(
        cr.ItemError(item="optical", error=CollectorTimeout("timed out", device="acc-1"), port="Gi0/0/1"),))
    obs = observations([sv], {}, {}, [], {})
    assert [(g.kind.value, g.reason, g.port) for g in obs.gaps] == [("optical", AccessState.TIMEOUT, "Gi0/0/1")]


def test_a_survey_cut_short_by_its_timeout_is_a_gap_and_not_a_checked_alarm_history():
    sv = cr.DeviceSurvey(device="agg-1", started_at=T, finished_at=T, interfaces=(cr.InterfaceState(
        device="agg-1", port="Te1/1", admin=AdminStatus.UP, oper=OperStatus.UP, source=src("agg-1", "Te1/1")),), errors=(
        cr.ItemError(item="survey", error=CollectorTimeout("survey did not finish within 4.8 s", device="agg-1")),))
    obs = observations([sv], {}, {}, [], {})
    assert [(g.kind.value, g.reason) for g in obs.gaps] == [("device", AccessState.TIMEOUT)]
    assert obs.alarm_history_devices == ()  # a cut-short survey must not look complete


def test_a_survey_cut_short_before_any_reading_is_a_device_that_timed_out():
    silent = cr.DeviceSurvey(device="agg-1", started_at=T, finished_at=T, errors=(
        cr.ItemError(item="survey", error=CollectorTimeout("survey did not finish within 1.8 s", device="agg-1")),))
    obs = observations([silent], {}, {}, [], {})
    assert [(d.device, d.state) for d in obs.devices] == [("agg-1", AccessState.TIMEOUT)]
    assert "1.8 s" in obs.devices[0].detail
    assert obs.alarm_history_devices == ()


def test_the_modules_own_tx_thresholds_reach_the_diagnosis():
    """Without them a laser aged below its own Tx low alarm could never be told from a fibre fault."""
    from agent.evidence.mapping import optical

    reading = cr.OpticalReading(device="acc-1", port="Gi0/0/1", source=src(), rx_dbm=-8.0, tx_dbm=-9.6,
                                rx_thresholds=cr.Thresholds(low_alarm=-20.0, low_warning=-18.0),
                                tx_thresholds=cr.Thresholds(low_alarm=-9.5, low_warning=-8.5))
    got = optical(reading)
    assert (got.tx_low_alarm_dbm, got.tx_low_warn_dbm) == (-9.5, -8.5)
    assert (got.rx_low_alarm_dbm, got.rx_low_warn_dbm) == (-20.0, -18.0)


def test_two_samples_no_port_could_produce_are_a_measurement_fault_not_a_rate():
    """125 MB in one second on a 100 Mbit/s port: no utilisation, a gap that names the fault and the raw."""
    a, b = sample(T, 0, 0, 0), sample(T + timedelta(seconds=1), 125_000_000, 0, 0)
    err, util, gap = counters(a, b, 100)
    assert util is None and err.crc_per_s is None
    assert gap is not None and gap.kind == "utilisation" and "measurement fault" in gap.detail
    assert "1000.0 Mbit/s" in gap.detail  # the impossible rate itself, with the samples it came from
