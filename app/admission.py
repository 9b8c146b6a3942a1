"""Who gets a session: the limits on open sockets, in all and per client address.

One address may hold at most ``max_sessions_per_client`` sessions and at most
``max_waiting_per_client`` sockets that have not said ``hello`` yet, so a
client that opens sockets in bulk (or never says hello, renewing them every
``hello_timeout``) cannot keep every other visitor out: the rest of
``max_sessions`` stays for them. Only the event loop touches the registry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass
class Ticket:
    """One admitted socket; :meth:`hello` and :meth:`close` may be called any number of times."""

    registry: SessionRegistry
    client: str
    waiting: bool = True
    open: bool = True

    def hello(self) -> None:
        """The socket said hello: it no longer counts against its address's waiting sockets."""
        if self.waiting and self.open:
            self.waiting = False
            self.registry.waiting[self.client] -= 1

    def close(self) -> None:
        if self.open:
            self.hello()
            self.open = False
            self.registry.sessions[self.client] -= 1
            self.registry.open -= 1


class SessionRegistry:
    """Open sessions against the limits; :meth:`admit` gives a :class:`Ticket` or None (busy)."""

    def __init__(self, limit: int, per_client: int, waiting_per_client: int) -> None:
        self.limit = limit
        self.per_client = per_client
        self.waiting_per_client = waiting_per_client
        self.open = 0
        self.sessions: Counter[str] = Counter()
        self.waiting: Counter[str] = Counter()

    def admit(self, client: str) -> Ticket | None:
        if (self.open >= self.limit or self.sessions[client] >= self.per_client
                or self.waiting[client] >= self.waiting_per_client):
            return None
        self.open += 1
        self.sessions[client] += 1
        self.waiting[client] += 1
        return Ticket(self, client)
