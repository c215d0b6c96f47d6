"""WSGI entry point: `gunicorn wsgi:app`, and `flask <command>` from the repository root."""

from registry import create_app

app = create_app()
