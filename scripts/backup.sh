#!/usr/bin/env bash
# Back up AgenPlan: the database and the media files (attachments, issued reports) of the
# same moment, in one archive with SHA-256 checksums; keep the newest BACKUP_KEEP archives.
#
#   scripts/backup.sh            (or `make backup`)
#
# Reads from the environment, or from .env next to manage.py when not set there:
#   DATABASE_URL         postgres://user:password@host:5432/name, or sqlite:////path/db.sqlite3;
#                        unset: the embedded SQLite database $AGENPLAN_VAR_DIR/agenplan.sqlite3
#   AGENPLAN_VAR_DIR     default ./var
#   AGENPLAN_MEDIA_ROOT  default $AGENPLAN_VAR_DIR/media
#   BACKUP_DIR           where archives go, default $AGENPLAN_VAR_DIR/backups
#   BACKUP_KEEP          how many archives to keep, default 14 (0: keep all)
#
# The archive agenplan-<UTC time, to the millisecond>.tar holds:
#   database.dump     pg_dump custom format (PostgreSQL), or
#   database.sqlite3  a consistent copy made with SQLite's online backup API
#   media.tar         every file under the media folder
#   MANIFEST          the format, the time and the database engine
#   SHA256SUMS        the checksums of the three files above
# and agenplan-<UTC time>.tar.sha256 next to it is the checksum of the archive itself.
#
# The same moment: the database is dumped first (one snapshot), then the media folder is
# copied. A file is written before the row that points to it commits and is never changed
# afterwards, so every file the dump refers to is already there when the copy starts.
set -euo pipefail
umask 077

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/backup_env.sh

started="$(date -u +%Y%m%dT%H%M%S.%3NZ)"
name="agenplan-$started"
mkdir -p "$BACKUP_DIR"
if [ -e "$BACKUP_DIR/$name.tar" ]; then
    echo "backup: $BACKUP_DIR/$name.tar already exists" >&2
    exit 1
fi
work="$(mktemp -d "$BACKUP_DIR/.$name.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "backup: database ($DB_ENGINE) to $BACKUP_DIR/$name.tar"
case "$DB_ENGINE" in
    postgresql)
        pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
            --file="$work/database.dump"
        database_file=database.dump
        ;;
    sqlite)
        if [ ! -f "$SQLITE_PATH" ]; then
            echo "backup: no SQLite database at $SQLITE_PATH" >&2
            exit 1
        fi
        # The online backup API copies a consistent state even while the web server and
        # the worker write to the database (WAL mode).
        sqlite3 "$SQLITE_PATH" ".timeout 20000" ".backup '$work/database.sqlite3'"
        database_file=database.sqlite3
        ;;
esac

echo "backup: media from $MEDIA_ROOT"
mkdir -p "$MEDIA_ROOT"
tar --create --file="$work/media.tar" --directory="$MEDIA_ROOT" .

{
    echo "format: agenplan-backup 1"
    echo "created: $started"
    echo "engine: $DB_ENGINE"
    echo "database: $database_file"
    echo "media: media.tar"
} >"$work/MANIFEST"
(cd "$work" && sha256sum "$database_file" media.tar MANIFEST >SHA256SUMS)

tar --create --file="$work/$name.tar" --directory="$work" \
    "$database_file" media.tar MANIFEST SHA256SUMS
(cd "$work" && sha256sum "$name.tar" >"$name.tar.sha256")
# Moved into place last: an archive in BACKUP_DIR is always complete.
mv "$work/$name.tar.sha256" "$BACKUP_DIR/"
mv "$work/$name.tar" "$BACKUP_DIR/"
echo "backup: $BACKUP_DIR/$name.tar ($(du -h "$BACKUP_DIR/$name.tar" | cut -f1))"

# Retention: the newest BACKUP_KEEP archives stay (names sort by time).
if [ "$BACKUP_KEEP" -gt 0 ]; then
    mapfile -t archives < <(find "$BACKUP_DIR" -maxdepth 1 -name 'agenplan-*.tar' -printf '%f\n' | sort)
    remove=$((${#archives[@]} - BACKUP_KEEP))
    for ((i = 0; i < remove; i++)); do
        echo "backup: retention removes ${archives[$i]}"
        rm -f "$BACKUP_DIR/${archives[$i]}" "$BACKUP_DIR/${archives[$i]}.sha256"
    done
fi
