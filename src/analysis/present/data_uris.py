"""The base64 data of a page's embedded files, set aside while the page is rewritten.

A published page embeds every figure as a ``data:`` URI (``<img src="data:image/png;base64,...">``:
chapter 3's page for one authority is 3.7 MB, 3.56 MB of it the images' base64). The path
redaction of a page (:func:`analysis.present.page.redact_paths`, the last step before a page is
written) rewrote the whole page, data included: a run of base64 that happened to spell a folder
it hides (the home folder "/root" followed by "/" is six base64 characters, met by chance about
once in 70 billion positions: a national batch publishes about 630 MB of it, so about once in
110 batches) was rewritten too, and the figure with it.

:func:`set_aside` replaces the base64 of each long ``data:`` URI that stands alone in a quoted
attribute value with a short token (the ``data:<type>;base64,`` prefix stays), and
:func:`put_back` puts the data back where the token is. Tokens are lower-case letters, digits
and hyphens, which neither HTML escaping nor the redaction changes, and carry a random part
checked not to occur in the page, so nothing else in it is taken for one. A token removed
meanwhile takes its data with it; a copied one gets the data twice.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

#: Base64 shorter than this is left in place: the figures' data is kilobytes, and a run that
#: spells a folder's path by chance is all but impossible in a short one.
MIN_LENGTH = 256
#: A ``data:`` URI with base64 data that is a whole attribute value (between its quotes).
_DATA_URI = re.compile(
    r"(?P<quote>[\"'])(?P<prefix>data:[A-Za-z0-9.+/-]+(?:;[A-Za-z0-9.+=-]+)*;base64,)"
    rf"(?P<data>[A-Za-z0-9+/]{{{MIN_LENGTH},}}={{0,2}})(?P=quote)"
)


@dataclass(frozen=True)
class Kept:
    """What :func:`set_aside` took out of a page: the tokens' common prefix and the data of each, in order."""

    stem: str
    data: tuple[str, ...]


NOTHING = Kept("", ())


def set_aside(html: str) -> tuple[str, Kept]:
    """``html`` with the base64 of each long ``data:`` URI replaced by a token, and the data taken out.

    Parameters
    ----------
    html
        A page, or part of one.

    Returns
    -------
    tuple of (str, Kept)
        The page with tokens, and what they stand for (:data:`NOTHING` when there was nothing
        to set aside). Give both to :func:`put_back` after rewriting the page.
    """
    if not isinstance(html, str):
        raise TypeError(f"set_aside needs the page's HTML as a string, got {type(html).__name__}.")
    if "base64," not in html:
        return html, NOTHING
    stem = _unused_stem(html)
    data: list[str] = []

    def token(match: re.Match) -> str:
        data.append(match["data"])
        return f"{match['quote']}{match['prefix']}{stem}{len(data) - 1}z{match['quote']}"

    html = _DATA_URI.sub(token, html)
    return html, Kept(stem, tuple(data)) if data else NOTHING


def put_back(html: str, kept: Kept) -> str:
    """``html`` with every token of ``kept`` (from :func:`set_aside`) replaced by its data."""
    if not kept.data:
        return html
    return re.sub(re.escape(kept.stem) + r"(\d+)z", lambda match: kept.data[int(match[1])], html)


def _unused_stem(html: str) -> str:
    """A token prefix ("analysis-data-<16 hex digits>-") that does not occur in ``html``."""
    while True:
        stem = f"analysis-data-{secrets.token_hex(8)}-"
        if stem not in html:
            return stem
