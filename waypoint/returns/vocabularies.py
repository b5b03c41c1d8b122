"""The closed lists a return is recorded with: codes stored in clear, labels translated.

The stage codes are the domain's (`waypoint.domain.return_lifecycle.ReturnStage`); the other
lists are this product's working vocabularies, after the IOM AVRR framework and IOM's integrated
approach to reintegration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from waypoint.domain.eligibility import BestInterests as DomainBestInterests
from waypoint.domain.return_lifecycle import ReturnStage


class Stage(models.TextChoices):
    COUNSELLING = ReturnStage.COUNSELLING.value, _("Information and counselling")
    APPLICATION = ReturnStage.APPLICATION.value, _("Application")
    APPROVED = ReturnStage.APPROVED.value, _("Approved")
    REJECTED = ReturnStage.REJECTED.value, _("Rejected")
    TRAVEL_ARRANGED = ReturnStage.TRAVEL_ARRANGED.value, _("Travel arranged")
    DEPARTED = ReturnStage.DEPARTED.value, _("Departed")
    ARRIVED = ReturnStage.ARRIVED.value, _("Arrived and received")
    REINTEGRATION = ReturnStage.REINTEGRATION.value, _("Reintegration assistance")
    MONITORING = ReturnStage.MONITORING.value, _("Monitoring")
    COMPLETED = ReturnStage.COMPLETED.value, _("Completed")
    WITHDRAWN = ReturnStage.WITHDRAWN.value, _("Withdrawn by the person")
    CANCELLED = ReturnStage.CANCELLED.value, _("Cancelled by the organisation")


class CounsellingTopic(models.TextChoices):
    OPTIONS_TO_STAY = "options_to_stay", _("Options to stay in the host country")
    LEGAL_STATUS = "legal_status", _("The person's legal status")
    RISKS_ON_RETURN = "risks_on_return", _("Risks on return")
    ASSISTANCE_AVAILABLE = "assistance_available", _("Assistance available before and after return")
    RIGHT_TO_WITHDRAW = "right_to_withdraw", _("The right to withdraw at any time before departure")
    TRAVEL = "travel", _("Travel arrangements and documents")
    REINTEGRATION = "reintegration", _("Reintegration assistance and monitoring")


# A decision to return is informed only once every one of these was covered in counselling.
REQUIRED_TOPICS: tuple[str, ...] = (
    CounsellingTopic.OPTIONS_TO_STAY,
    CounsellingTopic.LEGAL_STATUS,
    CounsellingTopic.RISKS_ON_RETURN,
    CounsellingTopic.ASSISTANCE_AVAILABLE,
)


class MigrationStatus(models.TextChoices):
    # The codes of waypoint/domain/eligibility/data/programmes.json (migration_statuses).
    REGULAR_STAY = "regular_stay", _("Regular stay")
    IRREGULAR_STAY = "irregular_stay", _("Irregular stay")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    ASYLUM_REJECTED = "asylum_rejected", _("Asylum application rejected")
    VICTIM = "presumed_or_identified_victim", _("Presumed or identified victim of trafficking")
    STRANDED = "stranded_migrant", _("Stranded migrant")


class BestInterests(models.TextChoices):
    IN_BEST_INTERESTS = (
        DomainBestInterests.RETURN_IN_BEST_INTERESTS.value,
        _("Return is in the child's best interests"),
    )
    NOT_IN_BEST_INTERESTS = (
        DomainBestInterests.RETURN_NOT_IN_BEST_INTERESTS.value,
        _("Return is not in the child's best interests"),
    )


class Verdict(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    UNDETERMINED = "undetermined", _("Not yet determined")


class EligibilityRule(models.TextChoices):
    # The rules of waypoint.domain.eligibility.
    NATIONALITY = "nationality", _("Nationality")
    COUNTRY_OF_RETURN = "country_of_return", _("Country of return")
    MIGRATION_STATUS = "migration_status", _("Migration status")
    VOLUNTARINESS = "voluntariness", _("Voluntariness")
    PENDING_OBLIGATIONS = "pending_obligations", _("Obligations requiring presence")
    MINOR_SAFEGUARDS = "minor_safeguards", _("Safeguards for a child")


class Outcome(models.TextChoices):
    PASSED = "passed", _("Met")
    FAILED = "failed", _("Not met")
    UNKNOWN = "unknown", _("Not known yet")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


RISK_ORDER: tuple[str, ...] = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH)


class RiskArea(models.TextChoices):
    RE_TRAFFICKING = "re_trafficking", _("Risk of being trafficked again")
    PERPETRATOR_THREAT = "perpetrator_threat", _("Threats from the perpetrators")
    FAMILY_SITUATION = "family_situation", _("Family situation")
    HEALTH_NEEDS = "health_needs", _("Health needs")


class RiskDecision(models.TextChoices):
    PROCEED = "proceed", _("Departure may proceed with the mitigation recorded")
    DO_NOT_PROCEED = "do_not_proceed", _("Departure may not proceed")


class TravelDocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    EMERGENCY_TRAVEL_DOCUMENT = "emergency_travel_document", _("Emergency travel document")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    TRANSIT_VISA = "transit_visa", _("Transit visa")
    EXIT_PERMIT = "exit_permit", _("Exit permit")
    OTHER = "other", _("Other document")


class TravelDocumentStatus(models.TextChoices):
    TO_REQUEST = "to_request", _("To be requested")
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    NOT_NEEDED = "not_needed", _("Not needed")


# A document in one of these states keeps the person from leaving.
PENDING_DOCUMENT_STATUSES: tuple[str, ...] = (
    TravelDocumentStatus.TO_REQUEST,
    TravelDocumentStatus.REQUESTED,
    TravelDocumentStatus.REFUSED,
)


class AssistanceKind(models.TextChoices):
    BUSINESS_START_UP_GRANT = "business_start_up_grant", _("Business start-up grant")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    MEDICAL_CARE = "medical_care", _("Medical care")
    HOUSING_SUPPORT = "housing_support", _("Housing support")
    SCHOOL_FEES = "school_fees", _("School fees")
    COUNSELLING = "counselling", _("Psychosocial counselling")
    OTHER = "other", _("Other assistance")


class Dimension(models.TextChoices):
    # The dimensions of IOM's integrated approach; also the instrument's dimension ids.
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


# Where each kind of assistance usually sits; the case worker may choose otherwise.
USUAL_DIMENSION: dict[str, str] = {
    AssistanceKind.BUSINESS_START_UP_GRANT: Dimension.ECONOMIC,
    AssistanceKind.VOCATIONAL_TRAINING: Dimension.ECONOMIC,
    AssistanceKind.MEDICAL_CARE: Dimension.SOCIAL,
    AssistanceKind.HOUSING_SUPPORT: Dimension.SOCIAL,
    AssistanceKind.SCHOOL_FEES: Dimension.SOCIAL,
    AssistanceKind.COUNSELLING: Dimension.PSYCHOSOCIAL,
    AssistanceKind.OTHER: Dimension.ECONOMIC,
}


class AssistanceStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")
    BY_PARTNER = "by_partner", _("By the receiving partner")


class AttentionReason(models.TextChoices):
    COMPOSITE_FELL = "composite_fell", _("The overall score fell")
    DIMENSION_FELL = "dimension_fell", _("A dimension's score fell")
    RE_TRAFFICKING_RISK = "re_trafficking_risk", _("An answer signals a risk of re-trafficking")
