#!/usr/bin/env bash
# What production installs is enough to run: a new virtualenv from requirements.txt alone
# (as the Dockerfile installs it, without any of the dev tools), then, with the production
# settings, a fresh PostgreSQL database set up by `manage.py bootstrap`, Redis as broker
# and cache, a Celery worker, gunicorn answering GET /healthz, and one report (a PDF)
# rendered by that worker (scripts/runtime_smoke.py). CI runs it (.ci/run).
#
# Environment (defaults for this machine's PostgreSQL and Redis):
#   RUNTIME_DATABASE_URL  postgres://postgres@127.0.0.1:5432/agenplan_runtime (dropped
#                         and created afresh)
#   RUNTIME_BROKER_URL    redis://127.0.0.1:6379/14 (emptied first)
#   RUNTIME_CACHE_URL     redis://127.0.0.1:6379/13 (emptied first)
#   RUNTIME_VENV          var/runtime-venv (removed and built afresh)
#   BOOTSTRAP_PYTHON      python3.11, else python3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

database_url="${RUNTIME_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/agenplan_runtime}"
broker_url="${RUNTIME_BROKER_URL:-redis://127.0.0.1:6379/14}"
cache_url="${RUNTIME_CACHE_URL:-redis://127.0.0.1:6379/13}"
venv="${RUNTIME_VENV:-var/runtime-venv}"
python="${BOOTSTRAP_PYTHON:-$(command -v python3.11 || command -v python3)}"
started=$SECONDS

say() { echo "runtime: $*"; }

# --- Processes started here, stopped by their id ------------------------------------------
pids=()
work="$(mktemp -d)"
cleanup() {
    local status=$?
    trap - EXIT
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        for log in "$work"/*.log; do
            [ -f "$log" ] || continue
            echo "--- $log (last 40 lines)" >&2
            tail -n 40 "$log" >&2
        done
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

# --- A virtualenv with requirements.txt only ---------------------------------------------
say "building $venv from requirements.txt alone"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
"$venv/bin/python" -m pip check
# The dev tools must not be there: a dependency that only they bring would hide again.
if "$venv/bin/python" -c "import pytest" 2>/dev/null; then
    echo "runtime: pytest is installed in $venv; requirements.txt must not bring dev tools" >&2
    exit 1
fi
say "installed in $((SECONDS - started)) s"

# --- Fresh database and Redis dbs ------------------------------------------------------------
database_name="${database_url##*/}"
server_url="${database_url%/*}/postgres"
psql "$server_url" -v ON_ERROR_STOP=1 -q \
    -c "DROP DATABASE IF EXISTS \"$database_name\" WITH (FORCE)" \
    -c "CREATE DATABASE \"$database_name\""
for url in "$broker_url" "$cache_url"; do
    "$venv/bin/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$url"
done

# --- The production settings, as .env would give them -----------------------------------------
port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DJANGO_SETTINGS_MODULE=agenplan.settings.production
export DJANGO_SECRET_KEY="runtime-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="$database_url"
export CELERY_BROKER_URL="$broker_url"
export CACHE_URL="$cache_url"
export AGENPLAN_SITE_URL="http://127.0.0.1:$port"
export EMAIL_URL=memorymail://
export DEFAULT_FROM_EMAIL="AgenPlan <agenplan@127.0.0.1>"
export AGENPLAN_VAR_DIR="$work/var"
export AGENPLAN_MEDIA_ROOT="$work/var/media"
export AGENPLAN_COORDINATOR_USERNAME=koordinator
export AGENPLAN_COORDINATOR_EMAIL=koordinator@example.go.id
export AGENPLAN_COORDINATOR_NAME="Koordinator Uji"
export AGENPLAN_COORDINATOR_PASSWORD="runtime-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export BIND=127.0.0.1 PORT="$port" WEB_CONCURRENCY=2

"$venv/bin/python" manage.py bootstrap >"$work/bootstrap.log" 2>&1
say "$(grep '^Agency\|^agencies\.' "$work/bootstrap.log" | head -n 1); $(grep '^bootstrap: coordinator' "$work/bootstrap.log")"

# --- Worker and web server ------------------------------------------------------------------------
"$venv/bin/celery" -A agenplan worker -Q default,reports,mail --concurrency 1 \
    --hostname "runtime-check@%h" --loglevel INFO >"$work/worker.log" 2>&1 &
pids+=("$!")
"$venv/bin/gunicorn" agenplan.wsgi:application >"$work/gunicorn.log" 2>&1 &
pids+=("$!")

health=""
for _ in $(seq 1 120); do
    for pid in "${pids[@]}"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "runtime: process $pid exited during startup" >&2
            exit 1
        fi
    done
    if health="$("$venv/bin/python" - "$port" <<'PYTHON' 2>/dev/null
import sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/healthz"
with urllib.request.urlopen(url, timeout=5) as response:  # 200 only: 503 raises
    print(response.read().decode())
PYTHON
    )"; then
        break
    fi
    health=""
    sleep 0.5
done
if [ -z "$health" ]; then
    echo "runtime: GET /healthz did not answer 200 within 60 seconds" >&2
    exit 1
fi
say "GET /healthz: $health"

# --- One report through Redis and the worker ------------------------------------------------------
"$venv/bin/python" scripts/runtime_smoke.py 120
say "all checks passed in $((SECONDS - started)) s"
