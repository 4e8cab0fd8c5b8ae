"""The application export: the list's rows and filters, Chinese headers, escaped cells."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.applications.test_lists import seed
from tests.factories import InstitutionFactory
from vetq.applications.exports import APPLICATION_COLUMNS, APPLICATIONS_SHEET
from vetq.applications.states import ApplicationState
from vetq.core.excel import XLSX_CONTENT_TYPE

pytestmark = pytest.mark.integration

EXPORT = "applications:export"
HEADERS = ["编号", "申报批次", "项目类别", "项目名称", "学校代码", "申报学校", "所属地区",
           "项目负责人", "状态", "提交时间", "推荐排序"]


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == [APPLICATIONS_SHEET]
    rows = [list(row) for row in workbook[APPLICATIONS_SHEET].iter_rows(values_only=True)]
    assert rows[0] == HEADERS
    return rows[1:]


def test_headers_match_the_columns():
    assert [column.header for column in APPLICATION_COLUMNS] == HEADERS


def test_export_row_holds_every_column(client, call_category, school, school_user,
                                       bureau_user, open_call):
    application = seed(call_category("brand_major"), school, by=school_user,
                       title="数控品牌专业", rank=3)
    application.lead_name = "张明"
    application.save()
    client.force_login(bureau_user)
    rows = sheet_rows(client.get(reverse(EXPORT), HTTP_ACCEPT_LANGUAGE="en"))
    submitted = timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert rows == [[
        application.pk, open_call.title, "无锡市职业教育现代化品牌专业", "数控品牌专业",
        school.code, school.name, "梁溪区", "张明", "Submitted", submitted, 3,
    ]]
    assert response_filename(client.get(reverse(EXPORT))).startswith("applications-")


def response_filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    return disposition.split("filename=")[1].strip('"')


def test_state_is_written_in_the_active_language(client, call_category, school, school_user,
                                                 bureau_user):
    seed(call_category("brand_major"), school, by=school_user, state="recommended")
    client.force_login(bureau_user)
    with translation.override("zh-hans"):
        chinese = str(ApplicationState.RECOMMENDED.label)
    assert sheet_rows(client.get(reverse(EXPORT)))[0][8] == chinese
    rows = sheet_rows(client.get(reverse(EXPORT), HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0][8] == "Recommended"


def test_export_uses_the_list_filters(client, call_category, school, other_school,
                                      school_user, bureau_user):
    seed(call_category("brand_major"), school, by=school_user, title="数控品牌专业")
    seed(call_category("training_base"), other_school, by=bureau_user, title="宜兴陶瓷实训基地",
         state="recommended")
    client.force_login(bureau_user)
    url = reverse(EXPORT)
    assert [r[3] for r in sheet_rows(client.get(url, {"region": "yixing"}))] == ["宜兴陶瓷实训基地"]
    assert [r[3] for r in sheet_rows(client.get(url, {"category": "brand_major"}))] == [
        "数控品牌专业"
    ]
    assert [r[3] for r in sheet_rows(client.get(url, {"state": "recommended"}))] == [
        "宜兴陶瓷实训基地"
    ]
    assert [r[3] for r in sheet_rows(client.get(url, {"q": "陶瓷"}))] == ["宜兴陶瓷实训基地"]
    assert [r[3] for r in sheet_rows(client.get(url, {"school": school.pk}))] == ["数控品牌专业"]
    assert len(sheet_rows(client.get(url))) == 2


def test_export_keeps_to_the_users_scope(client, call_category, school, other_school,
                                         school_user, region_officer, bureau_user):
    seed(call_category("brand_major"), school, by=school_user, title="数控品牌专业")
    seed(call_category("quality_course"), school, by=school_user, title="未提交草稿",
         state="draft")
    seed(call_category("training_base"), other_school, by=bureau_user, title="宜兴陶瓷实训基地")
    client.force_login(school_user)
    assert sorted(r[3] for r in sheet_rows(client.get(reverse(EXPORT)))) == sorted(
        ["数控品牌专业", "未提交草稿"]
    )
    client.force_login(region_officer)
    assert [r[3] for r in sheet_rows(client.get(reverse(EXPORT)))] == ["数控品牌专业"]
    # Asking for another region's rows gives none, never the other region's.
    assert sheet_rows(client.get(reverse(EXPORT), {"region": "yixing"})) == []


def test_formula_in_a_title_is_written_as_text(client, call_category, school, school_user,
                                               bureau_user):
    seed(call_category("brand_major"), school, by=school_user, title="=HYPERLINK(\"http://x\")")
    client.force_login(bureau_user)
    assert sheet_rows(client.get(reverse(EXPORT)))[0][3] == "'=HYPERLINK(\"http://x\")"


def test_export_takes_every_row_not_one_page(client, call_category, school, school_user,
                                             bureau_user):
    for number in range(55):
        seed(call_category("brand_major"), school, by=school_user, title=f"项目{number:02d}")
    client.force_login(bureau_user)
    assert len(sheet_rows(client.get(reverse(EXPORT)))) == 55


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_export_query_count_does_not_grow_with_rows(client, call_category, regions,
                                                    bureau_user):
    def add(number):
        institution = InstitutionFactory(region=list(regions.values())[number % len(regions)])
        seed(call_category("brand_major" if number % 2 else "training_base"), institution,
             by=bureau_user, title=f"项目{number}")

    client.force_login(bureau_user)
    add(0)
    at_one = _queries(client, reverse(EXPORT))
    for number in range(1, 20):
        add(number)
    at_twenty = _queries(client, reverse(EXPORT))
    assert len(sheet_rows(client.get(reverse(EXPORT)))) == 20
    assert at_twenty == at_one
