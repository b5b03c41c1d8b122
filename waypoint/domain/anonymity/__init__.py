"""Protecting people in published figures: small-cell suppression and a k-anonymity check.

See :mod:`waypoint.domain.anonymity.suppression` for how a table is suppressed and what is
guaranteed.
"""

from waypoint.domain.anonymity.k_anonymity import KAnonymityCheck, k_anonymous
from waypoint.domain.anonymity.suppression import (
    CTDC_K,
    GroupKey,
    PublishedCell,
    SuppressedTable,
    Suppression,
    suppress,
)

__all__ = [
    "CTDC_K",
    "GroupKey",
    "KAnonymityCheck",
    "PublishedCell",
    "SuppressedTable",
    "Suppression",
    "k_anonymous",
    "suppress",
]
