"""The major–industry mapping: seeded from the majors' industries, edited by the bureau on a
page or by Excel (all or nothing), read by everyone with a role."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.factories import MajorFactory
from tests.surveys.data.conftest import workbook_upload
from vetq.audit.models import AuditEntry
from vetq.core.excel import RowError
from vetq.institutions.models import Industry
from vetq.surveys.data_mapping import mapping_seed_from_majors, mapping_set
from vetq.surveys.errors import SurveyRefused
from vetq.surveys.imports_mapping import mapping_import
from vetq.surveys.models import MajorIndustryWeight

pytestmark = pytest.mark.integration


@pytest.fixture
def industries(program):
    return {i.code: i for i in Industry.objects.all()}


def held() -> list:
    return sorted(MajorIndustryWeight.objects.values_list("catalogue_code", "industry__code",
                                                          "weight"))


def test_seed_takes_the_union_of_the_majors_industries_and_keeps_edits(
        industries, school, other_school, bureau_user):
    first = MajorFactory(institution=school, catalogue_code="660301")
    first.industries.add(industries["high_end_equipment"])
    second = MajorFactory(institution=other_school, catalogue_code="660301")
    second.industries.add(industries["high_end_equipment"], industries["next_gen_it"])
    MajorFactory(institution=school, catalogue_code="750101")  # no industries: not mapped
    edited = MajorFactory(institution=school, catalogue_code="710201")
    edited.industries.add(industries["next_gen_it"])
    mapping_set(catalogue_code="710201", weights={industries["service_outsourcing"].pk: 2},
                by=bureau_user)
    assert mapping_seed_from_majors() == 2
    assert held() == [("660301", "high_end_equipment", Decimal(1)),
                      ("660301", "next_gen_it", Decimal(1)),
                      ("710201", "service_outsourcing", Decimal(2))]
    assert mapping_seed_from_majors() == 0


def test_only_the_bureau_edits_and_each_edit_is_audited(industries, school_user, bureau_user):
    it = industries["next_gen_it"].pk
    with pytest.raises(SurveyRefused) as refusal:
        mapping_set(catalogue_code="710201", weights={it: 1}, by=school_user)
    assert str(refusal.value) == "Only the education bureau edits the major–industry mapping."
    with pytest.raises(SurveyRefused) as refusal:
        mapping_set(catalogue_code="710201", weights={it: 0}, by=bureau_user)
    assert str(refusal.value) == "A weight is above 0; remove the industry instead."
    with pytest.raises(SurveyRefused):
        mapping_set(catalogue_code="71x", weights={it: 1}, by=bureau_user)
    mapping_set(catalogue_code="710201", weights={it: Decimal("1.5")}, by=bureau_user)
    mapping_set(catalogue_code="710201", weights={}, by=bureau_user)
    assert held() == []
    entries = list(AuditEntry.objects.filter(action="surveys.mapping_set").order_by("id")
                   .values_list("before", "after"))
    assert entries == [({"710201": {}}, {"710201": {"next_gen_it": "1.50"}}),
                       ({"710201": {"next_gen_it": "1.50"}}, {"710201": {}})]


def test_edit_page_adds_and_removes_industries(client, industries, bureau_user, school_user,
                                               school):
    MajorFactory(institution=school, catalogue_code="710201", name="计算机应用")
    client.force_login(school_user)
    assert client.get("/data/mapping/710201/").status_code == 403
    page = client.get("/data/mapping/").content.decode()
    assert 'data-code="710201"' in page and "not mapped" in page and "/data/mapping/710201/" \
        not in page
    client.force_login(bureau_user)
    it, outsourcing = industries["next_gen_it"].pk, industries["service_outsourcing"].pk
    response = client.post("/data/mapping/710201/", {f"w{it}": "2", f"w{outsourcing}": "-1"})
    assert "A weight is above 0" not in response.content.decode()  # negatives are not weights
    assert "Cannot be negative." in response.content.decode()
    assert held() == []
    response = client.post("/data/mapping/710201/", {f"w{it}": "2", f"w{outsourcing}": "1"})
    assert response.status_code == 302
    assert held() == [("710201", "next_gen_it", 2), ("710201", "service_outsourcing", 1)]
    client.post("/data/mapping/710201/", {f"w{it}": "2", f"w{outsourcing}": ""})
    assert held() == [("710201", "next_gen_it", 2)]


@pytest.mark.parametrize("rows", [1, 20])
def test_mapping_list_queries_do_not_grow(client, industries, bureau_user, school, rows,
                                          django_assert_max_num_queries):
    for n in range(rows):
        MajorFactory(institution=school, catalogue_code=f"7102{n:02d}")
        MajorIndustryWeight.objects.create(catalogue_code=f"7102{n:02d}",
                                           industry=industries["next_gen_it"], weight=1)
    client.force_login(bureau_user)
    with django_assert_max_num_queries(8):
        assert client.get("/data/mapping/").status_code == 200


def test_export_then_import_round_trip_and_all_or_nothing(client, industries, bureau_user,
                                                          school):
    MajorFactory(institution=school, catalogue_code="710201", name="计算机应用")
    MajorFactory(institution=school, catalogue_code="660301", name="机电技术应用")
    MajorIndustryWeight.objects.create(catalogue_code="710201",
                                       industry=industries["next_gen_it"], weight=1)
    client.force_login(bureau_user)
    content = client.get("/data/mapping/export.xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows == [("专业代码", "专业名称", "产业", "权重"), ("660301", "机电技术应用", None, None),
                    ("710201", "计算机应用", "新一代信息技术", 1)]
    workbook = load_workbook(io.BytesIO(content))
    workbook.active["C2"], workbook.active["D2"] = "高端装备制造", 3
    workbook.active.append(["660301", "", "新一代信息技术", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = mapping_import(file=SimpleUploadedFile("m.xlsx", buffer.getvalue()), by=bureau_user)
    assert (result.ok, result.codes, result.weights) == (True, 2, 3)
    assert held() == [("660301", "high_end_equipment", 3), ("660301", "next_gen_it", 1),
                      ("710201", "next_gen_it", 1)]
    bad = workbook_upload(["专业代码", "产业", "权重"], ["710201", "量子计算", 1],
                          ["66x", "新一代信息技术", 1], ["710201", "新一代信息技术", "0"],
                          ["660301", "新一代信息技术", 1], ["660301", "next_gen_it", 2],
                          title="专业产业对应")
    result = mapping_import(file=bad, by=bureau_user)
    assert result.errors == [
        RowError(2, "产业", "Unknown industry “量子计算”; write one of the program's industries."),
        RowError(3, "专业代码", "A catalogue code is 4 to 12 digits."),
        RowError(4, "权重", "A weight is above 0; remove the industry instead."),
        RowError(6, "产业", "Repeated in this file: also on row 5."),
    ]
    assert len(held()) == 3
    bad.seek(0)
    response = client.post("/data/mapping/import/", {"file": bad})
    assert 'id="import-errors"' in response.content.decode()
