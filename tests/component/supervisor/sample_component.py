"""A tiny component for supervisor tests: an HTTP server on 127.0.0.1, or one that misbehaves.

Run as ``python sample_component.py [options]`` by the supervisor under test.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from localnlb.common import statedir
from localnlb.common.supervisor import announce_ready


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"{os.environ.get('LOCALNLB_COMPONENT')} {os.getpid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--crash", type=int, default=None, help="exit with this code at once")
    parser.add_argument("--crash-if-exists", default=None, help="crash while this file exists")
    parser.add_argument("--never-ready", action="store_true")
    parser.add_argument("--ignore-term", action="store_true")
    parser.add_argument("--child-pid-file", default=None, help="start a child, record its pid")
    parser.add_argument("--env-variable", default=None, help="announce via DIR/env instead")
    args = parser.parse_args()
    print(f"sample component {os.environ.get('LOCALNLB_COMPONENT')} pid {os.getpid()}", flush=True)
    if args.crash_if_exists and Path(args.crash_if_exists).exists():
        print("boom: the crash file exists", flush=True)
        return 1
    if args.crash is not None:
        print("boom: crashing on purpose", flush=True)
        return int(args.crash)
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if args.child_pid_file:
        child = subprocess.Popen([sys.executable, "-c", "import signal; signal.pause()"])
        Path(args.child_pid_file).write_text(f"{child.pid}\n")
    if args.never_ready:
        while True:
            signal.pause()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    if not args.ignore_term:
        signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    if args.env_variable:
        state_dir = Path(os.environ[statedir.STATE_DIR_VARIABLE])
        statedir.write_env(state_dir, {args.env_variable: url})
    else:
        announce_ready({"http": url})
    server.serve_forever()
    server.server_close()
    print("stopped cleanly", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
