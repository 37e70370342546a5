"""The diagnosis JSON, schema version 2 (docs/diagnosis-json.md): camelCase at every depth, versioned,
nothing of the stored diagnosis lost on the way out, one response model field per dataclass field of
diagnosis/result.py, and every member documented."""
from __future__ import annotations

import dataclasses
import json
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic.alias_generators import to_camel

from agent.models import Diagnosis as DiagnosisRow
from api.schemas import diagnoses as schema
from diagnosis import readings, result
from diagnosis.enums import AccessState, LinkState, Verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "diagnosis"))  # the diagnosis tests' scene builder
from diag_builders import NOW, Scene  # noqa: E402

DOC = Path(__file__).resolve().parents[3] / "docs" / "diagnosis-json.md"
CAMEL = re.compile(r"[a-z][A-Za-z0-9]*")
# Free-form members: their content is not the schema's (none in version 2; journal `data` is one elsewhere).
FREE_FORM = {"data"}
# The model of each dataclass the diagnosis JSON is made of.
MODELS = {
    result.Diagnosis: schema.DiagnosisOut, result.SuspectedSegment: schema.SuspectedSegmentOut,
    result.Finding: schema.FindingOut, result.EvidenceItem: schema.EvidenceOut,
    result.RecommendedAction: schema.ActionOut, result.LoopPoint: schema.LoopPointOut,
    result.NotChecked: schema.NotCheckedOut, readings.Source: schema.SourceOut,
}


def _scenes() -> dict[str, result.Diagnosis]:
    """Diagnoses that between them fill every member: loop plans, findings, gaps, alarms, actions."""
    out = {}
    s = Scene()
    s.cut(1)
    out["fibre cut"] = s.interruption()
    s = Scene()
    s.add_loss(2, 4.0)
    s.unreachable("cpe-1", AccessState.TIMEOUT)
    out["degraded fibre, CPE silent"] = s.quality()
    s = Scene()
    s.add_alarm("acc-a-sw1", "GE0/0/1", raised=NOW - timedelta(hours=2), cleared=NOW - timedelta(hours=1))
    out["historical alarm"] = s.alarms_check()
    s = Scene()
    s.set_status("agg-1", "GE1/0/1", oper=LinkState.DOWN)
    s.set_rx("agg-1", "GE1/0/1", float("-inf"))
    out["no light as -inf"] = s.interruption()
    return out


SCENES = _scenes()


def _row(d: result.Diagnosis) -> DiagnosisRow:
    """The row triage stores (agent/triage/service.py), without a database."""
    return DiagnosisRow(id=41, ticket_id=7, created_at=NOW, playbook=str(d.playbook), verdict=str(d.verdict),
                        summary=f"{d.summary_zh}\n{d.summary_en}", duration_ms=812.5, data=d.to_dict())


def _served(d: result.Diagnosis) -> dict:
    return json.loads(schema.DiagnosisOut.of(_row(d)).model_dump_json(by_alias=True))


def _keys(value, path: str = "") -> set[str]:
    """Every member path in a JSON value (list items share their list's path)."""
    if isinstance(value, dict):
        found = set()
        for key, item in value.items():
            found.add(f"{path}.{key}")
            if key not in FREE_FORM:
                found |= _keys(item, f"{path}.{key}")
        return found
    if isinstance(value, list):
        return set().union(*(_keys(item, path) for item in value)) if value else set()
    return set()


@pytest.mark.parametrize("name", list(SCENES))
def test_every_key_is_camel_case_at_every_depth_and_the_body_says_schema_version_2(name: str) -> None:
    body = _served(SCENES[name])
    assert body["schemaVersion"] == 2 == schema.SCHEMA_VERSION
    wrong = sorted(p for p in _keys(body) if not CAMEL.fullmatch(p.rsplit(".", 1)[1]))
    assert not wrong, wrong
    json.dumps(body, allow_nan=False)  # strict JSON, a module's -inf included


@pytest.mark.parametrize("name", list(SCENES))
def test_nothing_the_agent_stored_is_lost_on_the_way_out(name: str) -> None:
    d = SCENES[name]
    stored = {".".join(to_camel(part) for part in p.split(".")) for p in _keys(d.to_dict())}
    served = _keys(_served(d))
    assert stored - served == set(), "stored members the API drops (add them to api/schemas/diagnoses.py)"
    row_only = {".schemaVersion", ".id", ".createdAt", ".summary", ".durationMs", ".basis"}
    assert served - stored == row_only


def test_the_scenes_fill_every_list_of_the_diagnosis() -> None:
    """Else the two tests above would pass over members no scene ever writes."""
    for member in ("suspected_segments", "findings", "evidence", "actions", "loop_plan", "could_not_check"):
        assert any(getattr(d, member) for d in SCENES.values()), member
    assert {d.verdict for d in SCENES.values()} >= {Verdict.NO_LIGHT_FIBER_CUT, Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END}


def test_served_values_are_the_stored_ones() -> None:
    d = SCENES["degraded fibre, CPE silent"]
    body = _served(d)
    stored = d.to_dict()
    assert (body["verdict"], body["playbook"], body["id"], body["durationMs"]) == (str(d.verdict), str(d.playbook), 41, 812.5)
    assert body["madeAt"] == stored["made_at"] == NOW.isoformat() and body["createdAt"] == NOW.isoformat()
    assert body["summary"] == f"{d.summary_zh}\n{d.summary_en}" and body["summaryEn"] == d.summary_en
    at = next(i for i, e in enumerate(stored["evidence"]) if e["sources"])
    first, served = stored["evidence"][at], body["evidence"][at]
    assert (served["name"], served["noteEn"], served["value"]) == (first["name"], first["note_en"], first["value"])
    assert served["sources"][0]["raw"] == first["sources"][0]["raw"] == served["raw"]
    assert [c["textEn"] for c in body["couldNotCheck"]] == [n.text_en for n in d.could_not_check]


@pytest.mark.parametrize("dataclass_type", list(MODELS), ids=lambda t: t.__name__)
def test_each_dataclass_field_has_its_response_model_field(dataclass_type) -> None:
    model = MODELS[dataclass_type]
    missing = [f.name for f in dataclasses.fields(dataclass_type) if f.name not in model.model_fields]
    assert not missing, f"{dataclass_type.__name__} fields without a field in {model.__name__}: {missing}"


def test_every_member_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    members = set()
    for model in {*MODELS.values()}:
        members |= {field.alias or name for name, field in model.model_fields.items()}
    undocumented = sorted(m for m in members if f"`{m}`" not in text)
    assert not undocumented, f"members not in {DOC.name}: {undocumented}"
    example = json.loads(re.search(r"```json\n(.*?)\n```", text, re.S).group(1))
    assert example["schemaVersion"] == 2
    schema.DiagnosisOut.model_validate(example)  # the example is a valid body
    assert not [p for p in _keys(example) if not CAMEL.fullmatch(p.rsplit(".", 1)[1])]
