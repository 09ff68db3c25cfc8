#!/usr/bin/env bash
# Restore AgenPlan from an archive of scripts/backup.sh: the database and the media files.
#
#   scripts/restore.sh var/backups/agenplan-20261204T020000.000Z.tar [--yes]
#   make restore ARCHIVE=var/backups/agenplan-20261204T020000.000Z.tar
#
# Stop the web server, the worker and beat first (docker compose stop web worker beat):
# the database and the media folder are replaced, and nothing may write meanwhile.
# The checksums are verified before anything is touched; without --yes the script asks
# for confirmation. The database and media locations are read like scripts/backup.sh's.
# Restoring an archive made by an older release: run `manage.py migrate` afterwards.
set -euo pipefail
umask 077

archive=""
assume_yes=0
for argument in "$@"; do
    case "$argument" in
        --yes) assume_yes=1 ;;
        -*)
            echo "usage: $0 ARCHIVE.tar [--yes]" >&2
            exit 2
            ;;
        *) archive="$argument" ;;
    esac
done
if [ -z "$archive" ] || [ ! -f "$archive" ]; then
    echo "usage: $0 ARCHIVE.tar [--yes]  (no such archive: '${archive}')" >&2
    exit 2
fi
archive="$(cd "$(dirname "$archive")" && pwd)/$(basename "$archive")"

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/backup_env.sh

# 1. Checksums: of the archive (when its .sha256 travelled with it), then of each part.
if [ -f "$archive.sha256" ]; then
    (cd "$(dirname "$archive")" && sha256sum --check --quiet "$(basename "$archive").sha256")
else
    echo "restore: no $(basename "$archive").sha256 beside the archive; checking its parts only"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar --extract --file="$archive" --directory="$work"
(cd "$work" && sha256sum --check --quiet SHA256SUMS)
engine="$(sed -n 's/^engine: //p' "$work/MANIFEST")"
database_file="$(sed -n 's/^database: //p' "$work/MANIFEST")"
if [ "$engine" != "$DB_ENGINE" ]; then
    echo "restore: the archive holds a $engine database; DATABASE_URL is $DB_ENGINE" >&2
    exit 1
fi
echo "restore: $(basename "$archive") ($(sed -n 's/^created: //p' "$work/MANIFEST")), checksums verified"

# 2. Confirmation.
if [ "$assume_yes" -ne 1 ]; then
    if [ ! -t 0 ]; then
        echo "restore: not a terminal; pass --yes to replace the database and the media" >&2
        exit 1
    fi
    echo "This REPLACES the database and every file under $MEDIA_ROOT."
    read -r -p "Type 'restore' to go on: " answer
    if [ "$answer" != "restore" ]; then
        echo "restore: nothing changed."
        exit 1
    fi
fi

# 3. The database, in one transaction (PostgreSQL) or by replacing the file (SQLite).
case "$DB_ENGINE" in
    postgresql)
        pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction \
            --exit-on-error --dbname="$DATABASE_URL" "$work/$database_file"
        ;;
    sqlite)
        mkdir -p "$(dirname "$SQLITE_PATH")"
        cp "$work/$database_file" "$SQLITE_PATH.restoring"
        rm -f "$SQLITE_PATH-wal" "$SQLITE_PATH-shm" "$SQLITE_PATH-journal"
        mv "$SQLITE_PATH.restoring" "$SQLITE_PATH"
        ;;
esac
echo "restore: database restored"

# 4. The media files: the folder's content is replaced (the folder itself may be a mount).
mkdir -p "$MEDIA_ROOT"
find "$MEDIA_ROOT" -mindepth 1 -delete
tar --extract --file="$work/media.tar" --directory="$MEDIA_ROOT"
echo "restore: media restored to $MEDIA_ROOT"
echo "restore: done. Start the services again (run manage.py migrate first if the archive is older than the code)."
