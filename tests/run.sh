#!/usr/bin/env bash
# The project's test command (README): unit + integration tests, the TiTiler conformance suite
# (../shared/conformance/compare.py) against a live release server, then the differential test
# against live rio-tiler/GDAL on generated files (tests/differential, which makes its own venv).
# Needs python3 with numpy + pillow (and moto for the S3 test); installed here with pip if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/conformance

python3 -c "import numpy, PIL" 2>/dev/null || python3 -m pip install -q numpy pillow
python3 -c "import moto, boto3" 2>/dev/null || python3 -m pip install -q "moto[server]" boto3

echo "== cargo test"
cargo test --locked --all-targets

echo "== conformance"
cargo build --release --locked
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
env -u DATABASE_URL target/release/cogtiler serve --api raster --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# Deliberate divergences (with reasons) plus the known-failing cases still being worked on
# (tests/conformance-pending.txt, which should only ever shrink): both are reported as SKIP.
listed=$(mktemp)
cat tests/conformance-divergences.txt >"$listed"
[ -f tests/conformance-pending.txt ] && sed -E 's/^([^#[:space:]]+).*$/\1  pending: not yet matching TiTiler (tests\/conformance-pending.txt)/' \
  tests/conformance-pending.txt | grep -v '^#' | grep . >>"$listed" || true
python3 "$shared/compare.py" --server "http://127.0.0.1:$port" --jobs 2 --divergences "$listed"
echo "== conformance: /stac and /mosaicjson"
python3 "$shared/compare.py" --server "http://127.0.0.1:$port" --jobs 2 --divergences "$listed" \
  --cases "$shared/cases-stac"
kill $server 2>/dev/null || true

echo "== conformance: the vector API (../shared/tipg/cases, TiPg 1.6.1) on PostGIS"
if [ -n "${COGTILER_TEST_DATABASE_URL:-}" ]; then
  vport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DATABASE_URL="$COGTILER_TEST_DATABASE_URL" TIPG_DB_SCHEMAS='["public","myschema","userschema"]' \
    target/release/cogtiler serve --api vector --host 127.0.0.1 --port "$vport" >"$log" 2>&1 &
  vserver=$!
  trap 'kill $server $vserver 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$vport/collections" >/dev/null 2>&1 && break
    sleep 0.1
  done
  python3 "$shared/compare.py" --server "http://127.0.0.1:$vport" --jobs 2 \
    --divergences tests/vector-divergences.txt --cases ../shared/tipg/cases
  kill $vserver 2>/dev/null || true
elif [ "${CI:-}" = true ]; then
  echo "vector conformance: COGTILER_TEST_DATABASE_URL is not set (.ci/run starts PostGIS)" >&2
  exit 1
else
  echo "vector conformance: skipped (set COGTILER_TEST_DATABASE_URL; see ../shared/tipg/db.sh)"
fi

echo "== the pure-Rust build (--no-default-features; README \"The pure-Rust build\")"
# CC/CXX=false: the library and binary must build with rustc alone, any C compile fails here.
# (The dev profile: the check is the same and the replay below needs no speed.)
CC=false CXX=false CARGO_TARGET_DIR=target/pure cargo build --locked --no-default-features
# Its tests: criterion, a dev-dependency, compiles a little C (alloca), so the compiler is back.
CARGO_TARGET_DIR=target/pure cargo test --locked --no-default-features --lib --tests
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
env -u DATABASE_URL target/pure/debug/cogtiler serve --host 127.0.0.1 --port "$pport" >"$log" 2>&1 &
pserver=$!
trap 'kill $server $pserver 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$pport/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# Everything the default build passes, except where its other JPEG decoder and lossless WebP
# encoder show (tests/pure-rust-divergences.txt, with the reasons).
cat tests/pure-rust-divergences.txt >>"$listed"
python3 "$shared/compare.py" --server "http://127.0.0.1:$pport" --jobs 2 --divergences "$listed"
python3 "$shared/compare.py" --server "http://127.0.0.1:$pport" --jobs 2 --divergences "$listed" \
  --cases "$shared/cases-stac"
kill $pserver 2>/dev/null || true

echo "== differential test against live rio-tiler/GDAL (tests/differential)"
python3 tests/differential/run.py

echo "== viewer in headless Chromium"
if command -v chromium >/dev/null 2>&1; then
  COGTILER_BIN=target/release/cogtiler bash tests/browser/viewer_test.sh
  COGTILER_BIN=target/release/cogtiler VIEWER=stac bash tests/browser/viewer_test.sh
  if [ -n "${COGTILER_TEST_DATABASE_URL:-}" ]; then
    COGTILER_BIN=target/release/cogtiler bash tests/browser/vector_viewer_test.sh
  elif [ "${CI:-}" = true ]; then
    echo "vector viewer: COGTILER_TEST_DATABASE_URL is not set (.ci/run starts PostGIS)" >&2
    exit 1
  else
    echo "vector viewer: skipped (set COGTILER_TEST_DATABASE_URL; see ../shared/tipg/db.sh)"
  fi
else
  echo "viewer: skipped (no chromium; .ci/run installs it with apt-get install chromium)"
fi
