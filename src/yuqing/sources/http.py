"""The one HTTP client: address guard, robots.txt, per-host pacing, timeouts, size and redirect caps.

Every fetch of every source goes through `Fetcher.get`. Tests pass a real server on 127.0.0.1
(allowed through `fetch_allow_hosts`); unit tests may pass an httpx transport.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ..settings import Settings


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


def _allowed(ip: ipaddress._BaseAddress, host: str, allow: list[str]) -> bool:
    for entry in allow:
        if entry == host:
            return True
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_url(url: str, allow: list[str]) -> None:
    """Refuse URLs that are not http(s) or that resolve to loopback, link-local, private or reserved
    addresses, unless their host or network is in `allow`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad-url", url, "only http and https URLs are fetched", permanent=True)
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError("dns-error", url, str(exc)) from None
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        unsafe = (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_reserved
                  or ip.is_multicast or ip.is_unspecified)
        if unsafe and not _allowed(ip, host, allow):
            raise FetchError("blocked-address", url,
                             f"{host} resolves to {ip}, a non-public address; an admin can allow it "
                             f"with the fetch_allow_hosts setting", permanent=True)


@dataclass
class Fetcher:
    """Fetches pages politely and safely; one per process, shared by all sources."""

    settings: Settings
    transport: httpx.BaseTransport | None = None
    robots_ttl: float = 86400.0   # a long-running collector re-reads robots.txt daily
    _robots: dict[str, tuple[urllib.robotparser.RobotFileParser, float]] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        s = self.settings
        self.client = httpx.Client(
            timeout=httpx.Timeout(s.fetch_timeout), follow_redirects=False, transport=self.transport,
            headers={"User-Agent": s.fetch_user_agent, "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- politeness ----------------------------------------------------------------------
    def _pace(self, host: str, delay: float) -> None:
        with self._lock:
            wait = self._last.get(host, 0.0) + delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)  # deliberate pacing of our own requests, not a test wait
            self._last[host] = time.monotonic()

    def allowed_by_robots(self, url: str) -> bool:
        """Return whether robots.txt of the URL's host lets our user agent fetch it."""
        parts = urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}"
        cached = self._robots.get(base)
        if cached is None or time.monotonic() - cached[1] > self.robots_ttl:
            parser = urllib.robotparser.RobotFileParser(base + "/robots.txt")
            try:
                resp = self._get(base + "/robots.txt", {}, 500_000, robots=False)
                parser.parse(resp.content.decode("utf-8", "replace").splitlines())
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
        """Fetch a URL (guarded, paced, capped); return the final response or raise FetchError."""
        if self.settings.fetch_respect_robots and not self.allowed_by_robots(url):
            raise FetchError("robots-disallowed", url, "robots.txt disallows it", permanent=True)
        return self._get(url, headers or {}, self.settings.fetch_max_bytes, robots=True)

    def _get(self, url: str, headers: dict[str, str], max_bytes: int, robots: bool) -> Response:
        s = self.settings
        seen = 0
        while True:
            check_url(url, s.fetch_allow_hosts)
            host = urlsplit(url).netloc
            delay = s.fetch_host_delay
            cached = self._robots.get(f"{urlsplit(url).scheme}://{host}") if robots else None
            crawl_delay = cached[0].crawl_delay(s.fetch_user_agent) if cached else None
            if crawl_delay:
                delay = max(delay, float(crawl_delay))
            self._pace(host, delay)
            resp = self._request(url, headers, max_bytes)
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

    def _request(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        deadline = time.monotonic() + 3 * self.settings.fetch_timeout  # a trickling server cannot hold us
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError("too-large", url, f"{declared} bytes declared, cap {max_bytes}", permanent=True)
                chunks, size = [], 0
                for chunk in r.iter_bytes(65536):
                    size += len(chunk)
                    if size > max_bytes:
                        raise FetchError("too-large", url, f"body over the cap of {max_bytes} bytes", permanent=True)
                    if time.monotonic() > deadline:
                        raise FetchError("timeout", url, "body too slow")
                    chunks.append(chunk)
                return Response(str(r.url), r.status_code, r.headers, b"".join(chunks))
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", url, type(exc).__name__) from None
        except httpx.HTTPError as exc:
            raise FetchError("network-error", url, f"{type(exc).__name__}: {exc}") from None
