"""Benchmark of the annual quality reports (issue 7, item 7): `.venv/bin/python bench/reports.py`.

Builds the demo in a throwaway database (the demo as `python -m vetq demo` builds it, plus the
yearly data, graduate records, progress reports, checks and evaluations the later demo modules
write, where they exist), adds schools until there are 60 (copies of demo schools with their
majors and yearly data), then times for the year 2019:

1. the city's report, in this process, with its phases (assembling the chapters, drawing the
   charts, Word, PDF, saving) and its queries; and the same without charts (the baseline that
   shows what the charts cost);
2. the 60 school reports the way the bureau's button makes them: queued as 60 background tasks
   (`reports_generate_all`) and run by `python -m vetq db_worker --batch` — once with one
   worker (what `make run` starts), once with two workers side by side;
3. a sample of school reports in this process, phase by phase, with charts and without.

Targets: the city report ≤ 30 s, the 60 school reports ≤ 5 minutes.
Options: --schools N (default 60), --sample N (default 10), --keep (keep the database and print
its folder), --reuse DIR (time again on a database kept earlier, skipping the build),
--no-two-workers.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2019
TODAY = date(2020, 9, 1)


def setup(var_dir: str) -> None:
    os.environ["VETQ_VAR_DIR"] = var_dir
    # The notices' e-mails (a report is ready) go nowhere instead of into the output.
    os.environ["VETQ_EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetq.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def build(schools: int) -> dict:
    """The demo, the later demo modules that exist, and copies of schools up to `schools`."""
    import importlib

    from django.core.management import call_command
    from django.test.utils import override_settings

    from vetq.accounts.models import User
    from vetq.demo.build import demo_build
    from vetq.programs.models import Program

    call_command("migrate", verbosity=0)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        demo_build()
        program = Program.objects.get()
        bureau = User.objects.get(username="bureau")
        later = [("vetq.demo.yearly_data", "yearly_data_write", False),
                 ("vetq.demo.graduates", "graduates_write", False),
                 ("vetq.demo.project_reports", "reports_write", True),
                 ("vetq.demo.project_checks", "checks_write", True),
                 ("vetq.demo.project_evaluations", "evaluations_write", True)]
        written = {}
        for module, name, with_bureau in later:
            try:
                write = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError):
                continue
            kwargs = {"program": program, "today": TODAY, **({"bureau": bureau} if with_bureau else {})}
            written[name] = write(**kwargs)
        written["copies"] = copy_schools(schools)
    return written


def copy_schools(wanted: int) -> int:
    """Copies of the first demo schools, with their majors and yearly data of every year, until
    there are `wanted` active schools."""
    from vetq.institutions.models import Institution, Major
    from vetq.surveys.models import Enrolment, ExamResult, GraduateRecord, SchoolResource

    schools = list(Institution.objects.filter(active=True).order_by("code"))
    copies = 0
    for original in schools[: max(0, wanted - len(schools))]:
        copy = Institution.objects.create(
            code=f"{original.code}B", name=f"{original.name}（分校）", type=original.type,
            region=original.region, supervising_department=original.supervising_department)
        majors = {}
        for major in original.majors.all():
            majors[major.pk] = Major.objects.create(
                institution=copy, catalogue_code=major.catalogue_code, name=major.name,
                is_backbone=major.is_backbone)
            majors[major.pk].industries.set(major.industries.all())
        Enrolment.objects.bulk_create(
            Enrolment(institution=copy, major=majors[e.major_id], year=e.year, enrolled=e.enrolled,
                      students=e.students, graduates=e.graduates)
            for e in Enrolment.objects.filter(institution=original))
        SchoolResource.objects.bulk_create(
            SchoolResource(institution=copy, year=r.year, indicator=r.indicator, value=r.value)
            for r in SchoolResource.objects.filter(institution=original))
        ExamResult.objects.bulk_create(
            ExamResult(institution=copy, major=majors.get(r.major_id), year=r.year, kind=r.kind,
                       subject=r.subject, candidates=r.candidates, passed=r.passed,
                       excellent=r.excellent)
            for r in ExamResult.objects.filter(institution=original))
        GraduateRecord.objects.bulk_create(
            (GraduateRecord(institution=copy, major=majors[g.major_id], cohort=g.cohort,
                            point=g.point, person=f"{g.person[:60]}copy", destination=g.destination,
                            in_field=g.in_field, location=g.location, contract=g.contract,
                            starting_pay=g.starting_pay, satisfaction=g.satisfaction,
                            employer_satisfaction=g.employer_satisfaction)
             for g in GraduateRecord.objects.filter(institution=original).iterator()),
            batch_size=2000)
        copies += 1
    return copies


def forget_reports() -> dict:
    """Remove the reports (and their files) of an earlier run on a kept database."""
    from django_tasks_db.models import DBTaskResult

    from vetq.core.models import StoredFile
    from vetq.reports.models import QualityReport

    files = [pk for pair in QualityReport.objects.values_list("docx_id", "pdf_id") for pk in pair
             if pk]
    removed = QualityReport.objects.count()
    QualityReport.objects.all().delete()
    for stored in StoredFile.objects.filter(pk__in=files):
        stored.file.delete(save=False)
        stored.delete()
    DBTaskResult.objects.all().delete()
    return {"reused": True, "reports removed": removed}


class Phases:
    """Wall time per generation phase, by wrapping the functions generation.py calls."""

    NAMES = {"build_content": "chapters", "chart_png": "charts", "report_docx": "Word",
             "report_pdf": "PDF", "_replace_files": "saving"}

    def __init__(self):
        self.seconds = defaultdict(float)

    @contextmanager
    def watching(self):
        from vetq.reports import generation

        originals = {name: getattr(generation, name) for name in self.NAMES}

        def timed(name, function):
            def run(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return function(*args, **kwargs)
                finally:
                    self.seconds[self.NAMES[name]] += time.perf_counter() - started
            return run

        for name, function in originals.items():
            setattr(generation, name, timed(name, function))
        try:
            yield self
        finally:
            for name, function in originals.items():
                setattr(generation, name, function)

    def line(self, reports: int = 1) -> str:
        return "  ".join(f"{name} {self.seconds[name] / reports:5.2f} s"
                         for name in self.NAMES.values())


@contextmanager
def counting_queries():
    from django.db import connection

    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        yield count


def generate_in_process(report, *, charts: bool) -> tuple[float, Phases, int]:
    from vetq.reports.generation import report_generate

    phases = Phases()
    with phases.watching(), counting_queries() as queries:
        started = time.perf_counter()
        report_generate(report.pk, charts=charts)
        seconds = time.perf_counter() - started
    return seconds, phases, queries[0]


def run_workers(count: int, env: dict) -> float:
    """Run `count` task workers in batch mode side by side until the queue is empty."""
    command = [sys.executable, "-m", "vetq", "db_worker", "--batch", "--no-startup-delay"]
    started = time.perf_counter()
    workers = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,  # noqa: S603
                                stderr=subprocess.DEVNULL) for _ in range(count)]
    for worker in workers:
        worker.wait()
    return time.perf_counter() - started


def queue_all(bureau) -> int:
    from django.db import transaction

    from vetq.reports.services import reports_generate_all

    with transaction.atomic():
        queued, _left = reports_generate_all(year=YEAR, by=bureau)
    return queued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", metavar="DIR", help="a database folder kept by --keep")
    parser.add_argument("--no-two-workers", action="store_true")
    args = parser.parse_args()
    var_dir = args.reuse or tempfile.mkdtemp(prefix="vetq-bench-reports-")
    setup(var_dir)
    try:
        run(args, var_dir)
    finally:
        if args.keep or args.reuse:
            print(f"\ndatabase kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def run(args, var_dir: str) -> None:
    from django.conf import settings

    from vetq.accounts.models import User
    from vetq.institutions.models import Institution
    from vetq.reports.charts import cjk_family
    from vetq.reports.models import QualityReport, ReportState
    from vetq.surveys.models import Enrolment, GraduateRecord

    started = time.perf_counter()
    written = forget_reports() if args.reuse else build(args.schools)
    schools = Institution.objects.filter(active=True).count()
    print(f"built the demo database in {time.perf_counter() - started:.0f} s: {schools} schools, "
          f"{Enrolment.objects.count():,} enrolment rows, {GraduateRecord.objects.count():,} "
          f"graduate records; {written}")
    cjk_family()  # matplotlib's import and font registration: once per worker process
    bureau = User.objects.get(username="bureau")
    rows = []

    # 1. The city report.
    city = QualityReport.objects.create(year=YEAR)
    for charts in (True, False):
        seconds, phases, queries = generate_in_process(city, charts=charts)
        city.refresh_from_db()
        label = "city report" + ("" if charts else ", no charts")
        print(f"{label:<28} {seconds:6.2f} s  {queries} queries  {phases.line()}  "
              f"PDF {city.pdf.size / 1024:,.0f} KB, {len(city.content['chapters'])} chapters")
        rows.append((label, 1, seconds, seconds, phases, queries))

    # 2. Every school's report through the task queue.
    env = {**os.environ, "VETQ_VAR_DIR": var_dir, "DJANGO_SETTINGS_MODULE": "vetq.settings",
           "PYTHONPATH": str(ROOT / "src")}
    worker_runs = [1] if args.no_two_workers else [1, 2]
    for workers in worker_runs:
        QualityReport.objects.filter(institution__isnull=False).update(state=ReportState.READY)
        queued = queue_all(bureau)
        seconds = run_workers(workers, env)
        done = QualityReport.objects.filter(institution__isnull=False, state=ReportState.READY,
                                            generated_at__isnull=False).count()
        failed = QualityReport.objects.filter(state=ReportState.FAILED).count()
        print(f"{queued} school reports, {workers} worker(s): {seconds:6.1f} s "
              f"({seconds / max(queued, 1):.2f} s a report); {done} ready, {failed} failed")
        rows.append((f"{queued} school reports, {workers} worker(s)", queued, seconds, None, None,
                     None))

    # 3. A sample of school reports in this process, phase by phase.
    sample = list(QualityReport.objects.filter(year=YEAR, institution__isnull=False)
                  .order_by("institution__code")[: args.sample])
    for charts in (True, False):
        total, phases_all, queries_seen = 0.0, Phases(), []
        for report in sample:
            QualityReport.objects.filter(pk=report.pk).update(state=ReportState.READY)
            seconds, phases, queries = generate_in_process(report, charts=charts)
            total += seconds
            queries_seen.append(queries)
            for name, value in phases.seconds.items():
                phases_all.seconds[name] += value
        label = f"school report{'' if charts else ', no charts'} (mean of {len(sample)})"
        print(f"{label:<40} {total / len(sample):6.2f} s  queries {min(queries_seen)}–"
              f"{max(queries_seen)}  {phases_all.line(len(sample))}")
        rows.append((label, len(sample), total, total / len(sample), phases_all.line(len(sample)),
                     f"{min(queries_seen)}–{max(queries_seen)}"))

    print(f"\nDatabase: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print("\n| run | reports | wall s | s a report | queries a report |")
    print("|---|---:|---:|---:|---:|")
    for label, count, seconds, each, _phases, queries in rows:
        each = seconds / count if each is None else each
        print(f"| {label} | {count} | {seconds:.1f} | {each:.2f} | {queries or '—'} |")


if __name__ == "__main__":
    main()
