"""Trouble tickets (工单): the lifecycle's rules as data (``lifecycle``) and the service that enforces
them, journals every action and takes intakes from upstream (``service``)."""
from agent.tickets.lifecycle import (
    ACTIONS,
    OPEN,
    WORKING,
    Action,
    allowed_actions,
    is_night,
)
from agent.tickets.service import Actor, Intake, TicketService

__all__ = ["ACTIONS", "OPEN", "WORKING", "Action", "Actor", "Intake", "TicketService", "allowed_actions", "is_night"]
