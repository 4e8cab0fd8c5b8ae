"""``python -m vetq scheduler``: enqueue the daily tasks once a day (core/schedule.py).

Runs until stopped, checking once a minute; ``--once`` checks once and exits (for cron or a
systemd timer instead of a long-running process)."""

import time

from django.core.management.base import BaseCommand

from vetq.core import schedule


class Command(BaseCommand):
    help = "Enqueue the daily background tasks once a day (run beside the task worker)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=int, default=60,
                            help="Seconds between checks (default 60).")

    def handle(self, *args, once: bool = False, interval: int = 60, **options):
        names = ", ".join(schedule.registered()) or "-"
        self.stdout.write(f"daily tasks: {names}")
        while True:
            for run in schedule.tick():
                self.stdout.write(f"{run.day} enqueued {run.name} ({run.result_id})")
            if once:
                return
            time.sleep(max(interval, 1))
