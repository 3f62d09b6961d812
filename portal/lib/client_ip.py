"""The client's address, as seen through the configured reverse proxies only.

X-Forwarded-For is client-controlled except for the entries appended by our own proxies, so we walk it from
the right and stop at the first address that is not a trusted proxy. With no trusted proxies configured the
header is ignored entirely and REMOTE_ADDR is the answer.
"""

import ipaddress

from django.conf import settings


def _networks():
    return [ipaddress.ip_network(item, strict=False) for item in settings.PORTAL_TRUSTED_PROXIES]


def _is_trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a garbled header: fall back to the proxy's own address
    return remote


def axes_client_ip(request):
    """django-axes AXES_CLIENT_IP_CALLABLE."""
    return client_ip(request)
