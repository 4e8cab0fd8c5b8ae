"""`python -m vetq draws verify FILE`: no database (these tests have none), exit 0 / 1 / 2."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from vetq.reviews.draw import document_bytes

from .example import worked_example

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def draw_file(tmp_path):
    *_, document = worked_example()
    path = tmp_path / "draw.json"
    path.write_bytes(document_bytes(document))
    return path


def run(*args):
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("draws", "verify", *args, stdout=out)
        except SystemExit as exc:
            return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_verify_a_good_file_says_match(draw_file):
    code, output = run(str(draw_file))

    assert code == 0
    assert output.splitlines() == [
        "Inputs digest matches: 3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9.",
        "Seed matches: 2c6acbabc45aff2a1b7d34a88ca233f7483229f653e4e4eb1aca0ababbe5b8c0.",
        "Result matches: 5 experts on the panel, 2 reserves, 12 assignments, objective 7680.",
        "match",
    ]


def test_verify_a_file_with_one_byte_changed_says_no_match_and_names_the_digest(draw_file):
    data = draw_file.read_bytes()
    draw_file.write_bytes(data.replace("示例".encode(), "示范".encode(), 1))

    code, output = run(str(draw_file))

    assert code == 1
    lines = output.splitlines()
    published = "3b9ff34b9da17cdb5f85f2c88d3c26f43d24a86592804d7aadaeca6224866db9"
    assert lines[0].startswith(f"Inputs digest differs: the file says {published}, the inputs give ")
    assert lines[-1] == "no match"


def test_verify_reads_standard_input(draw_file, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(draw_file.read_bytes())))

    code, output = run("-")

    assert code == 0 and output.splitlines()[-1] == "match"


def test_verify_a_file_that_is_not_json_says_no_match(draw_file):
    draw_file.write_bytes(draw_file.read_bytes()[:-5])

    code, output = run(str(draw_file))

    assert code == 1
    assert output.splitlines()[0].startswith("This is not a draw file: not JSON:")


def test_verify_a_missing_file_is_an_error(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="Cannot read") as caught:
        call_command("draws", "verify", str(tmp_path / "missing.json"), stdout=io.StringIO())

    assert caught.value.returncode == 2


def test_the_command_line_exit_codes(draw_file, tmp_path):
    changed = tmp_path / "changed.json"
    changed.write_bytes(draw_file.read_bytes().replace(b'"E0003"', b'"E0004"', 1))
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "vetq.settings",
           "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}  # a database that is not there

    good = subprocess.run([sys.executable, "-m", "vetq", "draws", "verify", str(draw_file)], cwd=ROOT,
                          capture_output=True, env=env, check=False)
    bad = subprocess.run([sys.executable, "-m", "vetq", "draws", "verify", str(changed)], cwd=ROOT,
                         capture_output=True, env=env, check=False)

    assert good.returncode == 0, good.stderr
    assert bad.returncode == 1, bad.stderr
    # The command speaks the site's language (zh-hans by default), as a bureau official reads it.
    lines = bad.stdout.decode().splitlines()
    assert lines[-1] == "不一致"
    assert any(line.startswith("结果不一致：") and "第5项，文件中为E0004" in line and "E0003" in line
               for line in lines), lines
    assert good.stdout.decode().splitlines()[-1] == "一致"
