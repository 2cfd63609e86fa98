#!/usr/bin/env bash
# HTTP load against the release server on a store of 1,000,000 payments, with wrk.
# Each scenario is compared with GET /bench/fixed/<size of the list response>, measured in
# the same run: the ceiling the HTTP stack allows. Prints requests/s, latency and the
# server's peak resident memory.
#
#   benches/http-load.sh            # uses bench-data/payments-1000000.db (created if absent)
#   DURATION=20s CONNECTIONS=32 benches/http-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-15s}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-1}"
WORKERS="${WORKERS:-2}"
ADDR="127.0.0.1:${PORT:-18181}"
DB="${DATABASE_URL:-bench-data/payments-1000000.db}"
TOKEN="bench-token-0123456789"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
mkdir -p bench-data
cargo build --release --example server
BENCH_ROUTES=1 API_TOKEN="$TOKEN" DATABASE_URL="$DB" DEMO_PAYMENTS=1000000 BIND_ADDR="$ADDR" \
    WORKERS="$WORKERS" RUST_LOG=warn target/release/examples/server &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null' EXIT
until curl -sf -o /dev/null "http://$ADDR/api/v1/openapi.json"; do sleep 1; done

AUTH="Authorization: Bearer $TOKEN"
LIST="/api/v1/payments?limit=10&sorting%5Bamount%5D=desc"
SIZE=$(curl -sf -H "$AUTH" "http://$ADDR$LIST" | wc -c)
ONE_SIZE=$(curl -sf -H "$AUTH" "http://$ADDR/api/v1/payments/500000" | wc -c)
LUA="$(mktemp -d)"

cat > "$LUA/get.lua" <<'LUA'
request = function()
  return wrk.format("GET", "/api/v1/payments/" .. math.random(1, 1000000))
end
LUA
cat > "$LUA/mix.lua" <<'LUA'
-- 70% list pages (sorts and filters), 10% single payments, 10% creates, 10% transitions.
local lists = {
  "/api/v1/payments?limit=10&sorting%5Bamount%5D=desc",
  "/api/v1/payments?limit=10&criteria%5Bstate%5D=completed",
  "/api/v1/payments?limit=10&sorting%5BupdatedAt%5D=desc&criteria%5Bchannel%5D=EU_WEB",
  "/api/v1/payments?limit=10&page=3&sorting%5BcreatedAt%5D=desc",
}
local transitions = { "process", "complete", "cancel", "fail", "authorize" }
request = function()
  local roll = math.random(1, 100)
  if roll <= 70 then
    return wrk.format("GET", lists[math.random(1, #lists)])
  elseif roll <= 80 then
    return wrk.format("GET", "/api/v1/payments/" .. math.random(1, 1000000))
  elseif roll <= 90 then
    local body = string.format('{"order":"demo-%09d","amount":%d,"method":"bank_transfer"}', math.random(1, 1000000), math.random(100, 5000))
    -- Headers given here replace wrk's own (the token from -H), so copy them.
    local headers = { ["Content-Type"] = "application/json" }
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("POST", "/api/v1/payments", headers, body)
  else
    local path = string.format("/api/v1/payments/%d/%s", math.random(1, 1000000), transitions[math.random(1, #transitions)])
    return wrk.format("PATCH", path)
  end
end
-- Count answers by status: 409 (a transition the payment's state refuses) is expected;
-- 5xx is not.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do totals[status] = (totals[status] or 0) + n end
  end
  for status, n in pairs(totals) do io.write(string.format("  status %d: %d\n", status, n)) end
end
LUA

PEAK_FILE="$LUA/peak"
echo 0 > "$PEAK_FILE"
watch_memory() {
  while kill -0 "$SERVER" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$(cat "$PEAK_FILE")" ] && echo "$rss" > "$PEAK_FILE"
    sleep 0.2
  done
}
watch_memory &
WATCHER=$!

run() {
  local name="$1"; shift
  echo "== $name"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | grep -E "Requests/sec|Latency |50%|99%|Non-2xx|status"
}

echo "list response: $SIZE bytes; single payment: $ONE_SIZE bytes; $CONNECTIONS connections, $DURATION each, $WORKERS server workers"
run "fixed body, $SIZE bytes (ceiling)" "http://$ADDR/bench/fixed/$SIZE"
run "GET $LIST" -H "$AUTH" "http://$ADDR$LIST"
run "fixed body, $ONE_SIZE bytes (ceiling)" "http://$ADDR/bench/fixed/$ONE_SIZE"
run "GET /api/v1/payments/{random id}" -H "$AUTH" -s "$LUA/get.lua" "http://$ADDR"
run "mix: 70% lists, 10% gets, 10% creates, 10% transitions" -H "$AUTH" -s "$LUA/mix.lua" "http://$ADDR"
kill "$WATCHER" 2>/dev/null || true
echo "server peak resident memory: $(( $(cat "$PEAK_FILE") / 1024 )) MiB"
