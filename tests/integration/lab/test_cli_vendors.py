"""Per vendor: netmiko connects to the lab over real SSH with its stock device type, runs every
supported command, and the outputs parse with the ntc-templates that parse the real captures;
the values parsed equal the model's truth."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from lab import Lab, LoopMode
from lab.ssh.server import SHELLS
from lab.ssh.shell import DeviceContext

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _label_order(text: str) -> list[str]:
    return [line.split(":")[0].strip() for line in text.splitlines() if ":" in line and line.startswith("  ")]


async def test_huawei_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    parsed = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei_vrp", [
        "display interface GigabitEthernet0/0/1", "display interface", "display interface brief"], True)
    one = parsed["display interface GigabitEthernet0/0/1"]
    assert isinstance(one, list) and len(one) == 1
    truth = lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1")
    assert one[0]["interface"] == "GigabitEthernet0/0/1"
    assert one[0]["link_status"] == ("UP" if truth.oper_up else "DOWN")
    assert one[0]["speed"] == "1000" and one[0]["duplex"] == "FULL" and one[0]["loopback"] == "NONE"
    every = parsed["display interface"]
    assert [r["interface"] for r in every] == [p.name for p in lab.topology.devices["acc-a-sw1"].ports]
    brief = {r["interface"]: r for r in parsed["display interface brief"]}
    assert brief["GigabitEthernet0/0/4"]["phy"] == "down"  # spare port without fiber
    assert brief["GigabitEthernet0/0/1"]["phy"] == "up"


async def test_huawei_untemplated_commands_follow_real_captures(lab: Lab, tools, fixtures_dir: Path) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", [
        "display transceiver interface GigabitEthernet0/0/1 verbose", "display alarm active",
        "display alarm history", "dispaly interface", "screen-length 0 temporary"], False)
    capture = (fixtures_dir / "cli/huawei_vrp/display_transceiver_verbose/misc-one-liners_s5730_10g-er_rx-los.raw"
               ).read_text(encoding="utf-8", errors="replace")
    ours = raw["display transceiver interface GigabitEthernet0/0/1 verbose"]
    # same labels in the same order as the real S5730 capture (bar the mojibake degree sign)
    strip = lambda labels: [re.sub(r"\(.*C\)", "(C)", x) for x in labels]  # noqa: E731
    assert strip(_label_order(ours)) == strip(_label_order(capture))
    rx = float(re.search(r"RX Power\(dBM\)\s+:(-?\d+\.\d+)", ours).group(1))
    assert rx == pytest.approx(lab.port_state("acc-a-sw1", "GigabitEthernet0/0/1").rx_dbm, abs=0.005)
    assert raw["display alarm active"].startswith("A/B/C/D/E/F/G/H/I/J")  # the VRP legend before the rows
    assert "Error: Unrecognized command found at '^' position." in raw["dispaly interface"]
    assert raw["screen-length 0 temporary"].startswith("Info:")


async def test_cisco_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    fid = lab.inject("fiber_cut", "agg-rtr1:TenGigabitEthernet1/1/2")  # gives `show logging` some history
    lab.clear(fid)
    parsed = await asyncio.to_thread(tools.run_commands, lab, "agg-rtr1", "cisco_ios", [
        "show interfaces TenGigabitEthernet1/1/1", "show interfaces", "show interface transceiver",
        "show logging"], True)
    one = parsed["show interfaces TenGigabitEthernet1/1/1"][0]
    assert one["interface"] == "TenGigabitEthernet1/1/1" and one["link_status"] == "up"
    assert one["duplex"] == "Full-duplex" and one["speed"] == "10Gb/s"
    assert len(parsed["show interfaces"]) == 3
    xcvr = {r["interface"]: r for r in parsed["show interface transceiver"]}
    truth = lab.port_state("agg-rtr1", "TenGigabitEthernet1/1/1")
    assert float(xcvr["Te1/1/1"]["rx_pwr"]) == pytest.approx(truth.rx_dbm, abs=0.05)
    assert float(xcvr["Te1/1/1"]["tx_pwr"]) == pytest.approx(truth.tx_dbm, abs=0.05)
    logs = parsed["show logging"]
    mnemonics = {(r["facility"], r["mnemonic"]) for r in logs}
    assert ("LINK", "UPDOWN") in mnemonics and ("LINEPROTO", "UPDOWN") in mnemonics
    assert any("TenGigabitEthernet1/1/2, changed state to down" in " ".join(r["message"]) for r in logs)


async def test_cisco_raw_loopback_field_and_invalid_input(lab: Lab, tools) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "cpe-hosp-1", "cisco_ios", [
        "show interfaces GigabitEthernet0/1", "show interfacez", "terminal length 0"], False)
    assert "Encapsulation ARPA, loopback not set" in raw["show interfaces GigabitEthernet0/1"]
    assert "% Invalid input detected at '^' marker." in raw["show interfacez"]


async def test_zte_commands_parse_with_ntc_templates(lab: Lab, tools) -> None:
    parsed = await asyncio.to_thread(tools.run_commands, lab, "acc-b-sw1", "zte_zxros", [
        "show interface gei-1/1/0/1", "show interface", "show interface brief"], True)
    one = parsed["show interface gei-1/1/0/1"][0]
    assert one["interface"] == "gei-1/1/0/1" and one["link_status"] == "up" and one["interface_index"] == "8193"
    assert len(parsed["show interface"]) == 4
    brief = {r["interface"]: r for r in parsed["show interface brief"]}
    assert brief["xgei-1/1/0/49"]["bw"] == "10G" and brief["xgei-1/1/0/49"]["physical"] == "up"


async def test_zte_optical_info_matches_truth(lab: Lab, tools) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "prov-exit1", "zte_zxros", [
        "show opticalinfo xgei-1/1/0/1", "show interface xgei-1/1/0/9"], False)
    rx = float(re.search(r"RxPower\(dBm\)\s+:\s+(-?\d+\.\d+)", raw["show opticalinfo xgei-1/1/0/1"]).group(1))
    assert rx == pytest.approx(lab.port_state("prov-exit1", "xgei-1/1/0/1").rx_dbm, abs=0.005)
    assert "Invalid input" in raw["show interface xgei-1/1/0/9"]


async def test_huawei_transceiver_diagnosis_follows_real_capture(lab: Lab, tools, fixtures_dir: Path) -> None:
    raw = await asyncio.to_thread(tools.run_commands, lab, "acc-a-sw1", "huawei", [
        "display transceiver diagnosis interface XGigabitEthernet0/0/1"], False)
    ours = next(iter(raw.values())).splitlines()
    capture = (fixtures_dir / "cli/huawei_vrp/display_transceiver_diagnosis_interface/"
               "misc-one-liners_s5730_xge0-0-1_rx-abnormal.raw").read_text(encoding="utf-8", errors="replace").splitlines()
    assert ours[1:4] == capture[1:4]  # the same header
    assert [ln.split()[0][:4] for ln in ours[4:9]] == [ln.split()[0][:4] for ln in capture[4:9]]
    rx = float(next(ln for ln in ours if ln.startswith("RxPower")).split()[1])
    assert rx == pytest.approx(lab.port_state("acc-a-sw1", "XGigabitEthernet0/0/1").rx_dbm, abs=0.005)


async def test_cisco_enable_secret_when_the_topology_sets_one(tools) -> None:
    """With `cli.secret`, IOS logs in at user EXEC and netmiko's enable() must give the secret."""
    import random

    import yaml
    from netmiko import ConnectHandler

    from lab import DEFAULT_TOPOLOGY

    data = yaml.safe_load(DEFAULT_TOPOLOGY.read_text(encoding="utf-8"))
    next(d for d in data["devices"] if d["name"] == "cpe-hosp-1")["cli"]["secret"] = "En@ble1"
    small = Lab.load(data, address_block=f"127.{random.randint(100, 250)}.{random.randint(1, 254)}",
                     snmp_port=random.randint(20000, 40000), ssh_port=random.randint(40001, 60000))
    async with small:
        ep = small.device("cpe-hosp-1")

        def session(secret: str) -> tuple[str, str]:
            conn = ConnectHandler(device_type="cisco_ios", host=ep.host, port=ep.ssh_port, username=ep.username,
                                  password=ep.password, secret=secret)
            try:
                before = conn.find_prompt()
                conn.enable()
                out = conn.send_config_set(["interface GigabitEthernet0/1", "loopback remote"])
                return before, out
            finally:
                conn.disconnect()

        def user_exec_exit() -> bool:
            """`exit` at user EXEC (the table's user-mode entry) ends the session."""
            conn = ConnectHandler(device_type="cisco_ios", host=ep.host, port=ep.ssh_port, username=ep.username,
                                  password=ep.password, secret="En@ble1")
            try:
                assert conn.find_prompt() == "cpe-hosp-1>"
                conn.remote_conn.settimeout(10)
                conn.write_channel("exit" + conn.RETURN)
                while conn.remote_conn.recv(4096):
                    pass
                return conn.remote_conn.closed or conn.remote_conn.exit_status_ready()
            finally:
                conn.disconnect()

        before, out = await asyncio.to_thread(session, "En@ble1")
        assert before == "cpe-hosp-1>" and "cpe-hosp-1(config-if)#" in out
        assert await asyncio.to_thread(user_exec_exit)
        assert small.port_state("cpe-hosp-1", "GigabitEthernet0/1").loop is not None
        with pytest.raises(ValueError):
            await asyncio.to_thread(session, "wrong")


# ---- every command of every shell's table, over netmiko -------------------------------------------
VENDOR_ERROR = re.compile(r"^\s*(Error:|% ?(Invalid|Incomplete|Ambiguous|Access denied|Unknown)|%Error)", re.M)
LOOP_EXPECT = {"local": LoopMode.LOCAL, "mac": LoopMode.LOCAL, "driver": LoopMode.LOCAL, "internal": LoopMode.LOCAL,
               "remote": LoopMode.REMOTE, "line": LoopMode.REMOTE, "external": LoopMode.REMOTE}
# (device, netmiko device type, port for show/display, port the loops are set on)
EVERY_COMMAND = {
    "huawei": ("acc-a-sw1", "huawei", "GigabitEthernet0/0/1", "GigabitEthernet0/0/4"),
    "cisco": ("agg-rtr1", "cisco_ios", "TenGigabitEthernet1/1/1", "TenGigabitEthernet1/1/2"),
    "zte": ("acc-b-sw1", "zte_zxros", "gei-1/1/0/1", "gei-1/1/0/3"),
}


def _expand(words: str, port: str) -> list[str]:
    """Every concrete command of a table entry: ports substituted, optional words with and without."""
    variants = [""]
    for word in words.split():
        if word.startswith("["):
            opt = word.strip("[]")
            variants = [v for base in variants for v in (base, f"{base} {opt}")]
        else:
            value = port if word == "{port}" else "511" if word == "{width}" else word
            variants = [f"{v} {value}" for v in variants]
    return [v.strip() for v in variants]


def _logout_words(shell) -> set[str]:  # type: ignore[no-untyped-def]
    """Exec-mode entries that end the session (probed on a throw-away copy of the shell)."""
    out = set()
    for mode, words, _ in shell.commands():
        if mode == "exec":
            probe = type(shell)(shell.ctx)
            probe.handle(words)
            if probe.closed:
                out.add(words)
    return out


def _plan(lab: Lab, device: str, show_port: str, loop_port: str) -> tuple[list[tuple[str, str, str]], set[tuple[str, str]]]:
    """(command, mode it runs in, table words) for every entry reachable without an enable secret,
    in an order that walks exec -> configuration -> interface and back; and the entries left out."""
    spec = lab.topology.devices[device]
    ctx = DeviceContext(spec, 1, lab.model, lab.events, lab.clock, lambda *_: None)
    shell = SHELLS[spec.vendor](ctx)
    entries = shell.commands()
    logout = _logout_words(shell)
    steps: list[tuple[str, str, str]] = []
    covered: set[tuple[str, str]] = set()

    def add(mode: str, words: str, port: str, table_mode: str | None = None) -> None:
        for cmd in _expand(words, port):
            steps.append((cmd, mode, words))
        covered.add((table_mode or mode, words))

    def changes_mode(mode: str, words: str) -> bool:
        probe = type(shell)(ctx)
        probe.mode, probe.current_port = mode, loop_port if mode == "interface" else None
        probe.handle(_expand(words, loop_port)[0])
        return probe.mode != mode or probe.closed

    for mode, words, _ in entries:  # exec first: what reads the device
        if mode in ("*", "exec") and words not in logout and not changes_mode("exec", words):
            add("exec", words, show_port, mode)
    enter_config = next(w for m, w, _ in entries if m == "exec" and w not in logout and changes_mode("exec", w))
    config_mode = shell.config_mode
    enter_if = next(w for m, w, _ in entries if m == config_mode and "{port}" in w)
    to_exec = [w for m, w, _ in entries if m == "*" and changes_mode("interface", w)]
    leave_if = [w for m, w, _ in entries if m == "interface" and "{port}" not in w and changes_mode("interface", w)]
    leave_config = [w for m, w, _ in entries if m == config_mode and "{port}" not in w and changes_mode(config_mode, w)]
    loops = [w for m, w, _ in entries if m == "interface" and "{port}" not in w and not changes_mode("interface", w)]
    # exec -> config -> interface: every loop command, each followed by the undo ...
    undo = next(w for w in loops if w.split()[0] in ("no", "undo"))
    add("exec", enter_config, loop_port)
    add(config_mode, enter_if, loop_port)
    for words in loops:
        if words != undo:
            add("interface", words, loop_port)
            add("interface", undo, loop_port)
    add("interface", next(w for m, w, _ in entries if m == "interface" and "{port}" in w), loop_port)
    # ... then every way back: interface -> config -> exec, and interface -> exec at once
    for words in leave_if:
        add("interface", words, loop_port)
        for back in leave_config:
            add(config_mode, back, loop_port)
        add("exec", enter_config, loop_port)
        add(config_mode, enter_if, loop_port)
    for words in to_exec:
        add("interface", words, loop_port, "*")
        add("exec", enter_config, loop_port)
        add(config_mode, enter_if, loop_port)
    add("interface", to_exec[0], loop_port, "*")
    missing = {(m, w) for m, w, _ in entries} - covered - {("exec", w) for w in logout}
    return steps, missing


def _run_every_command(lab: Lab, device: str, device_type: str, show_port: str, loop_port: str) -> dict[str, object]:
    from netmiko import ConnectHandler

    steps, missing = _plan(lab, device, show_port, loop_port)
    spec = lab.topology.devices[device]
    mirror = SHELLS[spec.vendor](DeviceContext(spec, 1, lab.model, lab.events, lab.clock, lambda *_: None))
    ep = lab.device(device)
    conn = ConnectHandler(device_type=device_type, host=ep.host, port=ep.ssh_port, username=ep.username,
                          password=ep.password)
    outputs: dict[str, str] = {}
    loops_seen: list[tuple[str, object]] = []
    try:
        for cmd, mode, words in steps:
            assert mirror.mode == mode, (cmd, mirror.mode, mode)
            mirror.handle(cmd)  # where the device should be afterwards: its prompt is what we wait for
            out = conn.send_command(cmd, expect_string=re.escape(mirror.prompt()), read_timeout=20)
            outputs[cmd] = out
            if words.startswith(("loopback", "no loopback", "undo loopback")):
                loops_seen.append((cmd, lab.port_state(device, loop_port).loop))
    finally:
        conn.disconnect()
    # the logout commands, each on its own session: the device closes the channel
    closed = {}
    for words in sorted(_logout_words(mirror)):
        conn = ConnectHandler(device_type=device_type, host=ep.host, port=ep.ssh_port, username=ep.username,
                              password=ep.password)
        try:
            conn.remote_conn.settimeout(10)
            conn.write_channel(words + conn.RETURN)
            while conn.remote_conn.recv(4096):
                pass
            closed[words] = conn.remote_conn.closed or conn.remote_conn.exit_status_ready()
        finally:
            conn.disconnect()
    return {"outputs": outputs, "loops": loops_seen, "missing": missing, "closed": closed}


@pytest.mark.parametrize("vendor", list(EVERY_COMMAND))
async def test_every_command_of_the_shell_runs_over_netmiko(lab: Lab, vendor: str) -> None:
    device, device_type, show_port, loop_port = EVERY_COMMAND[vendor]
    result = await asyncio.to_thread(_run_every_command, lab, device, device_type, show_port, loop_port)
    outputs: dict[str, str] = result["outputs"]  # type: ignore[assignment]
    for cmd, out in outputs.items():
        assert not VENDOR_ERROR.search(out), (cmd, out[:400])
        if cmd.split()[0] in ("display", "show"):
            assert out.strip(), cmd
    for cmd, state in result["loops"]:  # type: ignore[union-attr]
        words = cmd.split()
        expected = None if words[0] in ("no", "undo") else LOOP_EXPECT.get(words[-1], LoopMode.LOCAL)
        assert state is expected, (cmd, state)
    assert lab.port_state(device, loop_port).loop is None
    assert result["closed"] and all(result["closed"].values()), result["closed"]  # type: ignore[union-attr]
    # only Cisco's user-EXEC entries stay out: they exist with cli.secret, test_cisco_enable_secret_... runs them
    assert {m for m, _ in result["missing"]} <= {"user"}, result["missing"]  # type: ignore[union-attr]
    must = {
        "huawei": [f"display transceiver interface {show_port}", f"display transceiver interface {show_port} verbose",
                   "display transceiver verbose", "display transceiver", "display alarm active",
                   "display alarm history", "loopback local", "loopback remote", "undo loopback"],
        "cisco": ["show interfaces transceiver", "show interface transceiver", "show clock", "show logging",
                  "loopback local", "loopback remote", "loopback line", "loopback mac", "loopback driver",
                  "loopback", "no loopback"],
        "zte": [f"show opticalinfo {show_port}", "show opticalinfo", "show alarm current", "show alarm history",
                "loopback internal", "loopback external", "loopback local", "loopback remote", "no loopback"],
    }[vendor]
    assert set(must) <= set(outputs), set(must) - set(outputs)
    if vendor == "huawei":  # without `verbose`, VRP prints the inventory blocks only, like the real S5730
        assert "RX Power(dBM)" not in outputs[f"display transceiver interface {show_port}"]
        assert "RX Power(dBM)" in outputs[f"display transceiver interface {show_port} verbose"]
