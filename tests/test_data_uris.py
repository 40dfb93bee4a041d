"""Embedded files' base64 set aside while a page is rewritten, and put back as it was."""

from __future__ import annotations

import base64

import pytest

from analysis.present import data_uris

# Fixture: base64 of a few kB of bytes, long enough to be set aside.
LONG = base64.b64encode(bytes(range(256)) * 12).decode("ascii")


def test_every_long_data_uri_is_replaced_by_a_token_and_put_back_as_it_was():
    page = (
        f'<img alt="a" src="data:image/png;base64,{LONG}">'
        f"<img alt='b' src='data:image/svg+xml;charset=utf-8;base64,{LONG[::-1]}'>"
        '<img alt="short" src="data:image/png;base64,iVBORw0KGgo=">'
        f"<p>base64 in text stays: {LONG}</p>"
    )
    text, kept = data_uris.set_aside(page)
    assert len(kept.data) == 2 and kept.data == (LONG, LONG[::-1])
    assert text.count(LONG) == 1 and LONG[::-1] not in text  # only the paragraph's copy is left
    assert 'src="data:image/png;base64,' in text and "src='data:image/svg+xml;charset=utf-8;base64," in text
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in text  # too short to set aside
    assert len(text) < len(page) - 2 * len(LONG) + 200
    assert data_uris.put_back(text, kept) == page


def test_a_token_copied_or_removed_in_between_gives_the_data_twice_or_not_at_all():
    text, kept = data_uris.set_aside(f'<img src="data:image/png;base64,{LONG}">')
    assert data_uris.put_back(text + text, kept) == f'<img src="data:image/png;base64,{LONG}">' * 2
    assert data_uris.put_back("<p>removed</p>", kept) == "<p>removed</p>"


def test_tokens_never_take_the_pages_own_text_for_one(monkeypatch):
    stems = iter(["0123456789abcdef", "fedcba9876543210"])
    monkeypatch.setattr(data_uris.secrets, "token_hex", lambda n: next(stems))
    page = f'<p>analysis-data-0123456789abcdef-0z</p><img src="data:image/png;base64,{LONG}">'
    text, kept = data_uris.set_aside(page)
    assert kept.stem == "analysis-data-fedcba9876543210-"  # the first stem is in the page already
    assert data_uris.put_back(text, kept) == page


def test_a_page_without_base64_is_returned_as_it_is_and_bytes_are_refused():
    assert data_uris.set_aside("<p>no images</p>") == ("<p>no images</p>", data_uris.NOTHING)
    assert data_uris.put_back("<p>x</p>", data_uris.NOTHING) == "<p>x</p>"
    with pytest.raises(TypeError, match="as a string, got bytes"):
        data_uris.set_aside(b"<p>x</p>")
