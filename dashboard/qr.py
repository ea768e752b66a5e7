"""The QR code of a view's link, for phones in the room: an SVG drawn by segno (ISO/IEC 18004).

Error correction M (15 % of the code may be lost: a projector's glare, a keystoned image) with the quiet
zone of four modules the standard asks for. Only links back to this Atlas are drawn: the route is not a
QR generator for any text.
"""

from __future__ import annotations

import io
from functools import lru_cache
from urllib.parse import urlsplit

import segno

MAX_LINK = 2_000  # the longest state URL (dashboard.state.MAX_QUERY_LENGTH) plus an origin
ERROR_CORRECTION = "m"


class NotOurLink(ValueError):
    """The link is empty, too long, not http(s), or points elsewhere than this Atlas."""


def checked_link(link: str | None, host: str) -> str:
    """Return `link` if it is an http(s) link to `host` (this server, as the request names it)."""
    if not link or len(link.encode("utf-8")) > MAX_LINK:  # bytes: what a QR code holds
        raise NotOurLink(f"a link of 1 to {MAX_LINK} bytes is needed")
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        raise NotOurLink(f"only links to this Atlas ({host}) are drawn")
    return link


@lru_cache(maxsize=64)
def qr_svg(link: str, title: str = "") -> bytes:
    """Return the QR code of `link` as an SVG that scales to any size (viewBox, no fixed width)."""
    code = segno.make(link, error=ERROR_CORRECTION, micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(
        out, kind="svg", scale=1, border=4, dark="#000", light="#fff", xmldecl=False, omitsize=True,
        title=title or None, svgclass="atlas-qr-code", lineclass=None,
    )  # fmt: skip
    # Square modules without anti-aliased seams between them, at any size the page gives the image.
    return out.getvalue().replace(b"<svg ", b'<svg shape-rendering="crispEdges" ', 1)
