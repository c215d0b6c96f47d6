"""Notice delivery: the worker draining the outbox, emails, webhook sending, and the delivery log."""
