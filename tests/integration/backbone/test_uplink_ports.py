"""Inventory port roles (issue 10 item 6): an uplink/egress port of a path device is validated, stored,
exported, and read with the circuit (its target carries it, its speed counts) without being a segment."""
from __future__ import annotations

import pytest
import yaml

from agent.db import unit_of_work
from agent.errors import InventoryError
from agent.inventory import export_inventory, import_inventory, resolve_circuit


def _with_role(text: str, role: str) -> str:
    inv = yaml.safe_load(text)
    agg = next(d for d in inv["devices"] if d["name"] == "agg-1")
    agg["ports"].append({"name": "xgei-0/1/0/9", "if_index": 109, "transceiver": "10GBASE-LR", "role": role})
    return yaml.safe_dump(inv, allow_unicode=True)


def test_an_uplink_port_is_read_with_the_circuit_but_is_no_segment(services, sample_inventory_text):
    with unit_of_work(services.session_factory) as s:
        import_inventory(s, _with_role(sample_inventory_text, "uplink"))
    with services.session_factory() as s:
        circuit_id = yaml.safe_load(sample_inventory_text)["circuits"][0]["id"]
        resolved = resolve_circuit(s, circuit_id)
        exported = export_inventory(s, include_secrets=False)
    assert [u.label for u in resolved.path.uplinks] == ["agg-1 xgei-0/1/0/9"]
    assert all("xgei-0/1/0/9" not in (seg.a.port, seg.z.port) for seg in resolved.path.segments)
    agg = next(t for t in resolved.targets if t.name == "agg-1")
    assert "xgei-0/1/0/9" in [p.name for p in agg.ports]
    assert resolved.speeds()[("agg-1", "xgei-0/1/0/9")] == 10000
    port = next(p for d in exported["devices"] if d["name"] == "agg-1" for p in d["ports"] if p["name"] == "xgei-0/1/0/9")
    assert port["role"] == "uplink"


def test_an_unknown_port_role_is_refused_and_nothing_imported(services, sample_inventory_text):
    with pytest.raises(InventoryError, match="role"):
        with unit_of_work(services.session_factory) as s:
            import_inventory(s, _with_role(sample_inventory_text, "backbone"))
    with services.session_factory() as s:
        assert export_inventory(s, include_secrets=False)["devices"] == []
