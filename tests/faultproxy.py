"""A small fault-injecting HTTP proxy on loopback, in front of a real helpdesk process.

It forwards one request per client connection (``Connection: close`` upstream) and, for the
next N requests matching a method (and optional path fragment), injects a fault:

- ``reset_before``: close the client socket without forwarding (the helpdesk never saw it);
- ``reset_after``: forward, let the helpdesk commit, then reset the client instead of answering;
- ``status_after``: forward, then answer ``status`` (e.g. 503) instead of the real response;
- ``delay_after``: forward, then hold the real response ``delay`` seconds (client read timeout);
- ``status_before``: answer ``status`` with ``Retry-After`` without forwarding (e.g. 429);
- ``truncate_after``: forward, then send only the first half of the real response and close;
- ``gzip_after``: forward, then send the real response labelled ``Content-Encoding: gzip`` (undecodable);
- ``body_after``: forward, then answer ``status`` (200 unless set) with ``body`` (wrong-shape JSON...).

``count`` defaults to one request; ``Fault(..., count=PERSISTENT)`` lasts until ``clear()``.
``log`` keeps (monotonic time, method, path, mode) of every request, for rates.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from dataclasses import dataclass

PERSISTENT = 10**9


@dataclass
class Fault:
    mode: str
    method: str = "PUT"
    path: str = ""
    count: int = 1
    status: int = 503
    delay: float = 0.0
    retry_after: int = 1
    body: bytes = b""


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1"):
        self.upstream = (host, upstream_port)
        self.faults: list[Fault] = []
        self.seen: list[tuple[str, str, str]] = []  # (method, path, what happened)
        self.log: list[tuple[float, str, str, str]] = []
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.faults.append(fault)

    def clear(self) -> None:
        """The helpdesk recovers: no more faults."""
        with self._lock:
            self.faults.clear()

    def close(self) -> None:
        self._closed = True
        self._sock.close()

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.count > 0 and fault.method == method and fault.path in path:
                    fault.count -= 1
                    return fault
        return None

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = _read_request(client)
            if request is None:
                return
            head, body = request
            method, path = head.split(b" ", 2)[:2]
            method, path = method.decode(), path.decode()
            fault = self._take(method, path)
            mode = fault.mode if fault else "pass"
            self.seen.append((method, path, mode))
            self.log.append((time.monotonic(), method, path, mode))
            if mode == "reset_before":
                return _reset(client)
            if mode == "status_before":
                return client.sendall(_answer(fault.status, fault.retry_after))
            response = self._forward(_close_header(head), body)
            if mode == "reset_after":
                return _reset(client)
            if mode == "status_after":
                return client.sendall(_answer(fault.status, None))
            if mode == "delay_after":
                time.sleep(fault.delay)
            if mode == "truncate_after":
                response = response[: len(response) // 2]
            elif mode == "gzip_after":
                response = response.replace(b"\r\n\r\n", b"\r\nContent-Encoding: gzip\r\n\r\n", 1)
            elif mode == "body_after":
                response = _answer(fault.status if fault.status != 503 else 200, None, fault.body)
            client.sendall(response)
        except OSError:
            pass
        finally:
            try:
                client.close()
            except OSError:
                pass

    def _forward(self, head: bytes, body: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=30) as up:
            up.sendall(head + b"\r\n\r\n" + body)
            chunks = []
            while True:
                data = up.recv(65536)
                if not data:
                    return b"".join(chunks)
                chunks.append(data)


def _read_request(sock: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head, rest


def _close_header(head: bytes) -> bytes:
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join([*lines, b"Connection: close"])


def _answer(status: int, retry_after: int | None, body: bytes = b"") -> bytes:
    body = body or b'{"error": "ServiceUnavailable", "description": "injected fault"}'
    extra = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
    return (f"HTTP/1.1 {status} Injected\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body


def _reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
