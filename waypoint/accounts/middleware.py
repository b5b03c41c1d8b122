"""Hold a signed-in user at the second-factor step until they have passed it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from waypoint.accounts.models import User
from waypoint.accounts.policy import requires_two_factor, second_factor_passed
from waypoint.accounts.selectors import has_confirmed_authenticator

# Paths a half-signed-in user may still reach: the second-factor pages themselves, logout,
# the language switch, static files and the health check.
_OPEN_PREFIXES = ("/account/two-factor/", "/account/logout/", "/i18n/", "/static/", "/health")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not second_factor_passed(user)
            and not request.path.startswith(_OPEN_PREFIXES)
            and not request.path.startswith("/api/")
        ):
            if has_confirmed_authenticator(user):
                return redirect("accounts:two_factor_verify")
            if requires_two_factor(user.role):
                return redirect("accounts:two_factor_setup")
        return self.get_response(request)
