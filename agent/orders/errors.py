"""Errors of resource checks and circuit orders (under the agent's one tree, agent/errors.py).

    NotFound (404)
    ├── UnknownOrder
    └── UnknownCheck
    FaultlineError
    └── OrderConflict (409)   the order or check is not in a state that allows this (a step done twice,
                              a completion without the passed test or the sign-offs, ...)
"""
from __future__ import annotations

from agent.errors import FaultlineError, NotFound


class UnknownOrder(NotFound):
    pass


class UnknownCheck(NotFound):
    pass


class OrderConflict(FaultlineError):
    status, title = 409, "Not allowed now"
