"""Benchmark: how long `desk serve` (all-in-one, SQLite) takes to start, and how much memory it holds.

Seeds the demo estate into a temporary data folder (`desk demo --seed-only`), then starts `desk serve`
--runs times. Each run times: the first `GET /chat` answered (start), the first free-text message
answered (`POST /chat/api/send`, which needs the understanding model), and reads the process's resident
memory (VmRSS, /proc) once it answers and again after 20 messages. Issue #15's goal: start < 3 s, RSS
< 350 MB with the understanding model loaded. The trained model is shared between runs (bench/support.py);
--cold gives each run an empty model cache instead (the model is trained at start).

    .venv/bin/python bench/bench_start.py [--runs 3] [--cold]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_webchat import DESK, TEXTS, free_port  # noqa: E402
from bench.support import share_model_cache  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run(env: dict[str, str]) -> tuple[float, float, float, float]:
    """(seconds to the first page, seconds to the first reply, RSS MB when up, RSS MB after 20 messages)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(DESK), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"desk serve exited with {proc.returncode}")
                try:
                    if client.get("/chat").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.02)
            up = time.perf_counter() - t0
            rss_up = rss_mb(proc.pid)
            token = client.post("/chat/api/session").json()["session"]
            headers = {"X-Chat-Session": token, "Accept-Language": "zh-CN"}
            r = client.post("/chat/api/send", json={"text": "我家厨房漏水"}, headers=headers)
            r.raise_for_status()
            first = time.perf_counter() - t0
            for i in range(20):
                client.post("/chat/api/send", json={"text": TEXTS[i % len(TEXTS)]}, headers=headers)
            return up, first, rss_up, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(runs: int, cold: bool) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-start-"))
    env = {
        **os.environ,
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/desk.sqlite3",
        "DESK_DATA_DIR": str(folder),
        "DESK_SECRET_KEY": "bench-secret-0123456789abcdef0123456",
        "DESK_DEMO_PASSWORD": "bench-password-1",
    }
    env.pop("DESK_CONFIG", None)
    if not cold:
        share_model_cache(folder)
    subprocess.run([str(DESK), "demo", "--seed-only"], env=env, check=True, capture_output=True)
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the start")
    results = []
    for n in range(runs):
        if cold:
            for cached in (folder / "understanding").glob("model-*"):
                cached.unlink()
        results.append(one_run(env))
        up, first, rss_up, rss_after = results[-1]
        print(
            f"run {n + 1}: first page {up:.2f} s, first reply {first:.2f} s, "
            f"RSS {rss_up:.0f} MB when up, {rss_after:.0f} MB after 21 messages"
        )
    print(
        f"median: first page {statistics.median(r[0] for r in results):.2f} s, "
        f"first reply {statistics.median(r[1] for r in results):.2f} s, "
        f"RSS after messages {statistics.median(r[3] for r in results):.0f} MB; "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="no cached model: train it at each start")
    args = parser.parse_args()
    main(args.runs, args.cold)
