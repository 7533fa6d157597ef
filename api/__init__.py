"""Read-only JSON and CSV API under /api/v1/, behind login like everything else.

Each collection lives in its own module and registers its routes on ``blueprint``.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask

blueprint = Blueprint("api_v1", __name__, url_prefix="/api/v1")

# Modules that add routes to the blueprint; each capability appends its own.
ROUTE_MODULES = ["api.observations", "api.voice", "api.annotations"]


def init_api(server: Flask) -> None:
    for name in ROUTE_MODULES:
        importlib.import_module(name)
    server.register_blueprint(blueprint)
