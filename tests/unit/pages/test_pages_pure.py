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
