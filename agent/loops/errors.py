"""The guard's refusals (409), each naming what holds it (agent.errors.LoopGuardError's children)."""
from __future__ import annotations

from typing import Any

from agent.errors import LoopGuardError


class LoopBusy(LoopGuardError):
    """Another loop is active on the circuit or on the port (the partial unique indexes say so)."""

    def __init__(self, active: Any, circuit_id: str) -> None:
        self.active_id, self.active_state = active.id, active.state
        self.active_point = {"device": active.device_name, "port": active.port_name}
        self.active_circuit = active.circuit_id
        same = "circuit" if active.circuit_id == circuit_id else "port"
        super().__init__(f"loop test {active.id} ({active.state}) holds {active.device_name} {active.port_name} on "
                         f"circuit {active.circuit_id}: one active loop per circuit and per port ({same} busy)")

    def problem_fields(self) -> dict[str, Any]:
        return {"activeLoopTest": {"id": self.active_id, "state": self.active_state, "loopPoint": self.active_point,
                                   "circuitId": self.active_circuit, "href": f"/api/v1/loop-tests/{self.active_id}"}}


class SharedPortUnconfirmed(LoopGuardError):
    """The port carries other circuits: a loop there takes them down too, so the request must name them."""

    def __init__(self, device: str, port: str, circuits: list[str]) -> None:
        self.circuits = circuits
        super().__init__(f"{device} {port} also carries circuit(s) {', '.join(circuits)}: a loop there interrupts "
                         "them too; confirm by naming them in confirmSharedCircuits")

    def problem_fields(self) -> dict[str, Any]:
        return {"sharedCircuits": self.circuits}


class LoopStateConflict(LoopGuardError):
    """The action does not fit the loop's current state (cancel an ended loop, retry a clear that did not fail)."""


class ServiceAffectingUnconfirmed(LoopGuardError):
    """The circuit is up: a loop interrupts its service, so the request must say so explicitly."""

    def __init__(self, circuit: str, evidence: str) -> None:
        self.circuit, self.evidence = circuit, evidence
        super().__init__(f"circuit {circuit} carries service ({evidence}): a loop interrupts it; confirm with "
                         "confirmServiceAffecting: true")

    def problem_fields(self) -> dict[str, Any]:
        return {"serviceAffecting": {"circuitId": self.circuit, "evidence": self.evidence}}
