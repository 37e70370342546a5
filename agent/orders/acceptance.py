"""Test and completion (电路测试报竣), source 六 4:

- T1 every circuit's test report follows its template (测试模版); the branch gives a local test report
  (本地测试报告) and an end-to-end one (全程测试报告); every indicator of the template is filled and meets
  its standard ("其中规定的各类指标需填写且符合标准"), and the tester signs ("另需测试人签字");
- T2 the end-to-end report is also signed by the customer or the customer manager ("全程测试报告还必须由
  客户或客户经理签字确认");
- T3 then the order's ledger (调单台帐) is updated and the new circuit's ledger made (新建电路台帐): here the
  circuit goes into the inventory (the hand-over data whose absence the fault procedure treats as a
  fault, 七 中断类 5);
- T4 completion (报竣): once the test meets the indicators the branch reports the electronic test
  report and the circuit ledger to the province; local and end-to-end completion; the order names the
  branch lead office (主调局) or cooperating office (被调局); the lead office gives the local report and
  fills the end-to-end report and reports completion; the cooperating office gives only the local
  report and assists the far end's end-to-end test.

The report is filled from the network, not typed: the circuit's path is read through the one evidence
path (agent/evidence ``read_path``), error counters are read again after the test window.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.clock import SystemClock
from agent.errors import InvalidInput
from agent.evidence import observations, read_path
from agent.inventory.targets import ResolvedCircuit, resolved
from agent.models import AcceptanceTest, Circuit, CircuitOrder, Customer, Device, Port, Segment
from agent.orders.errors import OrderConflict, UnknownOrder
from agent.orders.journal import Event, record
from agent.orders.rules import OfficeRole
from agent.orders.service import OrderService
from agent.tickets import Actor
from diagnosis.budget import segment_budget, segment_loss_db
from diagnosis.enums import LinkState, SiteKind
from diagnosis.optics import rx_limits

log = logging.getLogger("faultline.orders")
TEMPLATES = Path(__file__).with_name("templates")
LOCAL, END_TO_END = "local", "end_to_end"
SCOPE_ZH = {LOCAL: "本地测试报告", END_TO_END: "全程测试报告"}


def load_template(service_type: str, folder: Path | None = None) -> tuple[str, dict[str, Any]]:
    for base in [p for p in (folder, TEMPLATES) if p is not None]:
        for name in (service_type, "default"):
            path = base / f"{name}.yaml"
            if path.exists():
                return name, yaml.safe_load(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"no test report template for {service_type} (nor default.yaml)")


# --- indicators (pure) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    name: str
    name_zh: str
    subject: str  # segment 1 A->Z, device:port
    measured: float | str | None
    unit: str
    standard: str
    passed: bool
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "nameZh": self.name_zh, "subject": self.subject, "measured": self.measured,
                "unit": self.unit, "standard": self.standard, "pass": self.passed, "note": self.note}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def indicators(rc: ResolvedCircuit, obs, errors_first: dict, errors_last: dict, template: dict[str, Any],
               segments: list[int]) -> list[Indicator]:
    """Each indicator of the template for each segment and port of ``segments``, measured against its
    standard. A missing reading fails its indicator (a report is never filled with a guess)."""
    spec = template["indicators"]
    optical = {(o.device, o.port): o for o in obs.optical}
    status = {(s.device, s.port): s for s in obs.status}
    util = {(u.device, u.port): u for u in obs.utilisation}
    out: list[Indicator] = []
    for seg in rc.path.segments:
        if seg.index not in segments:
            continue
        budget = segment_budget(seg).budget_db
        for tx_end, rx_end, label in ((seg.a, seg.z, "A->Z"), (seg.z, seg.a, "Z->A")):
            subject = f"segment {seg.index} {label} ({tx_end.device}:{tx_end.port} -> {rx_end.device}:{rx_end.port})"
            if "segment_loss" in spec:
                over = float(spec["segment_loss"].get("max_over_budget_db", 0.0))
                t, r = optical.get(tx_end.key), optical.get(rx_end.key)
                loss = (segment_loss_db(t.tx_dbm, r.rx_dbm) if t and r and t.tx_dbm is not None and r.rx_dbm is not None
                        and r.rx_dbm > -100 else None)
                limit = None if budget is None else round(budget + over, 2)
                out.append(Indicator("segment_loss", "段落衰耗", subject, loss, "dB",
                                     f"<= budget {budget} dB + {over:g}" if budget is not None else "budget unknown",
                                     loss is not None and limit is not None and loss <= limit,
                                     "" if loss is not None else "no Tx/Rx reading"))
            if "rx_margin" in spec:
                need = float(spec["rx_margin"].get("min_db", 3.0))
                r = optical.get(rx_end.key)
                lim = rx_limits(rx_end, r)
                rx = r.rx_dbm if r is not None and r.rx_dbm is not None and r.rx_dbm > -100 else None
                margin = None if rx is None or lim.sensitivity_dbm is None else round(rx - lim.sensitivity_dbm, 2)
                over = rx is not None and lim.overload_dbm is not None and rx > lim.overload_dbm
                out.append(Indicator("rx_margin", "收光余量", f"{rx_end.device}:{rx_end.port} (Rx {rx} dBm)", margin, "dB",
                                     f">= {need:g} dB above sensitivity {lim.sensitivity_dbm} dB ({lim.sensitivity_from})"
                                     + (f", Rx <= overload {lim.overload_dbm}" if lim.overload_dbm is not None else ""),
                                     margin is not None and margin >= need and not over, "overload" if over else ""))
        ends = [seg.a, seg.z]
        if "link_up" in spec:
            for e in ends:
                st = status.get(e.key)
                oper = st.oper.value if st else None
                out.append(Indicator("link_up", "端口状态", f"{e.device}:{e.port}", oper, "", "oper up",
                                     st is not None and st.oper == LinkState.UP))
        if "speed_duplex" in spec:
            want = spec["speed_duplex"].get("duplex", "full")
            sa, sz = status.get(seg.a.key), status.get(seg.z.key)
            measured = (f"{sa.speed_mbps if sa else '?'}/{sa.duplex.value if sa else '?'} - "
                        f"{sz.speed_mbps if sz else '?'}/{sz.duplex.value if sz else '?'}")
            ok = (sa is not None and sz is not None and sa.speed_mbps is not None and sa.speed_mbps == sz.speed_mbps
                  and sa.duplex.value == want and sz.duplex.value == want)
            out.append(Indicator("speed_duplex", "速率/双工", f"segment {seg.index} both ends", measured, "Mbps/duplex",
                                 f"same speed, {want} duplex at both ends", ok))
        if "errors_stable" in spec:
            allowed = int(spec["errors_stable"].get("max_new_errors", 0))
            for e in ends:
                a, b = errors_first.get(e.key), errors_last.get(e.key)
                new = None if a is None or b is None else sum(max(0, (y or 0) - (x or 0)) for x, y in zip(a, b, strict=True))
                out.append(Indicator("errors_stable", "误码", f"{e.device}:{e.port}", new, "errors",
                                     f"<= {allowed} new input/CRC errors over the test window", new is not None and new <= allowed,
                                     "" if new is not None else "counters not read twice"))
        if "utilisation" in spec:
            cap = float(spec["utilisation"].get("max_fraction", 0.7))
            for e in ends:
                u = util.get(e.key)
                frac = None
                if u is not None and u.speed_mbps:
                    frac = round(max(u.in_mbps or 0, u.out_mbps or 0) / u.speed_mbps, 4)
                out.append(Indicator("utilisation", "带宽利用率", f"{e.device}:{e.port}", frac, "fraction",
                                     f"<= {cap:g} of the port speed", frac is not None and frac <= cap,
                                     "" if frac is not None else "no rate read"))
    return out


def local_segments(rc: ResolvedCircuit) -> list[int]:
    """The local part: segments that do not reach the province exit (出省), where the far side begins."""
    return [s.index for s in rc.path.segments
            if SiteKind.PROVINCE_EXIT not in (s.a.site_kind, s.z.site_kind)] or [s.index for s in rc.path.segments]


# --- the service -----------------------------------------------------------------------------------
def design_circuit(session: Session, order: CircuitOrder) -> Circuit:
    """The ordered circuit as an inventory row, not added to the session (the test reads it; only a
    completed order adds it)."""
    segs = (order.design or {}).get("segments") or []
    if not segs:
        raise InvalidInput([{"loc": "design.segments", "msg": "the order has no path to test", "type": "value_error"}])
    customer = session.get(Customer, order.customer_id) or Customer(id=order.customer_id, name=order.customer_name)
    circuit = Circuit(id=order.circuit_id, service_type=order.service_type, rate_mbps=order.rate_mbps,
                      lead_office=order.lead_office, cooperating_office=order.cooperating_office)
    circuit.customer = customer
    problems = []
    for i, s in enumerate(segs):
        ports = []
        for side in ("a", "z"):
            ref = s[side]
            port = session.scalar(select(Port).join(Device).where(Device.name == ref["device"], Port.name == ref["port"])
                                  .options(selectinload(Port.device).selectinload(Device.site),
                                           selectinload(Port.device).selectinload(Device.ports)))
            if port is None:
                problems.append({"loc": f"design.segments.{i}.{side}", "msg": f"{ref['device']}:{ref['port']} is not in the inventory",
                                 "type": "value_error"})
            ports.append(port)
        if None not in ports:
            seg = Segment(index=i, length_km=float(s.get("lengthKm", s.get("length_km", 0.0))),
                          connectors=int(s.get("connectors", 2)), splices=int(s.get("splices", 0)))
            seg.a_port, seg.z_port = ports
            seg.a_port_id, seg.z_port_id = ports[0].id, ports[1].id
            circuit.segments.append(seg)
    if problems:
        raise InvalidInput(problems)
    return circuit


class AcceptanceTests:
    def __init__(self, orders: OrderService, factory, collector) -> None:
        self.orders, self.factory, self.collector = orders, factory, collector
        self.settings, self.clock = orders.settings, orders.clock
        self.tasks: dict[int, asyncio.Task] = {}

    def start(self, session: Session, order: CircuitOrder, scope: str, actor: Actor) -> AcceptanceTest:
        """Open a test report (state measuring); ``measure`` fills it."""
        if order.state != "in_progress":
            raise OrderConflict(f"order {order.upstream_id} is {order.state}")
        if scope not in (LOCAL, END_TO_END):
            raise InvalidInput([{"loc": "scope", "msg": "local or end_to_end", "type": "value_error"}])
        if scope == END_TO_END and order.office_role != OfficeRole.LEAD.value:
            raise OrderConflict("the cooperating office (被调局) gives only the local test report; the lead office "
                                "(主调局) fills the end-to-end one")
        now = self.clock.now()
        for t in order.tests:
            if t.state != "measuring":
                continue
            # a report still "measuring" long after its window and reads could have ended was cut off (the
            # process stopped mid-test): it is closed as an error, loudly, and a new test may start
            stale_after = t.window_seconds + 4 * self.settings.orders.acceptance_read_timeout_seconds + 60
            if (now - t.started_at).total_seconds() <= stale_after:
                raise OrderConflict(f"test {t.id} of this order is measuring now ({t.progress:.0%})")
            t.state, t.finished_at, t.error = "error", now, "interrupted: no result within the window and the reads"
            record(session, at=now, kind=Event.TEST_FINISHED, order_id=order.id,
                   text=f"{SCOPE_ZH[t.scope]} #{t.id} interrupted (no result {stale_after:.0f} s after it started)",
                   data={"test": t.id, "state": "error"})
        name, _ = load_template(order.service_type, self.settings.orders.templates_dir)
        design_circuit(session, order)  # the path must be testable before anything is opened
        test = AcceptanceTest(scope=scope, template=name, state="measuring", started_at=now,
                              window_seconds=self.settings.orders.acceptance_window_seconds, progress=0.0, tester=None)
        order.tests.append(test)
        session.flush()
        record(session, at=now, kind=Event.TEST_STARTED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"{SCOPE_ZH[scope]} ({scope}) started, template {name}, window {test.window_seconds:g} s",
               data={"test": test.id, "scope": scope})
        return test

    def launch(self, test_id: int) -> None:
        """Measure in the background (the API answers at once; the report shows progress)."""
        task = asyncio.ensure_future(self.measure(test_id))
        self.tasks[test_id] = task
        task.add_done_callback(lambda _t: self.tasks.pop(test_id, None))

    async def measure(self, test_id: int) -> dict[str, Any]:
        # Readings are timed by the wall clock (the devices' counters run on real time); the order's
        # limits and the report's dates use the service's clock (injected in tests).
        t0 = time.perf_counter()
        with self.factory() as s:
            test = s.get(AcceptanceTest, test_id)
            order = self.orders.get(s, test.order_id)
            rc = resolved(design_circuit(s, order))
            _, template = load_template(order.service_type, self.settings.orders.templates_dir)
            scope, window = test.scope, test.window_seconds
        try:
            reading = await read_path(self.collector, rc, since=None, deadline=self.settings.orders.acceptance_read_timeout_seconds,
                                      clock=SystemClock(), counter_interval_s=self.settings.triage_counter_interval_seconds,
                                      rates=True)
            first = _errors({(c.device, c.port): c for sv in reading.surveys for c in sv.counters})
            read_ms = (time.perf_counter() - t0) * 1000
            await self._window(test_id, window)
            last_samples = await asyncio.gather(*[self.collector.counters(t, self.settings.orders.acceptance_read_timeout_seconds)
                                                  for t in rc.targets], return_exceptions=True)
            last = _errors({(c.device, c.port): c for r in last_samples if not isinstance(r, BaseException) for c in r})
            obs = observations(reading.surveys, reading.second, rc.speeds(), [], reading.missing)
            segments = [s.index for s in rc.path.segments] if scope == END_TO_END else local_segments(rc)
            items = indicators(rc, obs, first, last, template, segments)
            passed = bool(items) and all(i.passed for i in items)
            readings = {"optical": [{"device": o.device, "port": o.port, "rxDbm": o.rx_dbm, "txDbm": o.tx_dbm,
                                     "raw": o.source.raw} for o in obs.optical],
                        "status": [{"device": x.device, "port": x.port, "oper": x.oper.value, "speedMbps": x.speed_mbps,
                                    "duplex": x.duplex.value} for x in obs.status],
                        "errorsFirst": {f"{k[0]}:{k[1]}": v for k, v in first.items()},
                        "errorsLast": {f"{k[0]}:{k[1]}": v for k, v in last.items()},
                        "missingDevices": reading.missing, "segments": segments,
                        "readMs": round(read_ms, 1), "totalMs": round((time.perf_counter() - t0) * 1000, 1)}
            state, error = ("passed" if passed else "failed"), None
        except Exception as exc:  # noqa: BLE001 - a failed read is the report's outcome, loudly, never a silent pass
            log.exception("acceptance test %s failed to measure", test_id)
            items, readings, state, error = [], None, "error", f"{type(exc).__name__}: {exc}"
        with self.factory() as s:
            test = s.get(AcceptanceTest, test_id)
            test.indicators = [i.as_json() for i in items]
            test.readings, test.state, test.error = readings, state, error
            test.finished_at, test.progress = self.clock.now(), 1.0
            failed = [f"{i.name} {i.subject}: {i.measured} {i.unit} (standard {i.standard})" for i in items if not i.passed]
            record(s, at=test.finished_at, kind=Event.TEST_FINISHED, order_id=test.order_id,
                   text=f"{SCOPE_ZH[test.scope]} {state}: {len(items) - len(failed)}/{len(items)} indicators met"
                        + (f"; failed: {'; '.join(failed[:5])}" if failed else "") + (f"; {error}" if error else ""),
                   data={"test": test.id, "state": state, "failed": failed})
            s.commit()
            return {"state": state, "indicators": test.indicators, "readings": readings, "error": error}

    async def _window(self, test_id: int, window: float) -> None:
        """The error counters' window; progress written as it passes (the report shows it)."""
        steps = max(1, min(20, int(window)))
        for i in range(1, steps + 1):
            await asyncio.sleep(window / steps)
            with self.factory() as s:
                test = s.get(AcceptanceTest, test_id)
                test.progress = round(i / steps * 0.95, 3)
                s.commit()

    def sign(self, session: Session, order: CircuitOrder, test_id: int, as_: str, signer: str, actor: Actor,
             may_customer: bool) -> AcceptanceTest:
        """The tester's signature (T1), or the customer's / customer manager's on the end-to-end report (T2)."""
        test = next((t for t in order.tests if t.id == test_id), None)
        if test is None:
            raise UnknownOrder(f"order {order.id} has no test {test_id}")
        if test.state != "passed":
            raise OrderConflict(f"test {test_id} is {test.state}: only a passed report is signed")
        if not signer.strip():
            raise InvalidInput([{"loc": "signer", "msg": "who signs", "type": "value_error"}])
        now = self.clock.now()
        if as_ == "tester":
            test.tester, test.tester_signed_at = signer.strip(), now
        elif as_ == "customer":
            if test.scope != END_TO_END:
                raise OrderConflict("the customer signs the end-to-end report (全程测试报告)")
            if not may_customer:
                raise OrderConflict("the customer's sign-off is recorded by the group customer department or the duty officer")
            test.customer_signer, test.customer_signed_at = signer.strip(), now
        else:
            raise InvalidInput([{"loc": "as", "msg": "tester or customer", "type": "value_error"}])
        record(session, at=now, kind=Event.TEST_SIGNED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"{SCOPE_ZH[test.scope]} signed by {signer.strip()} as {as_}", data={"test": test.id, "as": as_})
        return test

    def complete(self, session: Session, order: CircuitOrder, actor: Actor) -> CircuitOrder:
        """报竣 (T3, T4): needs the passed, signed reports the office owes; adds the circuit to the
        inventory, updates the ledger, sends the completion report upstream."""
        if order.state != "in_progress":
            raise OrderConflict(f"order {order.upstream_id} is {order.state}")
        owed = [LOCAL] + ([END_TO_END] if order.office_role == OfficeRole.LEAD.value else [])
        chosen, missing = [], []
        for scope in owed:
            ok = [t for t in order.tests if t.scope == scope and t.state == "passed" and t.tester_signed_at is not None
                  and (scope == LOCAL or t.customer_signed_at is not None)]
            if ok:
                chosen.append(ok[-1])
            else:
                missing.append(f"a passed {SCOPE_ZH[scope]} ({scope}) signed by the tester"
                               + (" and the customer or customer manager" if scope == END_TO_END else ""))
        if missing:
            raise OrderConflict("completion needs " + "; ".join(missing))
        if session.get(Circuit, order.circuit_id) is not None:
            raise OrderConflict(f"circuit {order.circuit_id} is already in the inventory")
        circuit = design_circuit(session, order)
        session.add(circuit)
        now = self.clock.now()
        for t in chosen:
            t.state, t.completed_at = "completed", now
        reports = [{"id": t.id, "scope": t.scope, "template": t.template, "tester": t.tester,
                    "testerSignedAt": t.tester_signed_at.isoformat(), "customerSigner": t.customer_signer,
                    "customerSignedAt": t.customer_signed_at.isoformat() if t.customer_signed_at else None,
                    "indicators": t.indicators} for t in chosen]
        record(session, at=now, kind=Event.CIRCUIT_ADDED, order_id=order.id, author=actor.name, role=actor.role,
               text=f"circuit {order.circuit_id} added to the inventory (新建电路台帐): {len(circuit.segments)} segments",
               data={"circuit": order.circuit_id})
        self.orders._ledger(order, now, f"test reports {[t.id for t in chosen]} accepted; circuit {order.circuit_id} "
                            "in the inventory", circuit_ledger={"circuit": order.circuit_id, "segments": order.design.get("segments")})
        record(session, at=now, kind=Event.LEDGER_UPDATED, order_id=order.id, author=actor.name, role=actor.role,
               text="调单台帐 updated with the test reports")
        return self.orders.complete(session, order, actor, reports)


def _errors(samples: dict) -> dict[tuple[str, str], list[int | None]]:
    return {k: [c.in_errors, c.in_crc] for k, c in samples.items()}
