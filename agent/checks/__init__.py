"""Resource checks (资源核查): request, distribution, answers, chasing, result and ledger; measured on the network."""
