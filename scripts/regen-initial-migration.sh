#!/usr/bin/env bash
# Until the first release, 0001 is regenerated from the models instead of stacking migrations.
# After the first release: use `make migration m="..."` and never edit a released migration.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/frontoffice-migration.lock
flock 9
versions=migrations/versions
hold=$(mktemp -d)
inst=$(mktemp -d)
trap 'mv "$hold"/*.py "$versions"/ 2>/dev/null || true; rm -rf "$hold" "$inst"' EXIT
for f in "$versions"/*.py; do
  case "$f" in *0001_initial_schema.py) rm -f "$f" ;; *) mv "$f" "$hold"/ ;; esac
done
FRONTOFFICE_INSTANCE="$inst" .venv/bin/flask --app frontoffice db revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null
sed -i 's/^import sqlalchemy as sa$/import sqlalchemy as sa\n\nimport frontoffice.types/' "$versions"/0001_initial_schema.py
sed -i 's/^Create Date: .*$/Create Date: 2026-11-28/' "$versions"/0001_initial_schema.py
echo "regenerated $versions/0001_initial_schema.py"
