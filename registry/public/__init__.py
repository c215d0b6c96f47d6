"""What the public and clients see without logging in: the list, its history, exports and email subscriptions."""
