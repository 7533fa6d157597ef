"""Filesystem hardening done at start-up."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path


class UnsafeCacheLocation(RuntimeError):
    """The cache folder would be inside a folder the web server serves."""


def prepare_cache_dir(path: Path, web_folders: Iterable[Path] = ()) -> Path:
    """Create the diskcache folder with mode 0700 (owner only) and refuse served locations.

    Cached values can hold organisation figures, so the folder must be neither readable
    by other local users nor reachable over HTTP.
    """
    resolved = Path(path).resolve()
    for folder in web_folders:
        served = Path(folder).resolve()
        if resolved == served or served in resolved.parents:
            raise UnsafeCacheLocation(f"CACHE_DIR must not be inside {served.name}/")
    resolved.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(resolved, 0o700)  # mkdir's mode is masked by umask and ignored if it existed
    return resolved
