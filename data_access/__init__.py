"""Database models, sessions, repositories and importers. No Dash here."""
