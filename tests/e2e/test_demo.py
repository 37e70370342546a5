"""`faultline demo --once` runs end to end (lab, agent, fault, ticket, diagnosis) and exits 0."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from faultline.server import free_port


@pytest.mark.slow
def test_demo_once_prints_the_diagnosis_and_exits_0(tmp_path):
    exe = Path(sys.executable).with_name("faultline")
    proc = subprocess.run([str(exe), "demo", "--once", "--port", str(free_port()), "--workdir", str(tmp_path)],
                          capture_output=True, text=True, timeout=240, env={**os.environ, "COLUMNS": "160"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "inventory imported from the lab: 9 devices, 6 circuits" in out
    assert "no_light_fiber_cut" in out  # the verdict the injected cut calls for
    assert "acc-a-sw1 XGigabitEthernet0/0/1 → agg-rtr1" in out  # and the segment it names
    assert (tmp_path / "demo.db").exists()
