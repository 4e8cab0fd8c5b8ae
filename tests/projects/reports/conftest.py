"""Fixtures for the progress report tests: a brand-major project approved on 2 March 2020 (so
its reports on construction years 1 and 2 run to 1 March 2021 and 2022, due 30 days
later), with milestones and a budget plan, its school's user and another school's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.projects.projects_fixtures import *  # noqa: F403
from tests.projects.projects_fixtures import school_of
from vetq.projects.models import Project

SHANGHAI = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MILESTONES = [{"year": 2020, "text": "完成建设方案论证"}, {"year": 2020, "text": "采购实训设备"},
              {"year": 2021, "text": "建成实训中心"}, {"year": 2022, "text": "总结推广"}]
BUDGET = [{"item": "equipment", "amount": "60000.00", "school": "0.00", "partner": "0.00"},
          {"item": "training", "amount": "40000.00", "school": "0.00", "partner": "0.00"}]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def planned(project: Project) -> Project:
    """Give the project the milestones and budget plan its reports are written against."""
    Project.objects.filter(pk=project.pk).update(milestones=MILESTONES, budget=BUDGET)
    project.refresh_from_db()
    return project


@pytest.fixture
def project(project_at):
    return planned(project_at("brand_major", title="梁溪品牌专业"))


@pytest.fixture
def report(project):
    return project.reports.get(year=1)


@pytest.fixture
def school_a(project):
    """A user of the project's school."""
    return school_of(project, "school-a")


@pytest.fixture
def school_b(project_at):
    """A user of another school, with a project of its own."""
    other = project_at("brand_major", title="别校项目")
    return school_of(other, "school-b")


FILLED = {
    "text": "完成了建设方案论证和实训设备采购。",
    "indicators": [{"reached": True, "figure": "100%", "note": "已验收"},
                   {"reached": False, "figure": "80%", "note": "部分设备到货"}],
    "spending": "",
    "spending_items": [{"item": "equipment", "amount": "30,000"},
                       {"item": "training", "amount": "12000.50"}],
}
APPROVED_ON = date(2020, 3, 2)
