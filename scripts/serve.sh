#!/usr/bin/env bash
# Serve vetq for `make run`: the task worker and the daily scheduler in the background, the
# web server in the foreground; stopping the web server (Ctrl-C) stops the other two.
set -euo pipefail
PY=${PY:-.venv/bin/python}
ADDRESS=${1:-127.0.0.1:8000}

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT INT TERM

"$PY" -m vetq db_worker --queue-name '*' >var/worker.log 2>&1 &
pids+=($!)
"$PY" -m vetq scheduler >var/scheduler.log 2>&1 &
pids+=($!)
echo "task worker and scheduler started (logs in var/worker.log, var/scheduler.log)"
"$PY" -m vetq runserver --noreload "$ADDRESS"
