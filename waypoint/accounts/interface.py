"""Helpers the interface layer of every app shares."""

from django.http import HttpRequest

from waypoint.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, for views behind login_required (never anonymous there)."""
    user = request.user
    assert isinstance(user, User)
    return user
