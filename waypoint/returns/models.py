"""Assisted voluntary return and reintegration: a return is a stage of a person's case.

Everything that describes the person (counselling notes, eligibility facts, risk details, the
itinerary, the declaration, monitoring answers) is encrypted like the case itself; the codes,
dates, amounts and scores that lists and statistics need stay in clear. Every row that holds
encrypted values reaches the person within three foreign keys (row → return → case → person), so
erasing the person empties it too.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from waypoint.accounts.models import Organisation
from waypoint.cases.models import Case
from waypoint.domain.return_lifecycle import FINAL_STAGES
from waypoint.people.fields import EncryptedJSONField, EncryptedTextField
from waypoint.returns.vocabularies import (
    AssistanceKind,
    AssistanceStatus,
    Dimension,
    Level,
    RiskDecision,
    RiskLevel,
    Stage,
    TravelDocumentKind,
    TravelDocumentStatus,
    Verdict,
    VisitMode,
)

_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_return_code() -> str:
    return "R-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


class Return(models.Model):
    """One assisted voluntary return of the person of a case, from counselling to monitoring."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="returns")
    code = models.CharField(max_length=10, unique=True, default=new_return_code)
    # An AVRR programme of waypoint.domain.eligibility.
    programme_id = models.CharField(max_length=64)
    country_of_return = models.CharField(max_length=2)  # ISO 3166-1 alpha-2
    # The language the person reads their documents in (one of the product's four).
    language = models.CharField(max_length=2)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.COUNSELLING)
    stage_entered_on = models.DateField()
    started_on = models.DateField()
    rejection_reason = EncryptedTextField(null=True, blank=True)
    # Why the person withdrew or the organisation cancelled.
    stop_reason = EncryptedTextField(null=True, blank=True)
    # Set when monitoring shows a falling score or a re-trafficking risk, until someone reviews.
    needs_attention_since = models.DateTimeField(null=True, blank=True)
    attention_reasons = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(stage__in=sorted(stage.value for stage in FINAL_STAGES)),
                name="one_open_return_per_case",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "stage"]),
            models.Index(fields=["organisation", "country_of_return", "programme_id"]),
            models.Index(fields=["organisation", "needs_attention_since"]),
        ]

    def __str__(self) -> str:
        return self.code

    # The policy decides on a return as on its case: the same owner and supervisor.
    @property
    def owner_id(self) -> int:
        return self.case.owner_id

    @property
    def supervisor_id(self) -> int | None:
        return self.case.supervisor_id


class StageChange(models.Model):
    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="stage_changes"
    )
    # Empty for the first stage, when the return was started.
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    reason = EncryptedTextField(null=True, blank=True)
    # The day the move took effect (it may be recorded later).
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"


class CounsellingSession(models.Model):
    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="counselling_sessions"
    )
    held_on = models.DateField()
    language = models.CharField(max_length=3)  # ISO 639-1
    interpreter_used = models.BooleanField(default=False)
    topics = models.JSONField(default=list)  # CounsellingTopic codes
    notes = EncryptedTextField(null=True, blank=True)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"counselling on {self.held_on}"


class EligibilityCheck(models.Model):
    """The facts given to `waypoint.domain.eligibility.evaluate` and what it answered."""

    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="eligibility_checks"
    )
    programme_id = models.CharField(max_length=64)
    facts = EncryptedJSONField()
    # Each rule's outcome, reason code and explanation in every language.
    rules = EncryptedJSONField()
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    provisional = models.BooleanField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_at", "-id"]

    def __str__(self) -> str:
        return f"eligibility {self.verdict}"


class Declaration(models.Model):
    """A voluntary return declaration generated in the person's language."""

    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="declarations")
    language = models.CharField(max_length=2)
    # The title, paragraphs and labels exactly as generated (see returns.declaration).
    content = EncryptedJSONField()
    template_version = models.CharField(max_length=16)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(auto_now_add=True)
    signed_on = models.DateField(null=True, blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return f"declaration {self.pk} ({self.language})"


class RiskAssessment(models.Model):
    """The risks of returning to the country of return; a high one needs a supervisor."""

    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    assessed_on = models.DateField()
    re_trafficking = models.CharField(max_length=8, choices=RiskLevel.choices)
    perpetrator_threat = models.CharField(max_length=8, choices=RiskLevel.choices)
    family_situation = models.CharField(max_length=8, choices=RiskLevel.choices)
    health_needs = models.CharField(max_length=8, choices=RiskLevel.choices)
    # The highest of the four.
    overall = models.CharField(max_length=8, choices=RiskLevel.choices)
    details = EncryptedJSONField()  # RiskArea code → what was found
    mitigation = EncryptedTextField(null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=16, choices=RiskDecision.choices, blank=True)
    decision_reason = EncryptedTextField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"risk {self.overall} on {self.assessed_on}"


class TravelPlan(models.Model):
    return_record = models.OneToOneField(Return, on_delete=models.CASCADE, related_name="travel")
    planned_departure_on = models.DateField(null=True, blank=True)
    itinerary = EncryptedTextField(null=True, blank=True)
    escort_needed = models.BooleanField(default=False)
    escort_details = EncryptedTextField(null=True, blank=True)
    medical_needs = EncryptedTextField(null=True, blank=True)
    # The organisation that receives the person in the country of return.
    receiving_partner = models.CharField(max_length=200, blank=True)
    receiving_partner_contact = EncryptedTextField(null=True, blank=True)
    departure_confirmed_on = models.DateField(null=True, blank=True)
    arrival_confirmed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"travel of {self.return_record_id}"


class TravelDocument(models.Model):
    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="travel_documents"
    )
    kind = models.CharField(max_length=32, choices=TravelDocumentKind.choices)
    status = models.CharField(max_length=12, choices=TravelDocumentStatus.choices)
    requested_on = models.DateField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    notes = EncryptedTextField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"


class AssistanceItem(models.Model):
    """One item of the reintegration plan, along IOM's dimensions and levels."""

    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="assistance_items"
    )
    kind = models.CharField(max_length=32, choices=AssistanceKind.choices)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    description = EncryptedTextField(null=True, blank=True)
    partner = models.CharField(max_length=200, blank=True)
    budget = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)  # ISO 4217
    status = models.CharField(
        max_length=12, choices=AssistanceStatus.choices, default=AssistanceStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.budget} {self.currency}"


class Disbursement(models.Model):
    """A payment made from an assistance item's budget, in the item's currency."""

    item = models.ForeignKey(AssistanceItem, on_delete=models.CASCADE, related_name="disbursements")
    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class MonitoringVisit(models.Model):
    """A monitoring visit scored with the reintegration sustainability instrument."""

    return_record = models.ForeignKey(
        Return, on_delete=models.CASCADE, related_name="monitoring_visits"
    )
    visited_on = models.DateField()
    mode = models.CharField(max_length=12, choices=VisitMode.choices)
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=16)
    answers = EncryptedJSONField()  # indicator id → answer id
    notes = EncryptedTextField(null=True, blank=True)
    # The scores, in clear for charts and statistics; `None` where the instrument gives none.
    composite = models.FloatField(null=True, blank=True)
    dimension_scores = models.JSONField(default=dict)  # dimension id → score or null
    label_id = models.CharField(max_length=16, blank=True)
    re_trafficking_risk = models.BooleanField(default=False)
    provisional = models.BooleanField()
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visited_on", "id"]

    def __str__(self) -> str:
        return f"monitoring on {self.visited_on}"
