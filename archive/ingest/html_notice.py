"""Parser for notices given as the page's HTML: HTML -> lines -> text parser."""

import re

from bs4 import BeautifulSoup, NavigableString

from .errors import ParseError
from .text_notice import parse_notice_text, _KEYS

_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
               "article", "header", "footer", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
               "center", "form", "hr", "title")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "svg", "select",
              "button", "input", "textarea")


def html_to_text(html):
    """Render an HTML page as text lines, one per block; returns (text, title_hint)."""
    soup = BeautifulSoup(html, "html.parser")
    if soup.find(True) is None:
        raise ParseError("not an HTML document (no tags found)")
    hint = None
    for tag in ("h1", "h2", "title"):
        node = soup.find(tag)
        if node and node.get_text(strip=True):
            hint = node.get_text(" ", strip=True)
            break
    for node in soup.find_all(_DROP_TAGS):
        node.decompose()
    head = soup.find("head")
    if head:
        head.decompose()
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"], recursive=False)]
        key = re.sub(r"\s+", "", cells[0].rstrip(":：")) if cells else ""
        if len(cells) == 2 and key in _KEYS:
            line = f"{key}：{cells[1]}"
        else:
            line = "\t".join(c for c in cells if c)
        row.replace_with(NavigableString("\n" + line + "\n"))
    for node in soup.find_all(_BLOCK_TAGS):
        node.insert_before(NavigableString("\n"))
        node.insert_after(NavigableString("\n"))
    return soup.get_text(), hint


def parse_notice_html(html, filename=None):
    """Parse a notice page's HTML; the original HTML is what is kept verbatim."""
    text, hint = html_to_text(html)
    parsed = parse_notice_text(text, title_hint=hint, fmt="html", filename=filename)
    parsed.text = html
    return parsed
