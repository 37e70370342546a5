"""Triage wiring against the lab: an agent per test (API + triage over the real collectors) on its own
database, the shared module lab of tests/conftest.py as the network."""
from __future__ import annotations

import socket

import pytest


@pytest.fixture
def silent_endpoint():
    """A UDP port and a TCP port on loopback that take packets and connections and never answer: a
    device whose management address points there is silent (no SNMP reply, no SSH banner)."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(16)
    try:
        yield "127.0.0.1", udp.getsockname()[1], tcp.getsockname()[1]
    finally:
        udp.close()
        tcp.close()
