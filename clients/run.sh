#!/usr/bin/env bash
# Generated clients, as a new user would make them (`make clients`, called by .ci/run):
#  1. lint openapi/openapi.json with Redocly CLI (recommended ruleset, zero errors);
#  2. start the server on SQLite in a temporary directory (sweeping every 200 ms);
#  3. generate the Python client (openapi-python-client) and the TypeScript types
#     (openapi-typescript, used with openapi-fetch) from the live /openapi.json;
#  4. type-check the programs under clients/ (mypy --strict, tsc --strict) and run them
#     against the server: seed 001's four scenarios, a campaign lifecycle, and the whole
#     procurement flow (If-Match, 202 jobs polled by Location, settlement, the UBL invoice,
#     a vendor's own webhook endpoint).
# Every tool is pinned (clients/python/requirements.txt, clients/typescript/package.json and
# its package-lock.json) and installed at run time; nothing generated is committed. Without
# npm or PyPI this fails loudly. Bounded: each step has a timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${GROUPBUY_CLIENTS_PORT:-18766}
URL="http://127.0.0.1:$PORT"
VENV="$ROOT/.ci/.venv-clients"
TS="$ROOT/clients/typescript"
PY="$ROOT/clients/python"

step() { echo "== clients: $*"; }
# One secret for the server and the tokens the programs mint (not the public dev secret).
export GROUPBUY_JWT_SECRET=${GROUPBUY_JWT_SECRET:-clients-run-secret-of-at-least-32-bytes}

step "install the pinned tools (PyPI, npm)"
python3 -m venv "$VENV"
timeout 300 "$VENV/bin/pip" install -q -r "$PY/requirements.txt"
(cd "$TS" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)

step "Redocly lint (recommended ruleset, zero errors)"
(cd "$TS" && timeout 120 npx --no-install redocly lint "$ROOT/openapi/openapi.json" \
  --config "$ROOT/redocly.yaml" --format stylish)

step "start the server"
timeout 600 cargo build -q -p groupbuy-api --bin groupbuy
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/groupbuy"
work=$(mktemp -d)
(cd "$work" && GROUPBUY_BIND="127.0.0.1:$PORT" GROUPBUY_SWEEP_INTERVAL_MS=200 \
  exec "$BIN" serve >"$work/serve.log" 2>&1) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "$URL/healthz" >/dev/null && break; sleep 0.2; done
curl -fs "$URL/healthz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

step "generate the Python client from $URL/openapi.json"
rm -rf "$PY/groupbuy_client"
timeout 120 "$VENV/bin/openapi-python-client" generate --url "$URL/openapi.json" \
  --meta none --output-path "$PY/groupbuy_client" --config "$PY/generator.yaml"

step "generate the TypeScript types from $URL/openapi.json"
(cd "$TS" && timeout 120 npx --no-install openapi-typescript "$URL/openapi.json" -o src/schema.d.ts)

step "mypy --strict and tsc --strict"
(cd "$PY" && timeout 300 "$VENV/bin/mypy" --strict scenarios.py procurement.py)
(cd "$TS" && timeout 300 npx --no-install tsc -p tsconfig.json)

step "run the programs against the server"
(cd "$PY" && GROUPBUY_URL="$URL" GROUPBUY_BIN="$BIN" timeout 300 "$VENV/bin/python" scenarios.py)
(cd "$PY" && GROUPBUY_URL="$URL" GROUPBUY_BIN="$BIN" timeout 300 "$VENV/bin/python" procurement.py)
(cd "$TS" && GROUPBUY_URL="$URL" GROUPBUY_BIN="$BIN" timeout 300 node dist/scenarios.js)
(cd "$TS" && GROUPBUY_URL="$URL" GROUPBUY_BIN="$BIN" timeout 300 node dist/procurement.js)

kill $server 2>/dev/null || true
if grep -q "panicked" "$work/serve.log"; then echo "the server panicked" >&2; exit 1; fi
step "passed"
