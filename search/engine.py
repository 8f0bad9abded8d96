"""Artwork search: parse, correct, match, filter, rank, facet, page and highlight.

One call, search_artworks(), serves GET /api/search, browsing (no words) and the offline
evaluation. search.index supplies the numbers that rank and count works (see its docstring for
why); search.ranking says how scores are blended.

Matching: words, inflections and prefixes are matched from the in-memory postings, which hold
FTS5's own tokens (tests/search/test_matching.py holds the two to the same answers); the bm25 of
a word needs those postings anyway, and reading 90,000 matches back from FTS5 would cost more
than the rest of the request. A query with a quoted phrase needs word positions, so FTS5
decides it, through the same MATCH expression.
"""

import json
import sqlite3
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from search import facets as facet_counts
from search.highlight import Marker
from search.index import COLOUR_NAMES, COLUMNS, epoch, normalise_label
from search.query import display as display_query
from search.query import exclusion_expression, match_expression, parse, term_expression
from search.ranking import RankingConfig, blend, bm25, priors
from store.artworks import AVAILABILITY

SORTS = ("relevance", "newest", "popular", "price", "price_desc")
MAX_ALTERNATIVES = 16   # inflections OR-ed into one FTS5 term


@dataclass
class Filters:
    artist_id: str | None = None
    medium: str | None = None
    category_ids: list | None = None     # a category and its descendants; [] matches nothing
    tags: list = field(default_factory=list)
    colour: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    availability: str | None = None
    location: str | None = None
    created_after: str | None = None     # timestamps in the schema's format
    created_before: str | None = None


@dataclass
class Hit:
    doc_id: int
    artwork_id: str
    score: float
    components: dict
    highlights: dict


@dataclass
class SearchResult:
    hits: list
    total: int
    facets: dict
    corrected_query: str | None
    expression: str | None   # the FTS5 MATCH text of the query (None when browsing), for checks and debugging


class _Group:
    """One required (or excluded) word with its inflections and completions: {term id: weight},
    the weighted frequency of the group in every document, and which documents hold it."""

    def __init__(self, index, term_weights, column_weights):
        self.term_weights = term_weights
        docs, weights = index.gather(term_weights, column_weights)
        self.frequency = np.bincount(docs, weights=weights, minlength=index.capacity)
        self.held = np.zeros(index.capacity, bool)
        self.held[docs] = True


@dataclass
class _Plan:
    """What the words of a query became: FTS5 terms, and the groups that match and score them."""

    required: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    groups: list = field(default_factory=list)          # scoring: one _Group per word
    excluded_groups: list = field(default_factory=list)
    needs_fts: bool = False                             # a phrase: FTS5 matches positions
    corrections: dict = field(default_factory=dict)     # position -> corrected word
    words: set = field(default_factory=set)             # what to highlight
    prefixes: list = field(default_factory=list)

    def marker(self):
        return Marker(self.words, self.prefixes)


def search_artworks(conn: sqlite3.Connection, index, *, text: str = "", filters: Filters | None = None,
                    sort: str = "relevance", offset: int = 0, limit: int = 20, viewer_id: str | None = None,
                    config: RankingConfig | None = None, with_facets: bool = True) -> SearchResult:
    config = config or RankingConfig()
    filters = filters or Filters()
    conn.execute("BEGIN")  # one snapshot for the index refresh, the FTS query and the rows
    try:
        with index.lock:
            index.refresh(conn)
            return _search(conn, index, text, filters, sort, offset, limit, viewer_id, config, with_facets)
    finally:
        conn.execute("COMMIT")


def _search(conn, index, text, filters, sort, offset, limit, viewer_id, config, with_facets):
    query = parse(text)
    visible = index.alive & (~index.private | (index.artist == index.artists.get(viewer_id)))
    plan = _plan(index, query, config, visible)
    expression = match_expression(plan.required, plan.excluded)
    candidates = _matches(conn, index, plan, expression)
    candidates = candidates[visible[candidates]]
    masks = _filter_masks(conn, index, candidates, filters)
    chosen = candidates[facet_counts.passing(masks, len(candidates))]
    scores, components = _scores(index, plan, chosen, config)
    order = _order(index, chosen, scores, sort, offset + limit)[offset:]
    page = chosen[order]
    corrected = display_query(query, plan.corrections) if plan.corrections and len(chosen) else None
    hits = _hits(conn, page, scores[order], {k: v[order] for k, v in components.items()},
                 _highlights(conn, plan.marker() if expression else None, page))
    facets = facet_counts.count(conn, index, candidates, masks, chosen) if with_facets else None
    return SearchResult(hits, len(chosen), facets, corrected, expression)


# --- Words to FTS5 terms and scoring groups ----------------------------------------------------

def _plan(index, query, config, visible):
    plan = _Plan()
    columns = config.column_vector()
    for position, term in enumerate(query.terms):
        prefix = config.prefix and position == query.prefix_at
        if len(term) > 1:
            plan.needs_fts = True
            plan.required.append(term_expression(term))
            plan.groups += [_Group(index, _exact(index, word), columns) for word in term]
            plan.words.update(term)
            continue
        word = term[0]
        group = _Group(index, _word_terms(index, word, config, prefix), columns)
        if config.typo_correction and not (group.held & visible).any():
            fixed = correct(index, word, visible)
            if fixed is not None:
                plan.corrections[position] = word = fixed
                prefix = False
                group = _Group(index, _word_terms(index, word, config, prefix=False), columns)
        weights = group.term_weights
        alternatives = [index.word(t) for t in sorted(weights, key=lambda t: -weights[t])
                        if weights[t] < 1.0][:MAX_ALTERNATIVES] if config.stemming else []
        alternatives = [w for w in alternatives if not prefix or not w.startswith(word)]
        plan.required.append(term_expression((word,), alternatives, prefix))
        plan.groups.append(group)
        plan.words.update([word, *alternatives])
        if prefix:
            plan.prefixes.append(word)
    plan.excluded = [term_expression(term) for term in query.excluded]
    plan.needs_fts |= any(len(term) > 1 for term in query.excluded)
    plan.excluded_groups = [_Group(index, _exact(index, term[0]), columns) for term in query.excluded
                            if len(term) == 1]
    return plan


def _exact(index, word):
    term = index.lookup(word)
    return {} if term is None else {term: 1.0}


def _word_terms(index, word, config, prefix):
    """{term id: weight}: the word itself at 1, its inflections and completions less."""
    group = {}
    if config.stemming:
        group.update(dict.fromkeys(index.inflections(word), config.expansion_weight))
    if prefix:
        group.update(dict.fromkeys(index.prefixed(word), config.expansion_weight))
    group.update(_exact(index, word))
    return group


def correct(index, word, visible):
    """The indexed word closest to `word` (optimal string alignment distance, so a swap of two
    letters costs 1): at most 1 edit for 4-7 letters, 2 for longer, none below 4. Among equally
    close words the one in most visible works wins; words only private works hold are never
    offered, so a correction cannot reveal them."""
    if len(word) < 4:
        return None
    limit = 1 if len(word) <= 7 else 2
    candidates = process.extract(word, index.words_list(), scorer=OSA.distance, score_cutoff=limit, limit=25)
    best = None
    for candidate, distance, _ in candidates:
        reach = _visible_reach(index, candidate, visible)
        if reach and (best is None or (distance, -reach) < best[0]):
            best = ((distance, -reach), candidate)
    return best[1] if best else None


def _visible_reach(index, word, visible):
    docs, _ = index.gather({index.lookup(word): 1.0}, np.ones(len(COLUMNS)))
    return int(np.count_nonzero(visible[np.unique(docs)]))


# --- Matching and filtering -------------------------------------------------------------------

def _matches(conn, index, plan, expression):
    """Doc ids of the live works that match, ascending."""
    if plan.needs_fts:
        if expression is None:  # only exclusions, one of them a phrase
            matched = np.setdiff1d(np.flatnonzero(index.alive), _fts_matches(conn, exclusion_expression(plan.excluded)))
        else:
            matched = _fts_matches(conn, expression)
        return matched[matched < index.capacity]
    keep = index.alive.copy()
    for group in plan.groups:
        keep &= group.held
    for group in plan.excluded_groups:
        keep &= ~group.held
    return np.flatnonzero(keep)


def _fts_matches(conn, expression):
    found = conn.execute("SELECT json_group_array(rowid) FROM artworks_fts WHERE artworks_fts MATCH ?",
                         (expression,)).fetchone()[0]
    matched = np.asarray(json.loads(found), dtype=np.int64)
    return matched if np.all(matched[1:] > matched[:-1]) else np.unique(matched)


def _filter_masks(conn, index, docs, f):
    """{facet name: boolean mask over docs} for each filter given; facets leave out their own."""
    masks = {}
    if f.artist_id is not None:
        masks["artist_id"] = index.artist[docs] == index.artists.get(f.artist_id) if f.artist_id in \
            index.artists.code_of else np.zeros(len(docs), bool)
    if f.medium is not None:
        code = index.mediums.get(normalise_label(f.medium))
        masks["medium"] = index.medium[docs] == code if code >= 0 else np.zeros(len(docs), bool)
    if f.category_ids is not None:
        wanted = np.zeros(max([0, *f.category_ids]) + 2, bool)  # the last slot stands for "none" (-1)
        wanted[np.asarray(f.category_ids, dtype=np.int64)] = True
        categories = index.category[docs]
        masks["category"] = wanted[np.where((categories >= 0) & (categories < len(wanted) - 1), categories, -1)]
    for i, tag in enumerate(f.tags):
        masks[f"tag:{i}"] = np.isin(docs, _tagged(conn, tag))
    if f.colour is not None:
        masks["colour"] = (index.colours[docs] >> COLOUR_NAMES.index(f.colour)) & 1 == 1
    if f.price_min is not None or f.price_max is not None:
        price = index.price[docs]
        low = -np.inf if f.price_min is None else f.price_min
        high = np.inf if f.price_max is None else f.price_max
        masks["price"] = (price >= low) & (price <= high)
    if f.availability is not None:
        masks["availability"] = index.availability[docs] == AVAILABILITY.index(f.availability)
    if f.location is not None:
        masks["location"] = np.isin(index.location[docs], facet_counts.location_codes(index, f.location))
    if f.created_after is not None:
        masks["created_after"] = index.created[docs] >= epoch(f.created_after)
    if f.created_before is not None:
        masks["created_before"] = index.created[docs] < epoch(f.created_before)
    return masks


def _tagged(conn, tag):
    found = conn.execute(
        """
        SELECT json_group_array(d.doc_id) FROM tags t
        JOIN artwork_tags at ON at.tag_id = t.id
        JOIN search_documents d ON d.artwork_id = at.artwork_id
        WHERE t.name = ?
        """, (tag,)).fetchone()[0]
    return np.asarray(json.loads(found), dtype=np.int64)


# --- Scoring and order ------------------------------------------------------------------------

def _scores(index, plan, docs, config):
    """Blended scores of `docs` and their components (see search.ranking)."""
    text = np.zeros(len(docs))
    if plan.groups and len(docs):
        live, average = index.live_count(), index.average_length()
        for group in plan.groups:
            if group.term_weights:
                matching = int(np.count_nonzero(group.held & index.alive))
                text += bm25(group.frequency[docs], index.length[docs], average, matching, live, config)
    components = priors(index, docs, config)
    score, normalised = blend(text, components, config)
    return score, {"bm25": text, "text": normalised, **components}


def _order(index, docs, scores, sort, k):
    """Positions of the best k of docs for `sort`, best first; ties go to the newer work."""
    if sort == "relevance":
        primary = scores
    elif sort == "newest":
        primary = index.created[docs]
    elif sort == "popular":
        primary = index.likes[docs] * 1e7 + np.minimum(index.views[docs], 9_999_999)
    else:
        price = index.price[docs]
        primary = np.where(np.isnan(price), -np.inf, -price if sort == "price" else price)
    return _top(primary, index.created[docs], docs, k)


def _top(primary, created, docs, k):
    if k <= 0 or len(primary) == 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(primary):
        kth = np.partition(primary, len(primary) - k)[len(primary) - k]
        candidates = np.flatnonzero(primary >= kth)
    else:
        candidates = np.arange(len(primary))
    order = np.lexsort((-docs[candidates], -created[candidates], -primary[candidates]))
    return candidates[order][:k]


# --- Shaping ----------------------------------------------------------------------------------

def _hits(conn, page, scores, components, highlights):
    if not len(page):
        return []
    ids = [int(doc) for doc in page]
    marks = ", ".join("?" * len(ids))
    artwork_ids = dict(conn.execute(f"SELECT doc_id, artwork_id FROM search_documents WHERE doc_id IN ({marks})",
                                    ids).fetchall())
    return [Hit(doc, artwork_ids[doc], float(scores[i]),
                {name: float(values[i]) for name, values in components.items()}, highlights.get(doc, {}))
            for i, doc in enumerate(ids) if doc in artwork_ids]


def _highlights(conn, marker, page):
    """Title and a description snippet of each work on the page, matched words in <mark>."""
    if not len(page) or marker is None:
        return {}
    ids = [int(doc) for doc in page]
    rows = conn.execute(f"SELECT rowid, title, description FROM artworks_fts WHERE rowid IN "
                        f"({', '.join('?' * len(ids))})", ids)
    return {row["rowid"]: {"title": marker.highlight(row["title"]), "description": marker.snippet(row["description"])}
            for row in rows}
