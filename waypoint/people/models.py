"""A person who may have been trafficked: identifying data encrypted field by field.

Only what statistics need (gender, nationality, year of registration) is kept in clear; everything
that identifies the person is an encrypted field, found again only through blind indexes.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Organisation
from waypoint.people.fields import EncryptedJSONField, EncryptedTextField

# Crockford's base32 without look-alike letters: codes are read aloud and copied by hand.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    return "P-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class Gender(models.TextChoices):
    # HTCDS 2.0 prs_Gender.
    FEMININE = "Feminine", _("Female")
    MASCULINE = "Masculine", _("Male")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender female")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified or unknown")


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    reference = models.CharField(max_length=10, unique=True, default=new_reference)

    given_names = EncryptedTextField(_("given names"), null=True, blank=True)
    family_names = EncryptedTextField(_("family names"), null=True, blank=True)
    other_names = EncryptedJSONField(_("other names and spellings"), null=True, blank=True)
    birth_date = EncryptedTextField(_("date of birth"), null=True, blank=True)
    citizenships = EncryptedJSONField(_("citizenships"), null=True, blank=True)
    languages = EncryptedJSONField(_("languages"), null=True, blank=True)
    phone = EncryptedTextField(_("phone (E.164)"), null=True, blank=True)
    email = EncryptedTextField(_("email"), null=True, blank=True)
    address = EncryptedTextField(_("address"), null=True, blank=True)
    identity_documents = EncryptedJSONField(_("identity documents"), null=True, blank=True)
    photo = EncryptedTextField(_("photo"), null=True, blank=True)

    gender = models.CharField(
        _("gender"), max_length=24, choices=Gender.choices, default=Gender.UNKNOWN
    )
    nationality = models.CharField(_("nationality (ISO 3166-1 alpha-2)"), max_length=2, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def display_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.family_names) if part) or "—"


class BlindIndex(models.Model):
    """Keyed fingerprints of a person's searchable values (see people.crypto.blind_index)."""

    class Kind(models.TextChoices):
        NAME_AND_BIRTH_DATE = "name_birth_date"
        DOCUMENT_NUMBER = "document_number"
        PHONE = "phone"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blind_indexes")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind", "digest"])]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id}"
