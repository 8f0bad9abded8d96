"""Command-line tools: `flask --app app <command>` (README.md lists them all)."""

import contextlib
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

import imaging
import recommend.config
import store
from api import fulfilment
from market import dispatcher, pricing
from market import simulate as market_simulate
from recommend import evaluate as recommend_evaluation
from recommend import featured, simulate, trending
from recommend.config import FeaturedConfig
from search import evaluate as evaluation
from search import ingest, tfidf
from search import ranking as search_ranking
from search.index import index_for
from search.ranking import RankingConfig
from store import accounts, artworks, catalog, counters, ranking, sales, sales_analytics
from store.media import MediaStore

REWORD_BATCH = 500       # works requantised per transaction

FEATURED_TYPES = ("artworks", "artists")


@contextlib.contextmanager
def _database():
    """A connection of the command's own (requests borrow theirs from the app's pool)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        yield conn
    finally:
        conn.close()

@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database or bring its schema up to date (safe to run again)."""
    version = store.initialise(current_app.config["DATABASE"])
    click.echo(f"Database ready at {current_app.config['DATABASE']} (schema version {version}).")


@click.command("grant-role")
@click.argument("username")
@click.argument("role", type=click.Choice(accounts.ROLES))
@with_appcontext
def grant_role_command(username, role):
    """Give USERNAME the ROLE user, curator or admin."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        if not accounts.grant_role(conn, username, role):
            raise click.ClickException(f"no account named {username!r}")
    finally:
        conn.close()
    click.echo(f"{username} is now {role}.")


@click.command("import-images")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--artist", "username", required=True, help="Username of the artist who owns the works.")
@click.option("--availability", type=click.Choice(artworks.AVAILABILITY), default="available", show_default=True)
@with_appcontext
def import_images_command(directory, username, availability):
    """Create one artwork per image file in DIRECTORY (titles come from the file names)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        artist = accounts.find_credentials(conn, username)
        if artist is None:
            raise click.ClickException(f"no account named {username!r}")
        paths = sorted(path for path in directory.iterdir() if path.is_file() and not path.name.startswith("."))
        created, refused = 0, []
        for path in tqdm(paths, desc="Importing", unit="image"):
            title = artworks.title_from_filename(path.name)
            try:
                ingest.upload(conn, MediaStore(current_app.config["MEDIA_DIR"]), current_app.config["DATABASE"],
                              artist["id"], path.read_bytes(), {"title": title, "availability_status": availability},
                              [], max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
                created += 1
            except imaging.ImageRejected as rejected:
                refused.append(f"{path.name}: {rejected}")
    finally:
        conn.close()
    for line in refused:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"Imported {created} of {len(paths)} files for {username}.")


@click.command("check-counters")
@click.option("--fix", is_flag=True, help="Set every wrong counter to the count of its rows.")
@with_appcontext
def check_counters_command(fix):
    """Report counters that disagree with the rows they count; exits 1 if any is left wrong."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        wrong = counters.check(conn)
        for name, rows in wrong.items():
            examples = ", ".join(f"{row_id}: {stored} -> {actual}" for row_id, stored, actual in rows[:5])
            click.echo(f"{name}: {len(rows)} wrong ({examples}{', ...' if len(rows) > 5 else ''})" if rows
                       else f"{name}: ok")
        total = sum(len(rows) for rows in wrong.values())
        if fix and total:
            fixed = sum(counters.fix(conn).values())
            click.echo(f"Fixed {fixed} counter{'s' * (fixed != 1)}.")
    finally:
        conn.close()
    if total and not fix:
        raise SystemExit(1)


def _ranking_option(value):
    """--config/--compare: live (SEARCH_RANKING), a named configuration (default, plain) or a JSON file."""
    if value == "live":
        return current_app.config["SEARCH_RANKING"]
    if value in search_ranking.NAMED:
        return search_ranking.NAMED[value]
    try:
        return RankingConfig.from_json(Path(value).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"{value}: {error}") from error


@click.command("reindex")
@with_appcontext
def reindex_command():
    """Refit TF-IDF, rebuild the full-text indexes, fingerprint and take the keypoints of any
    image without them, and requantise visual words of another vocabulary."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        missing, files = artworks.without_image_entries(conn), MediaStore(current_app.config["MEDIA_DIR"])
        for artwork_id, image_path in tqdm(missing, desc="Fingerprints and keypoints", unit="image",
                                           disable=not missing):
            artworks.add_image_entries(conn, files, artwork_id, image_path,
                                       max_pixels=current_app.config["MAX_IMAGE_PIXELS"])
        stale = artworks.with_stale_words(conn)
        with tqdm(total=len(stale), desc="Visual words", unit="work", disable=not stale) as bar:
            for start in range(0, len(stale), REWORD_BATCH):
                artworks.reword(conn, stale[start:start + REWORD_BATCH])
                bar.update(len(stale[start:start + REWORD_BATCH]))
        started = time.perf_counter()
        stats = tfidf.reindex(conn, progress=lambda rows: tqdm(rows, desc="Keywords", unit="work"))
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    click.echo(f"Indexed {stats['documents']} artworks ({stats['vocabulary']} TF-IDF terms) and "
               f"{stats['artists']} accounts in {seconds:.1f} s "
               f"({stats['documents'] / seconds if seconds else 0:,.0f} artworks/s).")


@click.group("evaluate")
def evaluate_group():
    """Offline evaluation of rankings."""


@evaluate_group.command("search")
@click.option("--qrels", required=True, type=click.Path(exists=True, dir_okay=False),
              help="TREC qrels: query_id 0 artwork_id relevance.")
@click.option("--queries", type=click.Path(exists=True, dir_okay=False),
              help="query_id<TAB>text per line. Default: the qrels path with .queries for its suffix.")
@click.option("--run-out", type=click.Path(dir_okay=False), help="Write the run (TREC format) here.")
@click.option("--config", "config_name", default="live", show_default=True,
              help="live (SEARCH_RANKING), default, plain, or a JSON file of ranking settings.")
@click.option("--compare", "compare_name", help="A second configuration to show side by side.")
@click.option("--verbose", is_flag=True, help="Print each query's measures too.")
@with_appcontext
def evaluate_search_command(qrels, queries, run_out, config_name, compare_name, verbose):
    """Run every judged query against the live index and print NDCG@10, MAP, MRR and Recall@100."""
    queries_path = Path(queries) if queries else Path(qrels).with_suffix(".queries")
    if not queries_path.exists():
        raise click.BadParameter(f"{queries_path} not found; give --queries", param_hint="--queries")
    configs = {config_name: _ranking_option(config_name)}
    if compare_name:
        configs[compare_name + (" " if compare_name == config_name else "")] = _ranking_option(compare_name)
    judged, texts = evaluation.read_qrels(qrels), evaluation.read_queries(queries_path)
    conn = store.connect(current_app.config["DATABASE"])
    try:
        results = {label: evaluation.evaluate(conn, index_for(current_app.config['DATABASE']), texts, judged, config)
                   for label, config in configs.items()}
    finally:
        conn.close()
    first = next(iter(results.values()))
    click.echo(f"{len(first.per_query)} queries, {len(judged)} judgements")
    if verbose:
        for label, result in results.items():
            click.echo(f"\n{label}:")
            for query_id, values in result.per_query.items():
                click.echo(f"  {query_id:<14}" + "  ".join(f"{name} {value:.3f}" for name, value in values.items())
                           + f"  {texts[query_id]!r}")
    click.echo("")
    for line in evaluation.table(results):
        click.echo(line)
    if run_out:
        evaluation.write_run(first.run, run_out, tag=config_name)
        click.echo(f"Run written to {run_out}")


def _featured_config_option(path):
    """A FeaturedConfig from a JSON file of settings laid over the defaults."""
    try:
        changes = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(changes, dict):
            raise ValueError("the file must hold a JSON object")
        return recommend.config.merged(FeaturedConfig(), changes)
    except (OSError, ValueError) as error:  # pydantic's ValidationError is a ValueError
        raise click.BadParameter(f"{path}: {error}", param_hint="--config") from error


def _print_ranking_evaluation(results, users):
    click.echo(f"{users} users, each with their latest like held out (leave-last-out)")
    click.echo("")
    for line in recommend_evaluation.table(results):
        click.echo(line)


@evaluate_group.command("featured")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="A JSON file of featured settings (laid over the defaults) to compare with the live config.")
@click.option("--users", type=click.IntRange(min=1), default=recommend_evaluation.DEFAULT_USERS, show_default=True,
              help="Users to hold out (a seeded sample when there are more).")
@click.option("--seed", type=int, default=0, show_default=True)
@with_appcontext
def evaluate_featured_command(config_path, users, seed):
    """Hit rate and NDCG at 10, coverage, artist Gini and novelty of the featured list, against
    a popularity baseline (and a candidate config with --config)."""
    with _database() as conn:
        configs = {"live": featured.live(conn)[1]}
        if config_path:
            configs["candidate"] = _featured_config_option(config_path)
        results, held_out = recommend_evaluation.evaluate_featured(conn, current_app.config["DATABASE"], configs,
                                                                   max_users=users, seed=seed)
    _print_ranking_evaluation(results, held_out)


@evaluate_group.command("feed")
@click.option("--users", type=click.IntRange(min=1), default=recommend_evaluation.DEFAULT_USERS, show_default=True,
              help="Users to hold out (a seeded sample when there are more).")
@click.option("--seed", type=int, default=0, show_default=True)
@with_appcontext
def evaluate_feed_command(users, seed):
    """The personal feed's figures beside featured and a popularity baseline (leave-last-out)."""
    with _database() as conn:
        results, held_out = recommend_evaluation.evaluate_feed(conn, current_app.config["DATABASE"],
                                                               featured.live(conn)[1], max_users=users, seed=seed)
    _print_ranking_evaluation(results, held_out)


@click.command("simulate")
@click.option("--users", type=click.IntRange(min=0), default=200, show_default=True)
@click.option("--sessions", type=click.IntRange(min=1), default=30, show_default=True,
              help="Mean sessions per reader.")
@click.option("--days", type=click.IntRange(min=1), default=60, show_default=True,
              help="Spread the sessions over this many past days.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--spread-uploads", is_flag=True,
              help="First spread the works' publication times over the first half of the window (for a "
                   "freshly imported catalogue, whose works all arrived at once). Rewrites created_at.")
@click.option("--buyers", type=click.IntRange(min=0), default=100, show_default=True,
              help="SYNTHETIC buyers who enquire, make offers and buy (market.simulate).")
@click.option("--sales-days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Spread the buyers' purchases over this many past days.")
@click.option("--price-unpriced", is_flag=True,
              help="Give works without a price a synthetic list price first (for an imported catalogue). "
                   "Rewrites price and currency of those works.")
@with_appcontext
def simulate_command(users, sessions, days, seed, spread_uploads, buyers, sales_days, price_unpriced):
    """Add SYNTHETIC readers (sim_NNNNN) with hidden tastes who view, like and follow the works in
    the database, and SYNTHETIC buyers who enquire, offer and buy, for offline evaluation before
    real logs and sales exist. Not for a live site."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        if spread_uploads and not users:  # readers spread over their own window; buyers need theirs
            now = datetime.now(UTC)
            ranking.spread_uploads(conn, now - timedelta(days=sales_days), now - timedelta(days=sales_days / 2))
        if users:
            _simulate_readers(conn, users, sessions, days, seed, spread_uploads)
        if buyers:
            _simulate_buyers(conn, buyers, sales_days, seed, price_unpriced)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    finally:
        conn.close()


def _simulate_buyers(conn, buyers, days, seed, price_unpriced):
    try:
        market = market_simulate.simulate_buyers(conn, current_app.config["CURRENCY_RATES"], buyers=buyers, days=days,
                                                 seed=seed, price_unpriced=price_unpriced)
    except market_simulate.NothingForSale as nothing:
        click.echo(f"No buyers simulated: {nothing}.")
        return
    click.echo(f"Simulated {market.buyers} buyers: {market.orders} orders ({market.offers} from offers), "
               f"{market.enquiries} enquiries; {market.priced} works given synthetic prices.")


def _simulate_readers(conn, users, sessions, days, seed, spread_uploads):
    result = simulate.simulate(conn, users=users, sessions=sessions, days=days, seed=seed,
                               spread_uploads=spread_uploads,
                               progress=lambda items: tqdm(items, desc="Simulating", unit="reader"))
    click.echo(f"Simulated {len(result.users)} readers: {result.views} page views, {result.likes} likes, "
               f"{result.follows} follows.")
    if not result.views:
        click.echo("No work was published before the sessions: pass --spread-uploads for an imported catalogue.")


@evaluate_group.command("pricing")
@click.option("--held-out", type=click.FloatRange(0.05, 0.5), default=0.2, show_default=True,
              help="The share of the latest sales to hold out.")
@with_appcontext
def evaluate_pricing_command(held_out):
    """Pricing insight against held-out sales (the latest, by date): median absolute percentage
    error, beside the median price of the work's medium as a baseline."""
    with _database() as conn:
        sold = sales_analytics.sold_works(conn)
    try:
        result = pricing.evaluate(sold, held_out)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Sales: {result.train} to fit, {result.held_out} held out (the latest)")
    click.echo(f"  median absolute % error   pricing insight {result.mape:.1%}   "
               f"medium median {result.baseline_mape:.1%}   ratio {result.mape / result.baseline_mape:.2f}")
    click.echo(f"  held-out prices inside the suggested range: {result.in_range:.1%}; "
               f"mean confidence {result.mean_confidence:.2f}")


@click.group("sales")
def sales_group():
    """Offers and orders."""


@sales_group.command("settle")
@with_appcontext
def settle_sales_command():
    """Expire offers, release unpaid orders past their hold, and start, warn of and expire
    licences (requests do it as they come; run this from a scheduler, e.g. every 15 minutes, so
    that a quiet site's holds lapse and its licence expiries are told on time too)."""
    conn = store.connect(current_app.config["DATABASE"])
    try:
        due = sales.anything_due(conn)
        sales.settle_if_due(conn)
    finally:
        conn.close()
    click.echo("Settled what had fallen due." if due else "Nothing had fallen due.")


@click.group("fulfilment")
def fulfilment_group():
    """Print orders and the print lab."""


@fulfilment_group.command("dispatch")
@with_appcontext
def dispatch_fulfilment_command():
    """Send paid print orders that are due to the print lab, and retry those it could not take
    (run from a scheduler, e.g. every minute; a payment starts a send of its own at once)."""
    settings = current_app.config
    provider = current_app.extensions["easel_fulfilment"]
    if provider is None:
        raise click.ClickException("FULFILMENT_URL is not set: there is no print lab to send to.")
    base_url = settings["SERVER_URL"] or settings["PUBLIC_URL"]
    if not base_url:
        raise click.ClickException("Set SERVER_URL (this server's address): the lab fetches print files from it.")
    conn = store.connect(settings["DATABASE"])
    try:
        result = dispatcher.dispatch_due(conn, MediaStore(settings["MEDIA_DIR"]), provider,
                                         fulfilment.links(settings, base_url), max_pixels=settings["MAX_IMAGE_PIXELS"])
    finally:
        conn.close()
    click.echo(f"Sent {len(result.sent)}; {len(result.retrying)} to retry later; {len(result.failed)} failed.")


@click.group("rankings")
def rankings_group():
    """Featured and trending lists."""


@rankings_group.command("refresh")
@with_appcontext
def refresh_rankings_command():
    """Compute the current period's featured and trending lists ahead of the first visitor
    (run from a scheduler, e.g. every hour)."""
    conn = store.connect(current_app.config["DATABASE"])
    database = current_app.config["DATABASE"]
    try:
        for kind in FEATURED_TYPES:
            started = time.perf_counter()
            listing = featured.featured_list(conn, database, f"featured_{kind}")
            click.echo(f"featured {kind}: {len(listing.items)} items for the period from {listing.period_start} "
                       f"({time.perf_counter() - started:.2f} s)")
        for kind in trending.KINDS:
            for window in trending.WINDOWS:
                started = time.perf_counter()
                items = trending.trending_items(conn, database, kind, window)
                click.echo(f"trending {kind} {window}: {len(items)} items ({time.perf_counter() - started:.2f} s)")
    finally:
        conn.close()


@click.command("import-catalog")
@click.argument("csv_path", metavar="CSV", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(min=1), help="Import only the first N records.")
@click.option("--no-subject-tags", is_flag=True, help="Leave subjects out of the index (for evaluation).")
@click.option("--workers", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="Processes for the image pipeline.")
@with_appcontext
def import_catalog_command(csv_path, limit, no_subject_tags, workers):
    """Load a museum-style catalogue (title, artist, medium, year, dimensions, subjects) as artworks
    with generated placeholder images, then reindex."""
    try:
        rows = catalog.read_catalogue(csv_path)[:limit]
    except catalog.CatalogueError as error:
        raise click.ClickException(str(error)) from error
    conn = store.connect(current_app.config["DATABASE"])
    try:
        created = catalog.import_catalogue(
            conn, MediaStore(current_app.config["MEDIA_DIR"]), rows, subjects_as_tags=not no_subject_tags,
            workers=workers, progress=lambda items: tqdm(items, total=len(rows), desc="Importing", unit="work"))
        stats = tfidf.reindex(conn)
    finally:
        conn.close()
    click.echo(f"Imported {len(created)} artworks; index holds {stats['documents']} artworks.")



COMMANDS = (init_db_command, grant_role_command, import_images_command, check_counters_command, reindex_command,
            evaluate_group, import_catalog_command, simulate_command, rankings_group, sales_group, fulfilment_group)


def init_app(app):
    for command in COMMANDS:
        app.cli.add_command(command)
