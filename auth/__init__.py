"""Login, roles and permissions, the default-deny guard, CSRF and audit. No Dash pages."""

from auth.setup import init_auth

__all__ = ["init_auth"]
