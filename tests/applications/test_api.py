"""The calls and applications API: scoping, a school's create/edit/submit, refusals, OpenAPI."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from tests.fixtures_applications import pdf_upload
from vetq.accounts.services import token_create
from vetq.applications.editing import attachment_add
from vetq.applications.models import Application
from vetq.applications.services import application_transition
from vetq.programs.calls import call_close, call_create

pytestmark = pytest.mark.integration

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def bearer(user) -> dict:
    _, key = token_create(user=user, name="api test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}", **EN}


@pytest.fixture
def yixing_user(other_school):
    user = UserFactory(username="yixing-school")
    membership(user, "school_user", institution=other_school)
    return user


@pytest.fixture
def foreign(draft, other_school, yixing_user):
    """A submitted brand-major application of the Yixing school."""
    major = MajorFactory(institution=other_school)
    application = draft(institution=other_school, user=yixing_user, title="宜兴学校的申报")
    assert application.majors.get() == major
    return application_transition(application=application, action="submit", by=yixing_user)


def test_school_reads_its_own_application_and_not_another(client, draft, foreign, school_user):
    own = draft()
    client.force_login(school_user)

    listed = client.get("/api/applications").json()
    detail = client.get(f"/api/applications/{own.pk}").json()

    assert [item["id"] for item in listed["items"]] == [own.pk]
    assert listed["count"] == 1
    assert client.get(f"/api/applications/{foreign.pk}").status_code == 404
    assert detail["title"] == "数控技术应用品牌专业建设"
    assert detail["state"] == "draft"
    assert detail["category"] == "brand_major"
    assert detail["institution"] == own.institution.code
    assert detail["majors"] == [own.majors.get().catalogue_code]
    assert detail["budget"] == [{"item": "equipment", "amount": "80000.00", "school": "20000.00",
                                 "partner": "0.00"}]
    assert detail["milestones"] == [{"year": 2020, "text": "完成方案"}, {"year": 2021, "text": "建成"}]
    assert detail["submitted_at"] is None
    assert detail["events"] == []


def test_region_officer_sees_its_regions_submitted_applications_only(
        client, draft, foreign, school_user, region_officer):
    submitted = application_transition(application=draft(), action="submit", by=school_user)
    unsent = draft("featured_major", title="未提交的草稿")
    client.force_login(region_officer)

    listed = client.get("/api/applications").json()

    assert [item["id"] for item in listed["items"]] == [submitted.pk]
    assert listed["items"][0]["region"] == "liangxi"
    assert client.get(f"/api/applications/{submitted.pk}").status_code == 200
    assert client.get(f"/api/applications/{foreign.pk}").status_code == 404
    assert client.get(f"/api/applications/{unsent.pk}").status_code == 404


def test_bureau_sees_all_and_filters(client, draft, foreign, bureau_user, open_call):
    own = draft("featured_major", title="特色专业")
    client.force_login(bureau_user)

    def ids(query: str) -> list[int]:
        return [item["id"] for item in client.get(f"/api/applications{query}").json()["items"]]

    assert sorted(ids("")) == sorted([own.pk, foreign.pk])
    assert ids("?state=submitted") == [foreign.pk]
    assert ids("?category=featured_major") == [own.pk]
    assert sorted(ids(f"?call={open_call.pk}")) == sorted([own.pk, foreign.pk])
    assert ids(f"?call={open_call.pk + 1}") == []


def test_school_creates_fills_and_submits_with_a_bearer_token(client, call_category, school,
                                                              school_user, region_officer):
    auth = bearer(school_user)
    base = call_category("training_base")

    created = client.post("/api/applications", {"call_category": base.pk, "title": "智能制造实训基地"},
                          content_type="application/json", **auth)
    pk = created.json()["id"]
    patched = client.patch(f"/api/applications/{pk}", {
        "lead_name": "张明", "lead_phone": "0510-12345678", "goals": "建成智能制造实训基地。",
        "team": [{"name": "王芳", "title": "讲师"}],
        "milestones": [{"year": 2020, "text": "完成方案"}],
        "budget": [{"item": "equipment", "amount": "80000", "school": 20000}],
        "answers": {"talent_training_centre": "人才培养", "teaching_research_centre": "教学研究",
                    "technology_promotion_centre": "技术推广", "stations": 40},
    }, content_type="application/json", **auth)
    application = Application.objects.get(pk=pk)
    attachment_add(application=application, slot="implementation_plan", upload=pdf_upload(),
                   by=school_user)
    submitted = client.post(f"/api/applications/{pk}/submit", **auth)

    assert created.status_code == 201
    assert created.json()["state"] == "draft"
    assert created.json()["institution"] == school.code
    assert patched.status_code == 200
    assert patched.json()["budget"] == [{"item": "equipment", "amount": "80000.00",
                                         "school": "20000.00", "partner": "0.00"}]
    assert patched.json()["answers"]["stations"] == 40
    assert patched.json()["team"] == [{"name": "王芳", "title": "讲师", "unit": "", "role": ""}]
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["submitted_at"] is not None
    assert [(e["action"], e["from_state"], e["to_state"], e["by"])
            for e in submitted.json()["events"]] == [
        ("submit", "draft", "submitted", school_user.full_name)]
    assert Application.objects.get(pk=pk).state == "submitted"


def test_submit_of_an_incomplete_draft_is_409_with_every_reason(client, call_category, school,
                                                               school_user):
    auth = bearer(school_user)
    pk = client.post("/api/applications", {"call_category": call_category("brand_major").pk,
                                            "title": "空白申报"},
                     content_type="application/json", **auth).json()["id"]

    response = client.post(f"/api/applications/{pk}/submit", **auth)

    assert response.status_code == 409
    assert response.json() == {"detail": [
        "Required: lead person.", "Required: goals.", "Required: yearly milestones.",
        "Required: budget plan.", "Required: majors.",
        "Required attachment missing: Implementation plan.",
    ]}
    assert Application.objects.get(pk=pk).state == "draft"
    assert client.post(f"/api/applications/{pk}/submit", **auth).status_code == 409


def test_submit_twice_submits_once(client, draft, school_user):
    application = draft()
    auth = bearer(school_user)

    first = client.post(f"/api/applications/{application.pk}/submit", **auth)
    second = client.post(f"/api/applications/{application.pk}/submit", **auth)

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == {"detail": [
        "This application is Submitted; it cannot be changed that way now."]}
    assert application.events.count() == 1


def test_create_is_refused_for_a_closed_call_and_a_non_school_user(client, open_call,
                                                                    call_category, bureau_user,
                                                                    region_officer, school_user):
    body = {"call_category": call_category("brand_major").pk, "title": "迟到的申报"}
    call_close(call=open_call, by=bureau_user, reason="提前截止")

    late = client.post("/api/applications", body, content_type="application/json",
                       **bearer(school_user))
    officer = client.post("/api/applications", body, content_type="application/json",
                          **bearer(region_officer))

    assert late.status_code == 400
    assert late.json() == {"detail": ["The call is not open for applications."]}
    assert officer.status_code == 403
    assert officer.json() == {"detail": ["You do not act for this school."]}
    assert Application.objects.count() == 0


def test_create_refuses_another_schools_institution(client, call_category, other_school,
                                                    school_user):
    response = client.post("/api/applications", {
        "call_category": call_category("brand_major").pk, "title": "冒名申报",
        "institution": other_school.pk,
    }, content_type="application/json", **bearer(school_user))

    assert response.status_code == 403
    assert Application.objects.count() == 0


def test_patch_refusals(client, draft, foreign, school_user, region_officer):
    application = draft()
    auth = bearer(school_user)
    url = f"/api/applications/{application.pk}"

    bad = client.patch(url, {"budget": [{"item": "yacht", "amount": "1"}], "title": " "},
                       content_type="application/json", **auth)
    application_transition(application=application, action="submit", by=school_user)
    late = client.patch(url, {"title": "改名"}, content_type="application/json", **auth)
    officer = client.patch(url, {"title": "改名"}, content_type="application/json",
                           **bearer(region_officer))
    stranger = client.patch(f"/api/applications/{foreign.pk}", {"title": "改名"},
                            content_type="application/json", **auth)

    assert bad.status_code == 400
    assert bad.json() == {"detail": ["Required: project title.",
                                     "Budget plan: Unknown budget item."]}
    assert late.status_code == 409
    assert late.json() == {"detail": ["This application is Submitted; only a draft can be changed."]}
    assert officer.status_code == 403
    assert stranger.status_code == 404
    assert Application.objects.get(pk=application.pk).title == "数控技术应用品牌专业建设"


def test_submit_refused_for_region_officer_and_another_school(client, draft, foreign,
                                                               school_user, region_officer):
    submitted = application_transition(application=draft(), action="submit", by=school_user)

    officer = client.post(f"/api/applications/{submitted.pk}/submit", **bearer(region_officer))
    stranger = client.post(f"/api/applications/{foreign.pk}/submit", **bearer(school_user))

    assert officer.status_code == 403
    assert stranger.status_code == 404


def test_calls_school_sees_open_and_closed_bureau_sees_drafts(client, program, open_call,
                                                              bureau_user, school_user):
    now = timezone.now()
    draft_call = call_create(
        program=program, year=2019, title="2019年度申报（草稿）", notice="",
        submission_deadline=now + timedelta(days=5), recommendation_deadline=now + timedelta(days=6),
        formal_check_deadline=now + timedelta(days=7), quotas={"brand_major": 3}, by=bureau_user,
    )
    client.force_login(school_user)
    school_sees = [c["id"] for c in client.get("/api/calls").json()]
    detail = client.get(f"/api/calls/{open_call.pk}").json()
    hidden = client.get(f"/api/calls/{draft_call.pk}").status_code
    client.force_login(bureau_user)
    bureau_sees = sorted(c["id"] for c in client.get("/api/calls").json())

    assert school_sees == [open_call.pk]
    assert hidden == 404
    assert bureau_sees == sorted([open_call.pk, draft_call.pk])
    assert detail["state"] == "published"
    assert detail["year"] == 2020
    assert detail["program"] == program.code
    brand = next(c for c in detail["categories"] if c["category"] == "brand_major")
    assert brand["quota"] == 10
    assert brand["id"] == open_call.call_categories.get(category__code="brand_major").pk


def test_api_refuses_anonymous_callers(client, draft):
    application = draft()

    assert client.get("/api/calls").status_code == 401
    assert client.get("/api/applications").status_code == 401
    assert client.get(f"/api/applications/{application.pk}").status_code == 401
    assert client.post(f"/api/applications/{application.pk}/submit").status_code == 401


def test_openapi_document_lists_the_application_paths(client):
    paths = client.get("/api/openapi.json").json()["paths"]

    assert set(paths["/api/applications/{pk}"]) == {"get", "patch"}
    assert set(paths["/api/applications"]) == {"get", "post"}
    assert set(paths["/api/applications/{pk}/submit"]) == {"post"}
    assert set(paths["/api/calls"]) == {"get"}
    assert set(paths["/api/calls/{pk}"]) == {"get"}
    assert paths["/api/calls"]["get"]["tags"] == ["applications"]


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/applications")
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["bureau", "school"])
def test_application_list_query_count_does_not_grow(client, call_category, regions, school,
                                                    school_user, bureau_user, who):
    user = bureau_user if who == "bureau" else school_user

    def add(institution):
        Application.objects.create(call_category=call_category("brand_major"),
                                   institution=institution, title="申报", created_by=school_user)

    add(school)
    one = _list_queries(client, user)
    for n in range(19):
        add(school if who == "school" or n % 2 else InstitutionFactory(region=regions["xishan"]))

    assert _list_queries(client, user) == one
    assert client.get("/api/applications").json()["count"] == 20
