"""Fixtures for the check rounds: projects approved on APPROVED_ON (acceptance_fixtures), a
grant plan with a tranche conditioned on the mid-term check, rounds opened through the
service and brought to expert scoring, and experts with accounts for real draws."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory, membership
from tests.projects.acceptance_fixtures import *  # noqa: F403
from vetq.projects.checks import check_round_create
from vetq.projects.models import CheckEntry, CheckRound, CheckRoundState
from vetq.reviews.models import Expert

# The day the rounds are opened in these tests (the projects started on APPROVED_ON).
OPENED = date(2021, 9, 1)
DUE = date(2021, 10, 15)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# The policy's mid-term rubric (wuxi-2016-77.toml), each criterion scored the same.
MIDTERM_COMMENT = {"progress": "按计划推进，里程碑基本完成。"}
ACCEPTANCE_COMMENT = {"goals": "建设目标全面完成。"}


def pdf(name: str = "自评佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def midterm_plan(program):
    """Fixed subsidies paid 40% on approval, 30% on passing the mid-term check and 30% on
    passing acceptance (a policy another city could have)."""
    program.policy["funding"]["fixed_plan"] = [
        {"share": "0.4", "condition": "on_approval"},
        {"share": "0.3", "condition": "midterm_passed"},
        {"share": "0.3", "condition": "acceptance_passed"},
    ]
    program.save(update_fields=["policy"])
    return program


@pytest.fixture
def open_round(bureau_user):
    """A round of `kind` over `projects` (their cohort), opened on OPENED, due DUE."""

    def make(projects, kind: str = "midterm", **kwargs) -> CheckRound:
        cohort = projects[0].application.call_category
        return check_round_create(kind=kind, call_category=cohort, by=bureau_user,
                                  projects=projects, self_assessment_due=DUE, today=OPENED,
                                  **kwargs)

    return make


def scored(check_round: CheckRound, scores: dict) -> CheckRound:
    """The round put in expert scoring with the experts' scores given directly (project →
    score): the full-round test takes the real way through the panel."""
    CheckRound.objects.filter(pk=check_round.pk).update(state=CheckRoundState.REVIEWING)
    for project, score in scores.items():
        CheckEntry.objects.filter(round=check_round, project=project).update(
            score=Decimal(str(score)))
    check_round.refresh_from_db()
    return check_round


def entry_of(check_round: CheckRound, project) -> CheckEntry:
    return CheckEntry.objects.select_related("round", "project").get(round=check_round,
                                                                       project=project)


@pytest.fixture
def reviewers(program, regions):
    """`n` experts of Xishan with accounts (expert-e0001…)."""

    def make(n: int = 12) -> list[Expert]:
        experts = []
        for i in range(1, n + 1):
            user = UserFactory(username=f"expert-e{i:04d}", full_name=f"评审专家{i:04d}")
            membership(user, "expert")
            experts.append(Expert.objects.create(user=user, code=f"E{i:04d}",
                                                 name=f"评审专家{i:04d}",
                                                 region=regions["xishan"]))
        return experts

    return make


def later(days: int = 1):
    return timezone.now() + timedelta(days=days)

