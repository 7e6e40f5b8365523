#!/usr/bin/env bash
# Headless-browser test of the vector map viewer (/collections/{id}/tiles/WebMercatorQuad/map.html):
# starts `cogtiler serve --api vector` on the test PostGIS (../shared/tipg/db.sh's data), loads
# the viewer of a polygon and a point collection (and the polygons with a CQL2 filter) in Debian's
# headless Chromium (software WebGL: SwiftShader) and checks that
#   1. MapLibre asked the server for vector tiles and got them (server request log), and
#   2. once the map was idle it had rendered features: the page's #status element says
#      data-state="rendered" with data-features > 0 (and no more than the filter lets through) (assets/vector_viewer.js sets them from
#      map.queryRenderedFeatures()), read over the DevTools protocol by cdp_wait.py, which also
#      saves a screenshot.
#
# Usage: tests/browser/vector_viewer_test.sh [OUT_DIR]
#   COGTILER_TEST_DATABASE_URL  the database (required)
#   COGTILER_BIN  binary to test (default: target/debug/cogtiler, built if missing)
#   CHROMIUM      browser binary (default: chromium)
# Prints `vector viewer: N passed, M failed`; exit status 0 when all passed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
bin="${COGTILER_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/cogtiler}"
chromium="${CHROMIUM:-chromium}"
db="${COGTILER_TEST_DATABASE_URL:-}"

fail() {
    echo "vector viewer test: $*" >&2
    echo "vector viewer: 0 passed, 1 failed"
    exit 1
}

[ -n "$db" ] || fail "COGTILER_TEST_DATABASE_URL is not set (see ../shared/tipg/db.sh)"
command -v "$chromium" >/dev/null 2>&1 || fail "no '$chromium' (apt-get install -y chromium)"
if [ ! -x "$bin" ]; then
    (cd "$repo" && cargo build --bin cogtiler) || fail "cannot build cogtiler"
fi

log="$out/server.log"
DATABASE_URL="$db" TIPG_DB_SCHEMAS='["public","myschema","userschema"]' \
    "$bin" serve --api vector --host 127.0.0.1 --port 0 >"$out/server.out" 2>"$log" &
server_pid=$!
cleanup() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
trap cleanup EXIT

origin=""
for _ in $(seq 1 100); do
    if line="$(head -n1 "$out/server.out" 2>/dev/null)" && [ -n "$line" ]; then
        origin="${line#listening on }"
        break
    fi
    kill -0 "$server_pid" 2>/dev/null || fail "server exited: $(tail -n5 "$log")"
    sleep 0.1
done
[ -n "$origin" ] || fail "server did not print its address"

passed=0
failed=0
# name|collection|what the page draws|query|most features expected: the filtered one checks that
# the page's query reaches the tile URLs (51 of the 177 countries are in Africa).
for spec in "polygons|public.countries|polygons||1000" "points|public.cities|points||1000" \
    "filtered|public.countries|African polygons|filter=continent%3D%27Africa%27|60"; do
    IFS='|' read -r name coll kind query most <<<"$spec"
    page="$origin/collections/$coll/tiles/WebMercatorQuad/map.html${query:+?$query}"
    shot="$out/$name.png"
    before=$(wc -l <"$log")
    # SwiftShader gives WebGL without a GPU. cdp_wait.py waits in real time for the page's
    # #status (set on the map's 'idle' event): --dump-dom's virtual time does not wait for
    # MapLibre's web workers.
    if ! result=$(CDP_CHROMIUM_LOG="$out/chromium-$name.log" timeout 180 python3 "$here/cdp_wait.py" \
        "$chromium" "$page" "$shot" 90 -- --no-sandbox --use-angle=swiftshader \
        --enable-unsafe-swiftshader --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --disable-dev-shm-usage --hide-scrollbars \
        --user-data-dir="$out/profile-$name"); then
        echo "FAIL $name: not rendered: ${result:-no answer} (chromium log: $out/chromium-$name.log)" >&2
        failed=$((failed + 1))
        continue
    fi
    plain="$out/server-$name.txt"
    tail -n +"$((before + 1))" "$log" | sed 's/\x1b\[[0-9;]*m//g' >"$plain"
    tiles_ok=$(grep -c "path=/collections/$coll/tiles/WebMercatorQuad/[0-9].*status=200" "$plain" || true)
    features=$(python3 -c 'import json, sys; print(int(json.loads(sys.argv[1])["features"] or 0))' "$result")
    echo "$coll ($kind): tiles answered 200: $tiles_ok; page: $result; screenshot: $shot"
    if [ "$tiles_ok" -gt 0 ] && [ "$features" -gt 0 ] && [ "$features" -le "$most" ]; then
        passed=$((passed + 1))
    else
        echo "FAIL $name: expected 1..$most rendered features (server log: $plain)" >&2
        failed=$((failed + 1))
    fi
done

echo "vector viewer: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
