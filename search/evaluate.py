"""Offline evaluation of search ranking with TREC-style files and ir-measures.

    queries: one query per line, "query_id<TAB>query text" (a TREC topics file in its simplest form)
    qrels:   "query_id 0 artwork_id relevance" per line (relevance 0 = judged not relevant)
    run out: "query_id Q0 artwork_id rank score tag" per line, readable by trec_eval and ir-measures

Every query runs through search_artworks(), exactly as GET /api/search would answer an anonymous
visitor, against the live index. A query that finds nothing still counts (as zero), as with
trec_eval -c, rather than quietly dropping out of the averages.
"""

import time
from dataclasses import dataclass

import ir_measures
from ir_measures import AP, RR, R, nDCG

from search.engine import search_artworks

MEASURES = {"NDCG@10": nDCG @ 10, "MAP": AP, "MRR": RR, "Recall@100": R @ 100}
DEPTH = 100
_NOTHING_FOUND = "__nothing_found__"


@dataclass
class Evaluation:
    metrics: dict        # {measure name: mean over queries}
    per_query: dict      # {query_id: {measure name: value}}
    run: list            # ir_measures.ScoredDoc
    milliseconds: list   # per query


def read_queries(path):
    """{query_id: text} from a tab-separated file (blank lines and # comments skipped)."""
    queries = {}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip() or line.startswith("#"):
                continue
            query_id, tab, text = line.rstrip("\n").partition("\t")
            if not tab:
                raise ValueError(f"{path}:{number}: expected 'query_id<TAB>text'")
            queries[query_id.strip()] = text
    return queries


def read_qrels(path):
    return list(ir_measures.read_trec_qrels(str(path)))


def run_queries(conn, index, queries, config, depth=DEPTH):
    """(run, milliseconds per query): the top `depth` artworks of each query under `config`."""
    run, timings = [], []
    for query_id, text in queries.items():
        started = time.perf_counter()
        result = search_artworks(conn, index, text=text, limit=depth, config=config, with_facets=False)
        timings.append((time.perf_counter() - started) * 1000)
        # Scores by rank, so that ties in our score cannot be reordered by the evaluator.
        run += [ir_measures.ScoredDoc(query_id, hit.artwork_id, float(depth - rank))
                for rank, hit in enumerate(result.hits)]
        if not result.hits:
            run.append(ir_measures.ScoredDoc(query_id, _NOTHING_FOUND, 0.0))
    return run, timings


def evaluate(conn, index, queries, qrels, config, depth=DEPTH):
    judged = {qrel.query_id for qrel in qrels}
    queries = {query_id: text for query_id, text in queries.items() if query_id in judged}
    run, timings = run_queries(conn, index, queries, config, depth)
    per_query = {query_id: {} for query_id in queries}
    names = {measure: name for name, measure in MEASURES.items()}
    for metric in ir_measures.iter_calc(list(MEASURES.values()), qrels, run):
        per_query[metric.query_id][names[metric.measure]] = metric.value
    aggregate = ir_measures.calc_aggregate(list(MEASURES.values()), qrels, run)
    metrics = {name: aggregate[measure] for name, measure in MEASURES.items()}
    return Evaluation(metrics, per_query, run, timings)


def write_run(run, path, tag="easel"):
    by_query = {}
    for scored in run:
        if scored.doc_id != _NOTHING_FOUND:
            by_query.setdefault(scored.query_id, []).append(scored)
    with open(path, "w", encoding="utf-8") as out:
        for query_id, docs in by_query.items():
            for rank, scored in enumerate(sorted(docs, key=lambda d: -d.score), 1):
                out.write(f"{query_id} Q0 {scored.doc_id} {rank} {scored.score:g} {tag}\n")


def table(evaluations):
    """Rows of text comparing named evaluations ({label: Evaluation}), with the change from the first."""
    labels = list(evaluations)
    lines = [f"{'measure':<12}" + "".join(f"{label:>14}" for label in labels)
             + (f"{'change':>10}" if len(labels) == 2 else "")]
    for name in MEASURES:
        values = [evaluations[label].metrics[name] for label in labels]
        change = f"{values[1] - values[0]:>+10.4f}" if len(values) == 2 else ""
        lines.append(f"{name:<12}" + "".join(f"{value:>14.4f}" for value in values) + change)
    return lines
