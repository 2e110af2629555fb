#!/usr/bin/env bash
# Load benchmark: builds the binary, generates (or reuses) a big SQLite database,
# starts the app, signs in as the demo manager and runs wrk on loopback against
# the hot pages. Prints req/s, p50 and p99 per page, each page's throughput as a
# ratio of /healthz in the same run, the server's peak RSS and its start-up time.
# Exits non-zero when any page answers anything but 2xx.
#
#   scripts/loadtest.sh                         # 1,000,000 opportunities, 10 s per page
#   OPPS=100000 DURATION=5s scripts/loadtest.sh # smaller and quicker
#
# Settings (environment): OPPS (opportunities, default 1000000), LEADS (leads, when
# the generator knows -leads; default 3 × OPPS), DURATION (wrk -d, 10s), THREADS (wrk -t, 2),
# CONNS (wrk -c, 32), ONLY (a regular expression: run only the pages whose name matches, and /healthz), PORT (18080), DIR (where the database and logs go, /tmp),
# DB (the database file; default $DIR/salesdesk-load-$OPPS.db, generated when missing),
# SERVER_ARGS (more flags for the server, e.g. "-concurrency 8").
# Needs: go, wrk, curl, sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."

OPPS=${OPPS:-1000000}
LEADS=${LEADS:-$((OPPS * 3))}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-32}
PORT=${PORT:-18080}
DIR=${DIR:-${TMPDIR:-/tmp}}
DB=${DB:-$DIR/salesdesk-load-$OPPS.db}
BIN=$DIR/salesdesk-loadtest
WORK=$(mktemp -d "$DIR/salesdesk-loadtest.XXXXXX")
BASE=http://127.0.0.1:$PORT
JAR=$WORK/cookies.txt
SERVER_LOG=$WORK/server.log
SERVER_PID=

for tool in go wrk curl sqlite3; do
  command -v "$tool" >/dev/null || { echo "loadtest: $tool is needed" >&2; exit 2; }
done

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

say() { echo "loadtest: $*" >&2; }

say "building $BIN"
go build -o "$BIN" .

if [ ! -f "$DB" ]; then
  args=(gen -opportunities "$OPPS" -db "$DB.part")
  if "$BIN" gen -h 2>&1 | grep -q -- '-leads'; then
    args+=(-leads "$LEADS")
  fi
  say "generating $DB (${args[*]}); reused by later runs"
  rm -f "$DB.part" "$DB.part-wal" "$DB.part-shm"
  start=$(date +%s.%N)
  "$BIN" "${args[@]}" >"$WORK/gen.log"
  sqlite3 "$DB.part" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  mv "$DB.part" "$DB"
  rm -f "$DB.part-wal" "$DB.part-shm"
  say "generated in $(echo "$(date +%s.%N) - $start" | bc) s"
fi

# A 100-line quote, sent (so it has a customer link), made once per database in
# SQL: the generator's quotes are shorter. Its name marks it for later runs.
QUOTE_NAME='Load test: 100 lines'
if [ -z "$(sqlite3 "$DB" "SELECT id FROM quotes WHERE name = '$QUOTE_NAME'")" ]; then
  say "adding a 100-line quote"
  sqlite3 "$DB" >/dev/null <<SQL
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;
INSERT INTO quotes (number, opportunity_id, name, effective_date, expiration_date, term_months, status, token,
                    sent_at, sent_to, owner_id, version, created_at, updated_at)
SELECT (SELECT COALESCE(MAX(number), 0) + 1 FROM quotes), o.id, '$QUOTE_NAME',
       strftime('%Y-%m-%d 00:00:00+00:00', 'now'), strftime('%Y-%m-%d 00:00:00+00:00', 'now', '+10 years'), 12, 'sent',
       lower(hex(randomblob(24))), strftime('%Y-%m-%d %H:%M:%S+00:00', 'now'), 'buyer@example.com', o.owner_id, 1,
       strftime('%Y-%m-%d %H:%M:%S+00:00', 'now'), strftime('%Y-%m-%d %H:%M:%S+00:00', 'now')
FROM opportunities o WHERE o.is_open ORDER BY o.id LIMIT 1;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
INSERT INTO quote_items (quote_id, position, kind, name, description, quantity, unit_price, unit_cost,
                         discount_type, discount_value, period, optional, taxable)
SELECT (SELECT id FROM quotes WHERE name = '$QUOTE_NAME'), i, CASE i % 4 WHEN 0 THEN 'product' ELSE 'service' END,
       'Line ' || i, 'Description of line ' || i, (1 + i % 7) * 10000, 1999 + i * 37, 1200 + i * 11,
       CASE i % 3 WHEN 1 THEN 'percent' WHEN 2 THEN 'per_unit' ELSE '' END, (i % 3) * 500,
       CASE i % 5 WHEN 0 THEN 'one_time' WHEN 1 THEN 'monthly' WHEN 2 THEN 'quarterly' WHEN 3 THEN 'semi_annual' ELSE 'yearly' END,
       i % 10 = 0, i % 3 <> 0
FROM n;
COMMIT;
SQL
fi
QUOTE_ID=$(sqlite3 "$DB" "SELECT id FROM quotes WHERE name = '$QUOTE_NAME'")
QUOTE_TOKEN=$(sqlite3 "$DB" "SELECT token FROM quotes WHERE id = $QUOTE_ID")
# An open opportunity in the middle of the table, with its generated history.
OPP_ID=$(sqlite3 "$DB" "SELECT id FROM opportunities WHERE is_open AND id >= (SELECT MAX(id) / 2 FROM opportunities) ORDER BY id LIMIT 1")
STAGE_ID=$(sqlite3 "$DB" "SELECT id FROM opportunity_stages WHERE active AND NOT is_won AND NOT is_lost ORDER BY position LIMIT 1 OFFSET 1")
REP_ID=$(sqlite3 "$DB" "SELECT id FROM users WHERE email = 'rep@example.com'")
# Searches: the first word of an organization's name in the middle of the table (a word
# many organizations share: "Wonka" at 1M, in 62,000 opportunities) and that whole name (10).
SEARCH_ORG=$(sqlite3 "$DB" "SELECT name FROM organizations WHERE id >= (SELECT MAX(id) / 2 FROM organizations) ORDER BY id LIMIT 1")
SEARCH_WORD=${SEARCH_ORG%% *}
SEARCH_ORG=${SEARCH_ORG// /+}
# Page 2000 of all opportunities by close date, as its "Next" link on page 1999 names it.
DEEP_AFTER=$(sqlite3 "$DB" "SELECT id FROM opportunities ORDER BY projected_close_date, id LIMIT 1 OFFSET $((1999 * 25 - 1))")

# start_app runs the server and waits for /healthz; STARTUP_MS is how long that took.
start_app() {
  local start
  start=$(date +%s%N)
  # One client (wrk, from one IP) reads the customer quote link thousands of
  # times: the per-IP limit of the public link (60 a minute) is lifted for it.
  "$BIN" -addr "127.0.0.1:$PORT" -db "$DB" -demo=false -quote-link-limit 100000000 ${SERVER_ARGS:-} >"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  until curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; say "the app did not start"; exit 1; }
    sleep 0.005
  done
  STARTUP_MS=$((($(date +%s%N) - start) / 1000000))
}
# A first start applies any new migration to a reused database (a one-off, not
# start-up); the second is the one measured.
say "starting the app on $BASE with $DB"
start_app
kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
say "first start (migrations included): $STARTUP_MS ms; starting again"
start_app

# Sign in like a browser: the form's CSRF token, then the POST, with a cookie jar.
csrf=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -n1)
[ -n "$csrf" ] || { say "no CSRF token on the sign-in form"; exit 1; }
status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" \
  --data-urlencode "csrf_token=$csrf" --data-urlencode "email=manager@example.com" --data-urlencode "password=salesdesk" "$BASE/login")
[ "$status" = 303 ] || { say "sign-in answered $status, wanted 303"; exit 1; }
# Follow the redirect as a browser does: it shows (and so clears) the welcome
# message. Without it every measured request would carry the unseen message in
# its cookie, show it and set a new cookie, which no real page view does.
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" "$BASE/"
COOKIE=$(awk '$6 == "salesdesk" { print $6 "=" $7 }' "$JAR")
[ -n "$COOKIE" ] || { say "no session cookie after sign-in"; exit 1; }

# wrk reports through this script: non-2xx responses counted per thread, and the
# latency percentiles in milliseconds on one machine-readable line.
cat >"$WORK/report.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format("RESULT %d %.1f %.2f %.2f %.2f %d %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, bad, e.connect + e.read + e.write + e.timeout))
end
LUA

pages=(
  "healthz|/healthz"
  "list (open, by close)|/opportunities"
  "list (stage + owner)|/opportunities?stage=$STAGE_ID&owner=$REP_ID"
  "list search (a common word)|/opportunities?q=$SEARCH_WORD"
  "list search (an organization)|/opportunities?q=$SEARCH_ORG"
  "list page 2000 (next link)|/opportunities?status=all&page=2000&after=$DEEP_AFTER"
  "list page 2000 (typed)|/opportunities?status=all&page=2000"
  "opportunity page|/opportunities/$OPP_ID"
  "board|/opportunities/board"
  "quote editor (100 lines)|/quotes/$QUOTE_ID"
  "customer quote /q/{token}|/q/$QUOTE_TOKEN"
  "funnel report|/reports/funnel"
)

printf 'loadtest: %s opportunities in %s; wrk -t%s -c%s -d%s; load before: %s\n' \
  "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM opportunities')" "$DB" "$THREADS" "$CONNS" "$DURATION" "$(cut -d' ' -f1-3 /proc/loadavg)"
# Server CPU per request (user + system, from /proc) is steadier than req/s when
# other work shares the machine.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
TICKS=$(getconf CLK_TCK)
printf '%-28s %10s %9s %9s %9s %7s %12s\n' page 'req/s' 'p50 ms' 'p99 ms' 'max ms' ratio 'cpu ms/req'

failed=0
healthz_rps=
for entry in "${pages[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  if [ -n "${ONLY:-}" ] && [ "$name" != healthz ] && ! grep -Eq -- "$ONLY" <<<"$name"; then
    continue
  fi
  # One request first: a redirect (lost session) or an error fails at once, with its status.
  status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE$path" || true)
  if [ "${status:0:1}" != 2 ]; then
    printf '%-28s answered %s (000: no answer): %s\n' "$name" "$status" "$path"
    failed=1
    continue
  fi
  before=$(cpu_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s -s "$WORK/report.lua" -H "Cookie: $COOKIE" "$BASE$path")
  read -r _ reqs rps p50 p99 maxms bad sockerr <<<"$(grep '^RESULT' <<<"$out")"
  cpu=$(awk -v t="$(($(cpu_ticks) - before))" -v hz="$TICKS" -v n="$reqs" 'BEGIN { printf "%.3f", n ? t * 1000 / hz / n : 0 }')
  [ -n "$healthz_rps" ] || healthz_rps=$rps
  ratio=$(awk -v a="$rps" -v b="$healthz_rps" 'BEGIN { printf "%.3f", a / b }')
  note=
  if [ "$bad" != 0 ] || [ "$sockerr" != 0 ]; then
    note="  <- $bad non-2xx, $sockerr socket errors of $reqs"
    failed=1
  elif [ "$reqs" = 0 ]; then
    note="  <- no answer within the run"
    failed=1
  fi
  printf '%-28s %10s %9s %9s %9s %7s %12s%s\n' "$name" "$rps" "$p50" "$p99" "$maxms" "$ratio" "$cpu" "$note"
done
rss=$(awk '/^VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")
echo "peak RSS of the server (VmHWM): $rss"
echo "start-up (exec to first /healthz 200): $STARTUP_MS ms; app log: $(grep -o '"startup_ms":[0-9]*' "$SERVER_LOG" | head -n1)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q '"level":"ERROR"' "$SERVER_LOG"; then
  say "the server logged errors:"; grep '"level":"ERROR"' "$SERVER_LOG" | head -n5 >&2
  failed=1
fi
cleanup
if [ "$failed" != 0 ]; then
  say "FAILED: some page answered non-2xx; server log and wrk script kept in $WORK"
  exit 1
fi
rm -rf "$WORK"
