"""Circuit orders (电路调单): steps and their limits, delay requests, acceptance tests (测试报竣)."""
