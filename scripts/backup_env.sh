# Sourced by scripts/backup.sh and scripts/restore.sh (run from the project folder): where
# the database and the media files are, read as the settings read them, and where the
# archives go. Variables already in the environment win over .env.
_from_dotenv() { # _from_dotenv NAME: the value NAME= has in .env, if any
    [ -f .env ] || return 0
    sed -n "s/^[[:space:]]*\(export[[:space:]]\+\)\?$1[[:space:]]*=[[:space:]]*//p" .env |
        tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}
for _name in DATABASE_URL AGENPLAN_VAR_DIR AGENPLAN_MEDIA_ROOT BACKUP_DIR BACKUP_KEEP; do
    if [ -z "${!_name:-}" ]; then
        _value="$(_from_dotenv "$_name")"
        if [ -n "$_value" ]; then
            export "$_name=$_value"
        fi
    fi
done

AGENPLAN_VAR_DIR="${AGENPLAN_VAR_DIR:-$PWD/var}"
MEDIA_ROOT="${AGENPLAN_MEDIA_ROOT:-$AGENPLAN_VAR_DIR/media}"
BACKUP_DIR="${BACKUP_DIR:-$AGENPLAN_VAR_DIR/backups}"
BACKUP_KEEP="${BACKUP_KEEP:-14}"
DATABASE_URL="${DATABASE_URL:-sqlite:///$AGENPLAN_VAR_DIR/agenplan.sqlite3}"

case "$DATABASE_URL" in
    postgres://* | postgresql://* | pgsql://*)
        DB_ENGINE=postgresql
        # libpq (pg_dump, pg_restore, psql) reads the URL itself; it knows postgresql://.
        DATABASE_URL="postgresql://${DATABASE_URL#*://}"
        ;;
    sqlite://*)
        DB_ENGINE=sqlite
        SQLITE_PATH="${DATABASE_URL#sqlite:///}"
        ;;
    *)
        echo "backup: DATABASE_URL must be postgres://… or sqlite:///…" >&2
        exit 2
        ;;
esac
if ! [[ "$BACKUP_KEEP" =~ ^[0-9]+$ ]]; then
    echo "backup: BACKUP_KEEP must be a number (0 keeps every archive)" >&2
    exit 2
fi
