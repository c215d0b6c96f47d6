"""Public email subscriptions to changes of the list (double opt-in), and the audience of a public notice."""
