"""Atom and RSS feeds of the changes to the list: public, and private per client."""
