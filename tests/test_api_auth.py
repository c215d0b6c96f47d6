"""Every API endpoint refuses anonymous requests: a route without `require(...)` fails here."""

import re

import pytest

from registry import create_app


def _api_routes():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield pytest.param(method, path, id=f"{method} {rule.rule}")


@pytest.mark.parametrize(("method", "path"), list(_api_routes()))
def test_anonymous_request_is_refused(client, method, path):
    response = client.open(path, method=method, json={})
    assert response.status_code == 401, response.json
    assert response.json["code"] == 401


def test_there_are_api_routes_to_check():
    assert len(list(_api_routes())) >= 5
