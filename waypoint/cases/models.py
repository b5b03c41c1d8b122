"""Protection cases and everything recorded in them.

Field names follow HTCDS 2.0 where it has them (the comment names the HTCDS field). Free text
that may identify or describe a person (notes, descriptions, screening answers) is encrypted
like the person's own data; codes used by filters and statistics stay in clear.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.accounts.models import Organisation
from waypoint.domain.case_lifecycle import CaseState
from waypoint.people.fields import EncryptedJSONField, EncryptedTextField
from waypoint.people.models import Person

_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_case_code() -> str:
    return "C-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class CaseStatus(models.TextChoices):
    SCREENING = CaseState.SCREENING.value, _("Screening")
    PRESUMED_VICTIM = CaseState.PRESUMED_VICTIM.value, _("Presumed victim")
    IDENTIFIED = CaseState.IDENTIFIED.value, _("Identified")
    ASSISTED = CaseState.ASSISTED.value, _("Assisted")
    FOLLOW_UP = CaseState.FOLLOW_UP.value, _("Follow-up")
    CLOSED = CaseState.CLOSED.value, _("Closed")
    CLOSED_NOT_VICTIM = CaseState.CLOSED_NOT_VICTIM.value, _("Closed: not a victim")
    CLOSED_REFERRED = CaseState.CLOSED_REFERRED.value, _("Closed: referred elsewhere")


class TraffickingStatus(models.TextChoices):
    # vic_TraffickingStatus
    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Victim of trafficking (formally identified)")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class DecisionOrganisation(models.TextChoices):
    # vic_TraffickingStatusDecisionMakingOrg
    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT_OR_PROSECUTION = "CourtOrProsecution", _("Court or prosecution")
    OTHER_GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Other government body")
    OTHER = "Other", _("Other")


class Relationship(models.TextChoices):
    # vic_RelationshipToTrafficker
    FAMILIAL = "Familial", _("Family member")
    ACQUAINTED = "Acquainted", _("Acquaintance")
    UNACQUAINTED = "Unaquainted", _("Stranger")


class Case(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    # Indexed with the organisation (see Meta), for the search by name and birth date.
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    code = models.CharField(max_length=10, unique=True, default=new_case_code)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_cases"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_cases",
        null=True,
        blank=True,
    )
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.SCREENING
    )
    # A jurisdiction of waypoint.domain.deadlines and .rights: "PL" or "EU_COE".
    jurisdiction = models.CharField(max_length=8, default="PL")

    trafficking_status = models.CharField(
        max_length=32, choices=TraffickingStatus.choices, blank=True
    )
    trafficking_status_decided_by = models.CharField(
        max_length=40, choices=DecisionOrganisation.choices, blank=True
    )
    recruitment_methods = models.JSONField(default=list, blank=True)  # vic_MethodOfRecruitment
    control_methods = models.JSONField(default=list, blank=True)  # vic_MethodsOfControl
    exploitation_types = models.JSONField(default=list, blank=True)  # vic_TypeOfExploitation
    forced_labour_industry = models.CharField(max_length=1, blank=True)  # ISIC Rev.4 section
    sexual_exploitation_types = models.JSONField(default=list, blank=True)
    relationship_to_trafficker = models.CharField(
        max_length=12, choices=Relationship.choices, blank=True
    )
    perpetrator_roles = models.JSONField(default=list, blank=True)  # per_RoleInProcess
    age_when_trafficked = models.PositiveSmallIntegerField(null=True, blank=True)

    # Facts the legal deadlines run from (see waypoint.domain.deadlines).
    presumption_certificate_issued_on = models.DateField(null=True, blank=True)
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    residence_permit_issued_on = models.DateField(null=True, blank=True)
    residence_permit_months = models.PositiveSmallIntegerField(null=True, blank=True)
    # The follow-up that meets each of those deadlines (a decision, a referral, an application).
    presumption_certificate_followed_up_on = models.DateField(null=True, blank=True)
    reasonable_grounds_followed_up_on = models.DateField(null=True, blank=True)
    residence_permit_renewal_applied_on = models.DateField(null=True, blank=True)
    # The nearest open deadline, kept current by the services so lists can sort and filter on it.
    next_deadline_on = models.DateField(null=True, blank=True, db_index=True)
    # The first day on which any open deadline is "due soon" (each kind has its own window).
    deadline_alert_on = models.DateField(null=True, blank=True)

    closure_reason = EncryptedTextField(null=True, blank=True)  # cas_ReasonForCaseClosure
    pending_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    pending_reason = EncryptedTextField(null=True, blank=True)
    pending_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            # A status filter, alone or with an exploitation type, counted from the index and
            # paged in the list's order.
            models.Index(
                fields=["organisation", "status", "next_deadline_on", "exploitation_types"]
            ),
            models.Index(fields=["organisation", "owner", "status"]),
            models.Index(fields=["organisation", "next_deadline_on"]),
            models.Index(fields=["person", "organisation"]),
            # The due page and the list's deadline filters read all they test from this index
            # (on PostgreSQL the exploitation types too), without visiting the table. On
            # PostgreSQL, migration 0004 adds a GIN index on the exploitation types as well.
            models.Index(
                fields=[
                    "organisation",
                    "deadline_alert_on",
                    "next_deadline_on",
                    "status",
                    "exploitation_types",
                ]
            ),
        ]

    def __str__(self) -> str:
        return self.code


class CaseExploitation(models.Model):
    """One row per type of exploitation of a case, so that lists can filter on an index."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exploitation_rows")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    exploitation_type = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "exploitation_type"], name="unique_case_exploitation"
            )
        ]
        indexes = [models.Index(fields=["organisation", "exploitation_type", "case"])]

    def __str__(self) -> str:
        return self.exploitation_type


class StatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    reason = EncryptedTextField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AssignmentChange(models.Model):
    """Who held the case before and after its owner or supervisor was changed, and who
    changed it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignment_changes")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    to_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"assignment change {self.pk}"


class TraffickingEvent(models.Model):
    """HTCDS historic trafficking event (hte_): where and when recruitment, transit or
    exploitation happened."""

    class Kind(models.TextChoices):
        RECRUITMENT = "Recruitment", _("Recruitment")
        TRANSIT = "Transit", _("Transit")
        EXPLOITATION = "Exploitation", _("Exploitation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    country = models.CharField(max_length=2)
    city = EncryptedTextField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    description = EncryptedTextField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["started_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} in {self.country}"


class Consent(models.Model):
    class Scope(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        ASSISTANCE = "assistance", _("Processing of data to provide assistance")
        SHARING = "sharing", _("Sharing with a named organisation")
        STATISTICS = "statistics", _("Anonymised use in statistics")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=12, choices=Scope.choices)
    shared_with = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    given = models.BooleanField()
    explained_in_language = models.CharField(max_length=3)  # ISO 639
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.scope} ({'given' if self.given else 'refused'})"


class StoredScreening(models.Model):
    """A screening saved into a case: its input and output, with the rules that produced it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    answers = EncryptedJSONField()
    result = EncryptedJSONField()
    verdict = models.CharField(max_length=16)
    ruleset_version = models.CharField(max_length=32)
    catalogue_sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"screening {self.pk} ({self.verdict})"


class VulnerabilityAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vulnerability")
    factors = EncryptedJSONField()
    summary = EncryptedJSONField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_at", "-id"]

    def __str__(self) -> str:
        return f"vulnerability assessment {self.pk}"


class SupportItem(models.Model):
    """A need and the support planned for it (HTCDS spl_)."""

    class Kind(models.TextChoices):
        ACCOMMODATION = "Accommodation", _("Safe accommodation")
        HEALTH = "Health", _("Medical care")
        PSYCHOLOGICAL = "Psychological", _("Psychological support")
        LEGAL = "Legal", _("Legal assistance")
        INTERPRETER = "Interpreter", _("Interpretation and translation")
        MATERIAL = "Material", _("Material assistance")
        FINANCIAL = "Financial", _("Financial assistance")
        EDUCATION = "Education", _("Education")
        LIVELIHOOD = "Livelihood", _("Livelihood and employment")
        SOCIAL_CARE = "SocialCare", _("Social care")
        RIGHTS_TRAINING = "RightsBasedTraining", _("Rights-based training")
        REHABILITATION = "Rehabilitation", _("Rehabilitation")
        OTHER = "Other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_items")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    provider = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.kind


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    body = EncryptedTextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.pk}"


class Document(models.Model):
    """A file kept encrypted on disk under a random name; its real name is encrypted too."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    storage_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return str(self.storage_id)


class RightsInformation(models.Model):
    """That the person was given the rights sheet, in which language, when and by whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rights_given")
    jurisdiction = models.CharField(max_length=8)
    language = models.CharField(max_length=3)
    catalogue_version = models.CharField(max_length=32)
    given_on = models.DateField()
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"rights sheet {self.language} on {self.given_on}"
