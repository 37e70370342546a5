"""Test support shared by every tier (unit, integration, e2e) and by bench/: one copy of each helper.

    needs      what a test needs from the machine (net-snmp, Chromium, PostgreSQL, the captures):
               skip with the reason locally, fail under CI=true
    users      the test users: one name and bearer token per role
    settings   Settings for a test agent (test users, no trap port, no poller)
    api        ``Api``: the agent's HTTP API as one role sees it, over a sync or an async client
    waiting    ``until``: poll a condition up to a deadline instead of sleeping
    net        random loopback addresses and free ports (several engineers run suites at once)
    lab        the lab started on a random loopback block
    server     an agent served by uvicorn in this event loop (``agent_on``) or in a thread
    databases  SQLite and PostgreSQL scratch databases, migrated once per session and copied per test

Test modules import it as ``tests.support`` (pyproject's ``pythonpath`` puts the checkout on
sys.path); the fixtures of tests/conftest.py delegate here.
"""
