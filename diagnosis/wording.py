"""Texts of the diagnosis in Chinese and English, worded after DOMAIN.md and the source.

Rule 5 of the interruption procedure forbids notes like "circuit not accepted" (电路未验收): no text
here says so; missing hand-over data is worded as a fault to handle.
"""
from __future__ import annotations

from diagnosis.enums import AccessState, ActionCode, Confidence, ReadingKind
from diagnosis.result import RecommendedAction
from diagnosis.verdicts import VERDICT_TITLES

__all__ = ["ACTION_TEXTS", "CONFIDENCE_WORDS", "KIND_WORDS", "STATE_WORDS", "VERDICT_TITLES", "action",
           "fmt_db", "not_checked_texts", "restore_reachability"]

STATE_WORDS: dict[AccessState, tuple[str, str]] = {
    AccessState.OK: ("正常", "ok"),
    AccessState.UNREACHABLE: ("不可达", "unreachable"),
    AccessState.TIMEOUT: ("超时", "timed out"),
    AccessState.AUTH_FAILED: ("认证失败", "authentication failed"),
    AccessState.NOT_SUPPORTED: ("设备不支持", "not supported by the device"),
    AccessState.ERROR: ("读取出错", "read error"),
    AccessState.NOT_COLLECTED: ("未采集到", "no reading"),
}

KIND_WORDS: dict[ReadingKind, tuple[str, str]] = {
    ReadingKind.DEVICE: ("设备", "device"),
    ReadingKind.OPTICAL: ("光功率", "optical power"),
    ReadingKind.STATUS: ("端口状态", "port status"),
    ReadingKind.ERRORS: ("错误计数", "error counters"),
    ReadingKind.UTILISATION: ("流量利用率", "utilisation"),
    ReadingKind.ALARMS: ("设备告警记录", "device alarm history"),
    ReadingKind.STORED_ALARMS: ("网管告警", "NMS alarms"),
    ReadingKind.FLAPS: ("端口up/down记录", "link flap records"),
    ReadingKind.TREND: ("收光功率历史", "Rx power history"),
    ReadingKind.BUDGET: ("光衰预算所需资料", "data for the loss budget"),
}

ACTION_TEXTS: dict[ActionCode, tuple[str, str]] = {
    ActionCode.DISPATCH_CUSTOMER_END: (
        "派维护人员前往用户端排查具体故障原因，排除局方界面的故障隐患。",
        "Dispatch maintenance to the customer end to find the specific cause and clear hidden faults "
        "on the operator's side of the demarcation."),
    ActionCode.REQUEST_RETURN: (
        "未查到历史告警：及时反馈情况并申请返单，由省公司值班人员协助确认。",
        "No historical alarm: report back at once and request return of the ticket; the provincial "
        "duty officer helps confirm."),
    ActionCode.CONFIRM_BEFORE_RETURN: (
        "以下内容未能核查：{what}。恢复核查或由省公司值班人员协助确认后再申请返单。",
        "Could not check: {what}. Check them, or have the provincial duty officer confirm, before "
        "requesting return."),
    ActionCode.FIX_FLAPPING_PORT: (
        "{port} 在工单时段内瞬断 {count} 次：检查该端口的跳线、连接器是否松动及光模块。",
        "{port} went down {count} times in the ticket window: check its patch cord and connectors for "
        "looseness, and its transceiver."),
    ActionCode.NOT_A_NEW_FAULT: (
        "告警均在已批准的割接时段内（{ref}），不作为新故障。",
        "All alarms fall inside an approved cutover window ({ref}): not a new fault."),
    ActionCode.CLEAN_OR_REPLACE_FIBER: (
        "{segment} 损耗超出预算 {excess} dB：清洁或更换连接器/跳线，仍超标则测试并更换劣化光纤。",
        "{segment} loses {excess} dB more than its budget: clean or replace the connectors/patch "
        "cords, and if the loss stays, test and replace the degraded fiber."),
    # {cause}: "loose port" for a flapping port, "degraded access fiber" only for a segment that
    # reaches the access room or the customer, "degraded fiber" for a trunk (issue 10 item 7)
    ActionCode.PREVENTIVE_ACTION: (
        "原因属可控因素（{cause}）：维护人员及时做好排查预防工作，避免同样故障再次出现。",
        "The cause is controllable ({cause}): maintenance takes preventive action so that the same "
        "fault does not recur."),
    ActionCode.CHECK_TRANSMITTER: (
        "{port} 收光余量不足而段落损耗未超标：检查对端发光功率及光模块。",
        "{port} has a low Rx margin while the segment loss is within budget: check the far end's "
        "transmit power and transceiver."),
    ActionCode.ADD_ATTENUATOR: (
        "{port} 收光功率超过过载点：加装光衰减器或更换适合距离的光模块。",
        "{port} receives more than its overload point: fit an attenuator or a transceiver for the "
        "right distance."),
    ActionCode.ALIGN_SPEED_DUPLEX: (
        "{segment} 两端速率/双工不一致（设备设置问题）：将两端配置一致。",
        "{segment}: speed/duplex differ between the ends (a device setting): configure both ends "
        "alike."),
    ActionCode.CHECK_ERRORS: (
        "{port} 有CRC/输入错误：检查该段光纤、连接器、光模块和端口。",
        "{port} counts CRC/input errors: check the segment's fiber, connectors, transceivers and port."),
    ActionCode.TELL_CUSTOMER_RATE_LIMIT: (
        "用户线路已达到或接近签约速率上限：经客户经理告知用户时延来自流量达到带宽上限，建议控制流量或扩容。",
        "The customer line is at or near its contracted rate: through the customer manager, explain "
        "that the latency comes from traffic at the rate limit; suggest shaping traffic or a higher "
        "rate."),
    ActionCode.RELIEVE_EGRESS: (
        "城域网出口 {port} 拥塞：通知网络专业疏导流量或扩容。",
        "Metro egress {port} is congested: ask the network specialty to reroute traffic or add "
        "capacity."),
    ActionCode.WATCH_RX_TREND: (
        "{port} 收光功率持续下降（{slope} dB/天）：光纤劣化的早期预警，安排预防性检查。",
        "{port} Rx power keeps falling ({slope} dB/day): an early warning of fiber degradation; "
        "schedule a preventive check."),
    ActionCode.TEST_CUSTOMER_DEVICE: (
        "测试用户端设备情况，排除设备故障。",
        "Test the customer-side device to rule out a device fault."),
    ActionCode.TESTING_CONTINUES: (
        "此类故障存在不可预测性：与用户做好沟通，明确测试工作将持续进行，避免因误解导致投诉。",
        "These faults come and go: tell the customer that testing continues over time, so that a "
        "misunderstanding does not turn into a complaint."),
    ActionCode.CONTACT_CUSTOMER_FIRST: (
        "首先与用户联系，排除用户端停电、设备等突发情况，缩短故障历时。",
        "Contact the customer first to rule out a sudden event on their side (power, equipment) and "
        "shorten the outage."),
    ActionCode.LOOP_FROM_ACCESS_ROOM: (
        "环测从接入机房入手排查局端线路，逐段向外推进，避免盲目前往用户端。",
        "Loop-test starting at the access room, checking the office-side line, and move outwards; do "
        "not rush to the customer end."),
    ActionCode.LOOP_PROVINCE_EXIT_FIRST: (
        "故障段落不明显：由省公司值班人员先在最近的出省端口 {port} 做环，确认故障点是否在省内。",
        "The faulty segment is unclear: the provincial duty officer loops first at the nearest "
        "province-exit port {port} to decide whether the fault is inside the province."),
    ActionCode.RECORD_LOOP_POINTS: (
        "环测时每个打环点都要追加到工单信息中。",
        "Append every loop point to the ticket's journal when loop-testing."),
    ActionCode.REPAIR_FIBER: (
        "{segment} 无光：派维护人员查修该段光纤。",
        "{segment} carries no light: send maintenance to locate and repair the fiber."),
    ActionCode.ENABLE_PORT: (
        "{port} 被管理性关闭：核实是否有割接或配置变更，确认后恢复端口。",
        "{port} is administratively down: check for a cutover or configuration change, then enable it."),
    ActionCode.CHECK_PORT: (
        "{port} 链路中断但有收光：检查端口配置和光模块。",
        "{port} is down although light arrives: check the port's configuration and transceiver."),
    ActionCode.REQUEST_HANDOVER_DATA: (
        "电路资料未移交：按故障处理，立即向建设部门和网运部门索取电路资料，不得以资料未移交为由搁置。",
        "The circuit's hand-over data is missing: handle it as a fault and ask construction and "
        "network operations for the data now; missing data is no reason to leave the fault."),
    ActionCode.RESTORE_REACHABILITY: (
        "{devices} 未能读取：恢复网管可达或派人现场读取后再确认结论。",
        "{devices} could not be read: restore management access or read them on site before "
        "confirming the verdict."),
    ActionCode.CHECK_OR_REPLACE_MODULE: (
        "{port} 发光功率 {tx} dBm，低于该光模块自身的发光低告警门限 {tx_limit} dBm，而段落损耗在预算内：检查或更换该端光模块，不是光纤问题。",
        "{port} transmits {tx} dBm, below its module's own Tx low-alarm threshold {tx_limit} dBm, while "
        "the segment loss is within budget: check or replace the optical module at that end; the "
        "fiber is not the cause."),
    ActionCode.SETTLE_CONTRADICTION: (
        "读数相互矛盾（{what}）：{check}，确认后再下结论。",
        "Readings disagree ({what}): {check} before concluding."),
}

CONFIDENCE_WORDS: dict[Confidence, tuple[str, str]] = {
    Confidence.HIGH: ("高", "high"), Confidence.MEDIUM: ("中", "medium"), Confidence.LOW: ("低", "low"),
}


def action(code: ActionCode, zh: dict[str, object] | None = None, **params: object) -> RecommendedAction:
    """The action's texts with `params` filled in; `zh` overrides parameters in the Chinese text."""
    text_zh, text_en = ACTION_TEXTS[code]
    return RecommendedAction(code=code, text_zh=text_zh.format(**{**params, **(zh or {})}),
                             text_en=text_en.format(**params))


def restore_reachability(devices: list[str]) -> RecommendedAction:
    names = list(dict.fromkeys(d for d in devices if d)) or ["NMS"]
    return action(ActionCode.RESTORE_REACHABILITY, zh={"devices": "、".join(names)}, devices=", ".join(names))


def not_checked_texts(
    kind: ReadingKind, reason: AccessState, device: str | None, port: str | None, detail: str = "",
) -> tuple[str, str]:
    """E.g. "acc-a-sw1 GE0/0/1 光功率：设备不可达" / "acc-a-sw1 GE0/0/1 optical power: device
    unreachable (timeout after 2 s)"."""
    where = " ".join(part for part in (device, port) if part)
    kind_zh, kind_en = KIND_WORDS[kind]
    state_zh, state_en = STATE_WORDS[reason]
    tail = f"（{detail}）" if detail else ""
    tail_en = f" ({detail})" if detail else ""
    lead = f"{where} " if where else ""
    return f"{lead}{kind_zh}：{state_zh}{tail}", f"{lead}{kind_en}: {state_en}{tail_en}"


def fmt_db(value: float) -> str:
    """Numbers in texts: two decimals at most, no trailing zeros ("2.3", "-17", "0.05")."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
