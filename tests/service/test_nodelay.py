"""The listening socket lets asyncio set TCP_NODELAY on each connection (no Nagle stall)."""

from __future__ import annotations

import asyncio
import socket

from service.run import listen


def test_accepted_connections_send_small_writes_at_once():
    """Without TCP_NODELAY a small body written after the headers waits for the client's
    delayed ACK: 40 ms per keep-alive request (measured: 23 requests/s at one client)."""
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    seen: list[int] = []

    async def main() -> None:
        async def handle(reader, writer) -> None:
            peer = writer.get_extra_info("socket")
            seen.append(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, w = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            w.close()

    asyncio.run(main())
    assert seen and seen[0] != 0
