"""One thread per process pipes the bytes of every open WebSocket tunnel, with `selectors`."""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time

from gateway.tunnel import READ, End, Tunnel

log = logging.getLogger(__name__)

_AGAIN = (BlockingIOError, InterruptedError)


class TunnelHub:
    """Every open tunnel of this process, served by one thread (started on the first tunnel, so
    each forked worker gets its own): a tunnel costs two sockets and two buffers, not a thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: _Loop | None = None

    def add(self, tunnel: Tunnel) -> None:
        """Hand `tunnel` over; the hub owns (and eventually closes) both of its sockets."""
        with self._lock:
            while self._loop is None or not self._loop.admit(tunnel):
                loop = _Loop()
                loop.start()
                self._loop = loop

    @property
    def open_tunnels(self) -> int:
        with self._lock:
            return 0 if self._loop is None else self._loop.size()

    def close(self) -> None:
        """Close every open tunnel and stop the thread (a later `add` starts a fresh one)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()


class _Loop:
    """The hub's thread, its selector, and a socket pair that wakes it when a tunnel arrives."""

    def __init__(self) -> None:
        self._wake_in, self._wake_out = socket.socketpair()
        for sock in (self._wake_in, self._wake_out):
            sock.setblocking(False)
        try:
            self._selector = selectors.DefaultSelector()
        except BaseException:
            self._wake_in.close()
            self._wake_out.close()
            raise
        self._selector.register(self._wake_in, READ)
        self._lock = threading.Lock()
        self._arrivals: list[Tunnel] = []
        self._tunnels: set[Tunnel] = set()
        self._ending: set[Tunnel] = set()
        """The tunnels with a half-close timer running."""
        self._accepting = True
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="websocket-tunnel-hub", daemon=True)

    def start(self) -> None:
        try:
            self._thread.start()
        except BaseException:
            self._shut_down()
            raise

    def admit(self, tunnel: Tunnel) -> bool:
        """Queue `tunnel` for the thread; False once this loop has ended (or, in a forked child,
        never ran here: a fork copies no thread)."""
        with self._lock:
            if not (self._accepting and self._thread.is_alive()):
                return False
            self._arrivals.append(tunnel)
        self._wake()
        return True

    def size(self) -> int:
        with self._lock:
            return len(self._arrivals) + len(self._tunnels)

    def stop(self) -> None:
        self._stopping = True
        self._wake()
        self._thread.join()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # full (a wake-up is pending anyway) or closed
            self._wake_out.send(b"\0")

    def _run(self) -> None:
        try:
            while not self._stopping:
                self._turn()
        except Exception:
            log.exception("websocket tunnel hub failed; closing its tunnels")
        finally:
            self._shut_down()

    def _turn(self) -> None:
        touched: set[Tunnel] = set()
        for key, events in self._selector.select(self._timeout()):
            if key.fileobj is self._wake_in:
                self._drain_wake()
                continue
            tunnel, end = key.data
            tunnel.pump(end, events)
            touched.add(tunnel)
        with self._lock:
            arrivals, self._arrivals = self._arrivals, []
            self._tunnels.update(arrivals)
        now = time.monotonic()
        touched.update(arrivals)
        touched.update(t for t in self._ending if t.expired(now))
        for tunnel in touched:
            try:
                self._update(tunnel, now)
            except (OSError, ValueError):  # one tunnel's trouble must not end the others
                log.exception("websocket tunnel failed", extra=tunnel.fields)
                self._drop(tunnel, "error")

    def _timeout(self) -> float | None:
        """Sleep until the next half-close deadline, or until a socket or a wake-up is ready."""
        deadlines = [d for d in (t.deadline() for t in self._ending) if d is not None]
        return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None

    def _drain_wake(self) -> None:
        with contextlib.suppress(*_AGAIN):
            while self._wake_in.recv(4096):
                pass

    def _update(self, tunnel: Tunnel, now: float) -> None:
        tunnel.settle()
        reason = tunnel.finished(now)
        if reason is not None:
            self._drop(tunnel, reason)
            return
        if tunnel.first_eof is not None:
            self._ending.add(tunnel)
        for end in (tunnel.client, tunnel.upstream):
            self._watch(tunnel, end, tunnel.wanted(end))

    def _watch(self, tunnel: Tunnel, end: End, events: int) -> None:
        if events == end.watched:
            return
        if not end.watched:
            self._selector.register(end.sock, events, (tunnel, end))
        elif not events:
            self._selector.unregister(end.sock)
        else:
            self._selector.modify(end.sock, events, (tunnel, end))
        end.watched = events

    def _drop(self, tunnel: Tunnel, reason: str) -> None:
        for end in (tunnel.client, tunnel.upstream):
            if end.watched:
                end.watched = 0
                with contextlib.suppress(KeyError, ValueError, OSError):
                    self._selector.unregister(end.sock)
        self._ending.discard(tunnel)
        with self._lock:
            self._tunnels.discard(tunnel)
        tunnel.close(reason)

    def _shut_down(self) -> None:
        with self._lock:
            self._accepting = False
            leftover = self._tunnels | set(self._arrivals)
            self._tunnels, self._arrivals = set(), []
        for tunnel in leftover:
            tunnel.close("shutdown")
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()
