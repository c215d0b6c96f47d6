"""Word DPA templates and the DPA documents generated from them for each client."""
