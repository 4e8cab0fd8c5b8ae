"""Conflict facts read from the database, and each conflict reason they give."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import InstitutionFactory
from vetq.reviews import facts
from vetq.reviews.models import Declaration, Employment, Expert, Panel

pytestmark = pytest.mark.integration

TODAY = date(2020, 6, 1)


def _pairs(panel: Panel):
    return facts.panel_conflicts(panel, on=TODAY)


def _panel(call_category, bureau_user, applications, code="brand_major") -> Panel:
    from vetq.reviews.rubrics import review_rules

    cc = call_category(code)
    panel = Panel.objects.create(call_category=cc, name="p", rules=review_rules(cc.call.program),
                                 review_deadline=timezone.now() + timedelta(days=14),
                                 created_by=bureau_user)
    panel.applications.set(applications)
    return panel


def test_expert_facts_read_employer_jobs_and_live_declarations(expert_make, regions, enterprise):
    school = InstitutionFactory(region=regions["binhu"])
    expert = expert_make("E0001", "王五", institution=school)
    Employment.objects.create(expert=expert, enterprise=enterprise, started=date(2010, 1, 1),
                              ended=date(2018, 3, 1))
    Declaration.objects.create(expert=expert, person="赵六", reason="亲属")
    Declaration.objects.create(expert=expert, institution=school, reason="旧", withdrawn_at=timezone.now())
    (loaded,) = facts.experts_loaded(Expert.objects.filter(pk=expert.pk))
    got = facts.expert_facts(loaded)
    assert got.employer == f"inst:{school.code}"
    assert got.region == "xishan"
    assert [(j.employer, j.ended) for j in got.past] == [(f"ent:{enterprise.credit_code}", date(2018, 3, 1))]
    assert got.declared == ("person:赵六",)


def test_application_facts_name_lead_and_team(application_make, enterprise):
    application = application_make(lead_name="张明", team=["李雷", " 韩梅梅 ", ""],
                                   enterprises=[enterprise])
    (loaded,) = facts.applications_loaded().filter(pk=application.pk)
    got = facts.application_facts(loaded)
    assert got.people == ("张明", "李雷", "韩梅梅")
    assert got.institution == f"inst:{application.institution.code}"
    assert got.region == "liangxi"
    assert got.enterprises == (f"ent:{enterprise.credit_code}",)
    assert got.category == "brand_major"


def test_tags_are_industry_codes_and_two_digit_major_groups(application_make, expert_make, industries):
    application = application_make(tags=(0, 2))
    expert = expert_make("E0001", tags=(2,), groups=("66", "51"))
    (a,) = facts.applications_loaded().filter(pk=application.pk)
    (e,) = facts.experts_loaded(Expert.objects.filter(pk=expert.pk))
    assert facts.subject(a).industries == frozenset({industries[0].code, industries[2].code})
    assert facts.subject(a).major_groups == frozenset({"66"})
    assert facts.reviewer(e).major_groups == frozenset({"66", "51"})


def test_each_reason_from_the_database(application_make, expert_make, regions, enterprise,
                                       call_category, bureau_user):
    school = InstitutionFactory(region=regions["liangxi"])
    other = InstitutionFactory(region=regions["binhu"])
    application = application_make(institution=school, lead_name="张明", team=["李雷"],
                                   enterprises=[enterprise])
    expert_make("E0001", institution=school)
    past = expert_make("E0002", institution=other)
    Employment.objects.create(expert=past, institution=school, ended=TODAY - timedelta(days=400))
    old = expert_make("E0003")
    Employment.objects.create(expert=old, institution=school, ended=date(2016, 1, 1))
    expert_make("E0004", enterprise=enterprise)
    declared = expert_make("E0005")
    Declaration.objects.create(expert=declared, person="张明", reason="师生")
    withdrawn = expert_make("E0006")
    Declaration.objects.create(expert=withdrawn, institution=school, reason="x",
                               withdrawn_at=timezone.now())
    expert_make("E0007", "李雷")
    expert_make("E0008", region="liangxi")  # same region: no rule for brand majors
    panel = _panel(call_category, bureau_user, [application])
    assert _pairs(panel) == {
        ("E0001", application.pk): ("own_institution",),
        ("E0002", application.pk): ("past_employer",),
        ("E0004", application.pk): ("partner_enterprise",),
        ("E0005", application.pk): ("declared",),
        ("E0007", application.pk): ("named_on_application",),
    }


def test_same_region_applies_to_studios_by_the_policy_rule(application_make, expert_make,
                                                           call_category, bureau_user):
    studio = application_make("名师工作室", code="master_teacher_studio", region="liangxi")
    brand = application_make("品牌专业", region="liangxi")
    expert_make("E0001", region="liangxi")
    expert_make("E0002", region="xishan")
    panel = _panel(call_category, bureau_user, [studio], code="master_teacher_studio")
    assert _pairs(panel) == {("E0001", studio.pk): ("same_region",)}
    assert _pairs(_panel(call_category, bureau_user, [brand])) == {}


def test_only_active_experts_are_the_pool(application_make, expert_make, call_category, bureau_user):
    application = application_make()
    expert_make("E0001", institution=application.institution, active=False)
    assert _pairs(_panel(call_category, bureau_user, [application])) == {}


def test_facts_take_a_fixed_number_of_queries(application_make, expert_make, enterprise,
                                              call_category, bureau_user,
                                              django_assert_max_num_queries):
    applications = [application_make(f"a{i}", enterprises=[enterprise], team=["甲"]) for i in range(5)]
    for i in range(10):
        e = expert_make(f"E{i:04d}", enterprise=enterprise if i % 2 else None)
        Employment.objects.create(expert=e, enterprise=enterprise, ended=TODAY)
        Declaration.objects.create(expert=e, person="甲", reason="r")
    panel = _panel(call_category, bureau_user, applications)
    with django_assert_max_num_queries(9):
        pairs = _pairs(panel)
    assert len(pairs) == 50
