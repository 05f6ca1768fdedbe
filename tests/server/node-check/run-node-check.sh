#!/usr/bin/env bash
# Runs Google's Node client against a fresh yatai-test-bucket. Installs @google-cloud/storage@7 with npm
# into a temporary folder (npm's cache in /tmp/yatai-npm-cache). If npm cannot reach its registry the check
# says so and is skipped (exit 77), never passed. Usage: run-node-check.sh YATAI_TEST_BUCKET
set -euo pipefail
server=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
cleanup () {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cp "$here/package.json" "$here/check.mjs" "$work/"
cache=${YATAI_NPM_CACHE:-/tmp/yatai-npm-cache}
mkdir -p "$cache"
if ! (cd "$work" && npm install --no-audit --no-fund --loglevel=error --cache "$cache" > "$work/npm.log" 2>&1); then
  if grep -qiE "ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|getaddrinfo|network|proxy|certificate|self.signed" "$work/npm.log"; then
    echo "npm cannot reach its registry; the check against Google's client is skipped:"
    tail -3 "$work/npm.log"
    exit 77
  fi
  cat "$work/npm.log"
  exit 1
fi

"$server" --port 0 ${YATAI_TEST_BUCKET_ARGS:-} > "$work/server.out" 2> "$work/server.err" &
pid=$!
for _ in $(seq 100); do
  grep -q "^listening on" "$work/server.out" && break
  sleep 0.05
done
url=$(sed -n 's/^listening on //p' "$work/server.out")
[ -n "$url" ] || { echo "the server did not start"; cat "$work/server.err"; exit 1; }
echo "server at $url; @google-cloud/storage $(node -p "require('$work/node_modules/@google-cloud/storage/package.json').version")"
(cd "$work" && STORAGE_EMULATOR_HOST="$url" node check.mjs "$url") || { [ -n "${YATAI_TEST_BUCKET_ARGS:-}" ] && cat "$work/server.err"; exit 1; }
