"""Benchmark: a burst at the web chat API of a real `desk serve` (SQLite, the embedded default).

Seeds the demo estate into a temporary data folder (`desk demo --seed-only`), starts `desk serve` on
127.0.0.1 on a free port, opens --sessions chat sessions (`POST /chat/api/session`), then sends
`POST /chat/api/send` at a steady --rate per second for --seconds (open loop: a request starts on its
schedule whether or not earlier ones have been answered), each from the next session in turn. Prints
the requests served per second and the latency percentiles, then stops the server. Issue #15's goal:
p95 under 250 ms at 200 req/s for 10 s.

    .venv/bin/python bench/bench_webchat.py [--rate 200] [--seconds 10] [--sessions 400]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import share_model_cache  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DESK = ROOT / ".venv" / "bin" / "desk"
TEXTS = ["你好", "物业费怎么交", "停水了？", "我家厨房漏水", "取消", "有人在吗", "电梯坏了", "谢谢"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q * len(sorted_values)) - 1))]


async def wait_until_up(base: str, proc: subprocess.Popen, within: float = 240.0) -> float:
    t0 = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=2) as client:
        while time.perf_counter() - t0 < within:
            if proc.poll() is not None:
                raise SystemExit(f"desk serve exited with {proc.returncode}")
            try:
                if (await client.get("/chat")).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("desk serve did not answer within 240 s")


async def burst(base: str, rate: int, seconds: float, sessions: int, request_timeout: float) -> None:
    limits = httpx.Limits(max_connections=2000, max_keepalive_connections=500)
    async with httpx.AsyncClient(base_url=base, timeout=request_timeout, limits=limits) as client:
        tokens = []
        t0 = time.perf_counter()
        for _ in range(sessions):
            r = await client.post("/chat/api/session")
            r.raise_for_status()
            tokens.append(r.json()["session"])
        client.cookies.clear()  # each request names its session in the header, as the page does
        print(f"{sessions} sessions opened in {time.perf_counter() - t0:.1f} s")

        async def send(i: int) -> tuple[float, int]:
            start = time.perf_counter()
            try:
                r = await client.post(
                    "/chat/api/send",
                    json={"text": TEXTS[(i // sessions) % len(TEXTS)]},
                    headers={"X-Chat-Session": tokens[i % sessions], "Accept-Language": "zh-CN"},
                )
                status = r.status_code
                if status == 200 and not r.json().get("replies"):
                    status = -2  # answered, but without a reply
            except httpx.HTTPError:
                status = -1
            return time.perf_counter() - start, status

        # warm-up (the understanding model loads on the first free text), not timed
        t0 = time.perf_counter()
        for i, text in enumerate(TEXTS):
            r = await client.post(
                "/chat/api/send",
                json={"text": text},
                headers={"X-Chat-Session": tokens[-1 - i]},
                timeout=600,  # the first free text may train the understanding model (minutes)
            )
            r.raise_for_status()
        print(f"warm-up ({len(TEXTS)} messages) {time.perf_counter() - t0:.1f} s")

        total = int(rate * seconds)
        tasks = []
        started = time.perf_counter()
        for i in range(total):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(i)))
        sent_for = time.perf_counter() - started
        results = await asyncio.gather(*tasks)
        finished = time.perf_counter() - started

    ok = sorted(lat * 1000 for lat, status in results if status == 200)
    failed: dict[int, int] = {}
    for _, status in results:
        if status != 200:
            failed[status] = failed.get(status, 0) + 1
    print(
        f"offered {total} requests at {total / sent_for:.0f}/s over {sent_for:.1f} s; "
        f"all answered after {finished:.1f} s"
    )
    print(f"served {len(ok)} ok ({len(ok) / finished:.1f} req/s over the whole run)", end="")
    print(f"; failed {failed} (-1 transport error/timeout, -2 no reply)" if failed else "")
    if ok:
        print(
            f"latency ms: p50 {statistics.median(ok):.0f}   p90 {percentile(ok, 0.90):.0f}   "
            f"p95 {percentile(ok, 0.95):.0f}   max {ok[-1]:.0f}"
        )


def main(rate: int, seconds: float, sessions: int, timeout: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-webchat-"))
    share_model_cache(Path(folder))
    env = {
        **os.environ,
        "DESK_DATABASE_URL": f"sqlite+aiosqlite:///{folder}/desk.sqlite3",
        "DESK_DATA_DIR": str(folder),
        "DESK_SECRET_KEY": "bench-secret-0123456789abcdef0123456",
        "DESK_DEMO_PASSWORD": "bench-password-1",
    }
    env.pop("DESK_CONFIG", None)
    t0 = time.perf_counter()
    subprocess.run([str(DESK), "demo", "--seed-only"], env=env, check=True, capture_output=True)
    print(f"demo estate seeded in {time.perf_counter() - t0:.1f} s ({folder})")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (folder / "serve.log").open("wb")  # noqa: SIM115 - closed in the finally below, after the server
    proc = subprocess.Popen(
        [str(DESK), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        up = asyncio.run(wait_until_up(base, proc))
        print(f"desk serve answering on {base} after {up:.1f} s (pid {proc.pid})")
        asyncio.run(burst(base, rate, seconds, sessions, timeout))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        print(f"desk serve stopped (exit {proc.returncode}); its log: {folder / 'serve.log'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    args = parser.parse_args()
    sys.exit(main(args.rate, args.seconds, args.sessions, args.timeout))
