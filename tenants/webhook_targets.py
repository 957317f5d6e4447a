"""Where webhook deliveries may go: the public internet, unless the deployment allows
its own network too.

A webhook URL is given by an integrator; without a check, the platform would POST
wherever it points, including services only the platform's own network reaches
(a database's HTTP port, a cloud's metadata service). So loopback, private,
link-local, shared, multicast and reserved addresses are refused, at registration
when the host is written as an address (or is ``localhost``), and again before each
delivery for every address the host name resolves to. ``GONGJIAN_WEBHOOK_PRIVATE_TARGETS=1``
allows them (a deployment whose receivers live on its own network; the tests).

What this cannot stop: a name that resolves to a public address when checked and to
a private one a moment later (DNS rebinding). A deployment that must rule that out
sends deliveries through an egress proxy that enforces the same rule.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from urllib.parse import urlsplit

from domain.errors import InvalidWebhookUrl
from domain.webhooks import webhook_url

PRIVATE_TARGETS_SETTING = "GONGJIAN_WEBHOOK_PRIVATE_TARGETS"
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedTarget(Exception):
    """A delivery would go to an address the deployment does not allow."""


def private_allowed() -> bool:
    """Whether this deployment sends deliveries to its own network as well."""
    return os.environ.get(PRIVATE_TARGETS_SETTING, "") == "1"


def is_public(address: Address) -> bool:
    """Whether an address lies on the public internet."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_registrable(url: str) -> None:
    """Refuse (InvalidWebhookUrl) a URL that is not one (``domain.webhooks.webhook_url``),
    or whose host is written as a non-public address or is localhost, unless private
    targets are allowed."""
    host = (urlsplit(webhook_url(url)).hostname or "").rstrip(".").lower()
    if private_allowed():
        return
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise InvalidWebhookUrl("a webhook URL may not point at this machine (localhost)")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return  # a name: checked before each delivery, when it is resolved
    if not is_public(address):
        raise InvalidWebhookUrl(f"a webhook URL may not point at the non-public address {host}")


def check_deliverable(url: str) -> None:
    """Raise RefusedTarget unless every address the URL's host resolves to is public
    (or private targets are allowed)."""
    if private_allowed():
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedTarget(f"cannot resolve {host}: {error}") from None
    for *_, sockaddr in found:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if not is_public(address):
            raise RefusedTarget(f"{host} resolves to the non-public address {address}")
