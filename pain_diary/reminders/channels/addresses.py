"""Where a push endpoint may lead: to addresses of the public internet only (DESIGN §5).

A patient's browser hands over the endpoint, so whoever is signed in chooses the URL the
scheduler POSTs to; without this check it would reach the machines around it (a database port,
a cloud's metadata service) and a 404 or 410 would tell which ports answer. A host is judged by
the addresses it resolves to, so that every spelling of one (``2130706433``, ``0x7f.1``,
``localhost``) is judged by what it is.
"""

import ipaddress
import socket
import threading
from urllib.parse import urlsplit

#: Well-known NAT64 prefix (RFC 6052): the IPv4 address in the last 32 bits is the one reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
#: NAT64 for local use (RFC 8215): whatever it translates to is a local decision.
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
#: How long subscribing waits for the DNS: a name that has not resolved by then is refused.
SUBSCRIBE_LOOKUP_SECONDS = 5.0


def is_public(address):
    """Whether ``address`` (an ``ipaddress`` address) is a unicast address of the internet.

    Refused: loopback, private, shared (100.64/10), link-local, unique-local, site-local,
    multicast, reserved, unspecified and documentation ranges, IPv4-mapped IPv6 and Teredo; 6to4
    and NAT64 addresses are judged by the IPv4 address inside them.
    """
    if address.version == 6:
        if address.ipv4_mapped or address.teredo or address in LOCAL_NAT64:
            return False
        if address.sixtofour:
            return is_public(address.sixtofour)
        if address in NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.is_site_local:
            return False
    return address.is_global and not (
        address.is_loopback or address.is_private or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified
    )  # fmt: skip


def address_of(sockaddr):
    """The ``ipaddress`` address of a getaddrinfo ``sockaddr``."""
    return ipaddress.ip_address(sockaddr[0])


def resolve(host, port, timeout):
    """``getaddrinfo`` for a TCP connection to ``host``, waited for at most ``timeout`` seconds.

    The lookup cannot be interrupted: one that outlasts ``timeout`` runs on in its thread to the
    resolver's own limit, and its answer is dropped.

    :raise TimeoutError: no answer within ``timeout``.
    :raise OSError: the name does not resolve (``socket.gaierror``).
    """
    answer = {}
    done = threading.Event()

    def look_up():
        try:
            answer["found"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except UnicodeError as error:  # a label the IDNA codec refuses (empty, over 63 bytes)
            answer["error"] = socket.gaierror(socket.EAI_NONAME, str(error))
        except OSError as error:
            answer["error"] = error
        finally:
            done.set()

    threading.Thread(target=look_up, name="push-dns", daemon=True).start()
    if not done.wait(max(timeout, 0)):
        raise TimeoutError("the DNS lookup of a push service took too long")
    if "error" in answer:
        raise answer["error"]
    return answer["found"]


def address_problem(endpoint, timeout=SUBSCRIBE_LOOKUP_SECONDS):
    """Why the host of ``endpoint`` (a well-formed URL) is no place to send to, or None."""
    parts = urlsplit(endpoint)
    try:
        found = resolve(parts.hostname, parts.port or 443, timeout)
    except (OSError, TimeoutError):
        return "must name a host that resolves"
    if not all(is_public(address_of(sockaddr)) for *_, sockaddr in found):
        return "must lead to public internet addresses only"
    return None
