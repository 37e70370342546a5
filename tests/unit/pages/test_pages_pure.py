"""The console's pure parts: the session cookie, the form adapter, the evidence ordering, the draft."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from api.pages.actions import FORMS
from api.pages.drafts import deciding_evidence, progress_draft
from api.pages.session import SESSION_TTL, SessionSigner, csrf_matches

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_session_cookie_round_trip_forgery_and_expiry():
    signer = SessionSigner(b"k" * 32)
    cookie, session = signer.issue(7, "hash-of-token", NOW)
    back = signer.read(cookie, NOW + timedelta(hours=1))
    assert back == session and back.user_id == 7 and back.expires_at == NOW + SESSION_TTL
    body, mac = cookie.split(".")
    assert signer.read(body[:-2] + "xx." + mac, NOW) is None  # altered payload
    assert SessionSigner(b"o" * 32).read(cookie, NOW) is None  # another secret
    assert signer.read(cookie, NOW + SESSION_TTL + timedelta(seconds=1)) is None  # expired
    assert signer.read("garbage", NOW) is None and signer.read(None, NOW) is None


def test_csrf_must_be_given_and_equal():
    assert csrf_matches("abc", "abc")
    assert not csrf_matches("abc", "abd") and not csrf_matches("abc", None) and not csrf_matches("", "")


def test_forms_validate_with_the_api_models():
    dispatch = FORMS["dispatch"].parse({"specialty": " 传输 ", "contractor": "代维一队", "note": ""})
    assert (dispatch.specialty, dispatch.contractor, dispatch.note) == ("传输", "代维一队", None)
    with pytest.raises(ValidationError) as err:
        FORMS["dispatch"].parse({"specialty": "", "contractor": "x"})
    assert err.value.errors()[0]["loc"] == ("specialty",)
    suspension = FORMS["request_suspension"].parse({"reason": "用户机房停电", "localFault": "on"})
    assert suspension.local_fault is True and suspension.customer_consent is False


DIAGNOSIS = {
    "made_at": "2026-03-02T08:00:00+00:00", "summary_zh": "段1 无光", "summary_en": "segment 1 dark",
    "evidence": [
        {"name": "oper_status", "value": "up", "unit": "", "assessment": "ok", "device": "a", "port": "p1"},
        {"name": "rx_margin_db", "value": -25.6, "unit": "dB", "assessment": "warn", "device": "a", "port": "p2"},
        {"name": "rx_power_dbm", "value": -40.0, "unit": "dBm", "assessment": "fault", "device": "a", "port": "p2",
         "limit": -14.4, "threshold": "sensitivity"},
    ],
}


def test_deciding_evidence_puts_faults_then_warnings_first():
    deciding, rest = deciding_evidence(DIAGNOSIS)
    assert [e["name"] for e in deciding] == ["rx_power_dbm", "rx_margin_db"]
    assert [e["name"] for e in rest] == ["oper_status"]


def test_progress_draft_names_the_latest_faulty_readings_in_local_time():
    draft = progress_draft(DIAGNOSIS, "zh", "Asia/Shanghai")
    assert draft.startswith("最新检测 03-02 16:00: 段1 无光")
    assert "rx_power_dbm -40.0 dBm 于 a p2 (限值 -14.4: sensitivity)" in draft
    assert "oper_status" not in draft
    assert progress_draft(None) == ""


def _clock(kind, state, due_in=None, warn_in=None, met=False, remaining=None):
    from api.pages.board_view import clock_of

    due = NOW + timedelta(seconds=due_in) if due_in is not None else None
    warn = NOW + timedelta(seconds=warn_in) if warn_in is not None else None
    return clock_of((kind, state, due, warn, NOW if met else None, remaining))


def test_chips_carry_the_deadline_and_the_time_left_now():
    from api.pages.chips import ChipWriter, left
    from api.pages.i18n import translator

    w = ChipWriter(translator("zh"))
    live = w.chip(_clock("sign", "running", due_in=599, warn_in=299, remaining=9999), NOW)
    due = int((NOW + timedelta(seconds=599)).timestamp())
    assert live == (f'<span data-clock="sign" data-state="running" data-due="{due}" data-amber="300"><b>签收</b> '
                    f'<time>9:59</time></span>')  # the time left from the deadline, not the stored remainder
    assert 'data-amber="600"' in w.chip(_clock("progress", "running", due_in=1800), NOW)  # no warning: 10 min before
    assert "已暂停 · 剩余 4:10" in w.chip(_clock("resolution", "paused", remaining=250), NOW)
    assert w.chip(_clock("sign", "met", due_in=-5, met=True), NOW).endswith("<b>签收</b> 已达标</span>")
    late = w.chip(_clock("contact_feedback", "breached", due_in=-42), NOW)
    assert 'data-state="breached"' in late and "<time>-0:42</time>" in late
    assert (left(3725), left(-59), left(None)) == ("1:02:05", "-0:59", "—")


def test_board_rows_escape_what_comes_from_outside():
    from zoneinfo import ZoneInfo

    from api.pages.board_view import BoardRow
    from api.pages.chips import board_rows_html
    from api.pages.i18n import translator

    row = BoardRow(7, "EXT<1>", "CIR/1#a", '<script>alert("x")</script>', "interruption", "down", "acknowledged", NOW,
                   [_clock("sign", "running", due_in=60)], NOW + timedelta(seconds=60), problem_id=3)
    html = str(board_rows_html([row], translator("en"), NOW, ZoneInfo("Asia/Shanghai")))
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'href="/circuits/CIR%2F1%23a"' in html and ">CIR/1#a<" in html and "EXT&lt;1&gt;" in html
    assert 'data-ticket="7" data-problem="3"' in html and ">Problem #3</a>" in html
    assert "<td>16:01:00</td>" in html  # the next deadline in Asia/Shanghai


def test_loop_plan_is_the_latest_triage_diagnosis_one():
    from api.pages.loop_view import _plan

    triage = {"verdict": "no_light_fiber_cut", "loop_plan": [{"order": 1, "device": "a", "port": "p"}]}
    by_loops = {"verdict": "loop_fault_segment", "basis": "loop_test", "playbook": "loop_test"}
    assert _plan([triage, by_loops]) == triage["loop_plan"]
    assert _plan([by_loops]) == [] and _plan([]) == []
