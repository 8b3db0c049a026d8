"""The HTTP a push goes out on: to checked addresses only, within one deadline, unlogged.

urllib3 resolves a host name and connects to whatever the DNS answers. Here the connection does
both itself, judging every address the name resolves to before trying one (addresses.py), so the
address checked is the address connected to: a name that resolved to a public address when the
patient subscribed and resolves to 127.0.0.1 when the scheduler sends reaches nothing. The host
name still goes into SNI, the certificate check and the Host header.

A socket timeout bounds each read, not a send: a server that trickles a byte a second held one
send for 73 s. Each send therefore has a deadline: the DNS lookup is waited for until then, and
a watchdog shuts the socket down when it comes, which ends whatever read or handshake is under
way. The push service's body is never read, so one streamed without end holds nothing.
"""

import logging
import re
import socket
import threading
import time
from functools import partial

import requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .addresses import address_of, is_public, resolve

#: The thread sending a push: urllib3's records made in it are stripped (see Unlogged).
_sending = threading.local()
#: A %-style placeholder of a log message (``%s``, ``%(url)s``, ``%5.2f``...).
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z]")


class ForbiddenAddress(OSError):
    """The push service's host resolves to an address that is not public."""


class Guard:
    """One send's rules: its deadline and whether private addresses may be reached.

    Used as a context manager around the request: the watchdog runs inside it.
    """

    def __init__(self, seconds, allow_private):
        self.allow_private = allow_private
        self.expired = self.forbidden = False
        self._expires_at = time.monotonic() + seconds
        self._lock = threading.Lock()
        self._watched = []
        self._over = False
        self._watchdog = threading.Timer(seconds, self._expire)
        self._watchdog.daemon = True

    def __enter__(self):
        _sending.active = True
        self._watchdog.start()
        return self

    def __exit__(self, *exc_info):
        self._watchdog.cancel()
        with self._lock:
            self._over = True
            for sock in self._watched:
                sock.close()
        _sending.active = False

    def remaining(self):
        return max(0.0, self._expires_at - time.monotonic())

    def _expire(self):
        with self._lock:
            if self._over:
                return
            self.expired = True
            for sock in self._watched:
                _shut(sock)

    def _watch(self, sock):
        # Through a duplicate: wrapping in TLS detaches the original socket object from its file
        # descriptor, while a shutdown through any duplicate ends the one connection they share.
        with self._lock:
            self._watched.append(sock.dup())
            if self.expired:
                _shut(self._watched[-1])

    def connect(self, host, port, socket_options):
        """A TCP socket connected to an address of ``host``, every one of them checked first."""
        try:
            found = resolve(host, port, self.remaining())
        except TimeoutError:
            self.expired = True
            raise
        if not self.allow_private and not all(is_public(address_of(f[4])) for f in found):
            self.forbidden = True
            raise ForbiddenAddress("the push service's address is not a public one")
        error = None
        for family, kind, protocol, _, sockaddr in found:
            if not self.remaining():
                self.expired = True
                raise TimeoutError("no time left to connect")
            sock = socket.socket(family, kind, protocol)
            try:
                for option in socket_options or ():
                    sock.setsockopt(*option)
                self._watch(sock)
                sock.settimeout(self.remaining())
                sock.connect(sockaddr)
                return sock
            except OSError as failure:
                sock.close()
                error = failure
        raise error or OSError("the push service's host has no address")


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # not connected yet, or closed already
        pass


class _Guarded:
    """A urllib3 connection that reaches its host only through ``guard.connect``."""

    def __init__(self, *args, guard, **kwargs):
        self.guard = guard
        super().__init__(*args, **kwargs)

    def _new_conn(self):
        try:
            return self.guard.connect(self._dns_host, self.port, self.socket_options)
        except TimeoutError as error:
            raise ConnectTimeoutError(self, "the push service did not answer in time") from error
        except OSError as error:
            raise NewConnectionError(self, "could not connect to the push service") from error


class GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter, with pools whose connections go through ``guard``."""

    def __init__(self, guard):
        self.guard = guard  # before super().__init__, which calls init_poolmanager
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": partial(GuardedHTTPConnectionPool, guard=self.guard),
            "https": partial(GuardedHTTPSConnectionPool, guard=self.guard),
        }

    def send(self, request, **kwargs):
        response = super().send(request, **{**kwargs, "stream": True})
        # The status is the whole answer (RFC 8030 §5): the body is dropped unread.
        response._content = b""
        response.close()
        return response


def guarded_session(guard):
    """A requests session whose every connection goes through ``guard``, and never redirects."""
    session = requests.Session()
    # A push service answers; it does not redirect. Following one would POST a patient's
    # message to wherever the Location header points.
    session.max_redirects = 0
    # Neither a proxy from the environment (the address checked would be the proxy's, and the
    # proxy would resolve the name) nor credentials from ~/.netrc.
    session.trust_env = False
    for scheme in ("https://", "http://"):
        session.mount(scheme, GuardedAdapter(guard))
    return session


class Unlogged(logging.Filter):
    """urllib3's records made while a push is sent, stripped of anything that may hold its URL.

    The endpoint is the subscription's secret (a capability URL), and urllib3 puts the request
    line in a DEBUG record and the whole URL in its warning about malformed headers. Below
    WARNING a record is dropped; a warning keeps its wording with every value withheld.
    """

    def filter(self, record):
        if not getattr(_sending, "active", False):
            return True
        if record.levelno < logging.WARNING:
            return False
        record.msg = PLACEHOLDER.sub("[withheld]", str(record.msg))
        record.args = None
        record.exc_info = record.exc_text = record.stack_info = None
        return True


def _quiet_urllib3():
    # A logger's filters see only the records made on it, not its children's: each module's.
    unlogged = Unlogged()
    for name in list(logging.root.manager.loggerDict):
        if name == "urllib3" or name.startswith("urllib3."):
            logging.getLogger(name).addFilter(unlogged)


_quiet_urllib3()
