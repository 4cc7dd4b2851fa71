"""A small HTTP/1.1 load generator for the service benchmark (asyncio, keep-alive).

N clients each hold one connection and send GET requests one after another, for a fixed
number of requests in total; every request's latency is recorded. Only loopback addresses
are accepted as targets. Plain asyncio streams keep the client cheap, so that on a 2-core
machine the server, not the client, is what is measured.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: tuple[float, ...]
    bytes: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        if len(self.latencies_ms) == 1:
            return self.latencies_ms[0]
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q * 100) - 1]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Read one response; returns (status, body bytes)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        await reader.readexactly(n)
        return status, n
    if headers.get("transfer-encoding", "").lower() == "chunked":
        total = 0
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            total += size
            if size == 0:
                return status, total
    return status, 0


async def _client(
    host, port, path_host, paths, counter, quota, deadline, lat, errors, sizes, headers
):
    reader, writer = await asyncio.open_connection(host, port)
    i = 0
    try:
        while counter[0] < quota and time.perf_counter() < deadline:
            counter[0] += 1
            path = paths[i % len(paths)]
            i += 1
            request = f"GET {path} HTTP/1.1\r\nHost: {path_host}\r\n{headers}\r\n".encode()
            t0 = time.perf_counter()
            try:
                writer.write(request)
                status, n = await _read_response(reader)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors[0] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            lat.append((time.perf_counter() - t0) * 1000)
            sizes[0] += n
            if status != 200:
                errors[0] += 1
    finally:
        writer.close()


def run(
    url: str,
    paths: list[str],
    *,
    clients: int,
    requests: int = 10**9,
    seconds: float = 1e9,
    headers: dict[str, str] | None = None,
) -> Result:
    """Send GETs (cycling through ``paths``) from ``clients`` connections until ``requests``
    were sent or ``seconds`` have passed, whichever comes first."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"{url}: the benchmark only targets loopback addresses")
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())

    async def main() -> Result:
        counter, errors, sizes, lat = [0], [0], [0], []
        t0 = time.perf_counter()
        await asyncio.gather(
            *(
                _client(
                    parts.hostname,
                    parts.port,
                    parts.netloc,
                    paths,
                    counter,
                    requests,
                    t0 + seconds,
                    lat,
                    errors,
                    sizes,
                    extra,
                )
                for _ in range(clients)
            )
        )
        return Result(len(lat), errors[0], time.perf_counter() - t0, tuple(lat), sizes[0])

    return asyncio.run(main())
