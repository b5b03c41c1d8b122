"""Organisations (the tenants), the people who use Waypoint, and their API tokens."""

import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    # HTCDS 2.0 organisation types (org_Type).
    NGO = "NGO", _("Non-governmental organisation")
    INTERNATIONAL = "InternationalOrganization", _("International organisation")
    GOVERNMENT = "GovernmentAgency", _("Government agency")
    LAW_ENFORCEMENT = "LawEnforcement", _("Law enforcement")
    LABOUR_INSPECTION = "LabourInspection", _("Labour inspection")
    SHELTER = "Shelter", _("Shelter")
    TRAINING = "Training", _("Training provider")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=40, choices=OrganisationKind.choices)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_id(self) -> int:
        """An organisation belongs to itself, so the policy's tenant check applies to it too."""
        return self.pk


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    DATA_ANALYST = "data_analyst", _("Data analyst")
    AUDITOR = "auditor", _("Auditor")
    TRAINEE = "trainee", _("Trainee")


def new_session_salt() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", verbose_name=_("organisation")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Part of the session hash: changing it ends every session of this user at once.
    session_salt = models.CharField(max_length=32, default=new_session_salt)

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "waypoint.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_salt}",
            algorithm="sha256",
        ).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A token carries the second factor only if the session that created it had passed one.
    second_factor_passed = models.BooleanField(default=False)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
