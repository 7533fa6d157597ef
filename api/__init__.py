"""Read-only JSON and CSV API under /api/v1/, behind login like everything else.

Each collection lives in its own module with its own blueprint (``observations``,
``voice``, ``annotations``, ``journeys``); the app factory registers each one
(``app.create_server``). docs/API.md lists every route.
"""

URL_PREFIX = "/api/v1"
