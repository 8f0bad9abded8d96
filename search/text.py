"""Words as the full-text index sees them, and the stems that join their inflections.

tokens() gives the same tokens as FTS5's `unicode61 remove_diacritics 2` tokenizer: runs of
letters and digits, lower-cased, accents removed. The in-memory postings are built from them
and single words are matched there, so tests/search/test_matching.py holds the two to the same
answers on mixed scripts, ligatures and combining marks.
"""

import re
import unicodedata

import Stemmer

_WORD = re.compile(r"[^\W_]+")
_stemmer = Stemmer.Stemmer("english")


def fold(text):
    """Accents off (canonical decomposition, marks dropped) and lower case, as unicode61 folds:
    compatibility forms (ﬁ, ², ①) stay themselves."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokens(text):
    """The index tokens of `text`, in order."""
    if not text:
        return []
    # Folding before splitting: a combining mark joins its letter, as in unicode61.
    return _WORD.findall(text.lower() if text.isascii() else fold(text))


def stems(words):
    """The English (Porter2) stem of each word: 'horses' and 'horse' share 'hors'."""
    return _stemmer.stemWords(list(words))
