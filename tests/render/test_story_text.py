"""A briefing's story read back from its HTML, for the archive's record of builds."""

from __future__ import annotations

from reportgen.render.story_text import story_text


def test_only_the_headline_dateline_and_paragraphs_are_taken():
    html = """<!doctype html><html><head><title>T</title></head><body>
<header class="running">Running head</header>
<article>
<p class="kicker">U.S. trade in goods · Mexico</p>
<h1>Deficit &amp; more</h1>
<p class="dateline">Oct. 1, 2026 · U.S. Census Bureau data</p>
<p class="lede">The deficit <a href="#x">widened</a>
  to $14.5 billion.</p>
<p>Imports rose.<br>Exports fell.</p>
<aside class="key-figures"><p>Exports $24.5 billion</p></aside>
<p class="editors-note">Not the story.</p>
<figure><img src="data:," alt="a chart"><figcaption>Chart</figcaption></figure>
<p>A later paragraph.</p>
</article>
<p>Outside the article.</p>
</body></html>"""
    assert story_text(html).splitlines() == [
        "Deficit & more", "Oct. 1, 2026 · U.S. Census Bureau data", "The deficit widened to $14.5 billion.",
        "Imports rose. Exports fell.", "A later paragraph.",
    ]
