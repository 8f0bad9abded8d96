"""Synthetic readers for offline evaluation, until real interaction logs exist.

`flask --app app simulate` adds accounts named sim_NNNNN (emails @simulated.invalid; they cannot
sign in) and gives each a hidden taste drawn from the works already in the database (for example
a catalogue loaded by import-catalog): the mediums, dominant colours, subjects (tags) and artists
of two or three works picked at random. Everything they do is synthetic:

  * sessions spread over the last `days` days; a work is only seen after it was published (with
    --spread-uploads, an imported catalogue's works are first given publication times over the
    first half of that window, since they all arrived at import); each session shows a
    slate of 20 works: 10 from the most liked so far, 6 at random, 4 by followed artists (random
    while a reader follows nobody), in random order;
  * position bias: the work in place r (from 0) is looked at with probability 0.9 / (r + 1) ** 0.7;
  * a work looked at is opened (a page view) with probability 0.1 + 0.6 affinity, and liked with
    probability 1 / (1 + exp(-10 (affinity - 0.55))), plus 2% liked at random (noise);
  * a reader who liked two works by one artist follows that artist with probability 0.5.

    affinity = 0.7 x match + 0.3 x appeal
    match    = (1.0 same medium + 0.5 same dominant colour + 1.0 shares a subject
                + 1.5 a favourite artist) / 4
    appeal   = a per-work Beta(2, 5) draw: some works please most people

The readers' tastes are returned (not stored), so a benchmark can check what a ranking recovers.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from scipy import sparse

from store import accounts, ranking

SLATE = {"popular": 10, "random": 6, "followed": 4}
LOOK = 0.9
LOOK_DECAY = 0.7
NOISE_LIKE = 0.02
FOLLOW_AFTER, FOLLOW_CHANCE = 2, 0.5


@dataclass
class Catalogue:
    artwork_ids: list
    artists: np.ndarray        # codes
    artist_ids: list           # code -> id
    mediums: np.ndarray        # codes, -1 unknown
    colours: np.ndarray        # codes, -1 unknown
    tags: object               # CSR works x tag ids, 1 where the work carries the tag
    created: np.ndarray        # epoch seconds


@dataclass
class Taste:
    mediums: set
    colours: set
    tags: set
    artists: set


@dataclass
class Result:
    users: list
    tastes: dict
    views: int
    likes: int
    follows: int


def load_catalogue(conn):
    rows = ranking.simulation_works(conn)
    codes = {"artist": {}, "medium": {}, "colour": {}}

    def code(kind, value):
        return -1 if value is None else codes[kind].setdefault(value, len(codes[kind]))
    tags = ranking.tag_ids_by_artwork(conn)
    pairs = [(row, tag) for row, work in enumerate(rows) for tag in tags.get(work[0], ())]
    width = max((tag for _, tag in pairs), default=0) + 1
    matrix = sparse.csr_matrix((np.ones(len(pairs)), ([r for r, _ in pairs], [t for _, t in pairs])),
                               shape=(len(rows), width))
    return Catalogue(
        artwork_ids=[row[0] for row in rows],
        artists=np.asarray([code("artist", row[1]) for row in rows], np.int64),
        artist_ids=list(codes["artist"]),
        mediums=np.asarray([code("medium", row[2]) for row in rows], np.int64),
        colours=np.asarray([code("colour", row[3]) for row in rows], np.int64),
        tags=matrix,
        created=np.asarray([ranking.parse_timestamp(row[4]).timestamp() for row in rows]))


def draw_taste(catalogue, rng):
    anchors = rng.choice(len(catalogue.artwork_ids), size=int(rng.integers(2, 4)), replace=False)
    tags = set()
    for anchor in anchors:
        own = catalogue.tags[anchor].indices
        tags |= set(rng.choice(own, size=min(2, len(own)), replace=False).tolist()) if len(own) else set()
    return Taste(mediums={int(catalogue.mediums[a]) for a in anchors if catalogue.mediums[a] >= 0},
                 colours={int(catalogue.colours[a]) for a in anchors if catalogue.colours[a] >= 0},
                 tags=tags, artists={int(catalogue.artists[a]) for a in anchors})


def affinity(catalogue, taste, appeal):
    medium = np.isin(catalogue.mediums, list(taste.mediums))
    colour = np.isin(catalogue.colours, list(taste.colours))
    wanted = np.zeros(catalogue.tags.shape[1])
    wanted[list(taste.tags)] = 1
    subject = catalogue.tags @ wanted > 0
    artist = np.isin(catalogue.artists, list(taste.artists))
    match = (1.0 * medium + 0.5 * colour + 1.0 * subject + 1.5 * artist) / 4.0
    return 0.7 * match + 0.3 * appeal


def simulate_reader(catalogue, taste, appeal, like_counts, sessions, window, rng):
    """(views, likes, follows) of one reader: [(work, time)], [(work, time)], [(artist code, time)]."""
    affinities = affinity(catalogue, taste, appeal)
    open_chance = 0.1 + 0.6 * affinities
    like_chance = 1 / (1 + np.exp(-10 * (affinities - 0.55)))
    count = len(catalogue.artwork_ids)
    popular = np.argsort(-(like_counts + appeal), kind="stable")[:500]
    look = LOOK / (np.arange(sum(SLATE.values())) + 1) ** LOOK_DECAY
    start, end = window
    times = np.sort(rng.uniform(start, end, sessions))
    views, likes, follows, liked, per_artist, followed = [], [], [], set(), {}, []
    for when in times:
        followed_works = np.flatnonzero(np.isin(catalogue.artists, followed)) if followed else np.zeros(0, int)
        slate = np.concatenate([
            rng.choice(popular, SLATE["popular"]), rng.integers(0, count, SLATE["random"]),
            rng.choice(followed_works, SLATE["followed"]) if len(followed_works) else rng.integers(0, count, 4)])
        rng.shuffle(slate)
        slate = slate[catalogue.created[slate] <= when]   # nobody sees a work before it is published
        looked = slate[rng.random(len(slate)) < look[:len(slate)]]
        opened = looked[rng.random(len(looked)) < open_chance[looked]]
        for place, work in enumerate(opened):
            moment = min(when + 30 * place, end)
            views.append((int(work), moment))
            if work in liked or not (rng.random() < like_chance[work] or rng.random() < NOISE_LIKE):
                continue
            liked.add(int(work))
            likes.append((int(work), moment + 5))
            artist = int(catalogue.artists[work])
            per_artist[artist] = per_artist.get(artist, 0) + 1
            if per_artist[artist] == FOLLOW_AFTER and rng.random() < FOLLOW_CHANCE:
                followed.append(artist)
                follows.append((artist, moment + 10))
    return views, likes, follows


def simulate(conn, *, users=200, sessions=30, days=60, seed=0, now=None, spread_uploads=False, progress=None):
    """Create `users` synthetic readers and their views, likes and follows; returns a Result.

    spread_uploads: first spread the works' publication times over the first half of the window.
    """
    moment = now or datetime.now(UTC)
    if spread_uploads:
        ranking.spread_uploads(conn, moment - timedelta(days=days), moment - timedelta(days=days / 2))
    catalogue = load_catalogue(conn)
    if not catalogue.artwork_ids:
        raise ValueError("there are no public works to simulate readers for: import a catalogue first")
    rng = np.random.default_rng(seed)
    now = moment.timestamp()
    appeal = rng.beta(2, 5, len(catalogue.artwork_ids))
    like_counts = np.zeros(len(catalogue.artwork_ids))
    first = ranking.next_simulated_number(conn)
    created, tastes, totals = [], {}, [0, 0, 0]
    for number in (progress or (lambda x: x))(range(first, first + users)):
        user_id = _reader_account(conn, number)
        taste = draw_taste(catalogue, rng)
        views, likes, follows = simulate_reader(catalogue, taste, appeal, like_counts,
                                                int(rng.poisson(sessions)) + 1, (now - days * 86400, now), rng)
        for work, _ in likes:
            like_counts[work] += 1
        ranking.record_simulated(conn, user_id, [(catalogue.artwork_ids[w], _time(t)) for w, t in views],
                                 [(catalogue.artwork_ids[w], _time(t)) for w, t in likes],
                                 [(catalogue.artist_ids[a], _time(t)) for a, t in follows if
                                  catalogue.artist_ids[a] != user_id])
        created.append(user_id)
        tastes[user_id] = taste
        totals = [totals[0] + len(views), totals[1] + len(likes), totals[2] + len(follows)]
    return Result(created, tastes, *totals)


def _reader_account(conn, number):
    return accounts.create_simulated_account(conn, number, "reader")


def _time(epoch):
    return ranking.timestamp(datetime.fromtimestamp(math.floor(epoch * 1000) / 1000, UTC))
