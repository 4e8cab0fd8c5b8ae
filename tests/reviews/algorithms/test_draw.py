import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from vetq.reviews.assignment import NoAssignment, Rules
from vetq.reviews.canonical import canonical_json, digest, hash_order, seed_for
from vetq.reviews.draw import (
    ALGORITHM_VERSION,
    DocumentError,
    document_bytes,
    load_document,
    notice_inputs,
    notice_rules,
    panel_size,
    perform,
    verify,
)

from .example import APPLICATIONS, CONFLICTS, POOL, PUBLIC_VALUE, RULES, SOURCE, TITLE, worked_example

pytestmark = pytest.mark.unit


def pool(n, tags=("next_gen_it",), groups=("51",)):
    return [{"code": f"E{j:04d}", "industries": list(tags), "major_groups": list(groups)}
            for j in range(1, n + 1)]


def apps(n, tags=("next_gen_it",), groups=("51",)):
    return [{"id": 100 + i, "industries": list(tags), "major_groups": list(groups)} for i in range(n)]


def inputs_for(experts, applications, conflicts=(), **rules):
    return notice_inputs(title="t", rules=RULES | rules, pool=experts, applications=applications,
                         conflicts=list(conflicts))


# --- panel size and the notice ------------------------------------------------------------------


@pytest.mark.parametrize("n, rules, pool_size, expected", [
    (30, Rules(5, 1, 10, 20, 60), 150, 18),  # base 15, + 3
    (4, Rules(3, 1, 3, 20, 60), 8, 5),  # base 4, + 1
    (1, Rules(5, 1, 10, 20, 60), 150, 5),  # base 5, + 1, but 5 reviews allow at most 5 experts
    (100, Rules(5, 0, 10, 20, 60), 150, 60),  # base 50, + 10
    (100, Rules(5, 1, 10, 20, 60), 40, 40),  # the whole pool
    (0, Rules(5, 1, 10, 20, 60), 40, 0),
])
def test_panel_size(n, rules, pool_size, expected):
    assert panel_size(n, rules, pool_size) == expected


def test_notice_rules_keep_only_the_draw_rules_and_write_the_cap_exactly():
    review = {"experts_per_application": 5, "load_min": 1, "load_max": 10, "reserves": 5,
              "probability_cap": "0.50", "min_score": "60", "conflict_rules": []}

    assert notice_rules(review) == {"experts_per_application": 5, "load_min": 1, "load_max": 10,
                                    "reserves": 5, "balance_weight": 20, "candidates_per_application": 60,
                                    "probability_cap": "0.5"}
    assert notice_rules({"probability_cap": Fraction(1, 3)})["probability_cap"] == "1/3"
    assert notice_rules({})["probability_cap"] == "0"


def test_notice_inputs_are_sorted_and_deduplicated():
    inputs = notice_inputs(
        title="评审", rules=RULES,
        pool=[{"code": "E2", "industries": ["b", "a", "a"]}, {"code": "E1", "major_groups": ["51"]}],
        applications=[{"id": 9, "industries": ["x"]}, {"id": 3}],
        conflicts={("E2", 9): ("same_region", "declared"), ("E1", 3): ("own_institution",)},
    )

    assert [e["code"] for e in inputs["pool"]] == ["E1", "E2"]
    assert inputs["pool"][1] == {"code": "E2", "industries": ["a", "b"], "major_groups": []}
    assert [a["id"] for a in inputs["applications"]] == [3, 9]
    assert inputs["conflicts"] == [["E1", 3, ["own_institution"]], ["E2", 9, ["declared", "same_region"]]]
    assert inputs["format"] == "vetq-draw-inputs-1" and inputs["algorithm_version"] == ALGORITHM_VERSION
    assert "public_value_source" not in inputs


@pytest.mark.parametrize("change, message", [
    ({"pool": pool(1) + pool(1)}, "codes in the pool must be unique"),
    ({"applications": apps(1) + apps(1)}, "application ids must be unique"),
    ({"conflicts": [["E9999", 100, ["declared"]]]}, "not in the notice"),
    ({"conflicts": [["E0001", 100, ["declared"]], ["E0001", 100, ["same_region"]]]}, "only once"),
    ({"applications": [{"id": "100"}]}, "must be an integer"),
    ({"rules": RULES | {"load_min": 5}}, "load_min must lie"),
])
def test_notice_inputs_refuse_inconsistent_notices(change, message):
    arguments = {"title": "t", "rules": RULES, "pool": pool(3), "applications": apps(2), "conflicts": []}

    with pytest.raises(ValueError, match=message):
        notice_inputs(**(arguments | change))


# --- the draw -----------------------------------------------------------------------------------


def test_same_inputs_and_public_value_give_the_same_draw():
    inputs, inputs_digest, seed, result, _ = worked_example()
    rebuilt = notice_inputs(title=TITLE, rules=RULES, pool=list(reversed(POOL)), applications=APPLICATIONS,
                            conflicts=list(reversed(CONFLICTS)), public_value_source=SOURCE)

    assert digest(rebuilt) == inputs_digest
    assert seed_for(digest(rebuilt), f" {PUBLIC_VALUE} ", ALGORITHM_VERSION) == seed
    assert perform(copy.deepcopy(rebuilt), seed) == result


def test_worked_example_result():
    inputs, inputs_digest, seed, result, _ = worked_example()

    assert inputs_digest == "3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9"
    assert seed == "2c6acbabc45aff2a1b7d34a88ca233f7483229f653e4e4eb1aca0ababbe5b8c0"
    assert result == {
        "panel": ["E0006", "E0007", "E0001", "E0008", "E0003"],
        "reserves": ["E0002", "E0005"],
        "assignment": [[101, "E0006"], [101, "E0007"], [101, "E0008"], [102, "E0001"], [102, "E0003"],
                       [102, "E0007"], [103, "E0001"], [103, "E0006"], [103, "E0008"], [104, "E0003"],
                       [104, "E0007"], [104, "E0008"]],
        "objective": 7680,
        "loads": {"E0006": 2, "E0007": 3, "E0001": 2, "E0008": 3, "E0003": 2},
    }


def test_panel_and_reserves_follow_the_seeded_order_and_the_assignment_has_no_conflict():
    inputs, _, seed, result, _ = worked_example()
    order = hash_order(seed, "pool", [e["code"] for e in inputs["pool"]])

    assert result["panel"] + result["reserves"] == order[:7]
    assert {code for _, code in result["assignment"]} <= set(result["panel"])
    assert not {(c, a) for a, c in result["assignment"]} & {(c, a) for c, a, _ in inputs["conflicts"]}


def test_another_public_value_gives_another_draw():
    inputs, inputs_digest, _, result, _ = worked_example()

    other = perform(inputs, seed_for(inputs_digest, "3 8 2", ALGORITHM_VERSION))

    assert other["panel"] != result["panel"]


def test_panel_grows_until_every_application_has_enough_experts():
    experts = pool(12)
    seed = "ab" * 32
    order = hash_order(seed, "pool", [e["code"] for e in experts])
    size = panel_size(3, Rules(1, 0, 3, 20, 60), 12)  # base 1 → 2
    # Application 102 conflicts with the first `size` + 2 experts of the order.
    conflicts = [[code, 102, ["declared"]] for code in order[:size + 2]]
    inputs = inputs_for(experts, apps(3), conflicts, experts_per_application=1, load_min=0, load_max=3)

    result = perform(inputs, seed)

    assert size == 2
    assert result["panel"] == order[:size + 3]
    assert [102, order[size + 2]] in result["assignment"]
    assert result["reserves"] == order[size + 3:size + 5]


def test_experts_free_of_too_few_applications_are_skipped():
    experts = pool(8)
    seed = "cd" * 32
    order = hash_order(seed, "pool", [e["code"] for e in experts])
    conflicts = [[order[0], 100, ["own_institution"]], [order[0], 101, ["own_institution"]]]
    inputs = inputs_for(experts, apps(2), conflicts, experts_per_application=1, load_min=1, load_max=2)

    result = perform(inputs, seed)

    assert order[0] not in result["panel"] + result["reserves"]
    assert result["panel"] == order[1:3]  # panel size 2: base 1 plus 1
    assert result["reserves"] == order[3:5]


def test_draw_without_assignment_names_the_applications_short_of_experts_in_the_pool():
    experts = pool(6)
    conflicts = [[e["code"], 101, ["same_region"]] for e in experts[1:]]
    inputs = inputs_for(experts, apps(2), conflicts, experts_per_application=3, load_min=0)

    with pytest.raises(NoAssignment) as caught:
        perform(inputs, "ef" * 32)

    assert caught.value.lines() == ["Application 101: 1 experts free of conflict, 3 needed."]


def test_draw_without_assignment_explains_load_bounds():
    inputs = inputs_for(pool(4), apps(1), experts_per_application=3, load_min=2, load_max=3)

    with pytest.raises(NoAssignment) as caught:
        perform(inputs, "ef" * 32)

    assert caught.value.cause == "load_min"
    assert caught.value.lines() == ["Application 100: only 0 of the experts free of conflict with it can "
                                    "review at least 2 applications; 3 needed."]


def test_draw_with_a_probability_cap_is_a_seeded_lottery():
    experts = pool(10)
    inputs = inputs_for(experts, apps(4), experts_per_application=1, load_min=0, load_max=2,
                        probability_cap="0.5")

    results = {tuple(map(tuple, perform(inputs, f"{i:064x}")["assignment"])) for i in range(8)}

    assert perform(inputs, "0" * 64) == perform(inputs, "0" * 64)
    assert len(results) > 1


def test_perform_refuses_other_formats():
    inputs, _, seed, _, _ = worked_example()

    with pytest.raises(ValueError, match="not vetq-draw-inputs-1"):
        perform(inputs | {"algorithm_version": "vetq-draw-0"}, seed)


# --- the published file and its verification ----------------------------------------------------


def test_verify_a_published_draw_matches():
    *_, document = worked_example()

    verification = verify(load_document(document_bytes(document)))

    assert verification.match is True
    assert verification.lines == [
        "Inputs digest matches: 3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9.",
        "Seed matches: 2c6acbabc45aff2a1b7d34a88ca233f7483229f653e4e4eb1aca0ababbe5b8c0.",
        "Result matches: 5 experts on the panel, 2 reserves, 12 assignments, objective 7680.",
    ]


def test_one_byte_changed_in_the_inputs_changes_the_digest_and_verify_says_no_match():
    *_, document = worked_example()
    data = document_bytes(document)
    changed = data.replace(b'"id": 104', b'"id": 105', 1)
    assert len(changed) == len(data) and sum(a != b for a, b in zip(data, changed, strict=True)) == 1

    verification = verify(load_document(changed))

    assert verification.match is False
    assert digest(load_document(changed)["inputs"]) != document["inputs_digest"]
    assert verification.lines[0] == (
        "Inputs digest differs: the file says "
        "3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9, "
        f"the inputs give {digest(load_document(changed)['inputs'])}.")


def test_changed_result_is_named():
    *_, document = worked_example()
    document["result"]["panel"][2] = "E0002"

    verification = verify(document)

    assert verification.match is False
    assert verification.lines[:2] == [
        "Inputs digest matches: 3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9.",
        "Seed matches: 2c6acbabc45aff2a1b7d34a88ca233f7483229f653e4e4eb1aca0ababbe5b8c0.",
    ]
    assert verification.lines[2] == ("Result differs: panel at position 3: the file says E0002, the inputs "
                                     "give E0001.")


def test_changed_public_value_changes_the_seed():
    *_, document = worked_example()
    document["public_value"] = "3 8 2"

    verification = verify(document)

    assert verification.match is False
    assert verification.lines[1].startswith("Seed differs: the file says 2c6acbab")


def test_public_value_source_must_be_the_one_the_notice_named():
    *_, document = worked_example()
    document["public_value_source"] = "另一期开奖号码"

    verification = verify(document)

    assert verification.match is False
    assert "Public value source differs" in verification.lines[1]


@pytest.mark.parametrize("change, line", [
    ({"format": "other"}, "This is not a vetq draw file (format vetq-draw-file-1 expected)."),
    ({"algorithm_version": "vetq-draw-9"}, "Algorithm version differs: the file says vetq-draw-9, this "
                                           "program implements vetq-draw-1."),
    ({"seed": None, "result": None}, None),
])
def test_verify_refuses_other_files(change, line):
    *_, document = worked_example()

    verification = verify(document | change)

    assert verification.match is False
    if line:
        assert verification.lines == [line]


def test_verify_reports_inputs_that_are_not_canonical_json():
    *_, document = worked_example()
    document["inputs"]["rules"]["load_max"] = 3.0

    verification = verify(document)

    assert verification.match is False
    assert verification.lines == [
        "The inputs cannot be written as canonical JSON: $.rules.load_max: 3.0 is a float; canonical JSON "
        "allows only integers (write decimals as strings)."]


def test_verify_reports_a_missing_part():
    *_, document = worked_example()
    del document["seed"]

    assert verify(document).lines == ["The file has no seed."]


def test_load_document_refuses_duplicate_keys_and_bad_bytes():
    with pytest.raises(DocumentError, match="duplicate key 'seed'"):
        load_document(b'{"seed": "a", "seed": "b"}')
    with pytest.raises(DocumentError, match="not UTF-8"):
        load_document(b'{"title": "\xff"}')
    with pytest.raises(DocumentError, match="not JSON"):
        load_document(b'{"title": ')
    with pytest.raises(DocumentError, match="not a JSON object"):
        load_document(b"[]")
    assert load_document('\ufeff{"a": 1}'.encode()) == {"a": 1}


def test_export_document_layout():
    inputs, inputs_digest, seed, result, document = worked_example()

    assert document == {
        "format": "vetq-draw-file-1", "algorithm_version": "vetq-draw-1", "inputs_digest": inputs_digest,
        "public_value_source": SOURCE, "public_value": PUBLIC_VALUE, "seed": seed, "result": result,
        "inputs": inputs,
    }
    assert json.loads(document_bytes(document)) == document


def test_the_documented_worked_example_verifies_and_is_what_the_code_produces():
    text = (Path(__file__).resolve().parents[3] / "docs" / "review-algorithm.md").read_text("utf-8")
    published = text.split("<!-- worked-example-file -->\n```json\n", 1)[1].split("\n```", 1)[0]
    *_, document = worked_example()

    assert json.loads(published) == document
    assert verify(load_document(published.encode())).match is True
    assert canonical_json(document["inputs"]).decode() in text
