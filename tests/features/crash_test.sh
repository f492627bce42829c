#!/usr/bin/env bash
# Crash test through the real CLI: 20 times, start `features ingest
# --progress-jsonl` on a 20-feature CSV, SIGKILL it at a random moment, then
# check that `features verify` finds nothing corrupt and that the store holds
# at least the last acknowledged {"durable": N} count of records.
#   bash tests/features/crash_test.sh [path/to/fieldkit-cli]
set -euo pipefail
CLI=${1:-build/native/fieldkit-cli}
CLI=$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
RANDOM=20240601  # fixed seed: the same kill points each run (timing still varies)
rows=500000
awk -v n=$rows 'BEGIN { srand(42); printf "id,ts"; for (k = 0; k < 18; k++) printf ",f%d", k; printf "\n";
  for (i = 0; i < n; i++) { printf "u%d,%d", i, 1700000000 + i % 86400;
    for (k = 0; k < 18; k++) { if (k % 3 == 0) printf ",%d", int(rand() * 1e5); else if (k % 3 == 1) printf ",%.4f", rand(); else printf ",c%d", int(rand() * 50) }
    printf "\n" } }' > data.csv
fail=0
for i in $(seq 1 20); do
  rm -rf st
  "$CLI" features create --store st --group g --from-csv data.csv --record-id id --event-time ts > /dev/null
  "$CLI" features ingest --store st --group g --file data.csv --threads 2 --batch-rows 2048 --progress-jsonl > out.jsonl 2> err.txt &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % 900 + 20)))"
  kill -9 $pid 2> /dev/null || true
  wait $pid 2> /dev/null || true
  acked=$(grep -o '"durable": [0-9]*' out.jsonl | tail -n 1 | grep -o '[0-9]*$' || echo 0)
  verify=$("$CLI" features verify --store st --json || true)
  records=$(echo "$verify" | grep -o '"records":[0-9]*' | head -n 1 | grep -o '[0-9]*$')
  ok=$(echo "$verify" | grep -o '"ok":[a-z]*' | grep -o '[a-z]*$')
  if [ "$ok" != "true" ] || [ "${records:-0}" -lt "${acked:-0}" ]; then
    echo "kill $i: FAILED acked=$acked records=$records verify=$verify"; fail=1
  else
    echo "kill $i: ok (acked $acked, present $records)"
  fi
done
[ $fail -eq 0 ] && echo "crash test: 20 kills, every acknowledged record present, verify clean"
exit $fail
