"""The lab's SSH CLI under type-ahead: echo, output and prompt of each line come out together and in
input order, like a device's CLI task. asyncssh's line editor echoed every Enter on arrival, so two
Enters in one packet gave "\\r\\n\\r\\n<H><H>", which netmiko's find_prompt took for the prompt (and then
hung until its read timeout) whenever the lab's event loop was busy."""
from __future__ import annotations

import asyncio
import time

import asyncssh
import pytest

from lab import Lab

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _read_until(process: asyncssh.SSHClientProcess, done, timeout: float = 10.0) -> str:
    out = ""
    deadline = time.monotonic() + timeout
    while not done(out):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no complete answer within {timeout}s; got {out!r}")
        try:
            out += await asyncio.wait_for(process.stdout.read(4096), remaining)
        except TimeoutError:
            pass
    return out


async def _shell(lab: Lab, device: str) -> tuple[asyncssh.SSHClientConnection, asyncssh.SSHClientProcess]:
    ep = lab.device(device)
    conn = await asyncssh.connect(ep.host, ep.ssh_port, username=ep.username, password=ep.password,
                                  known_hosts=None)
    process = await conn.create_process(term_type="vt100")
    return conn, process


@pytest.mark.parametrize(("device", "prompt"), [("cpe-bank-1", "<cpe-bank-1>"), ("agg-rtr1", "agg-rtr1#"),
                                                ("acc-b-sw1", "acc-b-sw1#")])
async def test_enters_typed_ahead_each_get_their_own_prompt_line(lab: Lab, device: str, prompt: str) -> None:
    conn, process = await _shell(lab, device)
    try:
        await _read_until(process, lambda o: o.endswith(prompt))
        process.stdin.write("\n\n\n")  # one packet, as netmiko's find_prompt retry produces
        out = await _read_until(process, lambda o: o.count(prompt) >= 3)
        assert out == f"\r\n{prompt}" * 3
    finally:
        conn.close()


async def test_commands_typed_ahead_answer_in_order_with_their_echo(lab: Lab) -> None:
    conn, process = await _shell(lab, "cpe-bank-1")
    try:
        await _read_until(process, lambda o: o.endswith("<cpe-bank-1>"))
        # a typo erased with DEL, then two commands in one packet
        process.stdin.write("screen-lengthX\x7f 0 temporary\ndisplay clock\n")
        out = await _read_until(process, lambda o: o.count("<cpe-bank-1>") >= 2)
        first, second, tail = out.split("<cpe-bank-1>")
        assert first.startswith("screen-lengthX\b \b 0 temporary\r\nInfo: ")
        assert second.startswith("display clock\r\n") and len(second.splitlines()) > 1
        assert tail == ""
    finally:
        conn.close()
