#!/usr/bin/env bash
# Serve vetq for `make run`: the task worker and the daily scheduler in the background, the
# web server in the foreground; stopping the web server (Ctrl-C) stops the other two.
set -euo pipefail
PY=${PY:-.venv/bin/python}
ADDRESS=${1:-127.0.0.1:8000}
LOGS=${VETQ_VAR_DIR:-var}
mkdir -p "$LOGS"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT INT TERM

"$PY" -m vetq db_worker --queue-name '*' >"$LOGS/worker.log" 2>&1 &
pids+=($!)
"$PY" -m vetq scheduler >"$LOGS/scheduler.log" 2>&1 &
pids+=($!)
echo "task worker and scheduler started (logs in $LOGS/worker.log, $LOGS/scheduler.log)"
"$PY" -m vetq runserver --noreload "$ADDRESS"
