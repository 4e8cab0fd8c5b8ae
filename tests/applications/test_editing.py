"""The school's create and edit pages: every field type saved and shown, bad input refused
with nothing half-saved, and another school's application out of reach."""

import random

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import MajorFactory, UserFactory, membership
from vetq.applications.models import Application
from vetq.applications.services import application_create, application_transition
from vetq.audit.models import AuditEntry
from vetq.demo.enterprises import credit_code
from vetq.institutions.models import Enterprise, Industry
from vetq.programs.calls import call_close
from vetq.programs.models import Category

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    """Messages are checked by their English wording; uploads go to a temporary directory."""
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path
    with translation.override("en"):
        yield


@pytest.fixture
def new_draft(call_category, school, school_user):
    def make(code: str, title: str = "实训基地建设"):
        return application_create(call_category=call_category(code), institution=school,
                                  by=school_user, title=title)

    return make


def common_post(**extra) -> dict:
    data = {
        "title": "数控实训基地", "lead_name": "张明", "lead_title": "高级讲师",
        "lead_phone": "0510-88886666", "goals": "建成区域共享的实训基地。",
        "team-name": ["李华", "王芳"], "team-title": ["讲师", "工程师"],
        "team-unit": ["机电系", "无锡示范机械"], "team-role": ["骨干教师", "企业导师"],
        "milestone-year": ["2021", "2020", ""], "milestone-text": ["验收", "完成方案", ""],
        "budget-equipment-amount": "80000", "budget-equipment-school": "20000.5",
        "budget-equipment-partner": "", "budget-training-amount": "20000",
        "budget-training-school": "", "budget-training-partner": "10000",
    }
    data.update(extra)
    return data


def test_create_shows_a_title_form_and_starts_a_draft(client, school_user, school, call_category):
    client.force_login(school_user)
    url = reverse("applications:create", args=[call_category("training_base").pk])
    page = client.get(url).content.decode()
    assert 'name="title"' in page
    response = client.post(url, {"title": "  数控实训基地  "})
    application = Application.objects.get()
    assert response.url == reverse("applications:edit", args=[application.pk])
    assert (application.title, application.institution, application.state) == (
        "数控实训基地", school, "draft")
    assert [f["key"] for f in application.form["fields"]] == [
        "talent_training_centre", "teaching_research_centre", "technology_promotion_centre",
        "stations"]


def test_create_refused_when_the_call_is_closed(client, school_user, open_call, call_category,
                                                bureau_user):
    call_close(call=open_call, by=bureau_user, reason="提前结束")
    client.force_login(school_user)
    url = reverse("applications:create", args=[call_category("brand_major").pk])
    response = client.post(url, {"title": "品牌专业"})
    assert response.context["reasons"] == ["The call is not open for applications."]
    assert 'name="title"' not in response.content.decode()
    assert Application.objects.count() == 0


def test_create_refused_for_an_ineligible_school_type(client, school_user, call_category):
    Category.objects.filter(code="brand_major").update(eligible_types=["higher_vocational"])
    client.force_login(school_user)
    response = client.post(reverse("applications:create", args=[call_category("brand_major").pk]),
                           {"title": "品牌专业"})
    assert response.context["reasons"] == [
        "Institutions of this type may not apply for this category."]
    assert Application.objects.count() == 0


def test_create_refused_for_a_user_who_is_no_school_user(client, region_officer, call_category):
    client.force_login(region_officer)
    response = client.post(reverse("applications:create", args=[call_category("brand_major").pk]),
                           {"title": "品牌专业"})
    assert response.context["reasons"] == [
        "Only a school's project administrator can start an application."]
    assert Application.objects.count() == 0


def test_edit_training_base_saves_every_field_and_the_detail_shows_them(
        client, school_user, new_draft, major, program):
    application = new_draft("training_base")
    industry = program.industries.get(code="high_end_equipment")
    code = credit_code(random.Random(7), "liangxi")
    client.force_login(school_user)
    response = client.post(reverse("applications:edit", args=[application.pk]), common_post(**{
        "majors": [str(major.pk)], "industries": [str(industry.pk)],
        "new_enterprise_name": "无锡示范机械有限公司", "new_enterprise_credit_code": code.lower(),
        "answer-talent_training_centre": "年培训500人次", "answer-teaching_research_centre": "教研",
        "answer-technology_promotion_centre": "推广", "answer-stations": "40",
    }))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.team == [
        {"name": "李华", "title": "讲师", "unit": "机电系", "role": "骨干教师"},
        {"name": "王芳", "title": "工程师", "unit": "无锡示范机械", "role": "企业导师"},
    ]
    assert application.milestones == [{"year": 2020, "text": "完成方案"},
                                      {"year": 2021, "text": "验收"}]
    assert application.budget == [
        {"item": "equipment", "amount": "80000.00", "school": "20000.50", "partner": "0.00"},
        {"item": "training", "amount": "20000.00", "school": "0.00", "partner": "10000.00"},
    ]
    assert application.answers == {
        "talent_training_centre": "年培训500人次", "teaching_research_centre": "教研",
        "technology_promotion_centre": "推广", "stations": 40}
    assert list(application.majors.all()) == [major]
    assert list(application.industries.all()) == [industry]
    enterprise = Enterprise.objects.get()
    assert (enterprise.name, enterprise.credit_code) == ("无锡示范机械有限公司", code)
    assert list(application.enterprises.all()) == [enterprise]
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    for text in ("<dt class=\"col-sm-3\">Talent-training centre</dt>", "年培训500人次",
                 "<dt class=\"col-sm-3\">Practice stations</dt>", "李华", "企业导师", "完成方案",
                 "Equipment", "100,000 yuan", "30,000.50 yuan", "Co-funding by the school and "
                 "partners: 30,000.50 yuan", "无锡示范机械有限公司", industry.name, major.name):
        assert text in page


def test_edit_enterprise_partnership_saves_the_r6a_vocabularies(client, school_user, new_draft):
    application = new_draft("enterprise_partnership", "校企合作示范组合")
    partner = Enterprise.objects.create(name="无锡精工有限公司")
    client.force_login(school_user)
    client.post(reverse("applications:edit", args=[application.pk]), common_post(**{
        "enterprises": [str(partner.pk)], "answer-partnership_form": "school_in_factory",
        "answer-co_built_units": ["incubator", "master_workshop"],
    }))
    application.refresh_from_db()
    assert application.answers == {"partnership_form": "school_in_factory",
                                   "co_built_units": ["master_workshop", "incubator"]}
    assert list(application.enterprises.all()) == [partner]
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "School in factory" in page
    assert "Skills master workshop、Start-up incubator" in page
    edit = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert '<option value="school_in_factory" selected>School in factory</option>' in edit


def test_edit_program_alliance_saves_member_rows(client, school_user, new_draft):
    application = new_draft("program_alliance", "中高职专业办学联盟")
    client.force_login(school_user)
    client.post(reverse("applications:edit", args=[application.pk]), common_post(**{
        "answer-members-level": ["secondary", "higher", ""],
        "answer-members-name": ["无锡某中专", "无锡职业技术学院", ""],
    }))
    application.refresh_from_db()
    assert application.answers == {"members": [{"level": "secondary", "name": "无锡某中专"},
                                               {"level": "higher", "name": "无锡职业技术学院"}]}
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "Secondary vocational：无锡某中专<br>Higher vocational：无锡职业技术学院" in page


def test_edit_audits_the_changed_fields_only(client, school_user, new_draft):
    application = new_draft("training_base")
    client.force_login(school_user)
    client.post(reverse("applications:edit", args=[application.pk]),
                {"title": "新的名称", "lead_name": "张明"})
    entry = AuditEntry.objects.get(action="application.update")
    assert (entry.before, entry.after) == (
        {"title": "实训基地建设", "lead_name": ""}, {"title": "新的名称", "lead_name": "张明"})


def _refused_post(client, application, **bad) -> list[str]:
    response = client.post(reverse("applications:edit", args=[application.pk]),
                           common_post(**{"title": "改过的名称", **bad}))
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_edit_refuses_a_malformed_amount_and_saves_nothing(client, school_user, new_draft):
    application = new_draft("training_base")
    client.force_login(school_user)
    messages = _refused_post(client, application, **{"budget-other-amount": "12,3a"})
    assert messages == ["Budget plan: “123a” is not an amount."]
    application.refresh_from_db()
    assert (application.title, application.team, application.budget) == ("实训基地建设", [], [])
    assert not AuditEntry.objects.filter(action="application.update").exists()


def test_edit_refuses_a_choice_not_in_the_list(client, school_user, new_draft):
    application = new_draft("enterprise_partnership")
    client.force_login(school_user)
    messages = _refused_post(client, application, **{"answer-partnership_form": "joint_venture",
                                                     "answer-co_built_units": ["incubator"]})
    assert messages == ["Form of partnership: Choose one of the listed options."]
    application.refresh_from_db()
    assert (application.title, application.answers) == ("实训基地建设", {})


def test_edit_refuses_a_major_of_another_school(client, school_user, new_draft, other_school):
    application = new_draft("brand_major")
    foreign = MajorFactory(institution=other_school)
    client.force_login(school_user)
    messages = _refused_post(client, application, majors=[str(foreign.pk)])
    assert messages == ["Majors: choose majors of your own school."]
    assert application.majors.count() == 0
    assert Application.objects.get().title == "实训基地建设"


def test_edit_lists_every_problem_at_once(client, school_user, new_draft):
    application = new_draft("training_base")
    client.force_login(school_user)
    messages = _refused_post(client, application, title="", **{
        "answer-stations": "forty", "milestone-year": ["1999"], "milestone-text": ["早"],
        "new_enterprise_name": "某公司", "new_enterprise_credit_code": "123"})
    assert messages == [
        "Project title: This field is required.",
        "Milestones: enter a year from 2020 to 2030.",
        "Practice stations: Enter a whole number.",
        "New enterprise: “123” is not a valid unified social credit code.",
    ]
    assert Enterprise.objects.count() == 0


def test_edit_of_a_submitted_application_is_refused(client, school_user, draft):
    application = application_transition(application=draft(), action="submit", by=school_user)
    client.force_login(school_user)
    url = reverse("applications:edit", args=[application.pk])
    response = client.post(url, common_post(), follow=True)
    assert response.redirect_chain == [(reverse("applications:detail", args=[application.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "This application is Submitted; only a draft can be changed."]
    application.refresh_from_db()
    assert application.title == "数控技术应用品牌专业建设"
    assert client.get(url).status_code == 302


def test_another_school_cannot_read_or_edit(client, new_draft, other_school):
    application = new_draft("training_base")
    stranger = UserFactory(username="yixing-school")
    membership(stranger, "school_user", institution=other_school)
    client.force_login(stranger)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 404
    assert client.post(reverse("applications:edit", args=[application.pk]),
                       common_post()).status_code == 404
    assert Application.objects.get().title == "实训基地建设"


def test_the_bureau_may_read_but_not_edit_a_draft(client, new_draft, bureau_user):
    application = new_draft("training_base")
    client.force_login(bureau_user)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 200
    assert client.get(reverse("applications:edit", args=[application.pk])).status_code == 403


def test_a_region_officer_does_not_see_an_unsubmitted_draft(client, new_draft, region_officer):
    application = new_draft("training_base")
    client.force_login(region_officer)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_edit_page_offers_only_the_schools_own_majors(client, school_user, new_draft, major,
                                                      other_school):
    foreign = MajorFactory(institution=other_school)
    application = new_draft("brand_major")
    client.force_login(school_user)
    page = client.get(reverse("applications:edit", args=[application.pk])).content.decode()
    assert f'name="majors" value="{major.pk}"' in page
    assert f'name="majors" value="{foreign.pk}"' not in page
    assert page.count('name="industries"') == Industry.objects.count()


def test_a_user_of_two_schools_chooses_which_one_applies(client, school_user, other_school,
                                                         call_category):
    membership(school_user, "school_user", institution=other_school)
    client.force_login(school_user)
    url = reverse("applications:create", args=[call_category("brand_major").pk])
    assert '<select name="institution"' in client.get(url).content.decode()
    client.post(url, {"title": "品牌专业", "institution": str(other_school.pk)})
    assert Application.objects.get().institution == other_school


def test_the_school_cannot_mark_its_application_commissioned(client, school_user, new_draft):
    application = new_draft("training_base")
    client.force_login(school_user)
    client.post(reverse("applications:edit", args=[application.pk]),
                common_post(commissioned="on"))
    application.refresh_from_db()
    assert (application.title, application.commissioned) == ("数控实训基地", False)
