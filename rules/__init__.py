"""Chorus's rules, each defined once and importable without Flask."""
