"""R29: the payment schedule and the ledger as Excel for the finance bureau (scoped by payer,
formula injection escaped), and the grant notice (立项及经费下达通知) in Word."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, UserFactory, membership
from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.funding.exports import LEDGER_COLUMNS, SCHEDULE_COLUMNS
from vetq.funding.grants import application_approve
from vetq.funding.ledger import entry_reverse, payment_record, recovery_record
from vetq.funding.models import Tranche
from vetq.funding.notice import DOCX_TYPE
from vetq.institutions.models import Department

pytestmark = pytest.mark.integration

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
SCHEDULE = "funding:schedule_export"
LEDGER = "funding:ledger_export"
SCHEDULE_HEADERS = ["项目名称", "学校", "拨付方", "项目类别", "批次", "计划拨付日期", "拨付条件",
                    "计划金额（元）", "已拨付（元）", "未拨付（元）", "当前可拨付"]
LEDGER_HEADERS = ["日期", "类型", "金额（元）", "凭证号", "付款账户", "项目名称", "学校", "拨付方",
                  "备注", "经办人"]
BRAND = "无锡市职业教育现代化品牌专业"
APPROVED = date(2020, 3, 1)


@pytest.fixture
def grant_at(in_publicity, bureau_user):
    """A brand-major grant approved on 1 March 2020 for a new school of `region` (or
    `institution`); a county-level city pays 120,000."""

    def make(region=None, *, title=None, institution=None, **kwargs):
        application = in_publicity("brand_major", region, institution=institution, title=title)
        if region is not None and region.code in {"jiangyin", "yixing"}:
            kwargs.setdefault("county_amount", D("120000"))
        return application_approve(application=application, by=bureau_user, today=APPROVED,
                                   **kwargs)

    return make


def first(grant) -> Tranche:
    return grant.tranches.order_by("seq").first()


def pay(grant, by, amount="50000", voucher="V-001", on=date(2020, 4, 1)):
    return payment_record(tranche=first(grant), amount=amount, voucher_no=voucher, paid_on=on,
                          payer_account="无锡市财政局国库存款", by=by, today=on)


def sheet(response, headers) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == headers
    return rows[1:]


def test_headers_match_the_columns():
    assert [c.header for c in SCHEDULE_COLUMNS] == SCHEDULE_HEADERS
    assert [c.header for c in LEDGER_COLUMNS] == LEDGER_HEADERS


def test_schedule_lists_every_live_tranche_with_paid_outstanding_and_payable(
        client, grant_at, regions, finance_city, bureau_user):
    grant = grant_at(regions["liangxi"], title="数控技术品牌专业")
    pay(grant, finance_city)
    second = grant.tranches.get(seq=2)
    client.force_login(finance_city)

    rows = sheet(client.get(reverse(SCHEDULE), **EN), SCHEDULE_HEADERS)

    school = grant.institution.name
    assert rows == [
        ["数控技术品牌专业", school, "the city", BRAND, 1, datetime(2020, 3, 1), "On approval",
         60000, 50000, 10000, "Yes"],
        ["数控技术品牌专业", school, "the city", BRAND, 2,
         datetime.combine(second.due_date, datetime.min.time()), "On passing acceptance",
         40000, 0, 40000, "No"],
    ]


def test_schedule_leaves_out_withheld_tranches_and_reads_payable_after_a_reversal(
        client, grant_at, regions, finance_city):
    grant = grant_at(regions["liangxi"])
    entry = pay(grant, finance_city, amount="60000")
    client.force_login(finance_city)
    assert sheet(client.get(reverse(SCHEDULE), **EN), SCHEDULE_HEADERS)[0][8:] == [60000, 0, "No"]
    entry_reverse(entry=entry, reason="凭证号录错", by=finance_city)
    Tranche.objects.filter(grant=grant, seq=2).update(withheld_at=timezone.now())
    rows = sheet(client.get(reverse(SCHEDULE), **EN), SCHEDULE_HEADERS)
    assert [row[4] for row in rows] == [1]
    assert rows[0][8:] == [0, 60000, "Yes"]


def test_amounts_are_numbers_to_the_fen(client, grant_at, regions, finance_city):
    grant = grant_at(regions["liangxi"])
    pay(grant, finance_city, amount="12345.67")
    client.force_login(finance_city)
    row = sheet(client.get(reverse(SCHEDULE), **EN), SCHEDULE_HEADERS)[0]
    assert row[7:10] == [60000, 12345.67, 47654.33]
    assert isinstance(row[8], float)


def test_a_title_that_looks_like_a_formula_is_written_as_text(client, grant_at, regions,
                                                              finance_city):
    grant = grant_at(regions["liangxi"], title='=HYPERLINK("http://evil.example","点我")')
    pay(grant, finance_city)
    client.force_login(finance_city)
    for name, headers, column in ((SCHEDULE, SCHEDULE_HEADERS, 0), (LEDGER, LEDGER_HEADERS, 5)):
        response = client.get(reverse(name))
        cell = sheet(response, headers)[0][column]
        assert cell == '\'=HYPERLINK("http://evil.example","点我")'
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.worksheets[0].cell(row=2, column=column + 1).data_type == "s"


def test_ledger_lists_payments_reversals_and_recoveries(client, grant_at, regions,
                                                        finance_city, bureau_user):
    grant = grant_at(regions["liangxi"], title="数控技术品牌专业")
    entry = pay(grant, finance_city, amount="60000", voucher="V-9")
    entry_reverse(entry=entry, reason="凭证号录错", by=finance_city, on=date(2020, 4, 2))
    pay(grant, finance_city, amount="60000", voucher="V-10", on=date(2020, 4, 3))
    recovery_record(grant=grant, amount="10000", reason="撤销部分建设内容", voucher_no="R-1",
                    on=date(2020, 9, 1), by=bureau_user)
    client.force_login(finance_city)

    rows = sheet(client.get(reverse(LEDGER), **EN), LEDGER_HEADERS)

    school, officer = grant.institution.name, finance_city.full_name
    assert rows == [
        [datetime(2020, 4, 1), "Payment", 60000, "V-9", "无锡市财政局国库存款", "数控技术品牌专业",
         school, "the city", None, officer],
        [datetime(2020, 4, 2), "Reversal", -60000, "V-9", "无锡市财政局国库存款", "数控技术品牌专业",
         school, "the city", "凭证号录错", officer],
        [datetime(2020, 4, 3), "Payment", 60000, "V-10", "无锡市财政局国库存款", "数控技术品牌专业",
         school, "the city", None, officer],
        [datetime(2020, 9, 1), "Recovery", 10000, "R-1", None, "数控技术品牌专业", school,
         "the city", "撤销部分建设内容", bureau_user.full_name],
    ]


@pytest.fixture
def three_payers(grant_at, regions, finance_city, finance_jiangyin, finance_yixing):
    city = grant_at(regions["liangxi"], title="梁溪项目")
    jiangyin = grant_at(regions["jiangyin"], title="江阴项目")
    yixing = grant_at(regions["yixing"], title="宜兴项目")
    pay(city, finance_city, voucher="C-1")
    pay(jiangyin, finance_jiangyin, voucher="J-1")
    pay(yixing, finance_yixing, voucher="Y-1")
    return city, jiangyin, yixing


@pytest.mark.parametrize(("who", "titles"), [
    ("finance_jiangyin", {"江阴项目"}),
    ("finance_yixing", {"宜兴项目"}),
    ("finance_city", {"梁溪项目"}),
    ("bureau_user", {"梁溪项目", "江阴项目", "宜兴项目"}),
])
def test_exports_hold_only_the_grants_of_the_users_payer(client, three_payers, request, who,
                                                         titles):
    client.force_login(request.getfixturevalue(who))
    schedule = sheet(client.get(reverse(SCHEDULE)), SCHEDULE_HEADERS)
    ledger = sheet(client.get(reverse(LEDGER)), LEDGER_HEADERS)
    assert {row[0] for row in schedule} == titles
    assert {row[5] for row in ledger} == titles


def test_jiangyin_rows_name_jiangyin_as_payer(client, three_payers, finance_jiangyin):
    client.force_login(finance_jiangyin)
    rows = sheet(client.get(reverse(SCHEDULE)), SCHEDULE_HEADERS)
    assert [(row[2], row[7]) for row in rows] == [("江阴市", 72000), ("江阴市", 48000)]


def test_exports_filter_by_payer_and_year(client, three_payers, bureau_user):
    client.force_login(bureau_user)
    by_payer = sheet(client.get(reverse(SCHEDULE), {"payer": "yixing"}), SCHEDULE_HEADERS)
    assert {row[0] for row in by_payer} == {"宜兴项目"}
    city = sheet(client.get(reverse(LEDGER), {"payer": "city"}), LEDGER_HEADERS)
    assert [row[5] for row in city] == ["梁溪项目"]
    due_2020 = sheet(client.get(reverse(SCHEDULE), {"year": "2020"}), SCHEDULE_HEADERS)
    assert sorted((row[0], row[4]) for row in due_2020) == [
        ("宜兴项目", 1), ("梁溪项目", 1), ("江阴项目", 1)]
    assert sheet(client.get(reverse(LEDGER), {"year": "2019"}), LEDGER_HEADERS) == []


def test_school_exports_only_its_own_grants(client, grant_at, regions, school, school_user):
    grant_at(institution=school, title="本校项目")
    grant_at(regions["xishan"], title="他校项目")
    client.force_login(school_user)
    assert {r[0] for r in sheet(client.get(reverse(SCHEDULE)), SCHEDULE_HEADERS)} == {"本校项目"}


def test_department_viewer_may_not_export(client, three_payers):
    viewer = UserFactory(username="viewer")
    membership(viewer, "department_viewer", department=Department.objects.get(code="finance"))
    client.force_login(viewer)
    assert client.get(reverse(SCHEDULE)).status_code == 403
    assert client.get(reverse(LEDGER)).status_code == 403


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_export_query_counts_do_not_grow_with_the_grants(client, grant_at, regions, finance_city):
    pay(grant_at(regions["liangxi"]), finance_city, voucher="Q-0")
    client.force_login(finance_city)
    one = (_queries(client, reverse(SCHEDULE)), _queries(client, reverse(LEDGER)))
    for n in range(1, 20):
        pay(grant_at(regions["binhu"]), finance_city, voucher=f"Q-{n}")
    assert len(sheet(client.get(reverse(SCHEDULE)), SCHEDULE_HEADERS)) == 40
    assert len(sheet(client.get(reverse(LEDGER)), LEDGER_HEADERS)) == 20
    assert (_queries(client, reverse(SCHEDULE)), _queries(client, reverse(LEDGER))) == one


def notice(response) -> Document:
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"].startswith("attachment; ")
    return Document(io.BytesIO(b"".join(response.streaming_content)))


def text_of(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_notice_names_the_school_the_amount_and_the_tranche_plan(client, grant_at, regions,
                                                                 bureau_user):
    school = InstitutionFactory(region=regions["liangxi"], name="无锡机电高等职业技术学校")
    grant = grant_at(institution=school, title="数控技术品牌专业")
    second = grant.tranches.get(seq=2)
    client.force_login(bureau_user)

    document = notice(client.get(reverse("funding:grant_notice", args=[grant.pk]), **EN))

    text = text_of(document)
    assert document.paragraphs[0].text == "Notice of project approval and funding"
    assert "无锡机电高等职业技术学校:" in text
    assert "“数控技术品牌专业”" in text and BRAND in text
    assert ("The project is granted 100,000 yuan (10 ten thousand yuan), paid by the city."
            in text)
    assert "The construction period is 2020–2022." in text
    assert "spending more than 10% over an item's plan is flagged" in text
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows == [
        ["Tranche", "Due date", "Condition", "Amount (yuan)"],
        ["1", "March 1, 2020", "On approval", "60,000"],
        ["2", second.due_date.strftime("%B %-d, %Y"), "On passing acceptance", "40,000"],
        ["Total", "", "", "100,000"],
    ]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Serif CJK SC"


def test_notice_of_a_county_grant_names_its_payer(client, grant_at, regions, finance_jiangyin):
    grant = grant_at(regions["jiangyin"])
    client.force_login(finance_jiangyin)
    text = text_of(notice(client.get(reverse("funding:grant_notice", args=[grant.pk]), **EN)))
    assert "granted 120,000 yuan (12 ten thousand yuan), paid by 江阴市." in text


def test_notice_in_chinese_writes_chinese_dates(client, grant_at, regions, bureau_user):
    grant = grant_at(regions["liangxi"])
    client.force_login(bureau_user)
    document = notice(client.get(reverse("funding:grant_notice", args=[grant.pk]),
                                 HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert document.tables[0].rows[1].cells[1].text == "2020年3月1日"


@pytest.mark.parametrize(("who", "status"), [
    ("finance_city", 200),
    ("finance_jiangyin", 404),
    ("region_officer", 403),
    ("school_user", 403),
])
def test_notice_is_for_the_bureau_and_the_paying_finance_officer(client, grant_at, school,
                                                                 request, who, status):
    grant = grant_at(institution=school)
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("funding:grant_notice", args=[grant.pk]))
    assert response.status_code == status


def test_amounts_display_with_two_decimals(client, approve, regions, bureau_user):
    import io

    from openpyxl import load_workbook

    approve("brand_major", regions["liangxi"])
    client.force_login(bureau_user)
    sheet = load_workbook(io.BytesIO(client.get(reverse("funding:schedule_export")).content)).active
    header = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("计划金额（元）") + 1)
    assert amount.number_format == "#,##0.00"
