"""Dash callback requests for the Flask test client, built as Dash's renderer builds them.

One home for what several test modules need: find a callback in ``/_dash-dependencies``,
fill its inputs and state with values, and POST it to ``/_dash-update-component``.
Pattern-matching ids (``{"type": ..., "index": ["MATCH"]}``) get a concrete index.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

CALLBACK_URL = "/_dash-update-component"


def post_callback(client: Any, body: dict[str, Any]) -> Any:
    """POST one callback request body; returns the Flask response."""
    return client.post(CALLBACK_URL, data=json.dumps(body), content_type="application/json")


def dependency(client: Any, wanted: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first callback of ``/_dash-dependencies`` for which ``wanted(dep)`` is true."""
    for dep in client.get("/_dash-dependencies").get_json():
        if wanted(dep):
            return dep
    raise AssertionError("no such callback")


def id_type(id_text: str) -> str:
    """The id itself, or the ``type`` of a pattern-matching id."""
    return json.loads(id_text)["type"] if id_text.startswith("{") else id_text


def _concrete(id_text: str, index: str | None) -> Any:
    if not id_text.startswith("{"):
        return id_text
    return {k: (index if v == ["MATCH"] else v) for k, v in json.loads(id_text).items()}


def callback_body(
    dep: dict[str, Any], values: dict[str, Any], trigger: str | None, index: str | None = None
) -> dict[str, Any]:
    """The request body the renderer sends for ``dep``: ``values`` maps an id (or the type
    of a pattern-matching id) to its value; ``trigger`` names the input that changed (None:
    the initial call); ``index`` fills the MATCH of pattern-matching ids."""
    output = dep["output"]
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    outputs = []
    for part in parts:
        id_text, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(id_text, index), "property": prop.split("@")[0]})

    def items(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "id": _concrete(item["id"], index),
                "property": item["property"],
                "value": values.get(id_type(item["id"])),
            }
            for item in dep[kind]
        ]

    changed = []
    if trigger is not None:
        prop = next(i["property"] for i in dep["inputs"] if id_type(i["id"]) == trigger)
        trigger_id = (
            json.dumps({"index": index, "type": trigger}, separators=(",", ":"))
            if index is not None
            else trigger
        )
        changed = [f"{trigger_id}.{prop}"]
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": changed,
    }
