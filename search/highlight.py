"""Highlighted titles and description snippets: matched words in <mark>, everything else escaped.

Done here rather than with FTS5's highlight(): FTS5 would run the whole MATCH again for the page
(3 ms for a common prefix), while the words to mark are already known. A word is marked when
its folded form is a matched word or starts with the prefix being typed; words of a phrase are
marked wherever they appear, a small over-marking for a large saving.
"""

import html
import re

from search.text import fold, tokens

_WORD = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 24
# What FTS5's highlight() is asked to put around matches, where FTS5 does the marking (artists).
FTS_OPEN, FTS_CLOSE = "\x02", "\x03"


def from_fts(text):
    """FTS5 highlight() output made with FTS_OPEN/FTS_CLOSE, as escaped HTML with <mark>."""
    if not text:
        return text
    return html.escape(text, quote=False).replace(FTS_OPEN, "<mark>").replace(FTS_CLOSE, "</mark>")


class Marker:
    def __init__(self, words, prefixes=()):
        self.words, self.prefixes = frozenset(words), tuple(prefixes)
        self._seen = {}

    def matches(self, word):
        found = self._seen.get(word)
        if found is None:
            folded = word.lower() if word.isascii() else fold(word)
            # Folding rarely leaves a character FTS5 would split on; tokens() knows where.
            found = self._seen[word] = any(self._wanted(token)
                                           for token in ((folded,) if folded.isalnum() else tokens(word)))
        return found

    def highlight(self, text):
        """The whole text, escaped, with matched words marked."""
        if not text:
            return text
        return self._render(text, 0, len(text))

    def snippet(self, text, width=SNIPPET_WORDS):
        """About `width` words around the first match (from the start if none), with ellipses."""
        if not text:
            return text
        spans = [match.span() for match in _WORD.finditer(text)]
        if len(spans) <= width:
            return self._render(text, 0, len(text))
        first = next((i for i, (start, end) in enumerate(spans) if self.matches(text[start:end])), 0)
        begin = max(0, min(first - width // 4, len(spans) - width))
        end = begin + width
        start = 0 if begin == 0 else spans[begin][0]
        stop = len(text) if end >= len(spans) else spans[end - 1][1]
        return ("…" if start else "") + self._render(text, start, stop) + ("…" if stop < len(text) else "")

    def _wanted(self, token):
        return token in self.words or bool(self.prefixes and token.startswith(self.prefixes))

    def _render(self, text, start, stop):
        out, position = [], start
        for match in _WORD.finditer(text, start, stop):
            if self.matches(match.group()):
                out.append(html.escape(text[position:match.start()], quote=False))
                out.append(f"<mark>{html.escape(match.group(), quote=False)}</mark>")
                position = match.end()
        out.append(html.escape(text[position:stop], quote=False))
        return "".join(out)
