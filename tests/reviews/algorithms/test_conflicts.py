import random
from datetime import date, timedelta

import pytest

from vetq.reviews.conflicts import (
    REASONS,
    ApplicationFacts,
    ExpertFacts,
    PastJob,
    conflicts,
    person_key,
    window_start,
)

pytestmark = pytest.mark.unit

ON = date(2025, 3, 1)
REGION_RULE = [{"rule": "same_region", "categories": ["master_teacher_studio"]}]


def app(id=1, *, category="brand_major", institution="inst:S01", region="liangxi", enterprises=(),
        people=()):
    return ApplicationFacts(id=id, category=category, institution=institution, region=region,
                            enterprises=tuple(enterprises), people=tuple(people))


def expert(code="E0001", *, name="王明", region="binhu", employer="inst:S09", past=(), declared=()):
    return ExpertFacts(code=code, name=name, region=region, employer=employer, past=tuple(past),
                       declared=tuple(declared))


def found(experts, applications, *, years=3, rules=()):
    return conflicts(experts, applications, on=ON, past_employer_years=years, rules=list(rules))


def test_no_conflict_for_a_stranger():
    assert found([expert()], [app()]) == {}


def test_own_institution():
    assert found([expert(employer="inst:S01")], [app()]) == {("E0001", 1): ("own_institution",)}


def test_own_institution_accepts_a_bare_application_institution_code():
    assert found([expert(employer="inst:S01")], [app(institution="S01")]) == {
        ("E0001", 1): ("own_institution",)}


def test_current_job_in_the_history_counts_as_own_institution():
    history = [PastJob("inst:S01", None)]

    assert found([expert(past=history)], [app()]) == {("E0001", 1): ("own_institution",)}


def test_past_employer_ended_exactly_three_years_ago_still_conflicts():
    history = [PastJob("inst:S01", date(2022, 3, 1))]

    assert found([expert(past=history)], [app()]) == {("E0001", 1): ("past_employer",)}


def test_past_employer_ended_a_day_before_the_window_does_not_conflict():
    history = [PastJob("inst:S01", date(2022, 2, 28))]

    assert found([expert(past=history)], [app()]) == {}


def test_past_employer_window_follows_the_policy_years():
    history = [PastJob("inst:S01", date(2021, 3, 1))]

    assert found([expert(past=history)], [app()], years=3) == {}
    assert found([expert(past=history)], [app()], years=4) == {("E0001", 1): ("past_employer",)}


def test_window_start_on_29_february_falls_back_to_28():
    assert window_start(date(2024, 2, 29), 3) == date(2021, 2, 28)
    assert window_start(ON, 0) == ON


def test_partner_enterprise_where_the_expert_works_now():
    application = app(enterprises=["91320200MA1XYZ"])

    result = found([expert(employer="ent:91320200MA1XYZ")], [application])

    assert result == {("E0001", 1): ("partner_enterprise",)}


def test_partner_enterprise_where_the_expert_worked_within_the_window():
    application = app(enterprises=["ent:91320200MA1XYZ"])
    recent = [PastJob("ent:91320200MA1XYZ", ON - timedelta(days=400))]
    old = [PastJob("ent:91320200MA1XYZ", date(2020, 1, 1))]

    assert found([expert(past=recent)], [application]) == {("E0001", 1): ("partner_enterprise",)}
    assert found([expert(past=old)], [application]) == {}


@pytest.mark.parametrize("declared", ["inst:S01", "ent:91320200MA1XYZ", "person:李  华"])
def test_declared_institution_enterprise_or_person(declared):
    application = app(enterprises=["ent:91320200MA1XYZ"], people=["李华", "赵六"])

    assert found([expert(declared=[declared])], [application]) == {("E0001", 1): ("declared",)}


def test_declared_conflict_with_someone_else_does_not_conflict():
    assert found([expert(declared=["inst:S02", "person:钱七"])], [app(people=["李华"])]) == {}


def test_named_on_the_application_ignores_spaces_width_and_case():
    applications = [app(1, people=["王 明"]), app(2, people=["Wang Ming"]), app(3, people=["王明明"])]

    assert found([expert(name="王明")], applications) == {("E0001", 1): ("named_on_application",)}
    full_width = expert(name="ｗａｎｇ ｍｉｎｇ")
    assert found([full_width], applications) == {("E0001", 2): ("named_on_application",)}


def test_person_key():
    assert person_key(" 欧阳\u3000娜娜 ") == "欧阳娜娜"
    assert person_key("") == ""


def test_same_region_only_for_the_listed_categories():
    applications = [app(1, category="master_teacher_studio", region="binhu"),
                    app(2, category="brand_major", region="binhu")]

    assert found([expert(region="binhu")], applications, rules=REGION_RULE) == {
        ("E0001", 1): ("same_region",)}


def test_same_region_with_no_categories_applies_to_all():
    applications = [app(1, region="binhu"), app(2, region="binhu"), app(3, region="xishan")]
    rules = [{"rule": "same_region", "categories": []}]

    assert found([expert(region="binhu")], applications, rules=rules) == {
        ("E0001", 1): ("same_region",), ("E0001", 2): ("same_region",)}


def test_expert_without_region_never_has_a_same_region_conflict():
    rules = [{"rule": "same_region"}]

    assert found([expert(region=None)], [app(region="binhu")], rules=rules) == {}


def test_several_reasons_are_kept_sorted():
    application = app(category="master_teacher_studio", region="binhu", people=["王明"],
                      enterprises=["ent:X"])
    someone = expert(employer="inst:S01", region="binhu", past=[PastJob("ent:X", ON)],
                     declared=["inst:S01"])

    result = found([someone], [application], rules=REGION_RULE)

    assert result == {("E0001", 1): ("declared", "named_on_application", "own_institution",
                                     "partner_enterprise", "same_region")}


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown conflict rule 'same_city'"):
        found([expert()], [app()], rules=[{"rule": "same_city"}])


def test_expert_employer_must_name_its_kind():
    with pytest.raises(ValueError, match="must be 'inst:<code>' or 'ent:<credit code>'"):
        found([expert(employer="S01")], [app()])


def test_declaration_must_name_its_kind():
    with pytest.raises(ValueError, match="must start with inst:, ent: or person:"):
        found([expert(declared=["S01"])], [app()])


def test_every_reason_has_a_message():
    assert set(REASONS) == {"own_institution", "past_employer", "partner_enterprise", "declared",
                            "named_on_application", "same_region", "assigned_before"}
    assert all(message.endswith(".") for message in REASONS.values())


def _brute_force(experts, applications, *, on, years, rules):
    """The rules read literally, pair by pair: the reference for the indexed version."""
    start = window_start(on, years)
    everywhere = any(not r.get("categories") for r in rules)
    categories = {c for r in rules for c in r.get("categories", [])}
    out = {}
    for e in experts:
        current = {e.employer} | {j.employer for j in e.past if j.ended is None}
        recent = {j.employer for j in e.past if j.ended is not None and j.ended >= start}
        for a in applications:
            owner = a.institution if a.institution.startswith(("inst:", "ent:")) else f"inst:{a.institution}"
            partners = {p if p.startswith(("inst:", "ent:")) else f"ent:{p}" for p in a.enterprises}
            people = {person_key(p) for p in a.people}
            reasons = set()
            if owner in current:
                reasons.add("own_institution")
            if owner in recent:
                reasons.add("past_employer")
            if partners & (current | recent):
                reasons.add("partner_enterprise")
            for d in e.declared:
                if d in partners or d == owner or (d.startswith("person:") and person_key(d[7:]) in people):
                    reasons.add("declared")
            if person_key(e.name) in people:
                reasons.add("named_on_application")
            if rules and e.region and e.region == a.region and (everywhere or a.category in categories):
                reasons.add("same_region")
            if reasons:
                out[(e.code, a.id)] = tuple(sorted(reasons))
    return out


@pytest.mark.parametrize("trial", range(5))
def test_indexed_conflicts_equal_the_pairwise_rules(trial):
    rng = random.Random(trial)
    orgs = [f"inst:S{i}" for i in range(6)] + [f"ent:C{i}" for i in range(6)]
    names = ["王明", "李华", "赵六", "钱七", "孙八", "周九"]
    regions = ["liangxi", "binhu", "xishan"]
    applications = [
        app(i, category=rng.choice(["brand_major", "master_teacher_studio"]),
            institution=rng.choice(orgs[:6]), region=rng.choice(regions),
            enterprises=rng.sample([o[4:] for o in orgs[6:]], rng.randint(0, 2)),
            people=rng.sample(names, rng.randint(0, 3)))
        for i in range(40)
    ]
    experts = [
        expert(f"E{j:03d}", name=rng.choice(names + ["吴十"]), region=rng.choice(regions + [None]),
               employer=rng.choice(orgs + [None]),
               past=[PastJob(rng.choice(orgs), rng.choice([None, ON - timedelta(days=rng.randint(0, 2000))]))
                     for _ in range(rng.randint(0, 2))],
               declared=rng.sample(orgs + [f"person:{n}" for n in names], rng.randint(0, 2)))
        for j in range(30)
    ]
    rules = rng.choice([[], REGION_RULE, [{"rule": "same_region", "categories": []}]])

    result = conflicts(experts, applications, on=ON, past_employer_years=3, rules=rules)

    assert result == _brute_force(experts, applications, on=ON, years=3, rules=rules)
