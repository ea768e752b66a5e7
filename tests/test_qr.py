"""The QR code's link check (dashboard/qr.py): links to this Atlas only, and no longer than a code holds."""

from __future__ import annotations

import pytest

from dashboard.qr import MAX_LINK, NotOurLink, checked_link, qr_svg


def test_links_to_this_atlas_are_drawn_at_any_length_a_code_holds():
    host = "atlas.example:8050"
    link = f"http://{host}/?" + "a" * (MAX_LINK - len(f"http://{host}/?"))
    assert checked_link(link, host) == link
    assert qr_svg(link).startswith(b'<svg shape-rendering="crispEdges"')
    assert checked_link("https://ATLAS.example:8050/?lang=de", host)  # a host name has no case


@pytest.mark.parametrize(
    "link",
    [
        "",
        None,
        "https://elsewhere.example/?indicator=x",
        "http://user@atlas.example:8050/",
        "javascript:alert(1)",
        "http://atlas.example:8050/?" + "€" * 700,  # 2,100 bytes: more than a code of this size holds
    ],
)
def test_other_links_are_refused(link):
    with pytest.raises(NotOurLink):
        checked_link(link, "atlas.example:8050")
