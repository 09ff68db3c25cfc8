#!/usr/bin/env bash
# Run AgenPlan on this machine for development: a real Celery worker and Celery beat in
# the background, Django's development server in front. Ctrl-C stops all three; if any
# of them stops on its own, the others are stopped too.
#
# `make run` installs what is missing, migrates and seeds the demo data, then runs this.
#
# Environment: PORT (8000) and BIND (127.0.0.1: this machine only; BIND=0.0.0.0 lets other
# machines of the network in, with the demo's known passwords), RUNSERVER_RELOAD=1 to
# reload on code changes (off by default: the worker does not reload, and one process per
# role is easier to stop), DJANGO_SETTINGS_MODULE (agenplan.settings.local), DATABASE_URL
# and CELERY_BROKER_URL (unset: SQLite and kombu's filesystem broker under var/, no server
# needed). Links in the worker's e-mails and documents point at AGENPLAN_SITE_URL, by
# default this server's address; pages use the host the browser asked for.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY=.venv/bin/python
CELERY=.venv/bin/celery
PORT="${PORT:-8000}"
BIND="${BIND:-127.0.0.1}"
VAR_DIR="${AGENPLAN_VAR_DIR:-var}"
LOG_DIR="$VAR_DIR/log"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-agenplan.settings.local}"
export PYTHONUNBUFFERED=1

if [ ! -x "$PY" ] || [ ! -x "$CELERY" ]; then
    echo "run_dev: no virtualenv in .venv; run \`make run\` (or \`make venv\`) first." >&2
    exit 1
fi
mkdir -p "$LOG_DIR"

# --- Stopping: every process this script started, by its id --------------------------
pids=()
names=()
cleanup() {
    trap - EXIT INT TERM
    local pid i
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    # A warm shutdown lets the worker finish its current task; give it 15 seconds.
    for i in $(seq 1 75); do
        local alive=0
        for pid in "${pids[@]}"; do
            if kill -0 "$pid" 2>/dev/null; then alive=1; fi
        done
        [ "$alive" -eq 0 ] && break
        sleep 0.2
    done
    for pid in "${pids[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            echo "run_dev: process $pid did not stop; killing it." >&2
            if command -v pkill >/dev/null 2>&1; then
                pkill -KILL -P "$pid" 2>/dev/null || true # the worker's pool processes
            fi
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true
    echo "run_dev: stopped."
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # start NAME COMMAND...: run COMMAND in the background and remember it
    local name="$1"
    shift
    "$@" &
    pids+=("$!")
    names+=("$name")
}

# --- What it runs against (passwords masked) ----------------------------------------------
describe_backends() {
    "$PY" - <<'PYTHON'
import os
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def masked(url):
    parts = urlsplit(url)
    userinfo, at, hostinfo = parts.netloc.rpartition("@")
    if at and ":" in userinfo:
        userinfo = userinfo.split(":", 1)[0] + ":****"
    netloc = f"{userinfo}@{hostinfo}" if at else hostinfo
    return urlunsplit(parts._replace(netloc=netloc))


database = settings.DATABASES["default"]  # also reads .env into os.environ
if os.environ.get("DATABASE_URL"):
    print(f"  Database: {masked(os.environ['DATABASE_URL'])} (DATABASE_URL)")
else:
    print(f"  Database: SQLite, {database['NAME']} (embedded; set DATABASE_URL for PostgreSQL)")
broker = settings.CELERY_BROKER_URL
if broker.startswith("filesystem"):
    print(
        f"  Broker:   kombu filesystem transport under {settings.BROKER_DIR} "
        "(embedded; set CELERY_BROKER_URL for Redis)"
    )
else:
    print(f"  Broker:   {masked(broker)} (CELERY_BROKER_URL)")
PYTHON
}

probe_host=127.0.0.1
case "$BIND" in 0.0.0.0 | "[::]" | "::") ;; *) probe_host="${BIND#[}" && probe_host="${probe_host%]}" ;; esac
url_host="$probe_host"
case "$url_host" in *:*) url_host="[$url_host]" ;; esac
site_url="${AGENPLAN_SITE_URL:-http://$url_host:$PORT}"
case "$BIND" in
    0.0.0.0 | "[::]" | "::") reach="every network interface: other machines can reach it" ;;
    *) reach="$BIND only" ;;
esac
port_answers() { (exec 3<>"/dev/tcp/$probe_host/$PORT") 2>/dev/null; }
if port_answers; then
    echo "run_dev: port $PORT is already in use; stop what runs there or set PORT=..." >&2
    exit 1
fi

echo "run_dev: settings $DJANGO_SETTINGS_MODULE"
backends="$(describe_backends)"

# --- Start -----------------------------------------------------------------------------
start "celery worker" env AGENPLAN_SITE_URL="$site_url" "$CELERY" -A agenplan worker -Q default,reports,mail --concurrency 2 \
    --loglevel INFO --hostname "agenplan-dev@%h" >>"$LOG_DIR/celery-worker.log" 2>&1
start "celery beat" "$CELERY" -A agenplan beat --loglevel INFO \
    --schedule "$VAR_DIR/celerybeat-schedule" >>"$LOG_DIR/celery-beat.log" 2>&1

runserver_args=("$BIND:$PORT")
if [ "${RUNSERVER_RELOAD:-0}" != 1 ]; then
    runserver_args+=(--noreload)
fi
start "web server" "$PY" manage.py runserver "${runserver_args[@]}"

# Wait until the web server accepts connections, then print the banner below its output.
ready=0
for _ in $(seq 1 120); do
    if ! kill -0 "${pids[2]}" 2>/dev/null; then
        echo "run_dev: the web server exited during startup (see above)." >&2
        exit 1
    fi
    if port_answers; then
        ready=1
        break
    fi
    sleep 0.5
done
if [ "$ready" -ne 1 ]; then
    echo "run_dev: the web server did not answer on port $PORT within 60 seconds." >&2
    exit 1
fi
for i in 0 1; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        echo "run_dev: the ${names[$i]} exited during startup; its log ends with:" >&2
        tail -n 30 "$LOG_DIR/celery-${names[$i]#celery }.log" >&2 || true
        exit 1
    fi
done

cat <<BANNER

==============================================================================
AgenPlan is running: http://$url_host:$PORT/ (listening on $reach)
$backends
  Worker:   queues default, reports, mail; log $LOG_DIR/celery-worker.log
  Beat:     schedule $VAR_DIR/celerybeat-schedule; log $LOG_DIR/celery-beat.log

Demo logins:
BANNER
"$PY" manage.py seed_demo --logins-only || echo "  (could not list the demo logins)"
cat <<BANNER

Press Ctrl-C to stop the web server, the worker and beat.
==============================================================================
BANNER

# --- Run until one of them stops (or Ctrl-C) ---------------------------------------------
set +e
wait -n -p stopped_pid "${pids[@]}"
status=$?
set -e
for i in "${!pids[@]}"; do
    if [ "${pids[$i]}" = "${stopped_pid:-}" ]; then
        echo "run_dev: the ${names[$i]} stopped (exit status $status); stopping the others." >&2
    fi
done
exit "$status"
