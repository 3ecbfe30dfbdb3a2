"""A rendered briefing's story as plain text: headline, dateline and paragraphs, one a line.

Read back from the HTML readers get, not phrased again, so that the editors' "what changed" view
compares exactly the words that were published. Only the story is taken: the `<h1>` and the `<p>`
elements directly inside `<article>` that are the dateline, the lede or plain paragraphs (not the
kicker, the key figures, the charts, the tables or the sources).
"""

from __future__ import annotations

from html.parser import HTMLParser

from reportgen.render.pages import VOID

STORY_CLASSES = {"", "dateline", "lede"}


class _Story(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []  # the elements we are inside
        self.taking = 0  # depth of the story element being read, 0 when none
        self.lines: list[str] = []
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            if tag == "br" and self.taking:
                self.words.append(" ")
            return
        classes = dict(attrs).get("class") or ""
        if (not self.taking and self.open and self.open[-1] == "article"
                and (tag == "h1" or (tag == "p" and classes in STORY_CLASSES))):
            self.taking = len(self.open) + 1
            self.words = []
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            return
        while self.open and self.open.pop() != tag:
            pass
        if self.taking and len(self.open) < self.taking:
            text = " ".join("".join(self.words).split())
            if text:
                self.lines.append(text)
            self.taking = 0

    def handle_data(self, data: str) -> None:
        if self.taking:
            self.words.append(data)


def story_text(html: str) -> str:
    """The story of a briefing's HTML as plain text, one paragraph a line (the headline first)."""
    parser = _Story()
    parser.feed(html)
    parser.close()
    return "\n".join(parser.lines)
