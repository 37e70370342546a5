"""Loop tests (环测/打环) behind a guard."""
from agent.loops.guard import LoopDriver, LoopGuard, LoopRequest, loop_tests_of

__all__ = ["LoopDriver", "LoopGuard", "LoopRequest", "loop_tests_of"]
