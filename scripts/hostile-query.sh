#!/usr/bin/env bash
# The long-word denial of service, measured: 32 concurrent clients send one query of 31 random
# fifteen-letter words (496 characters) to a fresh server on loopback for 5 s; prints the server's
# peak resident memory, how many requests were answered and how fast, and whether an ordinary
# search right after is answered normally. Bounded in time; loopback only.
#
#   scripts/hostile-query.sh [BINARY] [INDEX] [PORT]
#   scripts/hostile-query.sh target/release/talksearch /tmp/full-idx 18192
set -euo pipefail
BIN=${1:-target/release/talksearch}
INDEX=${2:-index}
PORT=${3:-18192}
CLIENTS=32
SECS=5
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

"$BIN" serve --index "$INDEX" --addr "127.0.0.1:$PORT" 2>"$OUT/server.log" &
SERVER=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
echo "server RSS at start: $(awk '/VmRSS/{print $2, $3}' /proc/$SERVER/status)"
Q=$(python3 -c "
import random; random.seed(7)
print('%20'.join(''.join(random.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(15)) for _ in range(31)))")
end=$((SECONDS + SECS))
clients=()
for c in $(seq $CLIENTS); do
  (while [ $SECONDS -lt $end ]; do
     curl -s -o /dev/null -w "%{http_code} %{time_total}\n" "http://127.0.0.1:$PORT/api/search?q=$Q" || true
   done) >"$OUT/c$c.log" &
  clients+=($!)
done
wait "${clients[@]}"
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$SERVER/status)"
cat "$OUT"/c*.log >"$OUT/all.log"
echo "requests answered: $(wc -l <"$OUT/all.log"); by status: $(awk '{print $1}' "$OUT/all.log" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "latency (s), median and max: $(awk '{print $2}' "$OUT/all.log" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[NR]}')"
curl -s -o /dev/null -w "an ordinary search right after: %{http_code} in %{time_total} s\n" "http://127.0.0.1:$PORT/api/search?q=istio"
kill "$SERVER"
wait "$SERVER" 2>/dev/null || true
