"""Reusable Dash UI. Components receive data; they never query the database."""
