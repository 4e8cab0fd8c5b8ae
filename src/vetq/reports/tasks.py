"""The background task that generates a quality report (run by `python -m vetq db_worker`)."""

from django_tasks import task

from .generation import report_generate


@task()
def report_generate_task(report_id: int) -> int:
    """Generate the report with primary key `report_id` (generation.report_generate); a
    failure is recorded on the report and raised for the worker to record too."""
    report_generate(report_id)
    return report_id
