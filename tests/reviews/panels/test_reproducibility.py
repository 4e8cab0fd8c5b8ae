"""A performed draw is reproduced from its exported file alone (fair-review.md §2): by the
pure function, by `draws verify` with no database, and a changed byte is caught."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from vetq.reviews import canonical, draw
from vetq.reviews.panel_queries import draw_export

pytestmark = pytest.mark.integration


def _file(tmp_path, document) -> str:
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return str(path)


def _verify(path: str) -> tuple[str, int]:
    out, err = StringIO(), StringIO()
    try:
        call_command("draws", "verify", path, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    return out.getvalue() + err.getvalue(), code


def test_stored_result_equals_the_pure_draw_on_the_exported_document(drawn):
    record = drawn["draw"]
    document = json.loads(json.dumps(draw_export(record)))
    assert canonical.digest(document["inputs"]) == record.inputs_digest
    seed = canonical.seed_for(document["inputs_digest"], document["public_value"], record.algorithm_version)
    assert seed == record.seed
    assert draw.perform(document["inputs"], seed) == record.result
    assert draw.verify(document).match is True


def test_draws_verify_says_match(drawn, tmp_path):
    output, code = _verify(_file(tmp_path, draw_export(drawn["draw"])))
    assert code == 0
    assert "no match" not in output.lower()
    assert "match" in output.lower()


def test_draws_verify_says_no_match_for_a_changed_input(drawn, tmp_path):
    document = json.loads(json.dumps(draw_export(drawn["draw"])))
    document["inputs"]["applications"][0]["id"] += 1000
    output, code = _verify(_file(tmp_path, document))
    assert "no match" in output.lower()
    assert "digest" in output.lower()
    assert code != 0
