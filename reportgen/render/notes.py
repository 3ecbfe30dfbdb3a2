"""An editor's note in Markdown: checked against a small safe subset, then written as HTML or plain text.

The subset is paragraphs, *emphasis*, **strong**, http(s) links, lists, block quotes and line breaks
(two spaces or a backslash at the end of a line). A note is refused, not quietly cleaned, when it
holds anything else (raw HTML such as <script>, an image, a javascript: or data: link, a heading,
code): the editor sees what readers would miss. The check reads the note with a full CommonMark
parser that accepts HTML and every link, so that nothing slips past as text; the note is then
written by a parser with only the subset's rules on and HTML off, and nh3 keeps the result to the
subset's tags whatever a future rule might add.
"""

from __future__ import annotations

import functools
import textwrap
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup

from reportgen.errors import InputError

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

MAX_CHARACTERS = 2000
MAX_EDITOR = 80
SCHEMES = frozenset({"http", "https"})
ALLOWED = frozenset({
    "paragraph_open", "paragraph_close", "inline", "text", "softbreak", "hardbreak", "em_open", "em_close",
    "strong_open", "strong_close", "link_open", "link_close", "bullet_list_open", "bullet_list_close",
    "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close", "blockquote_open",
    "blockquote_close",
})
REFUSED = {  # what the editor is told, by the token that has no place in a note
    "image": "images are not allowed in a note (remote or not)",
    "heading_open": "headings are not allowed in a note; use **strong** for emphasis",
    "lheading_open": "headings are not allowed in a note; use **strong** for emphasis",
    "hr": "horizontal rules (---) are not allowed in a note",
    "code_inline": "code (`...`) is not allowed in a note",
    "code_block": "code blocks (lines indented by four spaces) are not allowed in a note",
    "fence": "code blocks (```) are not allowed in a note",
}
TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "br"}
# The subset's rules; "zero" has paragraphs and text only. `entity` and `escape` read &amp; and \*.
RULES = ["blockquote", "list", "reference", "emphasis", "link", "autolink", "newline", "escape", "entity"]


# markdown-it is imported when a note is first read (a tenth of a second that most briefings, without a
# note, need not pay).
@functools.cache
def _reader() -> MarkdownIt:
    """CommonMark with HTML and every link kept as tokens: what the check looks at."""
    from markdown_it import MarkdownIt

    class Reader(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
            return True

    return Reader("commonmark", {"html": True})


@functools.cache
def _writer() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False}).enable(RULES)


def check(markdown: str) -> str:
    """The note's Markdown with line ends made \\n and outer blank space trimmed, if it keeps to the subset;
    else an InputError that says, in one line, what is wrong."""
    text = markdown.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InputError("the note is empty: write a paragraph or a quote")
    if len(text) > MAX_CHARACTERS:
        raise InputError(f"the note has {len(text):,} characters; keep it to {MAX_CHARACTERS:,}")
    if bad := next((ch for ch in text if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs")),
                   None):
        raise InputError(f"the note holds a control character (U+{ord(bad):04X}); remove it")
    for token in _tokens(_reader().parse(text)):
        if token.type in ("html_block", "html_inline"):
            raise InputError(f"the note holds raw HTML ({_quote(token.content)}), which is not allowed: "
                             "write Markdown")
        if token.type in REFUSED:
            raise InputError(REFUSED[token.type])
        if token.type == "link_open" and not _web_link(str(token.attrs.get("href", ""))):
            raise InputError(f"the link to {_quote(str(token.attrs.get('href', '')))} is not allowed: "
                             "only http:// and https:// links are")
        if token.type not in ALLOWED:
            raise InputError(f"the note uses Markdown that a note cannot ({token.type.removesuffix('_open')}): "
                             "keep to paragraphs, emphasis, links, lists and quotes")
    return text


def check_editor(name: str) -> str:
    """The editor's name as readers will see it, trimmed; an InputError if it is empty, too long or odd."""
    name = " ".join(name.split())
    if not name:
        raise InputError("the note needs an editor's name (--editor NAME)")
    if len(name) > MAX_EDITOR:
        raise InputError(f"the editor's name has {len(name)} characters; keep it to {MAX_EDITOR}")
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in name):
        raise InputError("the editor's name holds a control character; remove it")
    return name



def to_html(markdown: str) -> Markup:
    """The note as HTML: paragraphs, lists, quotes, emphasis and links (opened without the referrer)."""
    html = _writer().render(check(markdown))
    return Markup(nh3.clean(html, tags=TAGS, attributes={"a": {"href"}, "ol": {"start"}}, url_schemes=set(SCHEMES),
                            link_rel="noopener noreferrer").strip())


def to_text(markdown: str, width: int = 72) -> str:
    """The note as plain text for the digest, wrapped to `width`: '- ' before list items, '> ' before quoted
    lines, a link's address in brackets after its words."""
    from markdown_it.tree import SyntaxTreeNode

    tree = SyntaxTreeNode(_writer().parse(check(markdown)))
    return "\n\n".join(_blocks(tree.children, width))


def _blocks(nodes: list[SyntaxTreeNode], width: int) -> list[str]:
    out = []
    for node in nodes:
        if node.type == "paragraph":
            lines = _inline(node.children[0]).split("\n") if node.children else []
            out.append("\n".join(textwrap.fill(line, max(width, 20), break_long_words=False, break_on_hyphens=False)
                                 for line in lines))
        elif node.type in ("bullet_list", "ordered_list"):
            start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 1
            items = []
            for n, item in enumerate(node.children):
                marker = f"{start + n}. " if node.type == "ordered_list" else "- "
                body = "\n".join(_blocks(item.children, width - len(marker)))
                items.append(textwrap.indent(body, " " * len(marker)).replace(" " * len(marker), marker, 1))
            out.append("\n".join(items))
        elif node.type == "blockquote":
            body = "\n\n".join(_blocks(node.children, width - 2))
            out.append("\n".join(f"> {line}".rstrip() for line in body.split("\n")))
    return out


def _inline(node: SyntaxTreeNode) -> str:
    parts = []
    for child in node.children:
        if child.type == "text":
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "link":
            words, href = _inline(child), str(child.attrs.get("href", ""))
            parts.append(words if words in (href, href.removeprefix("mailto:")) else f"{words} ({href})")
        else:  # em, strong: their words
            parts.append(_inline(child))
    return "".join(parts)


def _tokens(tokens: list[Token]):
    for token in tokens:
        yield token
        if token.children:
            yield from _tokens(token.children)


def _web_link(href: str) -> bool:
    parts = urlsplit(href.strip())
    return parts.scheme.lower() in SCHEMES and bool(parts.netloc)


def _quote(text: str, limit: int = 40) -> str:
    """A bit of the editor's text for a one-line message: its first line, cut short."""
    first = " ".join(text.split())
    return repr(first if len(first) <= limit else first[:limit - 1] + "…")
