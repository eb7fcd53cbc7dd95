"""Support for real-browser tests and benchmarks: a streamlit server on a free port and headless Chromium."""
from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Headless, and no background traffic: this machine's network is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
STEP_TEXT = re.compile(r"^Step ([\d,]+) of [\d,]+$")
SKIP_REASON = "needs Debian's chromium at /usr/bin/chromium: run `apt-get install -y chromium` to enable"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(*options: str, timeout: float = 60.0, log: Path | None = None):
    """`streamlit run app.py [options]` on a free localhost port; yields (url, process); always stopped after.
    `log`: a file that receives the server's log (its stderr)."""
    port = free_port()
    errors = subprocess.DEVNULL if log is None else open(log, "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *options],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.3)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        if log is not None:
            errors.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def click_if_there(locator) -> None:
    """Click locator unless the page redraws it away within two seconds (the caller looks again)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        locator.click(timeout=2000)
    except PlaywrightTimeout:
        pass


def step_count(page) -> int:
    """The Playground's counter, read from its 'Step N of M' progress text (-1 when not shown)."""
    counter = page.get_by_text(STEP_TEXT).first
    if not counter.count():
        return -1
    return int(STEP_TEXT.match(counter.inner_text()).group(1).replace(",", ""))


RELEASED = "a session ended: its live runs were released"  # what ganplay.ui.live logs


def released_sessions(log: Path) -> int:
    """How many sessions the server has released (from its log)."""
    return log.read_text(errors="replace").count(RELEASED)


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        user, system = stat.read().rsplit(")", 1)[1].split()[11:13]
    return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


class PeakRss(threading.Thread):
    """Samples the server's resident memory while its `with` block runs (or until the server is gone)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def __enter__(self) -> "PeakRss":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.running = False
        self.join()

    def run(self):
        while self.running:
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except (OSError, StopIteration):  # the server exited (a failing test tears it down): nothing to sample
                return
            time.sleep(0.1)
