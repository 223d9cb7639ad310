"""Identity: canonical public URLs and the page_id derived from them (DESIGN.md, "Identity")."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from selvhjelp_data.text import sha256_hex

# Query parameters that say where a visitor came from, never which page it is
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi)$", re.I)
_INDEX_FILE = re.compile(r"/(?:index|default)\.(?:html?|php|aspx?)$", re.I)


def canonical_url(url: str) -> str:
    """Fragment and tracking parameters (utm_*, fbclid ...) dropped, scheme and host lower-cased, the
    path as served."""
    parts = urlsplit(url.strip())
    query = "&".join(p for p in parts.query.split("&") if p and not _TRACKING.match(p.split("=", 1)[0]))
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query, ""))


def spelling_key(url: str) -> str:
    """What every spelling of one page's URL shares: the site's servers (IIS, then WordPress) take paths
    in any case, with or without a trailing slash or an index file name, over http or https. The crawl
    asks for a page once under one spelling, the first the record knew."""
    parts = urlsplit(canonical_url(url))
    path = _INDEX_FILE.sub("/", parts.path).lower().rstrip("/") or "/"
    return urlunsplit(("", parts.netloc, path, parts.query, ""))


def page_id(url: str) -> str:
    """First 16 hex digits of SHA-256 of the canonical URL: stable across runs."""
    return sha256_hex(canonical_url(url))[:16]


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def with_origin(url: str, new_origin: str) -> str:
    parts = urlsplit(url)
    return new_origin.rstrip("/") + urlunsplit(("", "", parts.path or "/", parts.query, ""))


class UrlMap:
    """Maps between the public site and the server a crawl really talks to.

    `mirror` is the origin fetched from (the snapshot server, a staging copy), or None for the live
    site. With `public_names` the records name pages by their public URLs (the bundled snapshot);
    without, a mirror's pages keep the mirror's URLs (--start-url of another copy).
    """

    def __init__(self, own_hosts, legacy_origin, wordpress_origin, legacy_path_prefix, mirror=None, public_names=True):
        self.own_hosts = frozenset(h.lower() for h in own_hosts)
        self.legacy_origin, self.wordpress_origin = legacy_origin, wordpress_origin
        self.legacy_path_prefix = legacy_path_prefix
        self.mirror = mirror.rstrip("/") if mirror else None
        self.public_names = public_names
        self.mirror_host = host(self.mirror) if self.mirror else None

    @classmethod
    def from_settings(cls, settings, mirror: str | None = None, public_names: bool = True) -> UrlMap:
        return cls(
            settings.own_hosts,
            settings.legacy_origin,
            settings.wordpress_origin,
            settings.legacy_path_prefix,
            mirror=mirror,
            public_names=public_names,
        )

    @property
    def keeps_mirror_names(self) -> bool:
        return self.mirror is not None and not self.public_names

    def recorded_url_pattern(self) -> str:
        """The regex every recorded page URL matches: the public site's, or a mirror's own origin."""
        if self.keeps_mirror_names:
            return f"^{re.escape(self.mirror)}/"
        hosts = "|".join(re.escape(h) for h in sorted(self.own_hosts))
        return f"^https?://({hosts})/"

    def is_own(self, url: str) -> bool:
        h = host(url)
        return h in self.own_hosts or (self.mirror_host is not None and origin(url) == self.mirror)

    def to_fetch(self, url: str) -> str:
        """The URL to request: own-host URLs go to the mirror when there is one."""
        if self.mirror and host(url) in self.own_hosts:
            return with_origin(url, self.mirror)
        return url

    def to_public(self, url: str) -> str:
        """The URL to record: a mirror's URL under the site's public origin for its path."""
        if self.mirror and self.public_names and origin(url) == self.mirror:
            path = urlsplit(url).path
            public = self.legacy_origin if path.startswith(self.legacy_path_prefix) else self.wordpress_origin
            return canonical_url(with_origin(url, public))
        if self.mirror and not self.public_names and host(url) in self.own_hosts:
            return canonical_url(with_origin(url, self.mirror))  # a mirror's pages all go by the mirror's name
        return canonical_url(url)


class Spellings:
    """One spelling per page: the first met of all that share a spelling key (the record's own first,
    when seeded with the URLs it knows)."""

    def __init__(self, known=()):
        self._by_key: dict[str, str] = {}
        for url in known:
            self.of(url)

    def of(self, url: str) -> str:
        return self._by_key.setdefault(spelling_key(url), url)
