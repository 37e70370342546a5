"""One evidence path for every reader of a circuit (triage, circuit health): read the path's devices
once, concurrently, within a deadline (``read_path``); what faultline stored of them (``stored``:
alarms it received, the polled Rx trend); and the mapping of both to diagnosis observations
(``mapping.observations``)."""
from agent.evidence.mapping import observations
from agent.evidence.read import PathReading, read_path
from agent.evidence.stored import StoredEvidence, stored

__all__ = ["PathReading", "StoredEvidence", "observations", "read_path", "stored"]
