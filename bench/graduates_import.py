"""Benchmark of the graduate import (issue 7, item 7): `.venv/bin/python bench/graduates_import.py`.

Generates a seeded .xlsx of 100,000 graduate records (valid identity numbers, 40 schools with
6 majors each, cohorts 2015–2019 at all four tracking points, the template's Chinese
headers and words), then imports it through the real code on a fresh SQLite database:
`graduates_upload` (content check and storage), `graduates_file_check` (what the preview
page runs) and `graduates_confirm` (read, check, pseudonymise, replace and bulk-insert).
In the same run a row-by-row ORM baseline imports a 5,000-row sample of the same data
(openpyxl reading the sheet, a lookup per row, `.save()` per record, one transaction) and
its time is extrapolated to 100,000 rows. Each import runs in its own child process on its
own database, so its peak memory (maximum resident set size) is its own.
Options: --rows N  --sample N  --seed N  --keep DIR (keep the workbook and databases).
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AREAS = ["320202", "320203", "320205", "320206", "320211", "320213", "320214", "320281",
         "320282"]
REGIONS = ["liangxi", "xishan", "huishan", "binhu", "xinwu", "jiangyin", "yixing"]
MAJORS = ["660101", "660301", "700206", "710201", "730301", "740101"]
POINTS = ["毕业时", "毕业半年后", "毕业一年后", "毕业三年后"]
HEADER = ["学校代码", "专业代码", "毕业年份", "跟踪时点", "身份证号", "毕业去向", "专业对口",
          "就业地点", "签订劳动合同", "月收入（元）", "对母校满意度", "用人单位满意度"]
SATISFACTION = ["很满意", "满意", "满意", "满意", "不满意", "很不满意", "无法评价"]
TODAY = date(2025, 3, 1)


def school_codes() -> list[str]:
    return [f"32025{i:05d}" for i in range(1, 41)]


def identity_number(rng: random.Random) -> str:
    from vetq.surveys.pseudonyms import check_character

    born = date(1995, 1, 1).toordinal() + rng.randrange(7 * 365)
    day = date.fromordinal(born)
    first17 = f"{rng.choice(AREAS)}{day:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + check_character(first17)


def rows(count: int, seed: int):
    rng = random.Random(seed)
    schools = school_codes()
    seen: set[str] = set()
    for _index in range(count):
        number = identity_number(rng)
        while number in seen:
            number = identity_number(rng)
        seen.add(number)
        destination = rng.choices(["就业", "自主创业", "升学", "待就业"], [70, 4, 20, 6])[0]
        working = destination in ("就业", "自主创业")
        yield [
            rng.choice(schools), rng.choice(MAJORS), rng.randint(2015, 2019), rng.choice(POINTS),
            number, destination,
            rng.choice(["是", "是", "否"]) if working else None,
            rng.choice(["本市", "本市", "本市", "省内", "省外", "境外"]) if working else None,
            rng.choice(["是", "是", "否"]) if destination == "就业" else None,
            rng.randrange(2800, 9000, 50) if working else None,
            rng.choice(SATISFACTION), rng.choice(SATISFACTION) if working else None,
        ]


def workbook_write(path: Path, count: int, seed: int) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("毕业生就业跟踪")
    sheet.append(HEADER)
    for row in rows(count, seed):
        sheet.append(row)
    workbook.save(path)


def django_setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["VETQ_VAR_DIR"] = str(database.parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetq.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def world():
    """The policy's regions and industries, 40 schools with 6 majors each, a bureau user."""
    from django.conf import settings

    from vetq.accounts.models import User
    from vetq.accounts.services import membership_grant
    from vetq.institutions.models import Department, Institution, Major, Region
    from vetq.programs.policy.loader import policy_load

    policy_load(path=settings.VETQ_DEFAULT_POLICY)
    regions = list(Region.objects.filter(code__in=REGIONS))
    education = Department.objects.get(code="education")
    schools = Institution.objects.bulk_create(
        Institution(code=code, name=f"无锡市基准测试职业学校{i}", type="secondary_vocational",
                    region=regions[i % len(regions)], supervising_department=education)
        for i, code in enumerate(school_codes()))
    Major.objects.bulk_create(Major(institution=school, catalogue_code=code, name=f"专业{code}")
                              for school in schools for code in MAJORS)
    bureau = User.objects.create(username="bench-bureau")
    membership_grant(user=bureau, role="bureau_admin")
    return bureau


class Clock:
    """Wall and CPU seconds since the last lap: on a shared machine the first can be far
    above the second."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        spent = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return spent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(workbook: Path, database: Path) -> dict:
    """The real import: upload, preview check, confirm."""
    django_setup(database)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vetq.surveys.graduates_import import graduates_confirm, graduates_file_check, graduates_upload
    from vetq.surveys.models import GraduateRecord

    bureau = world()
    data = workbook.read_bytes()
    before = peak_mb()
    clock = Clock()
    pending = graduates_upload(file=SimpleUploadedFile("graduates.xlsx", data), by=bureau)
    upload = clock.lap()
    check = graduates_file_check(data_import=pending, by=bureau, today=TODAY)
    checked = clock.lap()
    done = graduates_confirm(data_import=pending, by=bureau, today=TODAY)
    confirmed = clock.lap()
    assert not check.errors, check.errors[:5]
    return {
        "rows": done.rows_written, "stored": GraduateRecord.objects.count(),
        "upload": upload, "check": checked, "confirm": confirmed, "peak_mb": peak_mb(),
        "baseline_mb": before, "file_mb": len(data) / 1024 / 1024,
    }


def child_baseline(workbook: Path, database: Path) -> dict:
    """The naive import: openpyxl, a lookup per row, one .save() per record."""
    django_setup(database)
    from decimal import Decimal

    from django.db import transaction
    from openpyxl import load_workbook

    from vetq.institutions.models import Institution, Major
    from vetq.surveys.graduates_format import DESTINATIONS, LOCATIONS, POINTS, SATISFACTION, YES_NO
    from vetq.surveys.models import GraduateRecord
    from vetq.surveys.pseudonyms import identity_problem, pseudonym

    world()
    clock = Clock()
    sheet = load_workbook(workbook).worksheets[0]
    written = 0
    with transaction.atomic():
        for values in sheet.iter_rows(min_row=2, values_only=True):
            school = Institution.objects.get(code=values[0])
            major = Major.objects.get(institution=school, catalogue_code=values[1])
            number = values[4]
            assert identity_problem(number, today=TODAY) is None
            GraduateRecord(
                institution=school, major=major, cohort=int(values[2]), point=POINTS[values[3]],
                person=pseudonym(number), destination=DESTINATIONS[values[5]],
                in_field=YES_NO.get(values[6]) if values[6] else None,
                location=LOCATIONS[values[7]] if values[7] else "",
                contract=YES_NO.get(values[8]) if values[8] else None,
                starting_pay=Decimal(values[9]) if values[9] else None,
                satisfaction=SATISFACTION[values[10]],
                employer_satisfaction=SATISFACTION[values[11]] if values[11] else None,
            ).save()
            written += 1
    return {"rows": written, "seconds": clock.lap(), "peak_mb": peak_mb()}


def run_child(kind: str, workbook: Path, folder: Path) -> dict:
    database = folder / f"{kind}.sqlite3"
    database.unlink(missing_ok=True)
    output = subprocess.run(  # noqa: S603 (this script, with its own arguments)
        [sys.executable, __file__, "--child", kind, "--workbook", str(workbook),
         "--database", str(database)],
        check=True, capture_output=True, text=True, cwd=REPO,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--child", choices=["import", "baseline"])
    parser.add_argument("--workbook", type=Path)
    parser.add_argument("--database", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))
    if args.child:
        result = (child_import if args.child == "import" else child_baseline)(
            args.workbook, args.database)
        print(json.dumps(result))
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="vetq-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    full, sample = folder / f"graduates-{args.rows}.xlsx", folder / f"graduates-{args.sample}.xlsx"
    started = time.perf_counter()
    for path, count in ((full, args.rows), (sample, args.sample)):
        if not path.exists():  # a kept folder keeps its workbooks for the next run
            workbook_write(path, count, args.seed)
    print(f"workbooks of {args.rows:,} and {args.sample:,} rows ready in "
          f"{time.perf_counter() - started:.1f} s ({full.stat().st_size / 1024 / 1024:.1f} MB) "
          f"under {folder}")

    real = run_child("import", full, folder)
    naive = run_child("baseline", sample, folder)
    rows, load = real["rows"], os.getloadavg()[0]
    total = [real["upload"][i] + real["confirm"][i] for i in (0, 1)]
    base_wall, base_cpu = naive["seconds"]
    scale = args.rows / naive["rows"]

    def line(name, count, spent, peak=""):
        wall, cpu = spent
        print(f"| {name} | {count:,} | {wall:.2f} | {cpu:.2f} | {count / wall:,.0f} | {peak} |")

    print()
    print("| step | rows | wall s | CPU s | rows/s (wall) | peak MB |")
    print("|---|---:|---:|---:|---:|---:|")
    line("upload (content check, storage)", rows, real["upload"])
    line("check only (the preview page)", rows, real["check"])
    line("confirm (read, check, pseudonymise, replace, insert)", rows, real["confirm"])
    line("**upload + confirm**", rows, total, f"{real['peak_mb']:.0f}")
    line("row-by-row ORM baseline, measured", naive["rows"], naive["seconds"],
         f"{naive['peak_mb']:.0f}")
    line("row-by-row ORM baseline, extrapolated", args.rows,
         (base_wall * scale, base_cpu * scale))
    print()
    print(f"records stored: {real['stored']:,}; workbook {real['file_mb']:.1f} MB; memory before "
          f"the import (Django, the policy, the schools): {real['baseline_mb']:.0f} MB; load "
          f"average at the end: {load:.1f}; target ≤ 20 s: "
          f"{'met' if total[0] <= 20 else 'NOT met'} ({total[0]:.1f} s wall, {total[1]:.1f} s "
          f"CPU); {base_wall * scale / total[0]:.0f}× faster than the baseline (wall), "
          f"{base_cpu * scale / total[1]:.0f}× (CPU)")


if __name__ == "__main__":
    main()
