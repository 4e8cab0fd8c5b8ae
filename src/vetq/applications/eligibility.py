"""Automatic eligibility rules (R26) as pure functions: no Django, no database.

`check_submission(facts)` returns every failure with a code and a message, so the school
sees all that must be fixed at once, not one problem per attempt.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

# Marks messages for the translation catalogue; it needs no settings and no database.
from django.utils.translation import gettext_noop as N_


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SubmissionFacts:
    """Everything the rules need about one application at the moment it is submitted."""

    now: datetime
    call_open: bool
    submission_deadline: datetime
    institution_type: str
    eligible_types: Sequence[str]
    per_school_cap: int | None
    other_live_in_call_category: int
    # Majors named on the application that already have a live application or a funded
    # project in the same category (program-wide), by catalogue code.
    majors_taken: Sequence[str]
    missing_fields: Sequence[str]
    missing_attachments: Sequence[str]


def check_submission(facts: SubmissionFacts) -> list[Failure]:
    """All reasons an application may not be submitted; empty means it may."""
    failures: list[Failure] = []
    if not facts.call_open:
        failures.append(Failure("call_closed", N_("The call is not open for applications.")))
    elif facts.now > facts.submission_deadline:
        failures.append(Failure(
            "deadline_passed", N_("The submission deadline (%(deadline)s) has passed."),
            {"deadline": facts.submission_deadline.isoformat(timespec="minutes")},
        ))
    if facts.institution_type not in facts.eligible_types:
        failures.append(Failure(
            "type_not_eligible", N_("Institutions of this type may not apply for this category."),
        ))
    if facts.per_school_cap is not None and facts.other_live_in_call_category >= facts.per_school_cap:
        failures.append(Failure(
            "school_cap",
            N_("Your school already has %(count)s application(s) in this category of this "
               "call; the cap is %(cap)s."),
            {"count": facts.other_live_in_call_category, "cap": facts.per_school_cap},
        ))
    for code in facts.majors_taken:
        failures.append(Failure(
            "major_taken",
            N_("The major %(major)s already has a live application or a funded project in "
               "this category."),
            {"major": code},
        ))
    for label in facts.missing_fields:
        failures.append(Failure("missing_field", N_("Required: %(field)s."), {"field": label}))
    for label in facts.missing_attachments:
        failures.append(Failure(
            "missing_attachment", N_("Required attachment missing: %(attachment)s."),
            {"attachment": label},
        ))
    return failures


def within(now: datetime, deadline: datetime) -> bool:
    return now <= deadline


def region_cap_reached(*, recommended_so_far: int, cap: int | None) -> bool:
    return cap is not None and recommended_so_far >= cap
