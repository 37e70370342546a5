"""One entry per verdict: its title (zh/en), its recommended actions and its priority in each playbook.

Adding a verdict means adding its `Verdict` member (diagnosis.enums) and one `VerdictEntry` here; the
tables the rest of the package reads (`VERDICT_TITLES`, each playbook's `PRIORITY`, the segment
faults listed as suspected, the actions of a finding) are derived from `REGISTRY`.
`tests/unit/diagnosis/test_verdicts.py` checks that every verdict has exactly one complete entry.

- `actions`: the recommended actions, in the order the duty officer takes them (texts in
  `diagnosis.wording.ACTION_TEXTS`). With `per_finding`, they are given for every finding of the
  verdict, filled with that finding's port, segment and values (`diagnosis.actions.actions_for`);
  otherwise the verdict is a conclusion the playbook reaches when no rule fired (or one whose action
  needs the whole picture: cutover references, unread devices), and the playbook adds them.
- `ranks`: where findings of the verdict rank when several rules fire (lower first), per playbook;
  a verdict without a rank in a playbook is never one of its findings there. The order follows
  DOMAIN.md: rule the customer side out first (interruption-1), hard faults of a segment before
  quality faults, an unreadable neighbour before what it may hide, and a contradiction after every
  fault that consistent readings establish (issue 10 item 5: a doubt does not outrank a fact, but it
  does outrank "no fault found").
- `segment_fault`: a finding that points at its segment strongly enough to list the segment as
  suspected even when it is not the primary verdict.
"""
from __future__ import annotations

from dataclasses import dataclass

from diagnosis.enums import ActionCode, Playbook, Verdict

A = ActionCode
P1, P2, P3 = Playbook.ASSIST_ALARMS, Playbook.ASSIST_QUALITY, Playbook.INTERRUPTION


@dataclass(frozen=True)
class VerdictEntry:
    verdict: Verdict
    title_zh: str
    title_en: str
    actions: tuple[ActionCode, ...]
    ranks: tuple[tuple[Playbook, int], ...] = ()
    per_finding: bool = True
    segment_fault: bool = False

    def rank(self, playbook: Playbook) -> int | None:
        return dict(self.ranks).get(playbook)


ENTRIES: tuple[VerdictEntry, ...] = (
    # --- playbook 1: assist-check, interruption or flap ------------------------------------------
    VerdictEntry(Verdict.NO_ALARM_REQUEST_RETURN, "无历史告警，申请返单", "No historical alarm: request return",
                 (A.REQUEST_RETURN,), per_finding=False),
    VerdictEntry(Verdict.HISTORICAL_ALARMS_DISPATCH_CUSTOMER_END, "有历史告警，派维护人员去用户端排查",
                 "Historical alarms: dispatch maintenance to the customer end",
                 (A.DISPATCH_CUSTOMER_END,), ((P1, 20),)),
    VerdictEntry(Verdict.FLAPPING_PORT, "端口瞬断（频繁up/down）", "Port flapping",
                 (A.FIX_FLAPPING_PORT, A.PREVENTIVE_ACTION), ((P1, 10), (P2, 60), (P3, 60)), segment_fault=True),
    VerdictEntry(Verdict.WITHIN_APPROVED_CUTOVER, "告警在已批准割接时段内", "Alarms inside an approved cutover",
                 (A.NOT_A_NEW_FAULT,), ((P1, 30),), per_finding=False),
    # --- playbook 2 (and 3): line quality --------------------------------------------------------
    VerdictEntry(Verdict.FIBER_DEGRADED, "光衰超标：光纤劣化或连接器脏污/松动",
                 "Excess loss: degraded fiber or dirty/loose connector",
                 (A.CLEAN_OR_REPLACE_FIBER, A.PREVENTIVE_ACTION), ((P2, 80), (P3, 70)), segment_fault=True),
    VerdictEntry(Verdict.LOW_RX_MARGIN, "收光余量不足，易产生误码", "Low Rx margin: bit errors likely",
                 (A.CHECK_TRANSMITTER,), ((P2, 90), (P3, 90)), segment_fault=True),
    VerdictEntry(Verdict.RX_OVERLOAD, "收光过载", "Receiver overload",
                 (A.ADD_ATTENUATOR,), ((P2, 70), (P3, 80)), segment_fault=True),
    VerdictEntry(Verdict.CRC_ERRORS, "端口有CRC/输入错误", "CRC / input errors on the segment",
                 (A.CHECK_ERRORS,), ((P2, 110),), segment_fault=True),
    VerdictEntry(Verdict.DUPLEX_MISMATCH, "两端速率/双工不匹配", "Speed/duplex mismatch between the ends",
                 (A.ALIGN_SPEED_DUPLEX,), ((P2, 100), (P3, 100)), segment_fault=True),
    VerdictEntry(Verdict.CUSTOMER_RATE_LIMIT, "用户线路达到或接近速率上限", "Customer line at or near its rate limit",
                 (A.TELL_CUSTOMER_RATE_LIMIT,), ((P2, 120),)),
    VerdictEntry(Verdict.EGRESS_CONGESTION, "城域网出口拥塞", "Metro egress congestion",
                 (A.RELIEVE_EGRESS,), ((P2, 130),)),
    VerdictEntry(Verdict.RX_POWER_DECLINING, "收光功率缓慢下降（预警）", "Rx power slowly declining (early warning)",
                 (A.WATCH_RX_TREND,), ((P2, 140),)),
    # --- playbook 3 (and 2): interruption --------------------------------------------------------
    VerdictEntry(Verdict.CUSTOMER_PREMISES_DOWN, "用户端设备掉电或故障，先联系用户",
                 "Customer-side device down: contact the customer first",
                 (A.CONTACT_CUSTOMER_FIRST, A.TEST_CUSTOMER_DEVICE), ((P2, 10), (P3, 10))),
    VerdictEntry(Verdict.NO_LIGHT_FIBER_CUT, "无光：断纤", "No light: fiber cut",
                 (A.REPAIR_FIBER, A.LOOP_FROM_ACCESS_ROOM, A.RECORD_LOOP_POINTS), ((P2, 20), (P3, 20)),
                 segment_fault=True),
    VerdictEntry(Verdict.TRANSMITTER_FAULT, "发光异常：光模块故障（非光纤）",
                 "Transmitter fault: the optical module, not the fiber",
                 (A.CHECK_OR_REPLACE_MODULE,), ((P2, 25), (P3, 25)), segment_fault=True),
    VerdictEntry(Verdict.PORT_ADMIN_DOWN, "端口被管理性关闭", "Port administratively down",
                 (A.ENABLE_PORT,), ((P2, 30), (P3, 30)), segment_fault=True),
    VerdictEntry(Verdict.PORT_DOWN, "端口中断（有收光）", "Port down although light arrives",
                 (A.CHECK_PORT,), ((P2, 40), (P3, 40)), segment_fault=True),
    # the title says nothing of a province exit: not every circuit has one (issue 10 item 7); the
    # playbook's lead and actions name the exit port where there is one
    VerdictEntry(Verdict.FAULT_SEGMENT_UNCLEAR, "故障段落不明，需环测定位", "Faulty segment unclear: loop tests decide",
                 (A.LOOP_PROVINCE_EXIT_FIRST, A.LOOP_FROM_ACCESS_ROOM, A.RECORD_LOOP_POINTS), per_finding=False),
    VerdictEntry(Verdict.MISSING_HANDOVER_DATA, "电路资料缺失，按故障处理", "Hand-over data missing: handled as a fault",
                 (A.REQUEST_HANDOVER_DATA,), per_finding=False),
    # --- any playbook ----------------------------------------------------------------------------
    VerdictEntry(Verdict.NO_FAULT_FOUND, "未发现故障", "No fault found",
                 (A.TEST_CUSTOMER_DEVICE, A.TESTING_CONTINUES), per_finding=False),
    VerdictEntry(Verdict.INCONCLUSIVE_UNREACHABLE, "部分设备不可达，无法下结论", "Inconclusive: devices could not be read",
                 (A.RESTORE_REACHABILITY,), ((P2, 50), (P3, 50)), per_finding=False),
    VerdictEntry(Verdict.INCONCLUSIVE_READINGS_DISAGREE, "读数相互矛盾，无法下结论",
                 "Inconclusive: readings disagree", (A.SETTLE_CONTRADICTION,), ((P2, 150), (P3, 150))),
)

REGISTRY: dict[Verdict, VerdictEntry] = {entry.verdict: entry for entry in ENTRIES}

VERDICT_TITLES: dict[Verdict, tuple[str, str]] = {e.verdict: (e.title_zh, e.title_en) for e in ENTRIES}

# findings that point at a segment strongly enough to list it as suspected even when they are not
# the primary verdict
SEGMENT_FAULTS: frozenset[Verdict] = frozenset(e.verdict for e in ENTRIES if e.segment_fault)


def priority(playbook: Playbook) -> tuple[Verdict, ...]:
    """The playbook's verdicts in the order they win when several rules fire."""
    ranked = [(rank, e.verdict) for e in ENTRIES if (rank := e.rank(playbook)) is not None]
    return tuple(verdict for _, verdict in sorted(ranked))
