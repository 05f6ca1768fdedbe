#!/usr/bin/env bash
# yatai-ctl against settings that cannot work: a bucket that does not exist, credentials the bucket does
# not accept (401), an account without the role (403). Each is answered in words, naming what to fix,
# within 2 s, and ends with exit 1; none is retried. STORAGE_EMULATOR_HOST works as host:port and as
# http://host:port. Usage: ctl-settings-check.sh YATAI_CTL YATAI_TEST_BUCKET
set -euo pipefail
ctl=$1
server=$2
dir=$(mktemp -d)
pids=()
cleanup () { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$dir"; }
trap cleanup EXIT
fail () { echo "FAILED: $*"; exit 1; }

start () {  # start NAME ARGS...: a server; its address in $url
  local name=$1; shift
  "$server" --port 0 "$@" > "$dir/$name.out" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "^listening" "$dir/$name.out" && break; sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$dir/$name.out")
  [ -n "$url" ] || fail "the server $name did not start"
}

# answers WHAT EXPECTED ARGS...: yatai-ctl status exits 1 within 2 s and says EXPECTED.
answers () {
  local what=$1 expected=$2; shift 2
  local start end status=0
  start=$(date +%s%N)
  timeout 20 "$ctl" --store "$dir/$what.sqlite3" "$@" status > "$dir/$what.log" 2>&1 || status=$?
  end=$(date +%s%N)
  [ "$status" = 1 ] || fail "$what: exit $status, expected 1: $(cat "$dir/$what.log")"
  grep -qF "$expected" "$dir/$what.log" || fail "$what: no “$expected” in: $(cat "$dir/$what.log")"
  [ $(( (end - start) / 1000000 )) -lt 2000 ] || fail "$what: answered after $(( (end - start) / 1000000 )) ms"
  echo "ok $what: $(( (end - start) / 1000000 )) ms: $(cat "$dir/$what.log")"
}

start plain --bucket stall
plain=$url
answers missing-bucket "There is no bucket “stal”. Check the bucket’s name in Preferences → Sync." \
  --bucket stal --endpoint "$plain"

# Every request refused with 401, as GCS answers a token it does not accept.
start unauthenticated --bucket stall
curl -sf -X POST "$url/_test/faults" -d '{"status": 401, "times": -1}' > /dev/null
answers unauthenticated "The bucket did not accept this device’s credentials. Check the credentials in Preferences → Sync." \
  --bucket stall --endpoint "$url"

# Every request refused with 403, as GCS answers an account that lacks the role.
start forbidden --bucket stall
curl -sf -X POST "$url/_test/faults" -d '{"status": 403, "times": -1}' > /dev/null
answers forbidden "roles/storage.objectUser" --bucket stall --endpoint "$url"

# STORAGE_EMULATOR_HOST without a scheme (host:port), and with one.
for form in "${plain#http://}" "$plain"; do
  out=$(STORAGE_EMULATOR_HOST=$form timeout 20 "$ctl" --store "$dir/emulator.sqlite3" --bucket stall status 2>&1) ||
    fail "STORAGE_EMULATOR_HOST=$form: $out"
  grep -q "^online: yes" <<< "$out" || fail "STORAGE_EMULATOR_HOST=$form: $out"
  echo "ok STORAGE_EMULATOR_HOST=$form"
done
STORAGE_EMULATOR_HOST=${plain#http://} answers emulator-missing-bucket "There is no bucket “nope”." --bucket nope
echo "yatai-ctl: a missing bucket, 401 and 403 answered in words within 2 s"
