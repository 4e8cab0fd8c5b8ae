"""The public draw pages (no sign-in): list, detail, file, verify; never an expert's name."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vetq.reviews.models import Expert

from .test_views import _panel_with_draw

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def _no_names(html: str) -> None:
    names = list(Expert.objects.values_list("name", flat=True))
    assert names
    for name in names:
        assert name not in html


def test_a_draft_panel_is_not_public(client, drafted):
    assert client.get(reverse("public:draw_list")).context["page"].object_list.count() == 0
    assert client.get(reverse("public:draw_detail", args=[drafted["panel"].pk])).status_code == 404
    assert client.get(reverse("public:draw_file", args=[drafted["panel"].pk])).status_code == 404


def test_announced_draw_is_public_without_names(client, announced, expert_make, bureau_user):
    draw = announced["draw"]
    for url in (reverse("public:draw_list"), reverse("public:draw_detail", args=[draw.pk]),
                reverse("public:draw_file", args=[draw.pk])):
        response = client.get(url)
        assert response.status_code == 200
        _no_names(response.content.decode())
    html = client.get(reverse("public:draw_detail", args=[draw.pk])).content.decode()
    assert draw.inputs_digest in html
    assert "E0001" in html
    assert announced["applications"][0].title in html
    assert announced["applications"][0].institution.name in html
    assert "The draw will be performed once the public value exists" in html
    industry = announced["applications"][0].industries.order_by("code").first()
    assert industry.name in html  # industries by name, not by code


def test_conflicts_are_public_as_codes_and_reasons(client, drafted, expert_make, bureau_user):
    from .conftest import announce

    target = drafted["applications"][0]
    expert_make("E0100", "回避的专家", institution=target.institution)
    draw = announce(drafted["panel"], bureau_user)
    html = client.get(reverse("public:draw_detail", args=[draw.pk])).content.decode()
    assert "<code>own_institution</code>" in html
    assert "回避的专家" not in html
    _no_names(html)


def test_performed_draw_shows_value_seed_and_result_without_names(client, drawn):
    draw = drawn["draw"]
    response = client.get(reverse("public:draw_detail", args=[draw.pk]))
    html = response.content.decode()
    assert draw.seed in html and draw.public_value in html
    assert ", ".join(draw.result["panel"]) in html
    _no_names(html)


def test_draw_file_is_the_export_document(client, drawn):
    from vetq.reviews import draw as algorithm

    record = drawn["draw"]
    response = client.get(reverse("public:draw_file", args=[record.pk]))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == json.loads(json.dumps(algorithm.export_document(
        inputs=record.inputs, inputs_digest=record.inputs_digest,
        public_value_source=record.public_value_source, public_value=record.public_value,
        seed=record.seed, result=record.result)))


def _verify(client, content: bytes, name="draw.json"):
    upload = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(reverse("public:draw_verify"), {"file": upload})


def test_verify_page_says_match_for_the_downloaded_file(client, drawn):
    content = client.get(reverse("public:draw_file", args=[drawn["draw"].pk])).content
    response = _verify(client, content)
    assert response.status_code == 200
    assert response.context["verification"].match is True
    assert 'data-match="true"' in response.content.decode()


def test_verify_page_says_no_match_for_a_changed_byte(client, drawn):
    content = client.get(reverse("public:draw_file", args=[drawn["draw"].pk])).content
    document = json.loads(content)
    document["inputs"]["pool"][0]["code"] = document["inputs"]["pool"][0]["code"][:-1] + "9"
    response = _verify(client, json.dumps(document, ensure_ascii=False).encode())
    verification = response.context["verification"]
    assert verification.match is False
    assert any("digest" in line for line in verification.lines)
    assert 'data-match="false"' in response.content.decode()


def test_verify_page_refuses_non_json_kindly(client, program):
    response = _verify(client, b"%PDF-1.4 not json", name="draw.pdf")
    assert response.status_code == 400
    assert "This is not a JSON file." in response.content.decode()


def test_verify_page_refuses_a_large_upload(client, program, settings):
    from vetq.reviews.forms_panels import VERIFY_MAX_BYTES

    response = _verify(client, b"{" + b" " * (VERIFY_MAX_BYTES + 70000) + b"}")
    assert response.status_code == 413


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("public:draw_list")).status_code == 200
    return len(queries)


def test_public_draw_list_query_count_does_not_grow(client, call_category, bureau_user):
    _panel_with_draw(call_category, bureau_user, 0)
    at_one = _list_queries(client)
    for number in range(1, 20):
        _panel_with_draw(call_category, bureau_user, number)
    at_twenty = _list_queries(client)
    assert len(client.get(reverse("public:draw_list")).context["page"]) == 20
    assert at_twenty == at_one
