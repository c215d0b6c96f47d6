"""The notice outbox: one row per recipient, channel and event, written in the transaction of the event."""
