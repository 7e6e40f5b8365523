#!/usr/bin/env python3
"""Differential test: cogtiler against live rio-tiler/GDAL on seeded random COGs.

    python3 tests/differential/run.py                # the CI seeds (must all pass)
    python3 tests/differential/run.py --soak 2000    # 2000 more files from seed 100000 on
    python3 tests/differential/run.py --seed 42      # replay one file's requests
    python3 tests/differential/run.py --seed 42:3    # replay one request, with details

Each seed generates one COG (`generate.py`) and a few requests on it (`cases.py`); each request is
answered by a cogtiler server and by rio-tiler on the same file, and compared with compare.py's
tolerances. A mismatch prints its seed and request index, so it can be replayed. Mismatches still
being worked on are listed in `pending.txt` (`seed:index  reason`); they are reported but do not
fail the run, and the list should only shrink.

The script makes its own venv (default `target/differential-venv`) with the reference versions
that ../shared/conformance/CASES.md names, and re-runs itself inside it.
"""

import argparse
import collections
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PINS = ["rasterio==1.4.4", "rio-tiler==9.4.12", "morecantile==7.1.0", "numpy<3"]
CI_SEEDS = range(1, 81)
REQUESTS_PER_FILE = 5
# compare.py's default tolerances (../shared/conformance/compare.py DEFAULT_TOL)
TOL = {"pixel_fraction": 0.99, "max_diff": 1, "mask_fraction": 0.99, "float_rel": 1e-4, "float_abs": 1e-6,
       "stats_rel": 1e-3, "abs": 1e-6}


def ensure_venv(venv):
    """Re-executes this script inside a venv holding the pinned reference stack."""
    py = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        return
    stamp = os.path.join(venv, "pins.txt")
    if not (os.path.exists(py) and os.path.exists(stamp) and open(stamp).read() == "\n".join(PINS)):
        print("== differential: creating %s (%s)" % (venv, ", ".join(PINS)), flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
        subprocess.check_call([py, "-m", "pip", "install", "-q", *PINS])
        with open(stamp, "w") as f:
            f.write("\n".join(PINS))
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(binary):
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="cogtiler-diff-", suffix=".log", delete=False)
    proc = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port)], stdout=log,
                            stderr=subprocess.STDOUT)
    url = "http://127.0.0.1:%d" % port
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1).read()
            return proc, url
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    sys.exit("differential: cogtiler did not start (log: %s)" % log.name)


def fetch(u):
    try:
        with urllib.request.urlopen(u, timeout=120) as r:
            return r.status, r.headers.get("content-type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), e.read()


def check(server, spec, req):
    """None when cogtiler agrees with rio-tiler, else a reason."""
    import cases

    want_status, kind, want = cases.answer(spec, req)
    status, _ctype, body = fetch(cases.url(server, req))
    if status != want_status:
        detail = body[:200].decode("utf-8", "replace") if status != 200 else ""
        return "status %d != %d (%s) %s" % (status, want_status, str(want)[:160] if kind == "error" else "", detail)
    if status != 200:
        return None
    if kind == "npy":
        return cases.compare_images(body, want, TOL)
    try:
        ours = json.loads(body)
    except ValueError:
        return "not JSON: %r" % body[:80]
    if "values" in want:
        ours = {"values": ours.get("values")}
    return cases.compare_json(ours, want, TOL)


def load_pending():
    path = os.path.join(HERE, "pending.txt")
    pending = {}
    if os.path.exists(path):
        for line in open(path):
            line = line.split("#", 1)[0].strip()
            if line:
                key, _, why = line.partition(" ")
                pending[key] = why.strip()
    return pending


def parse_seed(s):
    seed, _, idx = s.partition(":")
    return int(seed), (int(idx) if idx else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", action="append", default=[], help="SEED or SEED:INDEX to replay (repeatable)")
    ap.add_argument("--soak", type=int, default=0, help="run N files from seed 100000 on instead of the CI seeds")
    ap.add_argument("--soak-start", type=int, default=100000)
    ap.add_argument("--server", help="a running cogtiler (default: start --bin)")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "cogtiler"))
    ap.add_argument("--venv", default=os.environ.get("DIFF_VENV", os.path.join(ROOT, "target", "differential-venv")))
    ap.add_argument("--keep", help="write generated files here and keep them")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    ensure_venv(args.venv)

    sys.path.insert(0, HERE)
    import cases
    import generate

    if args.seed:
        picks = [parse_seed(s) for s in args.seed]
    elif args.soak:
        picks = [(s, None) for s in range(args.soak_start, args.soak_start + args.soak)]
    else:
        picks = [(s, None) for s in CI_SEEDS]
    ci_mode = not args.seed and not args.soak
    pending = load_pending() if ci_mode else {}

    proc = None
    server = args.server
    if not server:
        if not os.path.exists(args.bin):
            sys.exit("differential: %s not found (cargo build --release)" % args.bin)
        proc, server = start_server(args.bin)
    workdir = args.keep or tempfile.mkdtemp(prefix="cogtiler-diff-")
    os.makedirs(workdir, exist_ok=True)

    by_kind = collections.defaultdict(lambda: [0, 0])
    by_feature = collections.defaultdict(lambda: [0, 0])
    by_method = collections.defaultdict(lambda: [0, 0])
    failures, pending_hit, pending_fixed = [], [], []
    started = time.time()

    def one_file(seed, only):
        spec = generate.generate(seed, workdir)
        reqs = cases.make_requests(seed, spec, REQUESTS_PER_FILE)
        results = []
        for req in reqs:
            if only is not None and req["index"] != only:
                continue
            try:
                reason = check(server, spec, req)
            except Exception as exc:  # noqa: BLE001 -- a harness error is a failure to report, not a crash
                reason = "harness error: %s: %s" % (type(exc).__name__, exc)
            results.append((req, reason))
        if not args.keep:
            os.remove(spec.path)
        return spec, results

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for spec, results in pool.map(lambda p: one_file(*p), picks):
                for req, reason in results:
                    key = "%d:%d" % (spec.seed, req["index"])
                    ok = reason is None
                    kind = req["kind"]
                    by_kind[kind][0 if ok else 1] += 1
                    for f in spec.features:
                        by_feature[f][0 if ok else 1] += 1
                    q = req["query"]
                    if kind in ("tile", "part"):
                        by_method["resampling=" + q.get("resampling", "nearest")][0 if ok else 1] += 1
                        by_method["reproject=" + q.get("reproject", "nearest")][0 if ok else 1] += 1
                    line = "%s  %s  [%s]" % (key, req["desc"], " ".join(spec.features))
                    if ok and key in pending:
                        pending_fixed.append(key)
                    if not ok:
                        if key in pending:
                            pending_hit.append("PENDING %s\n    %s" % (line, reason))
                        else:
                            failures.append("FAIL %s\n    %s\n    %s" % (line, reason, cases.url(server, req)))
                    if args.verbose or (args.seed and not ok):
                        print(("ok   " if ok else "FAIL ") + line + ("" if ok else "\n    " + reason), flush=True)
    finally:
        if proc:
            proc.terminate()
            proc.wait()

    total = sum(a + b for a, b in by_kind.values())
    passed = sum(a for a, _ in by_kind.values())

    def table(title, counts):
        print("  %s:" % title)
        for k in sorted(counts):
            p, f = counts[k]
            print("    %-28s %5d/%-5d %6.1f%%" % (k, p, p + f, 100.0 * p / max(1, p + f)))

    print("== differential: %d files, %d requests in %.0f s" % (len(picks), total, time.time() - started))
    if args.soak or args.verbose:
        table("by request kind", by_kind)
        table("by tile/part kernel", by_method)
        table("by generator feature", by_feature)
    for f in failures:
        print(f)
    for p in pending_hit:
        print(p)
    for k in pending_fixed:
        print("FIXED (remove from pending.txt): %s" % k)
    print("differential: %d passed, %d failed, %d pending (%.2f%%)" % (
        passed, len(failures), len(pending_hit), 100.0 * passed / max(1, total)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
