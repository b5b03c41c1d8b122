"""The closed vocabularies shared by the catalogue, the rules and the contract."""

from typing import Literal

Language = Literal["en", "pl", "uk", "ru"]
LANGUAGES: tuple[Language, ...] = ("en", "pl", "uk", "ru")

Jurisdiction = Literal["INT", "EU", "PL"]
Answer = Literal["yes", "no", "unknown", "declined"]
Strength = Literal["strong", "medium", "weak"]
AgeGroup = Literal["adult", "child"]
DimensionRole = Literal["recruitment", "exploitation", "destination"]
ActId = Literal["recruitment", "transportation", "transfer", "harbouring", "receipt"]
ExploitationFormId = Literal[
    "labour",
    "sexual",
    "begging",
    "criminal_activities",
    "forced_marriage",
    "illegal_adoption",
    "surrogacy",
    "organ_removal",
    "servitude",
    "other",
]
MovementFactId = Literal[
    "crossed_border",
    "entry",
    "consented_to_movement",
    "paid_for_movement",
    "free_to_leave_after_arrival",
    "relationship_ended_on_arrival",
]
Entry = Literal["regular", "irregular"]

DimensionStatus = Literal["positive", "negative", "undetermined"]
RuleClause = Literal["two_strong", "strong_and_other", "three_medium", "two_medium_one_weak"]
IloVerdict = Literal["trafficked", "not_trafficked", "undetermined"]
IloRule = Literal["adult", "child", "adult_and_child"]
ElementStatus = Literal["present", "absent", "unknown"]
MovementClassification = Literal[
    "trafficking", "smuggling", "smuggled_then_trafficked", "neither", "undetermined"
]
HtcdsTraffickingStatus = Literal["PossibleVictimOfTrafficking", "NotAVictimOfTrafficking"]
LegalConclusion = Literal[
    "definition_met", "definition_not_met", "needs_legal_assessment", "undetermined"
]
QuestionKind = Literal["indicator", "movement", "person", "act"]
Outcome = Literal["ilo", "palermo", "htcds", "movement"]

# Age from which a person is an adult for the indicator sets and for every definition used here
# (Palermo Art. 3(d), Directive 2011/36/EU, Polish "małoletni").
ADULT_AGE = 18
