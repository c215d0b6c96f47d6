"""Demo data: a fictional Romanian processor with the real sub-processors from the seed privacy policies."""
