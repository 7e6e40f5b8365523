#!/usr/bin/env python3
"""Loads a page in headless Chromium and waits, in real time, until an element reports a final
state; prints that element's data attributes and text as JSON and saves a screenshot.

Chromium's `--dump-dom --virtual-time-budget` does not wait for work in web workers (MapLibre
parses tiles there), so this drives the browser over the DevTools protocol instead, through
`--remote-debugging-pipe` (NUL-separated JSON on fds 3 and 4: no websocket library needed).

usage: cdp_wait.py CHROMIUM URL SCREENSHOT [TIMEOUT_S] [-- CHROMIUM_FLAGS...]
The page must have `#status` whose `data-state` ends as `rendered` or `error`.
"""
import base64
import json
import os
import subprocess
import sys
import time


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    chromium, url, shot = args[0], args[1], args[2]
    timeout = float(args[3]) if len(args) > 3 else 60.0
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds():
        # copies first: a pipe end may already be fd 3 or 4 (dup2 onto itself would keep
        # its close-on-exec flag)
        r, w = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(r, 3)
        os.dup2(w, 4)

    log = open(os.environ.get("CDP_CHROMIUM_LOG", os.devnull), "wb")
    proc = subprocess.Popen(
        [chromium, "--headless", "--remote-debugging-pipe", *extra, "about:blank"],
        preexec_fn=child_fds, close_fds=False, stdout=log, stderr=log,
    )
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    out = os.fdopen(to_chrome_w, "wb", buffering=0)
    inp = os.fdopen(from_chrome_r, "rb", buffering=0)
    buf = b""
    next_id = [0]

    def send(method, params=None, session=None):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        return next_id[0]

    def reply(msg_id):
        nonlocal buf
        while True:
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if msg.get("id") == msg_id:
                    if "error" in msg:
                        raise RuntimeError(json.dumps(msg["error"]))
                    return msg.get("result", {})
            chunk = inp.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            buf += chunk

    def call(method, params=None, session=None):
        return reply(send(method, params, session))

    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Emulation.setDeviceMetricsOverride",
             {"width": 1024, "height": 768, "deviceScaleFactor": 1, "mobile": False}, session)
        call("Page.enable", {}, session)
        call("Page.navigate", {"url": url}, session)
        probe = ("(() => { const s = document.getElementById('status');"
                 " return s ? JSON.stringify({state: s.dataset.state, features: s.dataset.features,"
                 " text: s.textContent}) : null; })()")
        status = None
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = call("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
            value = r.get("result", {}).get("value")
            if value:
                status = json.loads(value)
                if status.get("state") in ("rendered", "error"):
                    break
            time.sleep(0.25)
        png = call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        with open(shot, "wb") as f:
            f.write(base64.b64decode(png))
        print(json.dumps(status))
        try:
            send("Browser.close")
        except OSError:
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0 if status and status.get("state") == "rendered" else 1


if __name__ == "__main__":
    sys.exit(main())
