"""Generic error responses: no stack traces or debug pages outside development."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

SERVER_ERROR = "Something went wrong on our side. It has been logged; please try again."


def _wants_json() -> bool:
    return request.path.startswith(("/_dash-", "/api/")) or request.is_json


def _generic(status: int, message: str) -> Response:
    if _wants_json():
        response = jsonify({"error": message})
    else:
        response = Response(
            f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>Error - Chorus</title></head><body><main><h1>Sorry</h1>"
            f'<p>{message}</p><p><a href="/">Go to the overview</a></p></main></body></html>',
            mimetype="text/html",
        )
    response.status_code = status
    return response


def init_error_pages(server: Flask) -> None:
    """Register handlers that say little; Flask logs the exception itself.

    Unhandled exceptions become a 500 through Flask's ``handle_exception`` (which logs the
    traceback) unless exceptions propagate (development's debugger, tests): there the
    detail is wanted and nobody else sees it.
    """

    @server.errorhandler(500)
    def _server_error(_error: Exception) -> Response:
        return _generic(500, SERVER_ERROR)
