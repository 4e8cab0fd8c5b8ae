"""The bureau's pool pages: list with filters, detail, forms, import and export, and the
ratings page; each refused from the side that must be refused, and the list's query count."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ExpertFactory
from tests.institutions.sheets import sheet_values, xlsx_upload
from tests.reviews.pool.conftest import close
from tests.reviews.pool.test_excel import HEADER
from vetq.institutions.models import Industry
from vetq.reviews.models import Declaration, Employment, Expert, ExpertRating, PanelMember

pytestmark = pytest.mark.integration


def _codes(response) -> list[str]:
    return re.findall(r'data-code="([^"]+)"', response.content.decode())


# Refused side -------------------------------------------------------------------------------

BUREAU_PAGES = ["reviews:expert_list", "reviews:expert_create", "reviews:expert_import",
                "reviews:expert_export", "reviews:expert_template"]


@pytest.mark.parametrize("name", BUREAU_PAGES)
def test_bureau_pages_refuse_a_school_user_and_an_expert(client, school_user, expert_user, name):
    for user in (school_user, expert_user):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", BUREAU_PAGES)
def test_bureau_pages_send_anonymous_users_to_sign_in(client, program, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_expert_cannot_see_another_experts_page(client, expert, other_expert_user):
    client.force_login(other_expert_user)
    for name in ("reviews:expert_detail", "reviews:expert_edit"):
        assert client.get(reverse(name, args=[expert.pk])).status_code == 403


def test_an_expert_cannot_change_another_experts_record(client, expert, other_expert_user,
                                                        other_school):
    client.force_login(other_expert_user)
    job = Employment.objects.create(expert=expert, institution=other_school)
    declaration = Declaration.objects.create(expert=expert, person="张明", reason="x")
    posts = [
        (reverse("reviews:declaration_add", args=[expert.pk]), {"person": "某人", "reason": "x"}),
        (reverse("reviews:employment_add", args=[expert.pk]), {"institution": other_school.pk}),
        (reverse("reviews:employment_end", args=[job.pk]), {"ended": "2020-01-01"}),
        (reverse("reviews:declaration_withdraw", args=[declaration.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    for url in (reverse("reviews:expert_deactivate", args=[expert.pk]),
                reverse("reviews:expert_link_user", args=[expert.pk])):
        assert client.post(url, {"username": "x"}).status_code == 403
    assert Declaration.objects.count() == 1 and Employment.objects.count() == 1
    job.refresh_from_db()
    declaration.refresh_from_db()
    assert (job.ended, declaration.withdrawn_at) == (None, None)
    expert.refresh_from_db()
    assert expert.active is True


def test_ratings_page_refuses_a_school_user(client, school_user, expert, assign):
    panel = close(assign(expert))
    client.force_login(school_user)
    url = reverse("reviews:panel_ratings", args=[panel.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {f"e{expert.pk}-score": "5"}).status_code == 403
    assert not ExpertRating.objects.exists()


# List ---------------------------------------------------------------------------------------

def test_list_filters_by_search_region_industry_kind_and_active(client, bureau_user, expert,
                                                                other_expert, enterprise):
    industry = Industry.objects.get(code="next_gen_it")
    expert.specialties.add(industry)
    ExpertFactory(code="E0003", name="孙丽", employer_institution=None,
                  employer_enterprise=enterprise, active=False)
    client.force_login(bureau_user)
    url = reverse("reviews:expert_list")
    assert _codes(client.get(url)) == ["E0001", "E0002", "E0003"]
    assert _codes(client.get(url, {"q": "李"})) == ["E0002"]
    assert _codes(client.get(url, {"q": "e0003"})) == ["E0003"]
    assert _codes(client.get(url, {"region": "yixing"})) == ["E0002"]
    assert _codes(client.get(url, {"industry": "next_gen_it"})) == ["E0001"]
    assert _codes(client.get(url, {"kind": "enterprise"})) == ["E0003"]
    assert _codes(client.get(url, {"kind": "institution", "active": "yes"})) == ["E0001", "E0002"]
    assert _codes(client.get(url, {"active": "no"})) == ["E0003"]
    partial = client.get(url, {"q": "王"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert _codes(partial) == ["E0001"]


def test_list_shows_rating_average_and_panels(client, bureau_user, expert, assign, other_expert):
    panel = close(assign(expert, other_expert))
    PanelMember.objects.create(panel=panel, expert=expert, role="member", position=1)
    ExpertRating.objects.create(expert=expert, panel=panel, score=4, by=bureau_user)
    client.force_login(bureau_user)
    page = client.get(reverse("reviews:expert_list")).content.decode()
    row = page[page.index('data-code="E0001"'):page.index('data-code="E0002"')]
    assert '<td class="num">1</td>' in row
    assert "4.0" in row


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["reviews:expert_list", "reviews:expert_export"])
def test_list_and_export_query_count_does_not_grow_with_rows(client, bureau_user, program, name,
                                                             enterprise):
    industries = list(Industry.objects.all()[:2])

    def add(n: int):
        employer = {"employer_institution": None, "employer_enterprise": enterprise} if n % 2 else {}
        ExpertFactory(code=f"E{n:04d}", **employer).specialties.set(industries)

    client.force_login(bureau_user)
    add(1)
    at_one = _queries(client, reverse(name))
    for n in range(2, 21):
        add(n)
    at_twenty = _queries(client, reverse(name))
    if name == "reviews:expert_list":
        assert len(_codes(client.get(reverse(name)))) == 20
    else:
        assert len(sheet_values(client.get(reverse(name)).content)) == 21
    assert at_twenty == at_one


def test_export_follows_the_list_filters(client, bureau_user, expert, other_expert):
    client.force_login(bureau_user)
    response = client.get(reverse("reviews:expert_export"), {"region": "yixing"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [row[0] for row in sheet_values(response.content)] == ["专家编号", "E0002"]


# Detail -------------------------------------------------------------------------------------

def test_detail_shows_history_declarations_conflicts_panels_and_ratings(
        client, bureau_user, expert, other_school, enterprise, assign):
    Employment.objects.create(expert=expert, institution=other_school, position="教师",
                              started=date(1995, 9, 1), ended=date(2001, 1, 1))
    Employment.objects.create(expert=expert, enterprise=enterprise, position="顾问",
                              started=date(2019, 1, 1))
    Declaration.objects.create(expert=expert, person="张明", reason="师生关系")
    panel = close(assign(expert))
    PanelMember.objects.create(panel=panel, expert=expert, role="member", position=1)
    ExpertRating.objects.create(expert=expert, panel=panel, score=5, comment="认真", by=bureau_user)
    client.force_login(bureau_user)
    page = client.get(reverse("reviews:expert_detail", args=[expert.pk])).content.decode()
    assert "王芳" in page and "E0001" in page
    assert "顾问" in page and "教师" in page
    assert "师生关系" in page
    assert "2020 品牌专业评审组" in page
    assert "认真" in page and "5.0" in page
    conflicts = page[page.index('id="conflicts"'):page.index('id="employment"')]
    reasons = re.findall(r'data-reason="([a-z_]+)"', conflicts)
    # the school it works at, the enterprise it still advises, the declared person; the job
    # that ended in 2001 is past the policy's three years
    assert reasons == ["own_institution", "past_employer", "declared"]
    assert enterprise.name in conflicts and other_school.name not in conflicts


def test_detail_of_an_unknown_expert_is_404(client, bureau_user):
    client.force_login(bureau_user)
    assert client.get(reverse("reviews:expert_detail", args=[999])).status_code == 404


# Forms --------------------------------------------------------------------------------------

def test_create_form_adds_an_expert(client, bureau_user, school):
    client.force_login(bureau_user)
    industry = Industry.objects.get(code="next_gen_it")
    response = client.post(reverse("reviews:expert_create"), {
        "code": "e0500", "name": "周杰", "title": "副教授", "employer_institution": school.pk,
        "phone": "", "email": "", "major_groups": "51、46", "specialties": [industry.pk],
    })
    expert = Expert.objects.get(code="E0500")
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:expert_detail", args=[expert.pk])
    assert (expert.region.code, expert.major_groups, list(expert.specialties.all())) == (
        "liangxi", ["46", "51"], [industry])


def test_create_form_shows_refusals_on_their_fields(client, bureau_user, school, enterprise,
                                                    expert):
    client.force_login(bureau_user)
    url = reverse("reviews:expert_create")
    page = client.post(url, {"code": "E0001", "name": "周杰", "employer_institution": school.pk,
                             "major_groups": ""}).content.decode()
    assert "The code E0001 is already taken." in page
    page = client.post(url, {"code": "E0600", "name": "周杰", "employer_institution": school.pk,
                             "employer_enterprise": enterprise.pk}).content.decode()
    assert "Name one employer: a school or an enterprise, not both." in page
    page = client.post(url, {"code": "E0600", "name": "周杰", "employer_institution": school.pk,
                             "major_groups": "4x"}).content.decode()
    assert "A major group is a two-digit code of the catalogue, such as 46: “4x” is not." in page
    assert list(Expert.objects.values_list("code", flat=True)) == ["E0001"]


def test_edit_form_changes_the_employer(client, bureau_user, expert, enterprise, school):
    client.force_login(bureau_user)
    url = reverse("reviews:expert_edit", args=[expert.pk])
    page = client.get(url).content.decode()
    assert 'value="E0001"' in page and 'value="46"' in page
    response = client.post(url, {"code": "E0001", "name": "王芳", "employer_enterprise": enterprise.pk,
                                 "major_groups": "46", "title": "教授"})
    assert response.status_code == 302
    expert.refresh_from_db()
    assert (expert.employer, expert.title, expert.region.code) == (enterprise, "教授", "xinwu")
    assert Employment.objects.get(expert=expert).institution == school


def test_deactivate_activate_and_give_an_account(client, bureau_user, expert):
    client.force_login(bureau_user)
    client.post(reverse("reviews:expert_deactivate", args=[expert.pk]), {"reason": "退休"})
    expert.refresh_from_db()
    assert expert.active is False
    client.post(reverse("reviews:expert_activate", args=[expert.pk]))
    expert.refresh_from_db()
    assert expert.active is True
    response = client.post(reverse("reviews:expert_link_user", args=[expert.pk]),
                           {"username": "wangfang"})
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.user.username == "wangfang"
    page = client.get(reverse("reviews:expert_detail", args=[expert.pk])).content.decode()
    assert "Signs in as wangfang." in page


def test_bureau_declares_and_adds_a_job_from_the_detail_page(client, bureau_user, expert,
                                                             other_school):
    client.force_login(bureau_user)
    response = client.post(reverse("reviews:declaration_add", args=[expert.pk]),
                           {"institution": other_school.pk, "reason": "兼职"})
    assert response["Location"] == reverse("reviews:expert_detail", args=[expert.pk])
    assert Declaration.objects.get().institution == other_school
    page = client.post(reverse("reviews:employment_add", args=[expert.pk]),
                       {"institution": other_school.pk, "started": "2020-02-01",
                        "ended": "2019-01-01"}).content.decode()
    assert "The start date must not be after the end date." in page
    assert not Employment.objects.exists()


# Import page --------------------------------------------------------------------------------

def test_import_page_shows_errors_or_imports(client, bureau_user, school):
    client.force_login(bureau_user)
    url = reverse("reviews:expert_import")
    page = client.get(url).content.decode()
    assert 'type="file"' in page and reverse("reviews:expert_template") in page
    bad = xlsx_upload(HEADER, ["E0700", "吴磊", "", "学校", "0000", "", "", "", "", "", ""])
    page = client.post(url, {"file": bad}).content.decode()
    table = page[page.index('id="import-errors"'):]
    assert "<td class=\"num\">2</td><td>工作单位代码</td><td>Unknown school code “0000”.</td>" in table
    good = xlsx_upload(HEADER, ["E0700", "吴磊", "", "学校", school.code, "", "", "", "", "", ""])
    response = client.post(url, {"file": good}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reviews:expert_list")
    assert "Imported: 1 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Expert.objects.get(code="E0700").employer == school


def test_import_page_refuses_a_file_that_is_not_a_workbook(client, bureau_user):
    client.force_login(bureau_user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post(reverse("reviews:expert_import"),
                       {"file": SimpleUploadedFile("x.xlsx", b"not a zip")}).content.decode()
    assert "The file is not an Excel workbook (.xlsx)." in page


def test_template_download(client, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse("reviews:expert_template"))
    assert sheet_values(response.content)[0] == tuple(HEADER)


# Ratings page -------------------------------------------------------------------------------

def test_ratings_page_before_the_panel_is_closed_saves_nothing(client, bureau_user, expert,
                                                               assign):
    panel = assign(expert)
    client.force_login(bureau_user)
    url = reverse("reviews:panel_ratings", args=[panel.pk])
    page = client.get(url).content.decode()
    assert "Experts are rated after the panel's review round is closed." in page
    assert f'name="e{expert.pk}-score"' not in page
    page = client.post(url, {f"e{expert.pk}-score": "4"}).content.decode()
    assert "Nothing was saved" in page
    assert not ExpertRating.objects.exists()


def test_ratings_page_rates_each_expert_once(client, bureau_user, expert, other_expert, assign):
    panel = close(assign(expert, other_expert))
    client.force_login(bureau_user)
    url = reverse("reviews:panel_ratings", args=[panel.pk])
    assert _codes(client.get(url)) == ["E0001", "E0002"]
    response = client.post(url, {f"e{expert.pk}-score": "4", f"e{expert.pk}-comment": "认真",
                                 f"e{other_expert.pk}-score": ""})
    assert response.status_code == 302
    assert list(ExpertRating.objects.values_list("expert__code", "score", "comment")) == [
        ("E0001", 4, "认真")]
    page = client.get(url).content.decode()
    assert f'name="e{expert.pk}-score"' not in page
    assert f'name="e{other_expert.pk}-score"' in page
    client.post(url, {f"e{expert.pk}-score": "2", f"e{other_expert.pk}-score": "3"})
    assert sorted(ExpertRating.objects.values_list("expert__code", "score")) == [
        ("E0001", 4), ("E0002", 3)]


def test_ratings_page_refuses_a_score_outside_1_to_5(client, bureau_user, expert, assign):
    panel = close(assign(expert))
    client.force_login(bureau_user)
    url = reverse("reviews:panel_ratings", args=[panel.pk])
    page = client.post(url, {f"e{expert.pk}-score": "7"}).content.decode()
    assert "Select a valid choice." in page
    page = client.post(url, {f"e{expert.pk}-score": ""}).content.decode()
    assert "Choose a rating for at least one expert." in page
    assert not ExpertRating.objects.exists()
