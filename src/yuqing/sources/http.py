"""The one HTTP client: address guard, robots.txt, per-host pacing, timeouts, size and redirect caps.

Every fetch of every source goes through `Fetcher.get`. Tests pass a real server on 127.0.0.1
(allowed through `fetch_allow_hosts`); unit tests may pass an httpx transport.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ..settings import Settings, SettingsError


class FetchError(Exception):
    """A fetch that failed; `permanent` ones are quarantined, the others retried next run."""

    def __init__(self, reason: str, url: str, detail: str = "", permanent: bool = False):
        super().__init__(f"{reason}: {url} {detail}".strip())
        self.reason, self.url, self.detail, self.permanent = reason, url, detail, permanent


@dataclass
class Response:
    url: str                      # after redirects
    status: int
    headers: httpx.Headers
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


# Every IANA special-purpose range (RFC 6890 and its updates: iana.org/assignments/iana-ipv4-
# special-registry, iana-ipv6-special-registry), and multicast. Python's `is_global` misses some
# (100.64.0.0/10 carrier-grade NAT, where Alibaba Cloud's metadata service 100.100.100.200 lives;
# multicast; 6to4 and NAT64, which reach IPv4 addresses through an IPv6 one), so the table is ours.
BLOCKED_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24", "192.88.99.0/24",
    "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
    "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
    "::/128", "::1/128", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48",
    "100::/64", "2001::/23", "2001:db8::/32", "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Return True when an address is an ordinary public one (none of the special ranges)."""
    return ip.is_global and not ip.is_multicast and not any(ip in net for net in BLOCKED_NETWORKS
                                                               if net.version == ip.version)


def _plain(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """An IPv4 address written as IPv6 (::ffff:127.0.0.1) is that IPv4 address."""
    return ip.ipv4_mapped if getattr(ip, "ipv4_mapped", None) else ip


@dataclass(frozen=True)
class Allowance:
    """One fetch_allow_hosts entry: a host name or network, and the port(s) it is allowed on."""

    host: str | None
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    port: int | None        # None: every port ("host:*"); 0: the scheme's own (80 or 443)

    @classmethod
    def parse(cls, entry: str) -> "Allowance":
        """"host", "host:8080", "host:*", "10.0.0.0/8:8080", "[fd00::1]:8080"; no port means the
        scheme's own (80, 443)."""
        entry = entry.strip()
        if entry.startswith("["):
            name, _, rest = entry[1:].partition("]")
            given = rest[1:] if rest.startswith(":") else None
        elif entry.count(":") == 1:
            name, given = entry.split(":")
        else:                                   # a host, an IPv4 address or network, a bare IPv6 one
            name, given = entry, None
        if not name or (given is not None and given != "*" and not given.isdigit()):
            raise ValueError(f"fetch_allow_hosts entry {entry!r}: use host, host:port, host:* or CIDR[:port]")
        port = None if given == "*" else int(given) if given else 0
        try:
            return cls(None, ipaddress.ip_network(name, strict=False), port)
        except ValueError:
            return cls(name.lower().rstrip("."), None, port)

    def admits(self, ip, host: str, port: int, default_port: int) -> bool:
        if self.port is not None and port != (self.port or default_port):
            return False
        if self.network is not None:
            return ip.version == self.network.version and ip in self.network
        return self.host == host.lower().rstrip(".")


def allowances(entries: list[str]) -> list[Allowance]:
    """Return the parsed fetch_allow_hosts entries (a bad one is a settings error, said plainly)."""
    out = []
    for entry in entries:
        try:
            out.append(Allowance.parse(entry))
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    return out


def _allowed(ip, host: str, port: int, default_port: int, allow: list[Allowance]) -> bool:
    return any(a.admits(ip, host, port, default_port) for a in allow)


def check_address(ip_text: str, url: str, host: str, port: int, default_port: int, allow: list[Allowance]) -> None:
    """Refuse an address that is not public unless allowed, host and port, by `allow`."""
    ip = _plain(ipaddress.ip_address(ip_text.split("%", 1)[0]))
    if not is_public(ip) and not _allowed(ip, host, port, default_port, allow):
        raise FetchError("blocked-address", url,
                         f"{host}:{port} resolves to {ip}, a non-public address; an admin can allow it "
                         f"with the fetch_allow_hosts setting (host:port)", permanent=True)


def check_url(url: str, allow: list[str] | list[Allowance]) -> None:
    """Refuse URLs that are not http(s) or that resolve to an address that is not public (loopback,
    private, carrier-grade NAT, link-local, multicast, documentation, 6to4, NAT64…), unless
    their host or network, with that port, is in `allow`."""
    allow = [a if isinstance(a, Allowance) else Allowance.parse(a) for a in allow]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchError("bad-url", url, "not a valid URL", permanent=True) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad-url", url, "only http and https URLs are fetched", permanent=True)
    host, default_port = parts.hostname, 443 if parts.scheme == "https" else 80
    port = port or default_port
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError("dns-error", url, str(exc)) from None
    for info in infos:
        check_address(info[4][0], url, host, port, default_port, allow)


class _Watch:
    """One request's guard, fed by httpx's `trace` extension: it checks the address the socket
    really connected to (a name that resolved to a public address for the check and to a private
    one for the connection — DNS rebinding — is caught here), and shuts the socket down at the
    deadline, so a server that trickles its headers or body byte by byte cannot hold a fetch past
    it; `abort` does the same at once (SIGTERM)."""

    def __init__(self, url: str, deadline: float, allow: list[Allowance], check_peer: bool):
        parts = urlsplit(url)
        self.url, self.deadline, self.allow, self.check_peer = url, deadline, allow, check_peer
        self.host, self.default_port = parts.hostname or "", 443 if parts.scheme == "https" else 80
        self.port = parts.port or self.default_port
        self.sock: socket.socket | None = None
        self.timer: threading.Timer | None = None
        self.expired = self.aborted = False

    def trace(self, name: str, info: dict) -> None:
        if name != "connection.connect_tcp.complete":
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        if self.check_peer:
            try:
                check_address(sock.getpeername()[0], self.url, self.host, self.port, self.default_port, self.allow)
            except FetchError:
                stream.close()
                raise
        self.sock = sock
        self.timer = threading.Timer(max(self.deadline - time.monotonic(), 0.0), self._cut, ("expired",))
        self.timer.daemon = True
        self.timer.start()

    def _cut(self, why: str) -> None:
        setattr(self, why, True)
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)   # wakes a blocked recv at once, in any thread
            except OSError:
                pass

    def abort(self) -> None:
        self._cut("aborted")

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


@dataclass
class Fetcher:
    """Fetches pages politely and safely; one per process, shared by all sources (and threads)."""

    settings: Settings
    transport: httpx.BaseTransport | None = None
    robots_ttl: float = 86400.0   # a long-running collector re-reads robots.txt daily
    _robots: dict[str, tuple[urllib.robotparser.RobotFileParser, float]] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _active: set = field(default_factory=set)
    stopping: bool = False

    def __post_init__(self) -> None:
        s = self.settings
        self.allow = allowances(s.fetch_allow_hosts)
        # No keep-alive: every request opens its own connection, so its guard sees the socket
        # (the address it reached, and the deadline's handle). Polls are minutes apart anyway.
        self.client = httpx.Client(
            timeout=httpx.Timeout(s.fetch_timeout), follow_redirects=False, transport=self.transport,
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": s.fetch_user_agent, "Accept-Encoding": "gzip, deflate"},
        )
        # Through a proxy the socket reaches the proxy, not the host: then only the name's
        # addresses are checked (check_url), as before every request.
        self._check_peer = self.transport is None and not urllib.request.getproxies()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def abort_all(self) -> None:
        """Cut every fetch in flight and refuse new ones (`yuqing run` stopping)."""
        self.stopping = True
        for watch in list(self._active):
            watch.abort()

    # --- politeness ----------------------------------------------------------------------
    def _pace(self, host: str, delay: float) -> None:
        # the slot is taken under the lock and waited for outside it: one host's wait never
        # holds up the fetches of another host running in other threads
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._last.get(host, 0.0) + delay)
            self._last[host] = slot
        if slot > now:
            time.sleep(slot - now)  # deliberate pacing of our own requests, not a test wait

    def allowed_by_robots(self, url: str) -> bool:
        """Return whether robots.txt of the URL's host lets our user agent fetch it."""
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(base)
        if cached is None or time.monotonic() - cached[1] > self.robots_ttl:
            parser = urllib.robotparser.RobotFileParser(base + "/robots.txt")
            try:
                resp = self._get(base + "/robots.txt", {}, 500_000, robots=False)
                parser.parse(resp.content.decode("utf-8", "replace").splitlines()[:10_000])
            except FetchError as exc:
                if not exc.reason.startswith("http-4"):
                    # unreachable robots.txt: wait (RFC 9309), unless the address itself is refused
                    raise FetchError(exc.reason if exc.permanent else "robots-unreachable", url,
                                     exc.detail, permanent=exc.permanent) from None
                parser.allow_all = True   # RFC 9309: an unavailable (4xx) robots.txt allows all
            self._robots[base] = (parser, time.monotonic())
        return self._robots[base][0].can_fetch(self.settings.fetch_user_agent, url)

    # --- fetching ------------------------------------------------------------------------
    def get(self, url: str, headers: dict[str, str] | None = None) -> Response:
        """Fetch a URL (guarded, paced, capped, within `fetch_deadline` in all); return the final
        response or raise FetchError."""
        if self.settings.fetch_respect_robots and not self.allowed_by_robots(url):
            raise FetchError("robots-disallowed", url, "robots.txt disallows it", permanent=True)
        return self._get(url, headers or {}, self.settings.fetch_max_bytes, robots=True)

    def _get(self, url: str, headers: dict[str, str], max_bytes: int, robots: bool) -> Response:
        s = self.settings
        seen = 0
        deadline = time.monotonic() + s.fetch_deadline      # for the redirects too
        while True:
            if self.stopping:
                raise FetchError("stopped", url, "the collector is stopping")
            check_url(url, self.allow)
            host = urlsplit(url).netloc
            delay = s.fetch_host_delay
            cached = self._robots.get(f"{urlsplit(url).scheme}://{host}") if robots else None
            crawl_delay = cached[0].crawl_delay(s.fetch_user_agent) if cached else None
            if crawl_delay:
                delay = max(delay, min(float(crawl_delay), 60.0))   # a hostile Crawl-delay: 1e9 is capped
            self._pace(host, delay)
            resp = self._request(url, headers, max_bytes, deadline)
            if resp.status in (301, 302, 303, 307, 308) and "location" in resp.headers:
                seen += 1
                if seen > s.fetch_max_redirects:
                    raise FetchError("too-many-redirects", url, f"more than {s.fetch_max_redirects}", permanent=True)
                url = urljoin(url, resp.headers["location"])
                continue
            if resp.status == 304:
                return resp
            if resp.status >= 400:
                permanent = resp.status in (400, 401, 403, 404, 410, 451)
                raise FetchError(f"http-{resp.status}", url, permanent=permanent)
            return resp

    def _request(self, url: str, headers: dict[str, str], max_bytes: int, deadline: float) -> Response:
        watch = _Watch(url, deadline, self.allow, self._check_peer)
        self._active.add(watch)
        try:
            with self.client.stream("GET", url, headers=headers, extensions={"trace": watch.trace}) as r:
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError("too-large", url, f"{declared} bytes declared, cap {max_bytes}", permanent=True)
                chunks, size = [], 0
                for chunk in r.iter_bytes(65536):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError("too-large", url, f"body over the cap of {max_bytes} bytes", permanent=True)
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", url, f"over the deadline of {self.settings.fetch_deadline:g} s")
                    chunks.append(chunk)
                return Response(str(r.url), r.status_code, r.headers, b"".join(chunks))
        except (httpx.HTTPError, httpx.StreamError) as exc:
            if watch.aborted:
                raise FetchError("stopped", url, "the collector is stopping") from None
            if watch.expired or time.monotonic() > deadline:
                raise FetchError("timeout", url, f"over the deadline of {self.settings.fetch_deadline:g} s") from None
            if isinstance(exc, httpx.TimeoutException):
                raise FetchError("timeout", url, type(exc).__name__) from None
            raise FetchError("network-error", url, f"{type(exc).__name__}: {exc}") from None
        except (ValueError, UnicodeError) as exc:   # a header or URL httpx cannot even form
            raise FetchError("bad-url", url, f"{type(exc).__name__}: {exc}", permanent=True) from None
        finally:
            watch.close()
            self._active.discard(watch)
