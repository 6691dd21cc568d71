"""The client's address: ``REMOTE_ADDR``, or, when that peer is one of our own reverse proxies
(``TRUSTED_PROXIES``, addresses or CIDR networks), the address those proxies saw.

``X-Forwarded-For`` is believed only from a configured proxy: anyone can send the header, so from any
other peer it is ignored. Through a chain of proxies the header is read from the right, skipping our
own proxies, and the first address that is not one of them is the client (what nginx's
``real_ip_recursive`` does). django-ipware was considered: its ``proxy_trusted_ips`` are prefixes
matched against the header's entries, not against the peer the request came from, and take no
CIDR networks, so it could not say "only when the immediate peer is our proxy".
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

MAX_ADDRESS_LENGTH = 45


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(addr, networks) -> bool:
    return addr is not None and any(addr.version == n.version and addr in n for n in networks)


def client_ip(request) -> str:
    """The address a request came from, as far as our own proxies vouch for it."""
    peer = (request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(peer), networks):
        return peer[:MAX_ADDRESS_LENGTH]
    client = peer
    hops = [h for h in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _address(hop)
        if addr is None:          # garbage in the header: keep the last address a proxy of ours gave
            break
        client = str(addr)
        if not _trusted(addr, networks):
            break
    return client[:MAX_ADDRESS_LENGTH]
