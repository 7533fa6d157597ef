"""Area constants: the ONS GSS codes Chorus treats specially."""

from __future__ import annotations

# England as a whole: the national comparator on every panel.
ENGLAND = "E92000001"
