"""The application workflow as data: every allowed move, who makes it, and who is told.

`services.application_transition` is the only code that changes an application's state;
it looks the move up here. Guards live in services (they need the database); this table
only names them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from vetq.accounts.roles import Role

from .states import LIVE_STATES
from .states import ApplicationState as S


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset[str]
    target: str
    role: str
    comment_required: bool = False
    guard: str = ""
    notify: tuple[str, ...] = ()
    # False for moves that another service makes as part of its own work (the review round
    # starts with a draw, publicity ends with approval and a grant): never a bare button.
    manual: bool = True


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, Role.SCHOOL_USER,
               guard="eligibility", notify=("region",)),
    Transition("withdraw", _("Withdraw"), frozenset(LIVE_STATES), S.WITHDRAWN, Role.SCHOOL_USER,
               comment_required=True, notify=("region", "bureau")),
    Transition("return", _("Return for revision"), frozenset({S.SUBMITTED}), S.DRAFT,
               Role.REGION_OFFICER, comment_required=True, guard="recommendation_window",
               notify=("school",)),
    Transition("recommend", _("Recommend"), frozenset({S.SUBMITTED}), S.RECOMMENDED,
               Role.REGION_OFFICER, guard="recommendation", notify=("school", "bureau")),
    Transition("mark_eligible", _("Pass formal check"), frozenset({S.RECOMMENDED}), S.ELIGIBLE,
               Role.BUREAU_ADMIN, guard="formal_check_window", notify=("school", "region")),
    Transition("mark_ineligible", _("Fail formal check"), frozenset({S.RECOMMENDED}),
               S.INELIGIBLE, Role.BUREAU_ADMIN, comment_required=True,
               guard="formal_check_window", notify=("school", "region")),
    Transition("start_review", _("Start review"), frozenset({S.ELIGIBLE}), S.UNDER_REVIEW,
               Role.BUREAU_ADMIN, manual=False),
    Transition("finish_review", _("Finish review"), frozenset({S.UNDER_REVIEW}), S.REVIEWED,
               Role.BUREAU_ADMIN, manual=False),
    Transition("shortlist", _("Shortlist"), frozenset({S.REVIEWED}), S.SHORTLISTED,
               Role.BUREAU_ADMIN, manual=False),
    Transition("publish", _("Publish for publicity"), frozenset({S.SHORTLISTED}),
               S.IN_PUBLICITY, Role.BUREAU_ADMIN, notify=("school",), manual=False),
    Transition("reject", _("Do not approve"), frozenset({S.REVIEWED, S.SHORTLISTED,
               S.IN_PUBLICITY}), S.REJECTED, Role.BUREAU_ADMIN, comment_required=True,
               notify=("school", "region")),
    Transition("approve", _("Approve"), frozenset({S.IN_PUBLICITY}), S.APPROVED,
               Role.BUREAU_ADMIN, notify=("school", "region"), manual=False),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}


def transition_for(action: str) -> Transition | None:
    return BY_ACTION.get(action)


def actions_from(state: str, role: str, *, manual_only: bool = True) -> list[Transition]:
    """The moves a holder of `role` may make from `state`, in table order; by default only
    those a person makes with a button."""
    return [
        t for t in TRANSITIONS
        if state in t.sources and t.role == role and (t.manual or not manual_only)
    ]
