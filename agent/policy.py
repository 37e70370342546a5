"""Who may do what: one table, action -> roles. The API's route guards, the services' own checks and
the pages' buttons all read it, so a role's rights are changed here and only here.

The source's division of labour (DOMAIN.md, "Who works here"): the branch duty officer (分公司值班人员)
receives, signs, dispatches and returns tickets; maintenance engineers (维护人员/代维) contact the
customer, loop and repair; the NOC (网管) reads; the province (省公司) approves suspensions and cutovers
and takes its own steps (the province-exit loop); an admin may do everything.
"""
from __future__ import annotations

from enum import StrEnum

from agent.enums import Role

R = Role


class Permission(StrEnum):
    READ = "read"  # tickets, journals, diagnoses, SLA views, alarms, circuit health, inventory export
    TICKET_INTAKE = "ticket.intake"
    TICKET_SIGN = "sign"
    TICKET_DISPATCH = "dispatch"
    TICKET_CONTACT = "contact"
    TICKET_PROGRESS = "progress"
    TICKET_REQUEST_SUSPENSION = "request_suspension"
    TICKET_APPROVE_SUSPENSION = "approve_suspension"
    TICKET_REJECT_SUSPENSION = "reject_suspension"
    TICKET_RESUME = "resume"
    TICKET_RESOLVE = "resolve"
    TICKET_CONFIRM_RESTORATION = "confirm_restoration"
    TICKET_CLOSE = "close"
    TICKET_REOPEN = "reopen"
    TRIAGE_RERUN = "triage.rerun"
    LOOP_TEST = "loop.test"  # set a loop at a point, cancel it, retry its clear
    LOOP_LOCALISE = "loop.localise"  # run the interruption procedure's loop walk (may loop at the province exit)
    REPORT_SUBMIT = "report.submit"
    REPORT_EDIT = "report.edit"  # draft a fault report from the record, edit its texts, redraft
    CUTOVER_REGISTER = "cutover.register"  # also: the branch applies for a cutover (the chain's first step)
    CUTOVER_APPROVE = "cutover.approve"
    CUTOVER_ASSESS = "cutover.assess"  # province: are enterprise customers affected (from the inventory)
    CUTOVER_REVIEW_PLAN = "cutover.review_plan"  # province center: the customer-impact plan
    CUTOVER_INTERNATIONAL = "cutover.international"  # records the group international CS decision
    CUTOVER_CONSENT = "cutover.consent"  # records the customer's consent or refusal (via the customer manager)
    OPTIMISATION_MANAGE = "optimisation.manage"  # raise and track network optimisation requests
    PERIOD_REPORT_EDIT = "period_report.edit"  # draft an operation / quarterly report from the data, edit, redraft
    PERIOD_REPORT_SUBMIT = "period_report.submit"
    ASSURANCE_MANAGE = "assurance.manage"  # set up and cancel key-assurance periods (重保)
    INVENTORY_IMPORT = "inventory.import"
    # service problems (TMF656): one cause, many tickets
    PROBLEM_ACKNOWLEDGE = "problem.acknowledge"
    PROBLEM_PROGRESS = "problem.progress"  # appended to every child ticket as its own progress entry
    PROBLEM_RESOLVE = "problem.resolve"  # resolves the children with the problem's cause
    PROBLEM_LINK = "problem.link"  # link a ticket to a problem by hand, or unlink it
    # before the fault (issue 15, docs/orders.md): resource checks (资源核查), circuit orders (电路调单)
    CHECK_REQUEST = "check.request"  # the group customer department (or a higher response center) asks
    CHECK_MANAGE = "check.manage"  # the center distributes, chases (催办), feeds the result back
    CHECK_ANSWER = "check.answer"  # a department answers its check item; the measured answer
    ORDER_INTAKE = "order.intake"  # the province's order (调单) arrives
    ORDER_STEP_OM = "order.step.om"  # O&M's steps: allocation, dispatch, data, activation and test, completion
    ORDER_STEP_CONSTRUCTION = "order.step.construction"  # the access construction
    ORDER_STEP_CUSTOMER = "order.step.customer"  # customer coordination
    DELAY_REQUEST = "order.delay.request"  # 延期申请, filed by the branch
    DELAY_SUBMIT = "order.delay.submit"  # the province files it in the group's systems
    DELAY_DECIDE = "order.delay.decide"  # the group's decision comes back (the changed order)
    ORDER_TEST = "order.test"  # run a test report from the network, sign as the tester
    ORDER_TEST_CUSTOMER_SIGN = "order.test.customer_sign"  # the customer or customer manager signs off
    METRICS_READ = "metrics.read"  # /metrics (Prometheus): the NOC's monitoring scrapes it with a noc token


_STAFF = frozenset({R.DUTY_OFFICER, R.ADMIN})
_HANDS_ON = frozenset({R.DUTY_OFFICER, R.ENGINEER, R.PROVINCE, R.ADMIN})  # everyone who works a ticket

POLICY: dict[Permission, frozenset[Role]] = {
    Permission.READ: frozenset(Role),
    Permission.TICKET_INTAKE: _STAFF,
    Permission.TICKET_SIGN: _STAFF,
    Permission.TICKET_DISPATCH: _STAFF,
    Permission.TICKET_CONTACT: _STAFF | {R.ENGINEER},
    Permission.TICKET_PROGRESS: _STAFF | {R.ENGINEER, R.PROVINCE},
    Permission.TICKET_REQUEST_SUSPENSION: _STAFF,
    Permission.TICKET_APPROVE_SUSPENSION: frozenset({R.PROVINCE}),
    Permission.TICKET_REJECT_SUSPENSION: frozenset({R.PROVINCE}),
    Permission.TICKET_RESUME: _STAFF | {R.PROVINCE},
    Permission.TICKET_RESOLVE: _STAFF | {R.ENGINEER},
    Permission.TICKET_CONFIRM_RESTORATION: _STAFF,
    Permission.TICKET_CLOSE: _STAFF,
    Permission.TICKET_REOPEN: _STAFF | {R.PROVINCE},
    Permission.TRIAGE_RERUN: _HANDS_ON,
    Permission.LOOP_TEST: _HANDS_ON,
    # The source: the branch's maintainers loop from the access room, the province loops at its exit
    # (a branch engineer's localisation through the exit names who authorised it).
    Permission.LOOP_LOCALISE: frozenset({R.ENGINEER, R.PROVINCE, R.ADMIN}),
    Permission.REPORT_SUBMIT: _STAFF,
    Permission.REPORT_EDIT: _STAFF,  # the duty officer writes the report (责任: 组织编写故障报告)
    Permission.CUTOVER_REGISTER: _STAFF | {R.PROVINCE},
    Permission.CUTOVER_APPROVE: frozenset({R.PROVINCE, R.ADMIN}),
    # The source's chain: the province's O&M department decides whether enterprise customers are
    # affected, its customer response center reviews the plan and submits to the group's international
    # customer service; the branch (through the customer manager) asks the customer.
    Permission.CUTOVER_ASSESS: frozenset({R.PROVINCE, R.ADMIN}),
    Permission.CUTOVER_REVIEW_PLAN: frozenset({R.PROVINCE, R.ADMIN}),
    Permission.CUTOVER_INTERNATIONAL: frozenset({R.PROVINCE, R.ADMIN}),
    Permission.CUTOVER_CONSENT: _STAFF,
    # the customer response center raises and tracks them; the branch's O&M says whether construction is needed
    Permission.OPTIMISATION_MANAGE: _STAFF | {R.ENGINEER},
    # the customer response center writes the operation and quarterly reports (负责组织编写...运行分析报告)
    Permission.PERIOD_REPORT_EDIT: _STAFF,
    Permission.PERIOD_REPORT_SUBMIT: _STAFF,
    # the branch's center sets up the assurance for its customers; the province for an event of its own
    Permission.ASSURANCE_MANAGE: _STAFF | {R.PROVINCE},
    Permission.INVENTORY_IMPORT: frozenset({R.ADMIN}),
    # The work on a problem is the same work as on each child ticket: the same roles as the ticket's own
    # actions (the NOC stays read-only: it sees the problem open, the duty officer takes it).
    Permission.PROBLEM_ACKNOWLEDGE: _STAFF | {R.PROVINCE},
    Permission.PROBLEM_PROGRESS: _STAFF | {R.ENGINEER, R.PROVINCE},
    Permission.PROBLEM_RESOLVE: _STAFF | {R.ENGINEER},
    Permission.PROBLEM_LINK: _STAFF | {R.PROVINCE},
    # The source (五 4, 六): the group customer department asks for checks and coordinates the
    # customer; the center distributes and collects; O&M answers and tests; network construction builds
    # the access; delays go up through the province, which the group's decision comes back through.
    Permission.CHECK_REQUEST: _STAFF | {R.GROUP_CUSTOMER, R.PROVINCE},
    Permission.CHECK_MANAGE: _STAFF,
    Permission.CHECK_ANSWER: _STAFF | {R.ENGINEER},
    Permission.ORDER_INTAKE: _STAFF | {R.PROVINCE},
    Permission.ORDER_STEP_OM: _STAFF | {R.ENGINEER},
    Permission.ORDER_STEP_CONSTRUCTION: _STAFF | {R.CONSTRUCTION},
    Permission.ORDER_STEP_CUSTOMER: _STAFF | {R.GROUP_CUSTOMER},
    Permission.DELAY_REQUEST: _STAFF | {R.CONSTRUCTION, R.GROUP_CUSTOMER},
    Permission.DELAY_SUBMIT: frozenset({R.PROVINCE, R.ADMIN}),
    Permission.DELAY_DECIDE: frozenset({R.PROVINCE, R.ADMIN}),
    Permission.ORDER_TEST: _STAFF | {R.ENGINEER},
    Permission.ORDER_TEST_CUSTOMER_SIGN: _STAFF | {R.GROUP_CUSTOMER},
    Permission.METRICS_READ: frozenset({R.NOC, R.ADMIN}),
}


def roles_for(permission: Permission | str) -> frozenset[Role]:
    return POLICY[Permission(permission)]


def may(role: Role, permission: Permission | str) -> bool:
    return role in POLICY[Permission(permission)]
