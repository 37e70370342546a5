"""Loopback-only HTTP control endpoint of a running lab (for `faultline lab inject ...` and the demo).

Deliberately tiny (asyncio streams, JSON in and out, one request per connection):
  GET  /devices                      device table
  GET  /faults                       active faults
  GET  /port?device=D&port=P         the truth about one port
  GET  /circuit?id=C                 service state of a circuit
  POST /inject {"kind", "target", "params"}   -> {"fault_id"}
  POST /clear  {"fault_id": null|id, "target": null|target}   -> {"cleared": [...]}
  POST /loop   {"device", "port", "mode": "local"|"remote"|null}
  POST /advance {"seconds"}                    jump simulated time
Errors answer 400 (bad request) or 404 (unknown target) with {"error": text}.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from enum import Enum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lab.errors import LabError, LabStateError, UnknownTarget
from lab.lab import Lab

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024


def _jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


class ControlServer:
    def __init__(self, lab: Lab, host: str = "127.0.0.1", port: int = 18180) -> None:
        if not host.startswith("127.") and host != "::1":
            raise LabStateError("the control endpoint listens on loopback only")
        self.lab, self.host, self.port = lab, host, port
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, body = await self._request(reader)
        except Exception as exc:  # never let a bad request kill the lab
            log.exception("control request failed")
            status, body = 500, {"error": str(exc)}
        data = json.dumps(_jsonable(body), ensure_ascii=False).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}[status]
        writer.write(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()

    async def _request(self, reader: asyncio.StreamReader) -> tuple[int, Any]:
        request_line = (await reader.readline()).decode("latin-1").strip()
        method, _, rest = request_line.partition(" ")
        target = rest.split(" ")[0]
        length = 0
        while True:
            line = (await reader.readline()).decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value.strip() or 0)
        if length > MAX_BODY:
            return 400, {"error": "request body too large"}
        raw = await reader.readexactly(length) if length else b""
        try:
            payload = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            return 400, {"error": f"invalid JSON: {exc}"}
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        try:
            return 200, self._route(method, url.path, query, payload)
        except UnknownTarget as exc:
            return 404, {"error": str(exc)}
        except (LabError, KeyError, TypeError, ValueError) as exc:
            return 400, {"error": str(exc)}

    def _route(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> Any:
        lab = self.lab
        if method == "GET" and path == "/devices":
            return [dict(_jsonable(d), snmp=d.snmp, ssh=d.ssh) for d in lab.devices]
        if method == "GET" and path == "/faults":
            return lab.faults()
        if method == "GET" and path == "/port":
            return lab.port_state(query["device"], query["port"])
        if method == "GET" and path == "/circuit":
            return lab.circuit_state(query["id"])
        if method == "POST" and path == "/inject":
            return {"fault_id": lab.inject(body["kind"], body["target"], **(body.get("params") or {}))}
        if method == "POST" and path == "/clear":
            return {"cleared": lab.clear(body.get("fault_id"), target=body.get("target"))}
        if method == "POST" and path == "/loop":
            lab.set_loop(body["device"], body["port"], body.get("mode"))
            return lab.port_state(body["device"], body["port"])
        if method == "POST" and path == "/advance":
            return {"events": len(lab.advance(float(body["seconds"])))}
        raise UnknownTarget(f"no route {method} {path}")
