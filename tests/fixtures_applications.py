"""Fixtures for calls and applications: an open call, drafts that pass eligibility."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create
from vetq.core.uploads import stored_file_create
from vetq.programs.calls import call_create, call_publish

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name: str = "plan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def bureau_admin(bureau_user):
    return bureau_user


@pytest.fixture
def region_officer(regions):
    user = UserFactory(username="liangxi-officer")
    membership(user, "region_officer", region=regions["liangxi"])
    return user


@pytest.fixture
def open_call(program, bureau_user):
    """The 2020 call, published, with every active category open (quota 10)."""
    now = timezone.now()
    call = call_create(
        program=program, year=2020, title="2020年度职业教育质量提升工程项目申报",
        notice="请各校按要求申报。",
        submission_deadline=now + timedelta(days=10),
        recommendation_deadline=now + timedelta(days=20),
        formal_check_deadline=now + timedelta(days=30),
        quotas={c.code: 10 for c in program.categories.filter(active=True)},
        by=bureau_user,
    )
    return call_publish(call=call, by=bureau_user)


@pytest.fixture
def call_category(open_call):
    def get(code: str):
        return open_call.call_categories.get(category__code=code)

    return get


def fill_complete(application: Application, *, by, major=None, enterprise=None) -> Application:
    """Give a draft everything its form requires, so it passes the automatic checks."""
    application.lead_name = "张明"
    application.lead_title = "高级讲师"
    application.goals = "建成对接区域产业的现代化专业。"
    application.milestones = [{"year": 2020, "text": "完成方案"}, {"year": 2021, "text": "建成"}]
    application.budget = [{"item": "equipment", "amount": "80000.00", "school": "20000.00",
                           "partner": "0.00"}]
    answers = {}
    for field in application.form["fields"]:
        if field["type"] == "choice":
            answers[field["key"]] = field["choices"][0]["code"]
        elif field["type"] == "multichoice":
            answers[field["key"]] = [field["choices"][0]["code"]]
        elif field["type"] == "members":
            answers[field["key"]] = [{"level": field["levels"][0]["code"], "name": "无锡某中专"}]
        elif field["type"] == "integer":
            answers[field["key"]] = 40
        else:
            answers[field["key"]] = "说明"
    application.answers = answers
    application.save()
    if major is not None:
        application.majors.add(major)
    if enterprise is not None:
        application.enterprises.add(enterprise)
    from vetq.applications.models import Attachment

    for slot in application.form["attachments"]:
        if slot.get("required"):
            stored = stored_file_create(upload=pdf_upload(), by=by)
            Attachment.objects.create(application=application, slot=slot["code"], file=stored)
    return application


@pytest.fixture
def draft(call_category, school, school_user, major):
    """A complete brand-major draft of the Liangxi school, ready to submit."""

    def make(code: str = "brand_major", *, institution=None, user=None, with_major=True,
             title="数控技术应用品牌专业建设"):
        institution = institution or school
        user = user or school_user
        application = application_create(
            call_category=call_category(code), institution=institution, by=user, title=title
        )
        chosen = None
        if with_major:
            chosen = institution.majors.first() if institution != school else major
        from vetq.institutions.models import Enterprise

        enterprise = None
        if application.form["category"]["enterprises"] == "required":
            enterprise, _ = Enterprise.objects.get_or_create(name="无锡示范机械有限公司")
        return fill_complete(application, by=user, major=chosen, enterprise=enterprise)

    return make
