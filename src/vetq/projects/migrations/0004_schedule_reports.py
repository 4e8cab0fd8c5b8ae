"""Yearly progress reports for the projects under construction before reports existed: one per
construction year but the last, due the program policy's `report_due_days` (default 30) after
the year ends, as `projects.reports.report_periods` schedules them. Closed, failed and
withdrawn projects get none; a year a project already has a report for is left alone."""

from datetime import timedelta

from django.db import migrations

from vetq.projects.periods import years_after

DEFAULT_DUE_DAYS = 30


def _due_days(program) -> int:
    value = ((program.policy or {}).get("projects") or {}).get("report_due_days")
    return value if isinstance(value, int) and 0 <= value <= 366 else DEFAULT_DUE_DAYS


def schedule_reports(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ProgressReport = apps.get_model("projects", "ProgressReport")
    projects = Project.objects.filter(state="active").select_related("grant__program") \
        .order_by("pk")
    for project in projects.iterator(chunk_size=500):
        due_days = _due_days(project.grant.program)
        have = set(ProgressReport.objects.filter(project=project).values_list("year", flat=True))
        years = 1
        while years_after(project.starts_on, years) < project.ends_on:
            years += 1
        reports = []
        for year in range(1, years):
            end = years_after(project.starts_on, year) - timedelta(days=1)
            if year not in have:
                reports.append(ProgressReport(
                    project=project, year=year,
                    period_start=years_after(project.starts_on, year - 1), period_end=end,
                    due_on=end + timedelta(days=due_days)))
        ProgressReport.objects.bulk_create(reports)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0003_reports_checks_changes_evaluations"),
    ]

    operations = [
        migrations.RunPython(schedule_reports, migrations.RunPython.noop),
    ]
