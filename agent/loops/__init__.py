"""Loop tests (环测/打环) behind a guard.

    rules.py     pure: limits, state moves, the observer's reading, back-off, the localisation's walk
    store.py     the database: registration under the partial unique indexes, state changes + journal
    guard.py     the device side: the job (set, hold, measure, clear, read back), cancel, reaper
    localise.py  the interruption procedure's loop walk along the diagnosis's plan
"""
from agent.loops.guard import LoopDriver, LoopGuard, loop_tests_of
from agent.loops.store import LoopRequest

__all__ = ["LoopDriver", "LoopGuard", "LoopRequest", "loop_tests_of"]
