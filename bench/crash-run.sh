#!/usr/bin/env bash
# The crash run: a headless writer (yatai-ctl run) takes orders as fast as it can while it is killed with
# SIGKILL at random moments, ROUNDS times, restarting each time on the same store. After every restart:
# PRAGMA integrity_check is ok, and every order the writer reported confirmed is in the store exactly
# once. At the end a new device restores the stall from the bucket and must hold the same orders.
# Usage: bench/crash-run.sh [ROUNDS]   (200; from the project folder, after a build in _build)
set -euo pipefail
rounds=${1:-200}
build=${YATAI_BUILD_DIR:-_build}
ctl="$build/src/yatai-ctl"
server="$build/tests/server/yatai-test-bucket"
dir=$(mktemp -d)
cleanup () { kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

"$server" --port 0 --dir "$dir/bucket" --bucket stall > "$dir/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q "^listening" "$dir/server.out" && break; sleep 0.05; done
url=$(sed -n 's/^listening on //p' "$dir/server.out")
c=("$ctl" --bucket stall --endpoint "$url" --prefix crash/stall --store "$dir/writer.sqlite3" --device-name Writer)

# A product with stock for the whole run.
echo '{"kind":"product.save","args":{"name":"焼きそば","price":500,"stock":1000000000,"sold_out":false,"tags":[]}}' |
  timeout 30 "${c[@]}" run > /dev/null

orders () {  # an endless stream of orders
  while true; do echo '{"kind":"order.confirm","args":{"lines":[{"product_id":1,"quantity":1}],"paid":500}}'; done
}

killed=0 corrupt=0 missing=0 doubled=0
: > "$dir/confirmed"
for round in $(seq "$rounds"); do
  orders | "${c[@]}" run > "$dir/out.$round" 2> /dev/null &
  pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  # $! is the pipeline's last process, the writer: kill -9 it (the generator then dies of SIGPIPE).
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  killed=$((killed + 1))
  # Every reported confirmation: the order's id.
  grep -o '"result":{"id":[0-9]*,"call_number"' "$dir/out.$round" | grep -o '[0-9]*' >> "$dir/confirmed" || true
  check=$(sqlite3 "$dir/writer.sqlite3" "PRAGMA integrity_check;")
  [ "$check" = "ok" ] || corrupt=$((corrupt + 1))
done

# Each reported order once in the writer's store.
sort "$dir/confirmed" | uniq > "$dir/confirmed.unique"
reported=$(wc -l < "$dir/confirmed.unique")
sqlite3 "$dir/writer.sqlite3" "SELECT id FROM orders;" | sort > "$dir/stored"
missing=$(comm -23 "$dir/confirmed.unique" "$dir/stored" | wc -l)
doubled=$(( $(wc -l < "$dir/confirmed") - reported ))

# The writer runs once more, cleanly, to upload what the kills left in its outbox; then a new device
# restores the stall and must hold every order.
echo -n | timeout 60 "${c[@]}" run > /dev/null
timeout 60 "$ctl" --bucket stall --endpoint "$url" --prefix crash/stall --store "$dir/follower.sqlite3" restore > /dev/null
writer_orders=$(sqlite3 "$dir/writer.sqlite3" "SELECT count(*) FROM orders;")
follower_orders=$(sqlite3 "$dir/follower.sqlite3" "SELECT count(*) FROM orders;")
converged=$([ "$writer_orders" = "$follower_orders" ] && echo yes || echo no)

printf '| what | count |\n| --- | ---: |\n'
printf '| SIGKILLs of the writer | %d |\n' "$killed"
printf '| orders reported confirmed | %d |\n' "$reported"
printf '| orders in the writer store | %d |\n' "$writer_orders"
printf '| orders in the restored follower | %d |\n' "$follower_orders"
printf '| integrity_check not ok | %d |\n' "$corrupt"
printf '| confirmed but lost | %d |\n' "$missing"
printf '| confirmed twice | %d |\n' "$doubled"
printf '| follower converged | %s |\n' "$converged"
[ "$corrupt" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$doubled" -eq 0 ] && [ "$converged" = yes ]
