"""Loopback addresses and ports for one test run: random, because several engineers run suites at once
on one machine and a fixed address would make their runs meet."""
from __future__ import annotations

import random
import socket


def random_block() -> str:
    """A random 127.x.y /24 block (the lab puts one device on each of its addresses)."""
    return f"127.{random.randint(100, 250)}.{random.randint(1, 254)}"


def random_loopback() -> str:
    """One random 127.x.y.z address."""
    return f"127.{random.randint(20, 250)}.{random.randint(0, 255)}.{random.randint(2, 250)}"


def free_udp_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_tcp_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
