"""Feed URLs: /feeds/subprocessors.atom|.rss (public) and /feeds/clients/<token>.atom|.rss (private)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from registry.clients import services as clients
from registry.feeds import services
from registry.feeds.services import Feed, Format
from registry.i18n import language_of

blp = Blueprint("feeds", __name__, url_prefix="/feeds")
blp.record_once(lambda state: services.watch_changes())

PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, max-age=300"


def _respond(feed: Feed, cache_control: str) -> Response:
    """The feed, or 304 Not Modified for a matching If-None-Match / If-Modified-Since."""
    if request.if_none_match.contains_weak(feed.etag):
        # The usual feed reader's poll, answered without building the full response: the same weak comparison
        # make_conditional applies (RFC 9110 13.1.2), and the 304 carries the validators and Cache-Control.
        return Response(status=304, headers=[*feed.validators, ("Cache-Control", cache_control)])
    response = Response(feed.body, headers=[*feed.headers, ("Cache-Control", cache_control)])
    response.make_conditional(request)  # If-Modified-Since, and the rest of RFC 9110's conditionals
    return response


def _format(extension: str) -> Format:
    if extension == "atom":
        return "atom"
    if extension == "rss":
        return "rss"
    abort(404)


@blp.get("/subprocessors.<extension>")
def public_feed(extension: str) -> Response:
    language = language_of(request.args.get("lang"))
    return _respond(services.public_feed(_format(extension), language), PUBLIC_CACHE)


@blp.get("/clients/<token>.<extension>")
def client_feed(token: str, extension: str) -> Response:
    fmt = _format(extension)
    client = clients.client_for_feed_token(token)
    if client is None:
        abort(404)
    response = _respond(services.client_feed(client, token, fmt), PRIVATE_CACHE)
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
