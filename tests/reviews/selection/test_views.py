"""The bureau's selection and publicity pages, the public publicity pages and the API:
permissions from the refused side, what each page shows, query counts, CSRF."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vetq.applications.states import ApplicationState
from vetq.funding.models import Grant
from vetq.reviews.models import Objection, ObjectionState, Override, Publicity, Selection
from vetq.reviews.publicity import objection_decide, objection_lodge, publicity_open
from vetq.reviews.selecting import override_add, selection_run

pytestmark = pytest.mark.integration

GROUNDS = "该校申报材料中的合作企业并未实际参与专业建设，与事实不符。"
CONTACT = "13912345678"


@pytest.fixture(autouse=True)
def english_pages(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def listed(reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 2)
    apps = [reviewed(score="90"), reviewed(region="yixing", score="85"), reviewed(score="70")]
    return selection_run(call=open_call, by=bureau_user), apps


@pytest.fixture
def publicity(listed, bureau_user):
    selection, apps = listed
    override_add(selection=selection, application=apps[2], include=True, reason="市政府专题会议决定纳入",
                 by=bureau_user)
    return publicity_open(selection=selection, by=bureau_user)


def lodge(publicity, application, **kwargs):
    return objection_lodge(publicity=publicity, application=application, name="王强", organisation="某公司",
                           contact=CONTACT, grounds=GROUNDS, client_ip="203.0.113.5", **kwargs)


# --- permissions ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, method", [
    ("reviews:selection_list", "get"), ("reviews:selection_run", "post"),
    ("reviews:selection_detail", "get"), ("reviews:override_add", "post"),
    ("reviews:publicity_open", "post"), ("reviews:publicity_manage", "get"),
    ("reviews:publicity_approve", "post"), ("reviews:objection_decide", "post"),
])
def test_bureau_pages_refuse_anyone_else(client, publicity, listed, school_member, name, method):
    objection = lodge(publicity, listed[1][0])
    arg = {"reviews:selection_list": listed[0].call_id, "reviews:selection_run": listed[0].call_id,
           "reviews:publicity_manage": publicity.pk, "reviews:publicity_approve": publicity.pk,
           "reviews:objection_decide": objection.pk}.get(name, listed[0].pk)
    client.force_login(school_member)
    response = getattr(client, method)(reverse(name, args=[arg]), {"reason": "x", "decision": "dismiss"})
    assert response.status_code == 403
    assert Objection.objects.get().state == ObjectionState.OPEN
    assert not Override.objects.filter(reason="x").exists()


def test_bureau_pages_need_a_sign_in(client, listed):
    response = client.get(reverse("reviews:selection_detail", args=[listed[0].pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- bureau pages -----------------------------------------------------------------------------

def test_run_from_the_list_page(client, reviewed, open_call, bureau_user):
    reviewed()
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:selection_run", args=[open_call.pk]))
    selection = Selection.objects.get()
    assert response["Location"] == reverse("reviews:selection_detail", args=[selection.pk])


def test_run_refusal_is_shown(client, open_call, bureau_user):
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:selection_run", args=[open_call.pk]), follow=True)
    assert "No reviewed application of this call" in response.content.decode()
    assert not Selection.objects.exists()


def test_detail_shows_each_decision_with_its_reason(client, listed, bureau_user):
    selection, apps = listed
    client.force_login(bureau_user)
    page = client.get(reverse("reviews:selection_detail", args=[selection.pk])).content.decode()
    assert selection.inputs_digest in page and selection.seed in page
    assert 'data-reason="quota"' in page
    assert "The category&#x27;s quota in this call is full" in page
    assert page.count("✓") >= 2
    assert all(a.title in page for a in apps)


def test_detail_shows_the_tie_lottery_order(client, reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 1)
    tied = [reviewed(score="88", title=f"并列项目{i}") for i in range(3)]
    selection = selection_run(call=open_call, by=bureau_user)
    client.force_login(bureau_user)
    page = client.get(reverse("reviews:selection_detail", args=[selection.pk])).content.decode()
    order = selection.result["ties"][0]["order"]
    titles = {a.pk: a.title for a in tied}
    ties = page[page.index("data-ties"):]
    assert [ties.index(titles[pk]) for pk in order] == sorted(ties.index(titles[pk]) for pk in order)
    assert "decided who is selected" in ties


def test_override_from_the_page_needs_a_reason(client, listed, bureau_user):
    selection, apps = listed
    client.force_login(bureau_user)
    url = reverse("reviews:override_add", args=[selection.pk])
    response = client.post(url, {"application": apps[2].pk, "include": "1", "reason": ""}, follow=True)
    assert "An override needs a written reason." in response.content.decode()
    client.post(url, {"application": apps[2].pk, "include": "1", "reason": "特殊贡献"})
    assert Override.objects.get().reason == "特殊贡献"


def test_publish_from_the_page(client, listed, bureau_user):
    selection, apps = listed
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:publicity_open", args=[selection.pk]))
    publicity = Publicity.objects.get()
    assert response["Location"] == reverse("reviews:publicity_manage", args=[publicity.pk])
    apps[0].refresh_from_db()
    assert apps[0].state == ApplicationState.IN_PUBLICITY


def test_manage_page_decides_and_approves(client, publicity, listed, bureau_user):
    apps = listed[1]
    objection = lodge(publicity, apps[0])
    client.force_login(bureau_user)
    url = reverse("reviews:publicity_manage", args=[publicity.pk])
    page = client.get(url).content.decode()
    assert CONTACT in page and "can be approved after the publicity ends" in page
    Publicity.objects.filter(pk=publicity.pk).update(starts_at=timezone.now() - timedelta(days=8),
                                                     ends_at=timezone.now() - timedelta(days=1))
    assert "Decide the open objection first." in client.get(url).content.decode()
    client.post(reverse("reviews:objection_decide", args=[objection.pk]),
                {"decision": "dismiss", "reason": "经核查，材料属实。"})
    assert Objection.objects.get().state == ObjectionState.DISMISSED
    response = client.post(reverse("reviews:publicity_approve", args=[publicity.pk]))
    page = response.content.decode()
    assert page.count('data-outcome="approved"') == 3
    assert Grant.objects.count() == 3


def test_approve_too_early_shows_the_refusal(client, publicity, bureau_user):
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:publicity_approve", args=[publicity.pk]), follow=True)
    assert "approve after it ends" in response.content.decode()
    assert not Grant.objects.exists()


def test_selection_list_queries_do_not_grow(client, reviewed, open_call, bureau_user):
    reviewed()
    client.force_login(bureau_user)
    url = reverse("reviews:selection_list", args=[open_call.pk])
    selection_run(call=open_call, by=bureau_user)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(19):
        selection_run(call=open_call, by=bureau_user)
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url)
    assert len(response.context["selections"]) == 20
    assert len(twenty) == len(one)


# --- public pages -----------------------------------------------------------------------------

def test_public_list_and_detail_need_no_sign_in(publicity):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert publicity.title in anonymous.get(reverse("public:publicity_list")).content.decode()
    assert anonymous.get(reverse("public:publicity_detail", args=[publicity.pk])).status_code == 200


def test_public_detail_shows_overrides_and_decided_objections_without_contacts(publicity, listed,
                                                                               bureau_user):
    apps = listed[1]
    objection = lodge(publicity, apps[0])
    objection_decide(objection=objection, by=bureau_user, upheld=False, reason="经核查，材料属实。")
    lodge(publicity, apps[1])  # open: not shown
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("public:publicity_detail", args=[publicity.pk])).content.decode()
    assert "市政府专题会议决定纳入" in page  # the override's reason is public
    assert all(a.title in page and a.institution.name in page for a in apps)
    assert "经核查，材料属实。" in page and page.count('data-state="dismissed"') == 1
    assert CONTACT not in page and "王强" not in page and "某公司" not in page


def test_public_objection_form_lodges(publicity, listed):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.20")
    url = reverse("public:objection_lodge", args=[publicity.pk])
    assert anonymous.get(url).status_code == 200
    response = anonymous.post(url, {"application": listed[1][0].pk, "name": "赵六", "organisation": "",
                                    "contact": "zhao@example.org", "grounds": GROUNDS})
    assert response["Location"] == reverse("public:publicity_detail", args=[publicity.pk])
    objection = Objection.objects.get()
    assert (objection.name, objection.application_id) == ("赵六", listed[1][0].pk)


def test_public_objection_form_needs_csrf(publicity, listed):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("public:objection_lodge", args=[publicity.pk]),
                           {"application": listed[1][0].pk, "name": "赵六", "contact": CONTACT,
                            "grounds": GROUNDS})
    assert response.status_code == 403
    assert not Objection.objects.exists()


def test_public_objection_form_refuses_late_in_words(publicity, listed):
    Publicity.objects.filter(pk=publicity.pk).update(starts_at=timezone.now() - timedelta(days=8),
                                                     ends_at=timezone.now() - timedelta(days=1))
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        reverse("public:objection_lodge", args=[publicity.pk]),
        {"application": listed[1][0].pk, "name": "赵六", "contact": CONTACT, "grounds": GROUNDS})
    assert response.status_code == 400
    assert "objections are no longer accepted" in response.content.decode()


def test_public_objection_form_is_rate_limited(publicity, listed):
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="198.51.100.30")
    url = reverse("public:objection_lodge", args=[publicity.pk])
    data = {"application": listed[1][0].pk, "name": "赵六", "contact": CONTACT, "grounds": GROUNDS}
    for _ in range(5):
        assert anonymous.post(url, data).status_code == 302
    response = anonymous.post(url, data)
    assert response.status_code == 400 and "Too many objections" in response.content.decode()
    assert Objection.objects.count() == 5


def test_public_list_queries_do_not_grow(client, reviewed, set_quota, open_call, bureau_user):
    set_quota("brand_major", 30)

    def publish_one():
        reviewed()
        publicity_open(selection=selection_run(call=open_call, by=bureau_user), by=bureau_user)

    publish_one()
    url = reverse("public:publicity_list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(19):
        publish_one()
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url)
    assert len(response.context["publicities"]) == 20
    assert len(twenty) == len(one)


# --- API --------------------------------------------------------------------------------------

def test_api_selection_for_the_bureau_only(client, listed, bureau_user, school_member):
    selection = listed[0]
    url = f"/api/selections/{selection.pk}"
    client.force_login(school_member)
    assert client.get(url).status_code == 404
    client.force_login(bureau_user)
    data = client.get(url).json()
    assert (data["inputs_digest"], data["seed"]) == (selection.inputs_digest, selection.seed)
    assert data["inputs"] == selection.inputs and data["published"] == selection.result["selected"]


def test_api_publicity_lists_open_ones(client, publicity, listed, bureau_user):
    client.force_login(bureau_user)
    data = client.get("/api/publicity").json()
    assert [p["id"] for p in data] == [publicity.pk]
    reasons = {a["application"]: a["override_reason"] for a in data[0]["applications"]}
    apps = listed[1]
    assert reasons == {apps[0].pk: None, apps[1].pk: None, apps[2].pk: "市政府专题会议决定纳入"}
    Publicity.objects.filter(pk=publicity.pk).update(ends_at=timezone.now() - timedelta(minutes=1),
                                                     starts_at=timezone.now() - timedelta(days=7))
    assert client.get("/api/publicity").json() == []


def test_public_detail_shows_exclusions_with_their_reason(listed, bureau_user):
    selection, apps = listed
    override_add(selection=selection, application=apps[0], include=False, reason="同一专业已获省级资助",
                 by=bureau_user)
    publicity = publicity_open(selection=selection, by=bureau_user)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("public:publicity_detail", args=[publicity.pk])).content.decode()
    assert "Taken off the computed list by the bureau" in page
    assert "同一专业已获省级资助" in page and apps[0].title in page
