"""Import data: upload a file, map it, check it, then commit the valid rows (analysts only).

The file is streamed to ``POST /import/upload`` by the page's script (pages/_import_upload.py)
and kept as a job in the database (``data_access.importing.jobs``): its files and status
reach every web server and worker, whatever machine took the upload. Checking and
committing run as Dash background callbacks (a subprocess with the disk cache on one
machine, Celery when REDIS_URL is set) with a progress bar. The page remembers the job in
session storage, so an analyst can leave the page and come back to the same import, and it
notices when the worker running a step has died and says so.

The page's sections are in components/import_forms.py; its callbacks in
pages/_import_files.py, _import_mapping.py, _import_jobs.py and _import_batches.py,
registered by the app factory.
"""

from __future__ import annotations

import dash
from dash import html

import settings
from auth.current import current_record
from auth.permissions import allowed
from components.import_forms import page_body
from components.shell import refused_page
from data_access.db import get_database
from data_access.importing.commit import ALL_OR_NOTHING, VALID_ONLY, recent_batches
from data_access.importing.forms import BREAKDOWN_CHOICES
from data_access.observations import indicator_catalogue

PERMISSION = "data.import"  # the nav and this page's guard both follow it
dash.register_page(
    __name__,
    path="/import",
    name="Import data",
    title="Import data - Chorus",
    order=80,
    nav_group="Data",
    permission=PERMISSION,
)
MODES = [
    {"label": "Commit only the valid rows", "value": VALID_ONLY},
    {"label": "Commit nothing", "value": ALL_OR_NOTHING},
]


def layout(**_kwargs: object) -> html.Div:
    user = current_record()
    if user is None or not allowed(user, PERMISSION):
        return refused_page("Import data", PERMISSION, user.role if user else None)
    with get_database().read() as session:
        indicators = indicator_catalogue(session)["id"].tolist()
        batches = recent_batches(
            session, organisation_id=user.organisation_id, area_code=user.organisation_code
        )
    return page_body(
        indicators,
        batches,
        MODES,
        VALID_ONLY,
        BREAKDOWN_CHOICES,
        settings.current().import_max_mb,
    )
