#!/usr/bin/env bash
# Headless-browser test of the viewer: starts `cogtiler serve` on a free port (bundled sample
# COG, no network needed), loads /cog/viewer in Debian's headless Chromium, takes a screenshot
# and checks that
#   1. the page asked the server for tiles and got images back (server request log), and
#   2. the screenshot is not blank (enough pixels differ from the empty map background).
#
# With VIEWER=stac it tests /stac/viewer instead: a STAC item written to OUT_DIR whose one asset
# is the server's own /sample.tif (still no network), loaded as /stac/viewer?url=ITEM.
#
# Usage: [VIEWER=cog|stac] tests/browser/viewer_test.sh [OUT_DIR]
#   COGTILER_BIN  binary to test (default: target/debug/cogtiler, built if missing)
#   CHROMIUM      browser binary (default: chromium); install with `apt-get install -y chromium`
# Exit status 0 on success; prints `viewer: 1 passed, 0 failed` or `viewer: 0 passed, 1 failed`.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
bin="${COGTILER_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/cogtiler}"
chromium="${CHROMIUM:-chromium}"

fail() {
    echo "viewer test: $*" >&2
    echo "viewer: 0 passed, 1 failed"
    exit 1
}

command -v "$chromium" >/dev/null 2>&1 || fail "no '$chromium' (apt-get install -y chromium)"
if [ ! -x "$bin" ]; then
    (cd "$repo" && cargo build --bin cogtiler) || fail "cannot build cogtiler"
fi

log="$out/server.log"
"$bin" serve --host 127.0.0.1 --port 0 >"$out/server.out" 2>"$log" &
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

family="${VIEWER:-cog}"
page="$origin/cog/viewer"
if [ "$family" = stac ]; then
    item="$out/item.json"
    curl -fsS "$origin/cog/info.geojson?url=sample" | python3 -c '
import json, sys
feature, origin = json.load(sys.stdin), sys.argv[1]
print(json.dumps({
    "type": "Feature", "stac_version": "1.0.0", "id": "sample",
    "bbox": feature["bbox"], "geometry": feature["geometry"],
    "properties": {"datetime": "2026-01-01T00:00:00Z"}, "links": [],
    "assets": {"data": {"href": origin + "/sample.tif",
                        "type": "image/tiff; application=geotiff; profile=cloud-optimized"}},
}))' "$origin" >"$item" || fail "cannot write the test item"
    page="$origin/stac/viewer?url=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$item")"
fi

shot="$out/viewer.png"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
    --hide-scrollbars --window-size=1024,768 --virtual-time-budget=20000 \
    --user-data-dir="$out/profile" --screenshot="$shot" "$page" \
    >"$out/chromium.log" 2>&1 || fail "chromium failed: $(tail -n5 "$out/chromium.log")"
[ -s "$shot" ] || fail "no screenshot written"

plain="$out/server.txt"
sed 's/\x1b\[[0-9;]*m//g' "$log" >"$plain"  # drop the log's colour codes
tiles_ok=$(grep -c "path=/$family/tiles/.*status=200" "$plain" || true)
tiles_all=$(grep -c "path=/$family/tiles/" "$plain" || true)
echo "tile requests: $tiles_all, answered 200: $tiles_ok"
[ "$tiles_ok" -gt 0 ] || fail "the viewer got no tiles (requests: $tiles_all; see $log)"

python3 - "$shot" <<'PY' || fail "screenshot looks blank ($shot)"
import sys
from PIL import Image
img = Image.open(sys.argv[1]).convert("RGB")
bg = (0xD9, 0xE4, 0xEA)  # the empty map's background (assets/viewer.css)
px = list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") else list(img.getdata())
differ = sum(1 for p in px if max(abs(a - b) for a, b in zip(p, bg)) > 30)
frac = differ / len(px)
colours = len(set(px))
print("non-background pixels: %.1f%%, distinct colours: %d" % (100 * frac, colours))
# The bundled sample's valid pixels are a rotated square that covers ~20% of a 1024x768 view
# fitted to its bounds (the rest of its bounding box is masked); an empty or failed map is ~0%
# and has a handful of colours.
sys.exit(0 if frac > 0.1 and colours > 500 else 1)
PY

echo "screenshot: $shot"
echo "viewer ($family): 1 passed, 0 failed"
