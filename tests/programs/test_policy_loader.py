"""Loading the policy file: what a good file writes, what a second load leaves alone, how a
changed file is recorded, and how each kind of bad file is refused with nothing written."""

from decimal import Decimal

import pytest

from tests.conftest import POLICY
from tests.programs.policy_edits import edit, line_of
from vetq.audit.models import AuditEntry
from vetq.audit.services import audit_verify
from vetq.institutions.models import Department, Industry, Region
from vetq.programs.models import Category, Program, SubsidyRule
from vetq.programs.policy.errors import PolicyError
from vetq.programs.policy.loader import policy_load

pytestmark = pytest.mark.integration

BRAND_MAJOR_NAME = 'name = "无锡市职业教育现代化品牌专业"\n'
BRAND_MAJOR_CODE = 'code = "brand_major"'


def counts() -> dict[str, int]:
    return {
        "programs": Program.objects.count(),
        "categories": Category.objects.count(),
        "rules": SubsidyRule.objects.count(),
        "regions": Region.objects.count(),
        "departments": Department.objects.count(),
        "industries": Industry.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_policy_load_of_good_file_writes_program_and_reference_data(db):  # R1–R18 R23 R27 R28
    result = policy_load(path=POLICY)

    program = result.program
    assert result.created is True
    assert result.changed is True
    assert program.code == "wuxi-vet-quality-2016"
    assert (program.period_start, program.period_end) == (2016, 2020)
    assert program.budget_yuan == Decimal("100000000.00")
    assert program.policy_file == "wuxi-2016-77.toml"
    assert program.categories.filter(active=True).count() == 14
    assert SubsidyRule.objects.filter(category__program=program, version=1).count() == 14
    assert Region.objects.count() == 7
    assert Industry.objects.count() == 17
    assert program.industries.count() == 17
    assert Department.objects.count() == 7
    assert sorted(r.code for r in program.self_funded_regions.all()) == ["jiangyin", "yixing"]
    assert program.commissioned_paid_by_city is True


def test_policy_load_of_good_file_is_audited(db):
    result = policy_load(path=POLICY)

    entry = AuditEntry.objects.get()
    assert entry.action == "policy.load"
    assert entry.object_type == "programs.program"
    assert entry.object_id == str(result.program.pk)
    assert entry.after["file"] == "wuxi-2016-77.toml"
    assert entry.after["sha256"] == result.program.policy_sha256
    assert entry.after["changes"][0] == "region liangxi: added"
    assert audit_verify().ok is True


def test_policy_load_categories_hold_the_policy_rules(program):  # R1 R7 R12 R18 R26
    brand_major = program.categories.get(code="brand_major")
    assert brand_major.requirement == "R1"
    assert brand_major.target == 100
    assert brand_major.eligible_types == ["higher_vocational", "secondary_vocational", "technical"]
    assert brand_major.current_rule.as_mapping() == {"kind": "fixed", "amount_yuan": 100000}
    award = program.categories.get(code="industry_contribution_award")
    assert award.is_award is True
    assert award.target is None
    assert award.current_rule.as_mapping() == {"kind": "range", "min_yuan": 100000, "max_yuan": 300000}
    assert program.categories.get(code="program_alliance").current_rule.as_mapping() == {
        "kind": "total_in_tranches", "total_yuan": 200000, "tranches": 4,
    }
    assert program.categories.get(code="master_teacher_studio").current_rule.as_mapping() == {
        "kind": "per_year_plus_bonus", "per_year_yuan": 20000, "bonus_yuan": 50000,
        "bonus_if": "excellent",
    }


def test_policy_load_twice_changes_nothing(program):
    before = counts()
    loaded_at = program.loaded_at

    result = policy_load(path=POLICY)

    assert result.changed is False
    assert result.created is False
    assert result.changes == []
    assert counts() == before
    assert Program.objects.get().loaded_at == loaded_at


def test_policy_load_of_same_file_puts_back_a_row_edited_by_hand(program):
    Region.objects.filter(code="yixing").update(name="宜兴")

    result = policy_load(path=POLICY)

    assert result.changes == ["region yixing: name changed"]
    assert Region.objects.get(code="yixing").name == "宜兴市"
    assert AuditEntry.objects.filter(action="policy.load").count() == 2


def test_policy_load_of_changed_rule_adds_version_and_keeps_old_one(
    program, policy_text, write_policy
):
    changed = edit(policy_text, "amount_yuan = 100_000 }", "amount_yuan = 120_000 }")

    result = policy_load(path=write_policy(changed, "wuxi-changed.toml"))

    rules = SubsidyRule.objects.filter(category__code="brand_major").order_by("version")
    assert [(r.version, r.amount_yuan) for r in rules] == [
        (1, Decimal("100000.00")), (2, Decimal("120000.00"))
    ]
    assert rules[0].policy_sha256 == program.policy_sha256
    assert rules[1].policy_sha256 == result.program.policy_sha256
    brand_major = Category.objects.get(code="brand_major")
    assert brand_major.current_rule.version == 2
    assert "category brand_major: subsidy rule version 2" in result.changes
    assert SubsidyRule.objects.count() == 15
    entry = AuditEntry.objects.filter(action="policy.load").last()
    assert entry.after["changes"] == result.changes
    assert entry.after["file"] == "wuxi-changed.toml"


def test_policy_load_without_a_category_deactivates_it(program, policy_text, write_policy):
    start = policy_text.index('[[categories]]\ncode = "belt_and_road"')
    end = policy_text.index("[[categories]]", start + 1)
    without = policy_text[:start] + policy_text[end:]

    result = policy_load(path=write_policy(without, "wuxi-without.toml"))

    belt_and_road = Category.objects.get(code="belt_and_road")
    assert belt_and_road.active is False
    assert belt_and_road.subsidy_rules.count() == 1
    assert "category belt_and_road: no longer in the file, deactivated" in result.changes
    assert program.categories.filter(active=True).count() == 13


def test_policy_load_of_category_back_in_file_reactivates_it(program, policy_text, write_policy):
    start = policy_text.index('[[categories]]\ncode = "belt_and_road"')
    end = policy_text.index("[[categories]]", start + 1)
    policy_load(path=write_policy(policy_text[:start] + policy_text[end:], "wuxi-without.toml"))

    result = policy_load(path=POLICY)

    assert "category belt_and_road active: False → True" in result.changes
    assert program.categories.filter(active=True).count() == 14


def test_policy_load_of_changed_self_funded_regions_records_it(
    program, policy_text, write_policy
):  # R28
    changed = edit(policy_text, '["jiangyin", "yixing"]', '["jiangyin"]')

    result = policy_load(path=write_policy(changed, "wuxi-payers.toml"))

    assert "payers self_funded_regions: ['jiangyin', 'yixing'] → ['jiangyin']" in result.changes
    assert [r.code for r in result.program.self_funded_regions.all()] == ["jiangyin"]


def test_policy_load_of_file_with_byte_order_mark_is_accepted(db, policy_text, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + policy_text.encode("utf-8"))

    result = policy_load(path=path)

    assert result.program.categories.count() == 14


def _category_header(text: str, index: int) -> int:
    return line_of(text, "[[categories]]", occurrence=index + 1)


BAD_FILES = [
    pytest.param(
        lambda t: edit(t, "target = 100\n", "targte = 100\n"),
        lambda t: f"bad.toml:{line_of(t, 'targte')}: categories[0].targte: "
        "unknown key (is it misspelt?)",
        id="unknown-key",
    ),
    pytest.param(
        lambda t: edit(t, BRAND_MAJOR_NAME, ""),
        lambda t: f"bad.toml:{_category_header(t, 0)}: categories[0].name: required key is missing",
        id="missing-key",
    ),
    pytest.param(
        lambda t: edit(t, "target = 100\n", 'target = "many"\n'),
        lambda t: f"bad.toml:{line_of(t, 'many')}: categories[0].target: "
        "Input should be a valid integer",
        id="wrong-type",
    ),
    pytest.param(
        lambda t: edit(t, "target = 100\n", 'target = "100"\n'),
        lambda t: f"bad.toml:{line_of(t, 'target = ')}: categories[0].target: "
        "Input should be a valid integer",
        id="number-as-text",
    ),
    pytest.param(
        lambda t: edit(t, "budget_yuan = 100_000_000", 'budget_yuan = "100000000"'),
        lambda t: f"bad.toml:{line_of(t, 'budget_yuan')}: program.budget_yuan: "
        "must be a number, not str '100000000'",
        id="amount-as-text",
    ),
    pytest.param(
        lambda t: edit(t, "amount_yuan = 100_000 }", "amount_yuan = -100_000 }"),
        lambda t: f"bad.toml:{line_of(t, '-100_000')}: categories[0].subsidy.amount_yuan: "
        "Input should be greater than 0",
        id="negative-amount",
    ),
    pytest.param(
        lambda t: edit(t, "min_yuan = 100_000, max_yuan = 300_000", "min_yuan = 300_000, max_yuan = 100_000"),
        lambda t: f"bad.toml:{line_of(t, 'min_yuan = 300_000')}: categories[6].subsidy: "
        "min_yuan must not be larger than max_yuan",
        id="range-min-above-max",
    ),
    pytest.param(
        lambda t: edit(t, 'kind = "fixed", amount_yuan = 100_000', 'kind = "grant", amount_yuan = 100_000'),
        lambda t: f"bad.toml:{line_of(t, 'grant')}: categories[0].subsidy.kind: unknown subsidy kind "
        "'grant' (expected 'fixed', 'range', 'per_year_plus_bonus', 'total_in_tranches')",
        id="unknown-subsidy-kind",
    ),
    pytest.param(
        lambda t: edit(t, '{ kind = "fixed", amount_yuan = 100_000 }', "{ amount_yuan = 100_000 }"),
        lambda t: f"bad.toml:{line_of(t, '{ amount_yuan')}: categories[0].subsidy.kind: "
        "required key is missing",
        id="subsidy-kind-missing",
    ),
    pytest.param(
        lambda t: edit(t, '"secondary_vocational", "technical"]', '"secondary_vocational", "university"]'),
        lambda t: f"bad.toml:{line_of(t, 'university')}: categories[0].eligible[2]: "
        "Input should be 'higher_vocational', 'secondary_vocational' or 'technical'",
        id="unknown-institution-type",
    ),
    pytest.param(
        lambda t: edit(t, 'code = "featured_major"', 'code = "brand_major"'),
        lambda t: f"bad.toml:{line_of(t, BRAND_MAJOR_CODE, occurrence=2)}: categories[1].code: "
        "the code 'brand_major' appears twice (first at categories[0])",
        id="duplicate-category-code",
    ),
    pytest.param(
        lambda t: edit(t, '["jiangyin", "yixing"]', '["jiangyin", "yixin"]'),
        lambda t: f"bad.toml:{line_of(t, 'self_funded_regions')}: payers.self_funded_regions[1]: "
        "names the region 'yixin', which the file does not define",
        id="undefined-self-funded-region",
    ),
    pytest.param(
        lambda t: edit(t, 'bonus_if = "excellent" }\nconstruction_years = 3', 'bonus_if = "excellent" }'),
        lambda t: f"bad.toml:{_category_header(t, 13)}: categories[13].construction_years: "
        "a per-year subsidy needs construction_years",
        id="per-year-without-construction-years",
    ),
    pytest.param(
        lambda t: edit(t, "period = [2016, 2020]", "period = [2020, 2016]"),
        lambda t: f"bad.toml:{line_of(t, 'period =')}: program.period: "
        "period must be [first year, last year] with first ≤ last",
        id="period-reversed",
    ),
    pytest.param(
        lambda t: edit(t, "target = 100\n", "target = \n"),
        lambda t: f"bad.toml:{line_of(t, 'target = ')}: (file): not valid TOML: "
        f"Invalid value (at line {line_of(t, 'target = ')}, column 10)",
        id="toml-syntax-error",
    ),
]


@pytest.mark.parametrize(("make_bad", "message"), BAD_FILES)
def test_policy_load_of_bad_file_is_refused_and_writes_nothing(
    program, policy_text, write_policy, make_bad, message
):
    # the bad file also renames a region: that must not be written either
    bad = make_bad(edit(policy_text, 'name = "梁溪区"', 'name = "梁溪"'))
    before = counts()

    with pytest.raises(PolicyError) as exc:
        policy_load(path=write_policy(bad))

    assert str(exc.value) == message(bad)
    assert exc.value.filename == "bad.toml"
    assert counts() == before
    assert Region.objects.get(code="liangxi").name == "梁溪区"


def test_policy_load_of_file_with_several_problems_names_each(db, policy_text, write_policy):
    bad = edit(policy_text, "target = 100\n", "targte = 100\n")
    bad = edit(bad, "target = 50\n", "target = 0\n")

    with pytest.raises(PolicyError) as exc:
        policy_load(path=write_policy(bad))

    assert str(exc.value).splitlines() == [
        f"bad.toml:{line_of(bad, 'targte')}: categories[0].targte: unknown key (is it misspelt?)",
        f"bad.toml:{line_of(bad, 'target = 0')}: categories[1].target: "
        "Input should be greater than or equal to 1",
    ]
    assert counts() == dict.fromkeys(counts(), 0)


def test_policy_load_of_non_utf8_file_is_refused_and_writes_nothing(db, policy_text, tmp_path):
    path = tmp_path / "bad.toml"
    line = line_of(policy_text, BRAND_MAJOR_NAME.strip())
    before, after = policy_text.split(BRAND_MAJOR_NAME, 1)
    path.write_bytes(before.encode() + BRAND_MAJOR_NAME.encode("gb18030") + after.encode())

    with pytest.raises(PolicyError) as exc:
        policy_load(path=path)

    assert str(exc.value) == f"bad.toml:{line}: (file): the file is not UTF-8 text"
    assert counts() == dict.fromkeys(counts(), 0)


def test_policy_load_of_missing_file_is_refused(db, tmp_path):
    with pytest.raises(PolicyError) as exc:
        policy_load(path=tmp_path / "missing.toml")

    assert str(exc.value) == "missing.toml: (file): cannot read the file: No such file or directory"
    assert counts() == dict.fromkeys(counts(), 0)
