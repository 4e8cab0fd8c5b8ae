"""The application list: scope per role, filters, htmx partial, paging, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import InstitutionFactory, UserFactory, membership
from vetq.applications.forms_spec import form_snapshot
from vetq.applications.models import Application
from vetq.applications.services import application_transition
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration

LIST = "applications:list"


def seed(call_category, institution, *, by, state="submitted", title="申报项目", rank=None,
         submitted=None):
    """An application placed straight in `state`: arrangement for list tests only (the
    workflow's own tests move applications through the service). `submitted` says whether
    it was ever submitted; by default every state but draft was."""
    submitted = state != "draft" if submitted is None else submitted
    return Application.objects.create(
        call_category=call_category, institution=institution, created_by=by, title=title,
        form=form_snapshot(call_category.category), state=state, region_rank=rank,
        submitted_at=timezone.now() if submitted else None,
    )


def titles(response) -> list[str]:
    assert response.status_code == 200
    return [application.title for application in response.context["page"]]


@pytest.fixture
def spread(call_category, school, other_school, school_user, bureau_user):
    """Four applications: the Liangxi school's submitted brand major and never-submitted
    draft course, a returned (draft again) cluster, and the Yixing school's recommended
    training base."""
    brand = seed(call_category("brand_major"), school, by=school_user, title="数控品牌专业")
    course = seed(call_category("quality_course"), school, by=school_user, state="draft",
                  title="机械制图精品课程")
    returned = seed(call_category("major_cluster"), school, by=school_user, state="draft",
                    title="智能制造专业群", submitted=True)
    base = seed(call_category("training_base"), other_school, by=bureau_user,
                state="recommended", title="宜兴陶瓷实训基地")
    return {"brand": brand, "course": course, "returned": returned, "base": base}


def test_school_sees_only_its_own_school(client, spread, school_user):
    client.force_login(school_user)
    assert sorted(titles(client.get(reverse(LIST)))) == sorted(
        ["数控品牌专业", "机械制图精品课程", "智能制造专业群"]
    )


def test_region_officer_sees_its_region_and_never_unsubmitted_drafts(client, spread,
                                                                     region_officer):
    client.force_login(region_officer)
    assert sorted(titles(client.get(reverse(LIST)))) == sorted(["数控品牌专业", "智能制造专业群"])


def test_bureau_sees_every_application(client, spread, bureau_user):
    client.force_login(bureau_user)
    assert len(titles(client.get(reverse(LIST)))) == 4


def _user_with(role, regions):
    user = UserFactory()
    scope = {}
    if role == "department_viewer":
        scope["department"] = Department.objects.get(code="education")
    if role == "finance_officer":
        scope["region"] = regions["yixing"]
    membership(user, role, **scope)
    return user


@pytest.mark.parametrize("role", ["expert", "finance_officer", "department_viewer"])
@pytest.mark.parametrize("name", [LIST, "applications:export"])
def test_roles_without_applications_are_refused(client, spread, regions, role, name):
    client.force_login(_user_with(role, regions))
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, spread):
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "brand_major"}, ["数控品牌专业"]),
        ({"region": "yixing"}, ["宜兴陶瓷实训基地"]),
        ({"state": "recommended"}, ["宜兴陶瓷实训基地"]),
        ({"state": "draft", "category": "quality_course"}, ["机械制图精品课程"]),
        ({"q": "专业群"}, ["智能制造专业群"]),
        ({"q": "没有这个"}, []),
        ({"state": "nonsense"}, None),  # a malformed filter is ignored, not an error
        ({"call": "x1"}, None),
    ],
)
def test_bureau_filters(client, spread, bureau_user, query, expected):
    client.force_login(bureau_user)
    found = titles(client.get(reverse(LIST), query))
    assert sorted(found) == sorted(expected if expected is not None else
                                   [a.title for a in spread.values()])


def test_filter_by_call_and_school(client, spread, bureau_user, school, open_call):
    client.force_login(bureau_user)
    assert len(titles(client.get(reverse(LIST), {"call": open_call.pk}))) == 4
    assert len(titles(client.get(reverse(LIST), {"call": open_call.pk + 1}))) == 0
    assert sorted(titles(client.get(reverse(LIST), {"school": school.pk}))) == sorted(
        ["数控品牌专业", "机械制图精品课程", "智能制造专业群"]
    )


def test_region_filter_cannot_widen_a_region_officers_scope(client, spread, region_officer):
    client.force_login(region_officer)
    assert titles(client.get(reverse(LIST), {"region": "yixing"})) == []


def test_filters_shown_follow_the_scope(client, spread, bureau_user, region_officer,
                                        school_user, school, other_school):
    client.force_login(bureau_user)
    response = client.get(reverse(LIST))
    assert 'name="region"' in response.content.decode()
    assert {s.pk for s in response.context["schools"]} == {school.pk, other_school.pk}
    client.force_login(region_officer)
    response = client.get(reverse(LIST))
    assert 'name="region"' not in response.content.decode()
    assert [s.pk for s in response.context["schools"]] == [school.pk]
    client.force_login(school_user)
    page = client.get(reverse(LIST)).content.decode()
    assert 'name="region"' not in page
    assert 'name="school"' not in page


def test_row_shows_link_category_school_state_and_rank(client, call_category, school,
                                                       school_user, bureau_user):
    application = seed(call_category("brand_major"), school, by=school_user, title="数控品牌专业",
                       rank=2)
    client.force_login(bureau_user)
    page = client.get(reverse(LIST), HTTP_ACCEPT_LANGUAGE="en",
                      HTTP_HX_REQUEST="true").content.decode()
    assert f'href="{reverse("applications:detail", args=[application.pk])}"' in page
    assert application.call_category.category.name in page
    assert school.name in page
    assert ">Submitted</span>" in page
    assert '<td class="num">2</td>' in page


def test_htmx_request_gets_only_the_results(client, spread, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse(LIST), {"q": "品牌"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert titles(response) == ["数控品牌专业"]
    assert "<html" not in body
    assert f'{reverse("applications:export")}?q=%E5%93%81%E7%89%8C' in body


def test_pages_of_fifty(client, call_category, school, school_user, bureau_user):
    for number in range(51):
        seed(call_category("brand_major"), school, by=school_user, title=f"项目{number:02d}")
    client.force_login(bureau_user)
    assert len(titles(client.get(reverse(LIST)))) == 50
    assert len(titles(client.get(reverse(LIST), {"page": 2}))) == 1


def test_submitted_application_appears_for_the_region(client, draft, school_user,
                                                      region_officer):
    application = application_transition(application=draft(), action="submit", by=school_user)
    client.force_login(region_officer)
    assert titles(client.get(reverse(LIST))) == [application.title]


def _queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize("htmx", [False, True])
def test_list_query_count_does_not_grow_with_rows(client, call_category, regions, bureau_user,
                                                  htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    categories = ["brand_major", "training_base", "quality_course", "master_teacher_studio"]

    def add(number):
        institution = InstitutionFactory(region=list(regions.values())[number % len(regions)])
        seed(call_category(categories[number % 4]), institution, by=bureau_user,
             title=f"项目{number}", rank=number)

    client.force_login(bureau_user)
    add(0)
    at_one = _queries(client, reverse(LIST), **headers)
    for number in range(1, 20):
        add(number)
    at_twenty = _queries(client, reverse(LIST), **headers)
    assert len(titles(client.get(reverse(LIST)))) == 20
    assert at_twenty == at_one
