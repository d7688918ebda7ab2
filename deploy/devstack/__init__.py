"""Start the whole local stack as processes: make run, and the e2e tests."""
