"""The benchmark's generated workbook goes through the real import without a single problem
(a small one: the benchmark itself is not a test, bench/graduates_import.py)."""

import importlib.util
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.surveys.employment.conftest import TODAY
from vetq.surveys.graduates_import import graduates_confirm, graduates_file_check, graduates_upload
from vetq.surveys.models import GraduateRecord

pytestmark = pytest.mark.integration

BENCH = Path(__file__).resolve().parents[3] / "bench" / "graduates_import.py"


@pytest.fixture
def bench():
    spec = importlib.util.spec_from_file_location("bench_graduates_import", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_small_generated_workbook_imports_through_the_real_code(bench, db, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    bureau = bench.world()
    path = tmp_path / "graduates.xlsx"
    bench.workbook_write(path, 300, seed=5)
    pending = graduates_upload(file=SimpleUploadedFile(path.name, path.read_bytes()), by=bureau)
    check = graduates_file_check(data_import=pending, by=bureau, today=TODAY)
    assert (check.rows, len(check.good), check.errors) == (300, 300, [])
    with django_capture_on_commit_callbacks(execute=True):
        done = graduates_confirm(data_import=pending, by=bureau, today=TODAY)
    assert done.rows_written == GraduateRecord.objects.count() == 300
    assert GraduateRecord.objects.values("institution").distinct().count() > 30
