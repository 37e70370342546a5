"""Inventory import: every error kind listed with its location, nothing written on error, round trip."""
from __future__ import annotations

import copy
import logging

import pytest
import yaml
from sqlalchemy import func, select

from agent.db import unit_of_work
from agent.errors import InventoryError
from agent.inventory import dump_yaml, export_inventory, import_inventory
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


# -- more error kinds -----------------------------------------------------------------------------
def _located(errors) -> dict[str, str]:
    return {e["loc"]: e["msg"] for e in errors}


def test_duplicate_site_and_customer_ids_are_listed(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    data["sites"].append({**data["sites"][1], "name": "again"})
    data["customers"].append({"id": data["customers"][0]["id"], "name": "another bank"})
    errors = _located(_errors(services, data))
    assert errors["sites[6].id"] == f"duplicate id {data['sites'][1]['id']!r} (first at sites[1])"
    assert errors["customers[2].id"] == "duplicate id 'CUST-BANK' (first at customers[0])"


def test_segment_on_one_port_at_both_ends_is_refused(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    seg = data["circuits"][0]["segments"][1]
    seg["z"] = dict(seg["a"])
    errors = _located(_errors(services, data))
    assert errors["circuits[0].segments[1]"] == "a segment cannot start and end on the same port"


def test_snmp_credentials_required_by_version(services, sample_inventory_text):
    data = yaml.safe_load(sample_inventory_text)
    by_name = {d["name"]: i for i, d in enumerate(data["devices"])}
    v2c, v3 = by_name["acc-east-sw1"], by_name["cpe-logi"]
    del data["devices"][v2c]["snmp"]["community"]
    del data["devices"][v3]["snmp"]["user"]
    del data["devices"][v3]["snmp"]["priv_key"]
    errors = _located(_errors(services, data))
    assert errors[f"devices[{v2c}].snmp.community"] == "SNMP v2c needs a community"
    assert errors[f"devices[{v3}].snmp.user"] == "SNMP v3 needs a user"
    assert errors[f"devices[{v3}].snmp.priv_key"] == "SNMP v3 with priv_protocol AES needs a priv_key"


SECRETS = ("example-password", "example-ro", "example-auth-key", "example-priv-key", "example-enable")


def test_api_import_with_errors_writes_nothing_and_echoes_no_secret(services, as_role, sample_inventory_text):
    r = as_role("admin").post("/api/v1/inventory:import", content=sample_inventory_text)
    assert r.status_code == 200
    for secret in SECRETS:
        assert secret not in r.text
    before = _counts(services)
    schema_bad = yaml.safe_load(sample_inventory_text)
    schema_bad["devices"][1]["snmp"]["auth_protocol"] = "example-auth-key"  # errors around secrets
    schema_bad["devices"][2]["cli"]["password"] = ["example-password"]
    r = as_role("admin").post("/api/v1/inventory:import", content=yaml.safe_dump(schema_bad, allow_unicode=True))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert {"devices[1].snmp.auth_protocol", "devices[2].cli.password"} <= {e["loc"] for e in r.json()["errors"]}
    for secret in SECRETS:
        assert secret not in r.text

    data = yaml.safe_load(sample_inventory_text)
    data["devices"][0]["mgmt_address"] = "198.51.100.99"  # good changes...
    data["sites"].append({"id": "NEW-SITE", "name": "新机房", "kind": "access_room"})
    data["circuits"][0]["segments"][0]["z"]["port"] = "Gi9/9"  # ...with one bad reference
    r = as_role("admin").post("/api/v1/inventory:import", content=yaml.safe_dump(data, allow_unicode=True))
    assert r.status_code == 422 and [e["loc"] for e in r.json()["errors"]] == ["circuits[0].segments[0].z.port"]
    assert _counts(services) == before
    with services.session_factory() as s:
        assert s.scalar(select(Device.mgmt_address).where(Device.name == data["devices"][0]["name"])) != "198.51.100.99"
        assert s.get(Site, "NEW-SITE") is None


def test_no_secret_in_sqlalchemy_engine_logs(services, as_role, sample_inventory_text, caplog):
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    _import(services, sample_inventory_text)
    assert as_role("admin").post("/api/v1/inventory:import", content=sample_inventory_text).status_code == 200
    assert "UPDATE device" in caplog.text or "INSERT INTO device" in caplog.text  # the engine did log the SQL...
    for secret in SECRETS:
        assert secret not in caplog.text  # ...but not its parameters


# -- export round trip and stored secrets -----------------------------------------------------------
def _distinct_secrets(sample_inventory_text) -> dict:
    """The sample with a different credential per device, so a kept secret is known to be its own."""
    data = yaml.safe_load(sample_inventory_text)
    for d in data["devices"]:
        if "community" in d.get("snmp", {}):
            d["snmp"]["community"] = f"ro-{d['name']}"
        d["cli"]["password"] = f"pw-{d['name']}"
        if "secret" in d["cli"]:
            d["cli"]["secret"] = f"en-{d['name']}"
    return data


def _stored_secrets(services) -> dict[str, tuple]:
    with services.session_factory() as s:
        return {d.name: (d.snmp_community, d.snmp_auth_key, d.snmp_priv_key, d.cli_password, d.cli_secret)
                for d in s.scalars(select(Device))}


def test_export_import_into_an_empty_database_exports_the_same(services, second_db_url, sample_inventory_text):
    from agent.db import make_engine, make_session_factory

    _import(services, _distinct_secrets(sample_inventory_text))
    with services.session_factory() as s:
        first = export_inventory(s, include_secrets=True)
    engine = make_engine(second_db_url)
    try:
        with unit_of_work(make_session_factory(engine)) as s:
            import_inventory(s, dump_yaml(first))
        with make_session_factory(engine)() as s:
            second = export_inventory(s, include_secrets=True)
    finally:
        engine.dispose()
    assert second == first
    assert {d["name"]: d["cli"]["password"] for d in second["devices"]}["agg-1"] == "pw-agg-1"


def test_reimporting_an_export_without_secrets_keeps_the_stored_ones(services, as_role, sample_inventory_text):
    _import(services, _distinct_secrets(sample_inventory_text))
    stored = _stored_secrets(services)
    exported = as_role("admin").get("/api/v1/inventory:export").text
    assert "pw-agg-1" not in exported and "ro-agg-1" not in exported
    r = as_role("admin").post("/api/v1/inventory:import", content=exported)
    assert r.status_code == 200, r.text
    assert _stored_secrets(services) == stored
    assert stored["cpe-logi"][1:3] == ("example-auth-key", "example-priv-key")


def test_a_written_null_clears_and_a_new_owner_drops_a_stored_secret(services, sample_inventory_text):
    _import(services, _distinct_secrets(sample_inventory_text))
    with services.session_factory() as s:
        data = export_inventory(s, include_secrets=False)
    by_name = {d["name"]: d for d in data["devices"]}
    by_name["metro-cr1"]["cli"]["secret"] = None  # written: clears the enable secret
    by_name["agg-1"]["cli"]["username"] = "someone-else"  # the stored password was not theirs
    by_name["cpe-logi"]["snmp"]["auth_protocol"] = "SHA256"  # the stored key was for SHA
    errors = _located(_errors(services, data))
    i = [d["name"] for d in data["devices"]].index("cpe-logi")
    assert errors == {f"devices[{i}].snmp.auth_key": "SNMP v3 with auth_protocol SHA256 needs an auth_key"}
    by_name["cpe-logi"]["snmp"]["auth_protocol"] = "SHA"
    _import(services, data)
    after = _stored_secrets(services)
    assert after["metro-cr1"][3:] == ("pw-metro-cr1", None)
    assert after["agg-1"][3] is None and after["agg-1"][0] == "ro-agg-1"
    assert after["cpe-logi"][1] == "example-auth-key"


def test_an_export_without_secrets_into_an_empty_database_names_each_missing_community(
        services, second_db_url, sample_inventory_text):
    from agent.db import make_engine, make_session_factory

    _import(services, sample_inventory_text)
    with services.session_factory() as s:
        exported = dump_yaml(export_inventory(s, include_secrets=False))
    engine = make_engine(second_db_url)
    try:
        with pytest.raises(InventoryError) as exc, unit_of_work(make_session_factory(engine)) as s:
            import_inventory(s, exported)
        with make_session_factory(engine)() as s:
            assert s.scalar(select(func.count()).select_from(Device)) == 0
    finally:
        engine.dispose()
    msgs = _located(exc.value.errors)
    assert sum(m == "SNMP v2c needs a community" for m in msgs.values()) == 5
    assert any(loc.endswith("snmp.auth_key") for loc in msgs)


def test_no_secret_in_an_echoing_engine_output(db_url, sample_inventory_text, caplog, capsys):
    from agent.db import make_engine, make_session_factory

    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    engine = make_engine(db_url, echo="debug")
    try:
        with unit_of_work(make_session_factory(engine)) as s:
            import_inventory(s, sample_inventory_text)
        with make_session_factory(engine)() as s:
            assert len(export_inventory(s, include_secrets=True)["devices"]) == 6  # reads the credential columns
    finally:
        engine.dispose()
    out = capsys.readouterr().out + caplog.text
    assert "FROM device" in out and "(values hidden)" in out
    for secret in SECRETS:
        assert secret not in out
