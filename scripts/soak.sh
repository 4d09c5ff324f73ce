#!/usr/bin/env bash
# A bounded soak test on loopback: steady HTTP load on `talksearch serve` while the index it serves
# is rebuilt every ~20 s, with the server's memory sampled every 5 s.
#
#   scripts/soak.sh                      # 180 s of search load, then 180 s of /healthz load
#   SOAK_SECS=60 scripts/soak.sh         # shorter
#
# Settings (environment): SOAK_SECS (bench --duration per phase, default 180), SOAK_CONCURRENCY
# (default 16), SOAK_REINDEX_EVERY (seconds, default 20), SOAK_KEEP=1 keeps the work folder.
#
# What it does: builds the release binary if needed (cargo is a no-op when it is up to date); copies
# data/corpus to a temporary folder (the repository's data is never touched) and indexes it there;
# starts `talksearch serve` on 127.0.0.1 and a free port; runs `talksearch bench --mode http --json`
# (its search phase and then its /healthz floor phase, each SOAK_SECS long) while a loop re-indexes
# the same index folder, alternating `--full` and incremental runs (before an incremental run it
# appends a comment to one copied page, so its content hash changes and a new generation is made);
# samples VmRSS from /proc/<server pid>/status. On exit (normal or not) everything it started is
# stopped and the temporary folder removed.
#
# It prints requests, non-2xx answers by status (from the server's /metrics; the bench JSON only
# counts errors), latency percentiles, RSS first/min/max/last, re-index runs and generations served.
# Exit status 1 when any 5xx was answered, any bench request failed, any re-index run failed, or
# the server's RSS at the end is more than 50% above its peak during the first minute of load.
set -euo pipefail

SECS=${SOAK_SECS:-180}
CONCURRENCY=${SOAK_CONCURRENCY:-16}
REINDEX_EVERY=${SOAK_REINDEX_EVERY:-20}
SAMPLE_EVERY=5
for v in SECS CONCURRENCY REINDEX_EVERY; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "soak: $v must be a positive whole number, not '${!v}'" >&2; exit 2; }
done

cd "$(dirname "$0")/.."
ROOT=$PWD
echo "soak: building the release binary (if needed)…" >&2
cargo build --release --quiet --bin talksearch
BIN=$ROOT/target/release/talksearch

WORK=$(mktemp -d "${TMPDIR:-/tmp}/talksearch-soak.XXXXXX")
SERVER_PID='' REINDEX_PID='' SAMPLER_PID=''
cleanup() {
    local status=$?
    rm -f "$WORK/running"
    for pid in $REINDEX_PID $SAMPLER_PID $SERVER_PID; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in $REINDEX_PID $SAMPLER_PID $SERVER_PID; do
        wait "$pid" 2>/dev/null || true
    done
    if [[ ${SOAK_KEEP:-0} == 1 ]]; then
        echo "soak: work folder kept: $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cp -r "$ROOT/data/corpus" "$WORK/data"
INDEX=$WORK/index
echo "soak: indexing a copy of data/corpus into $INDEX…" >&2
"$BIN" index --data "$WORK/data" --index "$INDEX" --full >"$WORK/index-initial.log" 2>&1 \
    || { cat "$WORK/index-initial.log" >&2; exit 1; }
# The page an incremental run finds changed: the first Markdown page of the copy.
VICTIM=$(find "$WORK/data" -name '*.md' ! -iname 'readme.md' | sort | head -n 1)
[[ -n $VICTIM ]] || { echo "soak: no Markdown page in data/corpus to modify" >&2; exit 1; }

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
# One log line per request would be millions of lines: keep the server's own events only.
RUST_LOG=${RUST_LOG:-info,tantivy=warn,talksearch::server::metrics=warn} \
    "$BIN" serve --index "$INDEX" --addr "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for ((i = 0; i < 120; i++)); do
    curl -fsS "$URL/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "soak: the server exited" >&2; exit 1; }
    sleep 0.5
done
curl -fsS "$URL/readyz" >/dev/null || { echo "soak: the server is not ready after 60 s" >&2; exit 1; }
echo "soak: server pid $SERVER_PID on $URL; load for 2 × ${SECS} s, re-indexing every ${REINDEX_EVERY} s" >&2
touch "$WORK/running"

# Every loop below stops when $WORK/running is removed, and after a fixed number of rounds anyway.
MAX_ROUNDS=$(((2 * SECS + 120) / SAMPLE_EVERY))
(
    start=$(date +%s)
    for ((i = 0; i < MAX_ROUNDS; i++)); do
        [[ -f $WORK/running ]] || break
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null) || break
        echo "$(($(date +%s) - start)) $rss" >>"$WORK/rss.txt"
        sleep "$SAMPLE_EVERY"
    done
) &
SAMPLER_PID=$!

(
    for ((round = 1; round <= (2 * SECS + 120) / REINDEX_EVERY; round++)); do
        for ((t = 0; t < REINDEX_EVERY; t++)); do
            [[ -f $WORK/running ]] || exit 0
            sleep 1
        done
        if ((round % 2 == 1)); then
            flags=(--full)
        else
            flags=()
            printf '\n<!-- soak round %d -->\n' "$round" >>"$VICTIM"
        fi
        began=$(date +%s%N)
        if "$BIN" index --data "$WORK/data" --index "$INDEX" "${flags[@]}" >"$WORK/index-$round.log" 2>&1; then
            result=ok
        else
            result=failed
        fi
        ms=$((($(date +%s%N) - began) / 1000000))
        printf '%s %s %s %d.%01d\n' "$round" "${flags[0]:-incremental}" "$result" $((ms / 1000)) $((ms % 1000 / 100)) >>"$WORK/reindex.txt"
    done
) &
REINDEX_PID=$!

BENCH_STATUS=0
"$BIN" bench --mode http --url "$URL" --index "$INDEX" --concurrency "$CONCURRENCY" --duration "$SECS" \
    --server-pid "$SERVER_PID" --json >"$WORK/bench.json" 2>"$WORK/bench.err" || BENCH_STATUS=$?
rm -f "$WORK/running"
wait "$REINDEX_PID" 2>/dev/null || true
REINDEX_PID=''
# One last sample after the load, then the counters.
awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" >"$WORK/rss-end.txt" 2>/dev/null || true
curl -fsS "$URL/metrics" >"$WORK/metrics.txt" || { echo "soak: /metrics did not answer" >&2; : >"$WORK/metrics.txt"; }
curl -fsS "$URL/readyz" >"$WORK/readyz.json" || echo '{}' >"$WORK/readyz.json"
kill -0 "$SERVER_PID" 2>/dev/null && SERVER_ALIVE=yes || SERVER_ALIVE=no

FAIL=0
echo
echo "== talksearch soak: ${SECS} s search + ${SECS} s /healthz, ${CONCURRENCY} connections, re-index every ${REINDEX_EVERY} s"
if [[ $BENCH_STATUS != 0 ]]; then
    echo "bench failed (exit $BENCH_STATUS):"
    cat "$WORK/bench.err"
    FAIL=1
else
    jq -r '
      def phase(p): "\(p.name): \(p.overall.ok + p.overall.errors) requests (\(p.overall.errors) failed, \(p.qps | floor) req/s), p50 \(p.overall.p50_ms * 1000 | round / 1000) ms, p99 \(p.overall.p99_ms * 1000 | round / 1000) ms, max \(p.overall.max_ms | round) ms";
      "total requests: \(.search.overall.ok + .search.overall.errors + .floor.overall.ok + .floor.overall.errors)",
      phase(.search), phase(.floor),
      (if .search.first_error then "first search error: \(.search.first_error)" else empty end),
      (if .floor.first_error then "first floor error: \(.floor.first_error)" else empty end)
    ' "$WORK/bench.json"
    errors=$(jq '.search.overall.errors + .floor.overall.errors' "$WORK/bench.json")
    ((errors == 0)) || FAIL=1
fi

echo "answers by status (server /metrics, all routes):"
awk '/^talksearch_http_requests_total\{/ {
        match($0, /status="[0-9]+"/); s = substr($0, RSTART + 8, 3); n[s] += $NF
     }
     END { for (s in n) printf "  %s %d\n", s, n[s] }' "$WORK/metrics.txt" | sort
non2xx=$(awk '/^talksearch_http_requests_total\{/ && !/status="2/ { n += $NF } END { print n + 0 }' "$WORK/metrics.txt")
fives=$(awk '/^talksearch_http_requests_total\{/ && /status="5/ { n += $NF } END { print n + 0 }' "$WORK/metrics.txt")
echo "non-2xx answers: $non2xx (5xx: $fives)"
((fives == 0)) || FAIL=1
[[ -s $WORK/metrics.txt ]] || FAIL=1

awk -v end="$(cat "$WORK/rss-end.txt" 2>/dev/null)" '
    { t[NR] = $1; r[NR] = $2; if (NR == 1 || $2 < min) min = $2; if ($2 > max) max = $2
      if ($1 <= 60 && $2 > first_minute) first_minute = $2 }
    END {
      if (NR == 0) { print "rss: no samples"; exit 1 }
      last = end != "" ? end : r[NR]
      growth = first_minute > 0 ? (last - first_minute) * 100 / first_minute : 0
      printf "server RSS (MiB, %d samples every 5 s): first %.1f, min %.1f, max %.1f, last %.1f; peak in the first minute %.1f, end vs that %+.1f%%\n",
        NR, r[1] / 1024, min / 1024, max / 1024, last / 1024, first_minute / 1024, growth
      exit growth > 50 ? 1 : 0
    }' "$WORK/rss.txt" || FAIL=1

runs=$(wc -l <"$WORK/reindex.txt" 2>/dev/null || echo 0)
failed_runs=$(grep -c ' failed ' "$WORK/reindex.txt" 2>/dev/null || true)
echo "re-index runs: $runs (${failed_runs:-0} failed): $(awk '{ printf "%s%s %s %ss", sep, $2, $3, $4; sep = ", " }' "$WORK/reindex.txt" 2>/dev/null)"
((${failed_runs:-0} == 0)) || FAIL=1
switches=$(grep -c 'serving a new index generation' "$WORK/server.log" || true)
echo "generations served: $((switches + 1)) (the first plus ${switches:-0} switches); now $(jq -r '.index.generation // "?"' "$WORK/readyz.json") with $(jq -r '.index.talks // "?"' "$WORK/readyz.json") talks"
echo "server still running at the end: $SERVER_ALIVE"
[[ $SERVER_ALIVE == yes ]] || FAIL=1
if grep -qiE 'panicked|internal error' "$WORK/server.log"; then
    echo "server log has errors:"
    grep -iE 'panicked|internal error' "$WORK/server.log" | head -n 5
    FAIL=1
fi
if ((FAIL)); then
    echo "soak: FAILED"
    SOAK_KEEP=1
    exit 1
fi
echo "soak: passed"
