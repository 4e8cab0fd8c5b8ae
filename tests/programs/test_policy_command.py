"""The `policy load` and `policy show` management commands."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import POLICY
from tests.programs.policy_edits import edit, line_of
from vetq.audit.models import AuditEntry
from vetq.programs.models import Category, Program

pytestmark = pytest.mark.integration


def run(*args) -> str:
    out = StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_policy_load_command_loads_then_is_up_to_date(db):
    assert run("load", str(POLICY)) == "loaded wuxi-vet-quality-2016 from wuxi-2016-77.toml\n"
    assert run("load", str(POLICY)) == (
        "wuxi-vet-quality-2016 is already up to date with wuxi-2016-77.toml\n"
    )
    assert Program.objects.count() == 1
    assert AuditEntry.objects.filter(action="policy.load").count() == 1


def test_policy_load_command_without_file_loads_default_policy(db):
    assert run("load") == "loaded wuxi-vet-quality-2016 from wuxi-2016-77.toml\n"


def test_policy_load_command_prints_what_changed(program, policy_text, write_policy):
    path = write_policy(edit(policy_text, "target = 50\n", "target = 60\n"), "wuxi-new.toml")

    lines = run("load", str(path)).splitlines()

    assert lines[0] == "updated wuxi-vet-quality-2016 from wuxi-new.toml:"
    assert lines[2] == "  category featured_major target: 50 → 60"


def test_policy_load_command_with_bad_file_says_nothing_was_loaded(db, policy_text, write_policy):
    bad = edit(policy_text, "target = 100\n", "targte = 100\n")

    with pytest.raises(CommandError) as exc:
        run("load", str(write_policy(bad)))

    assert str(exc.value) == (
        "policy refused, nothing loaded:\n"
        f"bad.toml:{line_of(bad, 'targte')}: categories[0].targte: unknown key (is it misspelt?)"
    )
    assert Program.objects.count() == 0
    assert Category.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_policy_show_command_prints_program_payers_and_categories(program):
    lines = run("show").splitlines()

    assert lines[0] == (
        "wuxi-vet-quality-2016  无锡市职业教育质量提升工程  2016–2020  "
        "budget 100,000,000 yuan (10,000 万元)"
    )
    assert lines[1] == f"  policy file wuxi-2016-77.toml  sha256 {program.policy_sha256[:16]}…"
    assert lines[2] == "  self-funded regions: jiangyin, yixing"
    assert lines[3] == (
        "    R1 brand_major                  target  100  {'kind': 'fixed', 'amount_yuan': 100000}"
    )
    assert len(lines) == 3 + 14


def test_policy_show_command_with_unknown_code_is_refused(program):
    with pytest.raises(CommandError) as exc:
        run("show", "nope")
    assert str(exc.value) == "no program with code 'nope'"
