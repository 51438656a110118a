#!/usr/bin/env python3
"""A TCP proxy that delays every byte by a fixed time each way.

    delay.py LISTEN_PORT_FILE UPSTREAM_PORT ONE_WAY_MS

Listens on 127.0.0.1 (a free port, written to LISTEN_PORT_FILE) and
forwards each connection to 127.0.0.1:UPSTREAM_PORT, holding every chunk
ONE_WAY_MS before passing it on, in order: a round trip costs 2 x
ONE_WAY_MS more, as over a network, and a new connection one more round
trip (its first bytes wait on it). make bench uses it to show what round
trips cost away from loopback, without touching the host's network set-up.
"""
import asyncio
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def sender():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, data or None))
            if not data:
                break
    except ConnectionError:
        queue.put_nowait((loop.time(), None))
    await task


async def main():
    port_file, upstream, one_way = sys.argv[1], int(sys.argv[2]), \
        float(sys.argv[3]) / 1000

    async def handle(cr, cw):
        # the connection itself takes a round trip to set up
        await asyncio.sleep(2 * one_way)
        try:
            ur, uw = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, uw, one_way), pump(ur, cw, one_way),
                             return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
