#!/usr/bin/env bash
# The "database-backed directory" baseline: the same 50,000 demo services in PostgreSQL, searched
# with a French full-text GIN index and a latitude/longitude box, timed with pgbench.
#
#   scripts/bench-pg-baseline.sh            # builds relais (release), runs, prints figures
#
# Settings: SERVICES (50000), SEED (42), DURATION (seconds per query, 15), PG_TEST_PORT (54339,
# not the test suite's 54329 so that both can run at once), CARGO_TARGET_DIR (target/).
#
# The queries are the SQL equivalents of the in-process benches (crates/relais-search/benches):
#   text_only        plainto_tsquery('french', 'aide juridique'), ts_rank order, LIMIT 20
#   geo_theme        parent theme + 2 km around Paris 18e (48.892, 2.348), nearest first
#   text_geo         'juridique' + 2 km around Paris 18e, ts_rank order — without open-now,
#                    which PostgreSQL cannot evaluate (OSM opening_hours)
# Everything runs on loopback in a throwaway cluster (scripts/pg-test-cluster.sh), stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SERVICES="${SERVICES:-50000}"
SEED="${SEED:-42}"
DURATION="${DURATION:-15}"
export PG_TEST_PORT="${PG_TEST_PORT:-54339}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
export PG_BIN

WORK="$(mktemp -d "${TMPDIR:-/tmp}/relais-bench-pg.XXXXXX")"
chmod 755 "$WORK"
cleanup() {
    "$ROOT/scripts/pg-test-cluster.sh" stop || true
    rm -rf -- "$WORK"
}
trap cleanup EXIT INT TERM

echo "== build (release)"
(cd "$ROOT" && cargo build --release -p relais --quiet)
RELAIS="$TARGET/release/relais"

echo "== demo set: $SERVICES services, seed $SEED"
"$RELAIS" demo --services "$SERVICES" --seed "$SEED" --out "$WORK/demo" >/dev/null
python3 "$ROOT/scripts/bench/services_to_tsv.py" "$WORK/demo/services.json" "$WORK/services.tsv"

echo "== cluster"
URL="$("$ROOT/scripts/pg-test-cluster.sh" start)"
PSQL=("$PG_BIN/psql" "$URL" -v ON_ERROR_STOP=1 -q -X)
"$PG_BIN/psql" "$URL" -X -A -t -c "select version()"

echo "== load"
start=$(date +%s.%N)
"${PSQL[@]}" <<SQL
CREATE TABLE services (
    id text PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    themes text NOT NULL,
    theme_parents text[] NOT NULL,
    lat double precision,
    lon double precision
);
\copy services FROM '$WORK/services.tsv'
-- Name, description and the theme slugs (the in-process index also matches theme labels).
ALTER TABLE services ADD COLUMN tsv tsvector GENERATED ALWAYS AS
    (to_tsvector('french', name || ' ' || description || ' ' || themes)) STORED;
CREATE INDEX services_tsv ON services USING gin (tsv);
CREATE INDEX services_themes ON services USING gin (theme_parents);
CREATE INDEX services_lat_lon ON services (lat, lon);
VACUUM ANALYZE services;
SQL
end=$(date +%s.%N)
echo "load+index: $(echo "$end - $start" | bc -l | xargs printf '%.2f')s"
"$PG_BIN/psql" "$URL" -X -A -t -c "select 'rows=' || count(*) || ' table+indexes=' || pg_size_pretty(pg_total_relation_size('services')) from services"

# 2 km around Paris 18e: a box for the index, then the circle (equirectangular, exact enough at
# 2 km) so that the rows are those the in-process index returns.
LAT=48.892 LON=2.348
DLAT=$(echo "2000 / 111195" | bc -l)
DLON=$(echo "$DLAT / c($LAT * 4 * a(1) / 180)" | bc -l)
COSLAT=$(echo "c($LAT * 4 * a(1) / 180)" | bc -l)
GEO="lat BETWEEN $LAT - $DLAT AND $LAT + $DLAT AND lon BETWEEN $LON - $DLON AND $LON + $DLON
     AND (lat - $LAT)^2 + ((lon - $LON) * $COSLAT)^2 <= ($DLAT)^2"

cat >"$WORK/text_only.sql" <<SQL
SELECT id, name, ts_rank(tsv, q) AS rank
FROM services, plainto_tsquery('french', 'aide juridique') q
WHERE tsv @@ q
ORDER BY rank DESC LIMIT 20;
SQL
cat >"$WORK/geo_theme.sql" <<SQL
SELECT id, name, (lat - $LAT)^2 + ((lon - $LON) * $COSLAT)^2 AS d2
FROM services
WHERE theme_parents @> ARRAY['difficultes-administratives-ou-juridiques'] AND $GEO
ORDER BY d2 LIMIT 20;
SQL
cat >"$WORK/text_geo.sql" <<SQL
SELECT id, name, ts_rank(tsv, q) AS rank
FROM services, plainto_tsquery('french', 'juridique') q
WHERE tsv @@ q AND $GEO
ORDER BY rank DESC LIMIT 20;
SQL

# Sizes of the candidate sets the in-process index walks (its rarest term, or its grid cells).
"$PG_BIN/psql" "$URL" -X -A -t <<SQL
SELECT 'services matching juridique (anywhere)=' || count(*) FROM services
    WHERE tsv @@ plainto_tsquery('french', 'juridique');
SELECT 'services matching aide (anywhere)=' || count(*) FROM services
    WHERE tsv @@ plainto_tsquery('french', 'aide');
SELECT 'services within 2 km of Paris 18e=' || count(*) FROM services WHERE $GEO;
SQL

for name in text_only geo_theme text_geo; do
    echo
    echo "== $name"
    # How many rows match (before LIMIT), and the plan once.
    where="$(sed -n '/^WHERE/,/^ORDER/p' "$WORK/$name.sql" | sed '$d')"
    from="$(sed -n '/^FROM/p' "$WORK/$name.sql")"
    "$PG_BIN/psql" "$URL" -X -A -t -c "SELECT 'matching=' || count(*) $from $where"
    "$PG_BIN/psql" "$URL" -X -c "EXPLAIN (ANALYZE, BUFFERS) $(cat "$WORK/$name.sql")" \
        | grep -E 'Scan|Sort|Limit|Execution|Planning|Rows Removed' | sed 's/^/  /'
    (cd "$WORK" && "$PG_BIN/pgbench" -n -c 1 -T "$DURATION" -f "$WORK/$name.sql" \
        --log --log-prefix="$WORK/log_$name" "$URL" 2>/dev/null) \
        | grep -E 'number of transactions actually|latency average|tps' | sed 's/^/  /'
    echo "  percentiles: $(python3 "$ROOT/scripts/bench/pgbench_percentiles.py" "$WORK"/log_"$name"*)"
done
