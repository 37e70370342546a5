"""Inventory import: every error kind listed with its location, nothing written on error, round trip."""
from __future__ import annotations

import copy
import logging

import pytest
import yaml
from sqlalchemy import func, select

from agent.db import unit_of_work
from agent.errors import InventoryError
from agent.inventory import export_inventory, import_inventory
from agent.models import Circuit, Device, Segment, Site


def _counts(services):
    with services.session_factory() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) for m in (Site, Device, Circuit, Segment)}


def _import(services, data):
    with unit_of_work(services.session_factory) as s:
        return import_inventory(s, data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True))


def test_sample_imports_and_reimport_is_idempotent(services, sample_inventory_text):
    counts = _import(services, sample_inventory_text)
    assert counts == {"sites": 6, "devices": 6, "ports": 10, "customers": 2, "circuits": 2, "segments": 7}
    _import(services, sample_inventory_text)
    assert _counts(services) == {"Site": 6, "Device": 6, "Circuit": 2, "Segment": 7}


def test_export_then_import_round_trips(services, sample_inventory_text, tmp_path):
    _import(services, sample_inventory_text)
    with services.session_factory() as s:
        first = export_inventory(s, include_secrets=True)
    original = yaml.safe_load(sample_inventory_text)
    by_name = {d["name"]: d for d in first["devices"]}
    assert by_name["cpe-logi"]["snmp"]["priv_key"] == "example-priv-key"
    assert sorted(first["circuits"], key=lambda c: c["id"])[0]["segments"] == original["circuits"][0]["segments"]
    assert {s["id"] for s in first["sites"]} == {s["id"] for s in original["sites"]}


def _errors(services, data) -> list[dict[str, str]]:
    before = _counts(services)
    with pytest.raises(InventoryError) as exc:
        _import(services, data)
    assert _counts(services) == before, "an invalid import must write nothing"
    return exc.value.errors


def test_broken_path_continuity_is_located(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["circuits"][0]["segments"][2]["a"] = {"device": "pex-1", "port": "XGigabitEthernet0/0/1"}
    errors = _errors(services, data)
    assert any(e["loc"] == "circuits[0].segments[2].a.device" and "path is broken" in e["msg"] for e in errors)


def test_unknown_device_and_port_are_listed_together(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["circuits"][0]["segments"][0]["a"] = {"device": "cpe-nowhere", "port": "Gi0/1"}
    data["circuits"][1]["segments"][0]["z"]["port"] = "GigabitEthernet9/9/9"
    data["devices"][0]["site"] = "NO-SUCH-SITE"
    errors = _errors(services, data)
    locs = {e["loc"] for e in errors}
    assert {"circuits[0].segments[0].a.device", "circuits[1].segments[0].z.port", "devices[0].site"} <= locs


def test_duplicate_ids_are_listed(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["devices"].append(copy.deepcopy(data["devices"][0]))
    data["circuits"].append(copy.deepcopy(data["circuits"][0]))
    data["devices"][2]["ports"].append(copy.deepcopy(data["devices"][2]["ports"][0]))
    errors = _errors(services, data)
    msgs = " | ".join(f"{e['loc']}: {e['msg']}" for e in errors)
    assert "devices[6].name: duplicate name 'cpe-bank'" in msgs
    assert "circuits[2].id: duplicate id 'CIR-EPL-0001'" in msgs
    assert "devices[2].ports[3].name" in msgs


def test_schema_errors_unknown_keys_and_bad_yaml(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["devices"][0]["platform"] = "nokia_sros"
    data["circuits"][0]["rate_mbps"] = -5
    data["sites"][0]["colour"] = "red"
    errors = _errors(services, data)
    locs = {e["loc"] for e in errors}
    assert {"devices[0].platform", "circuits[0].rate_mbps", "sites[0].colour"} <= locs
    bad = _errors(services, "sites: [\n  - {id: x")
    assert bad[0]["loc"].startswith("line ")


def test_nothing_written_when_one_error_among_many_good_entities(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["circuits"][1]["customer"] = "CUST-GHOST"
    _errors(services, data)
    assert _counts(services) == {"Site": 0, "Device": 0, "Circuit": 0, "Segment": 0}


def test_lab_section_is_ignored(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["lab"] = {"segments": {"CIR-EPL-0001#0": {"actual_loss_db": 9.9}}}
    assert _import(services, data)["circuits"] == 2


def test_credentials_masked_in_reprs_and_logs(services, sample_inventory_text, caplog):
    caplog.set_level(logging.DEBUG)
    _import(services, sample_inventory_text)
    with services.session_factory() as s:
        devices = s.scalars(select(Device)).all()
        text = " ".join(repr(d) for d in devices) + caplog.text
    for secret in ("example-password", "example-ro", "example-auth-key", "example-priv-key", "example-enable"):
        assert secret not in text


def test_api_import_requires_admin_and_reports_errors(as_role, sample_inventory_text):
    r = as_role("duty_officer").post("/api/v1/inventory:import", content=sample_inventory_text)
    assert r.status_code == 403
    bad = sample_inventory_text.replace("customer: CUST-LOGI", "customer: CUST-NOPE")
    r = as_role("admin").post("/api/v1/inventory:import", content=bad)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert any(e["loc"] == "circuits[1].customer" for e in r.json()["errors"])
    r = as_role("admin").post("/api/v1/inventory:import", content=sample_inventory_text)
    assert r.status_code == 200 and r.json()["imported"]["circuits"] == 2
    circuit = as_role("noc").get("/api/v1/circuits/CIR-EPL-0001").json()
    assert [s["z"]["siteKind"] for s in circuit["segments"]] == ["access_room", "aggregation", "metro_egress", "province_exit"]
