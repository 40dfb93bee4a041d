"""The navigation line of an authority's pages: its links follow the pages that exist, and nothing else
of a page changes when it is brought up to date."""

from __future__ import annotations

from bs4 import BeautifulSoup

from analysis.present import navigation

# Markup html.parser would write back differently (a void tag, a blank line in a div): it must stay as it is.
_BEFORE = '<!DOCTYPE html>\n\n<html lang="en"><head><meta charset="utf-8"></head><body><header>'
_AFTER = '</header><div class="x">\n\n<p>Line<br>break &amp; more</p></div></body></html>\n'


def _page(current: str | None) -> str:
    return _BEFORE + navigation.chapter_nav_html(current) + _AFTER


def test_a_missing_chapter_is_shown_unlinked_and_the_rest_of_the_page_is_kept(tmp_path):
    (tmp_path / navigation.SUMMARY_NAME).write_text("summary", encoding="utf-8")
    (tmp_path / "01_prevalence.html").write_text("chapter 1", encoding="utf-8")
    after = navigation.sync_chapter_nav(_page("01_prevalence"), tmp_path)
    assert after.startswith(_BEFORE) and after.endswith(_AFTER)
    nav = BeautifulSoup(after, "html.parser").find(id="chapter-nav")
    assert {a["href"] for a in nav.find_all("a")} == {navigation.SUMMARY_NAME}
    unpublished = [span.get_text() for span in nav.find_all("span", class_="nav-unpublished")]
    titles = [chapter["title"] for chapter in navigation.chapters()]
    assert unpublished[:3] == [f"{title} (not published)" for title in titles[1:]]
    assert navigation.sync_chapter_nav(after, tmp_path) == after  # already right: unchanged


def test_a_chapter_published_later_becomes_a_link_again(tmp_path):
    unlinked = navigation.sync_chapter_nav(_page(None), tmp_path)
    assert BeautifulSoup(unlinked, "html.parser").find(id="chapter-nav").find("a") is None
    for chapter in navigation.chapters():
        (tmp_path / chapter["file"]).write_text("chapter", encoding="utf-8")
    linked = navigation.sync_chapter_nav(unlinked, tmp_path)
    hrefs = [a["href"] for a in BeautifulSoup(linked, "html.parser").find(id="chapter-nav").find_all("a")]
    assert set(hrefs) == {chapter["file"] for chapter in navigation.chapters()}
    assert linked.startswith(_BEFORE) and linked.endswith(_AFTER)


def test_a_page_without_the_line_is_returned_as_it_is(tmp_path):
    text = _BEFORE + "<nav class='contents'><ol></ol></nav>" + _AFTER
    assert navigation.sync_chapter_nav(text, tmp_path) == text
