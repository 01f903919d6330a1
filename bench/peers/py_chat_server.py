#!/usr/bin/env python3
"""The TP6 chat room server (stage ii_6, `--wire lines`), written the way a learner of
the course writes it: Python 3 asyncio, a global dict of clients, one `handle` coroutine
per client, `readline()`, and a relay that calls `writer.write()` once per message per
recipient and moves on (no `drain()` per recipient).

It is the reference that `bench/run.py` measures our Rust server against. It follows
CONTRACT.md § ii_6: `Hello|<pseudo>` first (validated), join and leave announcements,
messages relayed to the others as `<pseudo> a dit : <msg>`, over-long lines answered with
an error.
It is straightforward on purpose: not optimised, and not broken either.

Run it:
    python3 bench/peers/py_chat_server.py --port 8888     # --port 0 picks a free port
Its first line on stdout is `Serving on <ip>:<port>`.
"""

import argparse
import asyncio

MAX_MESSAGE = 4096
MAX_PSEUDO = 32
TOO_LONG = "Erreur : message trop long (max 4096 octets)"

# Every client that has joined: (ip, port) -> {"writer": ..., "pseudo": ...}
CLIENTS = {}


def pseudo_error(pseudo):
    """Why a pseudo is refused, or None when it is fine."""
    if not pseudo:
        return "pseudo vide"
    if len(pseudo.encode()) > MAX_PSEUDO:
        return "pseudo trop long (max 32 octets)"
    if "|" in pseudo:
        return "le pseudo ne doit pas contenir de |"
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in pseudo):
        return "le pseudo ne doit pas contenir de caractères de contrôle"
    return None


def send_to_all(text, exclude=None):
    """Sends one line to every joined client but `exclude`."""
    data = (text + "\n").encode()
    for addr, client in CLIENTS.items():
        if addr != exclude:
            client["writer"].write(data)


async def read_message(reader, writer):
    """The next line without its line end; None when the client is gone."""
    while True:
        try:
            data = await reader.readline()
        except ValueError:  # longer than the stream's limit (64 KiB)
            writer.write((TOO_LONG + "\n").encode())
            continue
        if not data:
            return None
        message = data.rstrip(b"\r\n")
        if len(message) > MAX_MESSAGE:
            writer.write((TOO_LONG + "\n").encode())
            continue
        return message.decode(errors="replace")


async def handle(reader, writer):
    addr = writer.get_extra_info("peername")[:2]
    print(f"New client {addr[0]}:{addr[1]}")
    pseudo = None
    try:
        hello = await read_message(reader, writer)
        if hello is None:
            return
        if not hello.startswith("Hello|"):
            error = "premier message attendu : Hello|<pseudo>"
        else:
            pseudo = hello[len("Hello|"):].strip()
            error = pseudo_error(pseudo)
        if error:
            print(f"Refused {addr[0]}:{addr[1]}: {error}")
            writer.write(f"Erreur : {error}\n".encode())
            await writer.drain()
            return

        CLIENTS[addr] = {"writer": writer, "pseudo": pseudo}
        print(f"{addr[0]}:{addr[1]} joined as {pseudo}")
        send_to_all(f"Annonce : {pseudo} a rejoint la chatroom")

        while True:
            message = await read_message(reader, writer)
            if message is None:
                break
            if not message:
                continue
            print(f"Message received from {pseudo} : {message}")
            send_to_all(f"{pseudo} a dit : {message}", exclude=addr)
    except ConnectionError:
        pass
    finally:
        if addr in CLIENTS:
            del CLIENTS[addr]
            print(f"{pseudo} ({addr[0]}:{addr[1]}) left")
            send_to_all(f"Annonce : {pseudo} a quitté la chatroom")
        writer.close()


async def main():
    parser = argparse.ArgumentParser(description="TP6 chat server, stage ii_6 (asyncio).")
    parser.add_argument("-a", "--address", default="127.0.0.1", help="IP to listen on")
    parser.add_argument("-p", "--port", type=int, default=8888, help="port (0 = any free)")
    args = parser.parse_args()

    server = await asyncio.start_server(handle, args.address, args.port)
    ip, port = server.sockets[0].getsockname()[:2]
    print(f"Serving on {ip}:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
