"""The inventory in its import format (a file to re-import, or a read for the API without credentials)."""
from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from agent.models import Circuit, Customer, Device, Site


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def export_inventory(session: Session, *, include_secrets: bool) -> dict[str, Any]:
    """The whole inventory in the import format; secrets only when asked (the CLI, never the API)."""
    out: dict[str, Any] = {"version": 1, "sites": [], "devices": [], "customers": [], "circuits": []}
    for s in session.scalars(select(Site).order_by(Site.id)):
        out["sites"].append({"id": s.id, "name": s.name, "kind": s.kind,
                             **({"region": s.region} if s.region != "default" else {})})
    for d in session.scalars(select(Device).options(selectinload(Device.ports)).order_by(Device.name)):
        dev: dict[str, Any] = {"name": d.name, "site": d.site_id, "platform": d.platform, "mgmt_address": d.mgmt_address}
        if d.snmp_version:
            dev["snmp"] = _drop_none({
                "version": d.snmp_version, "port": d.snmp_port, "user": d.snmp_user,
                "auth_protocol": d.snmp_auth_protocol, "priv_protocol": d.snmp_priv_protocol,
                **({"community": d.snmp_community, "auth_key": d.snmp_auth_key, "priv_key": d.snmp_priv_key} if include_secrets else {}),
            })
        if d.cli_device_type:
            dev["cli"] = _drop_none({
                "device_type": d.cli_device_type, "port": d.cli_port, "username": d.cli_username,
                **({"password": d.cli_password, "secret": d.cli_secret} if include_secrets else {}),
            })
        dev["ports"] = [_drop_none({
            "name": p.name, "if_index": p.if_index, "transceiver": p.transceiver, "wavelength_nm": p.wavelength_nm,
            "rx_sensitivity_dbm": p.rx_sensitivity_dbm, "rx_overload_dbm": p.rx_overload_dbm, "role": p.role,
        }) for p in d.ports]
        out["devices"].append(dev)
    for c in session.scalars(select(Customer).order_by(Customer.id)):
        out["customers"].append(_drop_none({"id": c.id, "name": c.name, "contact": c.contact}))
    circuits = select(Circuit).options(selectinload(Circuit.segments)).order_by(Circuit.id)
    for cir in session.scalars(circuits):
        out["circuits"].append(_drop_none({
            "id": cir.id, "customer": cir.customer_id, "service_type": cir.service_type, "rate_mbps": cir.rate_mbps,
            "lead_office": cir.lead_office, "cooperating_office": cir.cooperating_office,
            "segments": [{
                "a": {"device": s.a_port.device.name, "port": s.a_port.name},
                "z": {"device": s.z_port.device.name, "port": s.z_port.name},
                "length_km": s.length_km, "connectors": s.connectors, "splices": s.splices,
            } for s in cir.segments],
        }))
    return out


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
