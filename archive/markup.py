"""Highlights as markup: the index returns spans (index/highlight.py); pages and the
API mark them with <mark>, escaping everything else."""

from markupsafe import Markup, escape


def mark(text, spans):
    """text escaped, each (start, end) span wrapped in <mark>."""
    out, last = [], 0
    text = text or ""
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def passage_html(passage):
    """A citation passage (highlight.passage) as marked, escaped HTML, with … where it
    was cut."""
    body = mark(passage["text"], passage["spans"])
    return (Markup("…") if passage["before"] else Markup("")) + body + \
        (Markup("…") if passage["after"] else Markup(""))


def marked_hits(hits):
    """Search hits as the API gives them: `name_html` and `snippet` (escaped HTML with
    <mark>) beside the spans they come from."""
    return [{**hit, "name_html": str(mark(hit["name"] or "", hit["name_spans"])),
             "snippet": str(passage_html(hit["passage"]))} for hit in hits]
