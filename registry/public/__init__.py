"""What the public sees without logging in: the list, its history, exports and the subscription pages."""
