"""The outbox: notice rows and client webhook endpoints, written in the transaction of the event they tell of."""
