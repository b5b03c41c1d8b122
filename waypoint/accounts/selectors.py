"""Reads for account pages."""

from django.db.models import Count, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from waypoint.accounts.models import ApiToken, Role, User


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def has_confirmed_authenticator(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def users_of_organisation(organisation_id: int) -> QuerySet[User]:
    return User.objects.filter(organisation_id=organisation_id).order_by("username")


def user_by_id(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def role_counts(organisation_id: int) -> list[tuple[str, int]]:
    """Active members per role, labelled, for the organisation page."""
    counts = dict(
        User.objects.filter(organisation_id=organisation_id, is_active=True)
        .values("role")
        .annotate(total=Count("id"))
        .values_list("role", "total")
    )
    return [(str(label), counts.get(value, 0)) for value, label in Role.choices]
