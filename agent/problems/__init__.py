"""Service problems (TMF656): one record per network cause, many tickets.

``elements`` and ``rules`` are pure (what a diagnosis says, whether it agrees with a root); ``store``
asks the inventory and writes the records; ``grouping`` decides after a diagnosis or an alarm;
``work`` is the officer's work on a problem; ``view`` the API's TMF656 shape; ``hooks`` the calls
triage and trap ingestion make after their own commit."""
from agent.problems.elements import Element, ElementKind
from agent.problems.grouping import Grouped, on_alarm, on_diagnosis
from agent.problems.hooks import after_alarm, after_diagnosis, after_loop_result
from agent.problems.rules import Reading, Stance, agreement, read_diagnosis

__all__ = ["Element", "ElementKind", "Grouped", "Reading", "Stance", "after_alarm", "after_diagnosis", "after_loop_result",
           "agreement", "on_alarm", "on_diagnosis", "read_diagnosis"]
