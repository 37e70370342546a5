"""Telemetry for the NOC (网管): the readings history (``history``), circuit health grades from the
latest polled readings (``grading``), the early warning with projected dates (``warning``) and their
scheduled jobs. The poller itself is ``agent.polling``."""
