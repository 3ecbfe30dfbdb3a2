"""What the HTTP session keeps from leaking: credentials in URLs and logs, and requests to this machine's networks.

The API key query parameter `key` and the key header `Ocp-Apim-Subscription-Key` are redacted from
everything stored in the cache, and the parameter from every URL handed back. No request goes to a
private, loopback or link-local address unless the URL asked for is on one, so a redirect cannot turn a
feed into a probe of the machine's own networks (a cloud's metadata at 169.254.169.254, an admin page on
localhost).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from typing import Any
from urllib.parse import urlsplit

import requests

from reportgen.errors import hide_secrets

SECRET_PARAMETERS = ("key",)  # query parameters that carry credentials
SECRET_HEADERS = ("Ocp-Apim-Subscription-Key",)  # request headers that do (UN Comtrade's key)
_SECRET = re.compile(rf"([?&;](?:{'|'.join(map(re.escape, SECRET_PARAMETERS))})=)[^&#;\s'\"]*", re.IGNORECASE)


def redact(text: str, *secrets: str) -> str:
    """`text` (a URL or a message holding one) with the values of credential parameters hidden, and
    `secrets` and the secret environment variables' values wherever they stand."""
    return hide_secrets(_SECRET.sub(r"\1REDACTED", text), *secrets)


def scrub(value: Any) -> Any:
    """`value` with credentials redacted from every string inside it (a cached response's fields)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item) for item in value)
    return value


class LocalAddress(requests.exceptions.ConnectionError):
    """A request, a redirect's above all, to an address on this machine or its networks: refused."""


def is_local(url: str) -> bool:
    """Whether `url`'s host is, or resolves to, an address that is not on the public internet."""
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in socket.getaddrinfo(host, None)]
        except (OSError, UnicodeError):  # no answer: the connection fails on its own, and says so
            return False
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return True
    return False


class _RedactingFilter(logging.Filter):
    """Hide credentials in the debug logs of urllib3 and requests-cache, which print full URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def redact_library_logs() -> None:
    """Attach the filter to every urllib3 and requests-cache logger (filters do not pass to children)."""
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("urllib3", "requests_cache")]
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())
