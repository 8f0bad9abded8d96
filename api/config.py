"""Settings: read from the environment, validated before the app starts (README.md lists them)."""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many
from werkzeug.security import generate_password_hash

import imaging
from market import money
from search.ranking import RankingConfig

DEFAULT_CORS_ORIGINS = "http://localhost:3000,http://localhost:5173,http://127.0.0.1:3000,http://127.0.0.1:5173"
_TRUE = {"1", "true", "yes", "on"}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def parse_origins(value):
    """Exact origins only: a wildcard with credentials would let any website act as the user."""
    origins = [origin.strip().rstrip("/") for origin in str(value).split(",") if origin.strip()]
    bad = [origin for origin in origins if not _ORIGIN.match(origin)]
    if bad:
        raise ValueError(f"CORS_ORIGINS takes exact origins like https://app.example.com, not {bad}")
    return origins


def parse_public_url(value):
    """PUBLIC_URL without a trailing slash, or None; anything but an http(s) base URL is refused."""
    if not value:
        return None
    value = str(value).strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"PUBLIC_URL must be an http(s) base URL like https://easel.example, not {value!r}")
    return value


class ConfigError(ValueError):
    """A setting has a value Easel cannot start with; the message names the setting."""


_FALSE = {"0", "false", "no", "off"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RATELIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
MIB = 1024 * 1024


def parse_http_url(text):
    text = str(text).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http(s) URL")
    return text


def flag(text):
    """true/false, 1/0, yes/no, on/off: a typo such as "maybe" must not quietly turn a limit off."""
    text = str(text).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ValueError("must be true or false (or 1/0, yes/no, on/off)")


def whole(minimum, maximum):
    def parse(text):
        text = str(text).strip()
        if not re.fullmatch(r"-?\d{1,19}", text):
            raise ValueError("must be a whole number")
        value = int(text)
        if not minimum <= value <= maximum:
            raise ValueError(f"must be from {minimum:,} to {maximum:,}")
        return value
    return parse


def decimal(minimum, maximum):
    def parse(text):
        try:
            value = float(str(text).strip())
        except ValueError:
            raise ValueError("must be a number") from None
        if not minimum <= value <= maximum:
            raise ValueError(f"must be from {minimum} to {maximum}")
        return value
    return parse


def proxy_hops(text):
    """TRUST_PROXY: how many proxies stand in front of the app; true means one, false none."""
    text = str(text).strip().lower()
    return whole(0, 10)(text) if text.lstrip("-").isdigit() else int(flag(text))


def log_level(text):
    if str(text).strip().upper() not in LOG_LEVELS:
        raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
    return str(text).strip().upper()


def rate_limits(text):
    """Flask-Limiter's notation, e.g. "300 per minute" or "20/second; 1000/hour"."""
    try:
        parsed = parse_many(str(text))
    except ValueError:
        parsed = []
    if not parsed:
        raise ValueError('must be limits like "300 per minute" or "20/second; 1000/hour"')
    return str(text)


def storage_uri(text):
    scheme = urlsplit(str(text)).scheme
    if scheme not in RATELIMIT_SCHEMES or "://" not in str(text):
        raise ValueError("must be memory:// or a Redis URL such as redis://localhost:6379/0")
    return str(text)


def hash_method(text):
    try:
        generate_password_hash("probe", method=str(text))
    except (ValueError, TypeError):
        raise ValueError('must be a werkzeug hash method such as "scrypt" or "pbkdf2:sha256"') from None
    return str(text)


PROVIDERS = ("manual", "webhook")


def payment_providers(text):
    names = tuple(dict.fromkeys(name.strip().lower() for name in str(text).split(",") if name.strip()))
    unknown = [name for name in names if name not in PROVIDERS]
    if unknown or not names:
        raise ValueError(f"must list some of {', '.join(PROVIDERS)}")
    return names


def _text(value):
    return str(value)


# name -> (parser of the environment's text, default). Every one runs at start, in settings().
SETTINGS = {
    "MAX_UPLOAD_MB": (whole(1, 4096), 100),
    "MAX_IMAGE_PIXELS": (whole(1, 1_000_000_000), imaging.DEFAULT_MAX_PIXELS),
    "SESSION_COOKIE_SECURE": (flag, False),
    "SESSION_LIFETIME_DAYS": (whole(1, 366), 30),
    "TRUST_PROXY": (proxy_hops, 0),
    "RATELIMIT_ENABLED": (flag, True),
    "RATELIMIT_STORAGE_URI": (storage_uri, "memory://"),
    "RATELIMIT_DEFAULT": (rate_limits, "300 per minute"),
    "PASSWORD_HASH_METHOD": (hash_method, "scrypt"),
    "LOG_LEVEL": (log_level, "INFO"),
    # Load the search, image and feed indexes in the background at start-up (seconds for 100,000
    # works), so that the first search does not wait; /api/ready answers 503 until they are in.
    "SEARCH_WARM": (flag, True),
    # Seconds the feed's co-like and text model is kept before it is rebuilt in the background.
    "FEED_MODEL_MAX_AGE": (whole(1, 86_400), 300),
    # A featured config change is refused when a headline offline metric falls by more than
    # this fraction of the live config's figure (unless forced with a reason).
    "FEATURED_GATE_TOLERANCE": (decimal(0, 1), 0.05),
    # Users whose last like the gate holds out (a seeded sample when there are more).
    "FEATURED_GATE_USERS": (whole(1, 1_000_000), 2000),
    "CORS_ORIGINS": (_text, DEFAULT_CORS_ORIGINS),
    # Dated conversion rates for comparing prices and adding revenue across currencies: JSON (or
    # a JSON file's path) like {"base": "USD", "as_of": "2026-12-01", "rates": {"EUR": 1.05}}.
    "CURRENCY_RATES": (money.parse_rates, money.parse_rates(None)),
    # How long an unpaid order holds its work (an original, or an edition's prints).
    "ORDER_HOLD_HOURS": (whole(1, 24 * 30), 48),
    # The payment providers buyers may choose (market.payments): manual, webhook.
    "PAYMENT_PROVIDERS": (payment_providers, ("manual", "webhook")),
    # How far a signed webhook's timestamp may be from the server's clock before it is refused.
    "PAYMENT_WEBHOOK_TOLERANCE_SECONDS": (whole(10, 3600), 300),
    # The print lab's order endpoint (market.fulfilment.WebhookFulfilment); unset, prints can be
    # set up but not ordered.
    "FULFILMENT_URL": (parse_http_url, None),
    "FULFILMENT_TIMEOUT_SECONDS": (whole(1, 300), 10),
    # How long the signed link to a print-ready file, sent to the lab, stays good.
    "FULFILMENT_FILE_URL_HOURS": (whole(1, 24 * 60), 72),
    # This API server's own address, for links handed to outside services (the print lab's
    # file downloads). Default: the address of the request that paid for the print.
    "SERVER_URL": (parse_http_url, None),
    # Conversations a day an account may start with people it shares no follows or dealings
    # with (on top of 20 conversations an hour and 60 messages a minute for everyone).
    "STRANGER_CONVERSATIONS_PER_DAY": (whole(0, 1000), 5),
    # How long one GET /api/conversations/stream stays open before the client reconnects; 0 turns
    # the stream off. Each open stream holds a worker thread, so enable it only with threaded or
    # async workers (README, "Live updates").
    "CONVERSATION_STREAM_SECONDS": (whole(0, 3600), 0),
}


def _parsed(values):
    parsed = {}
    for name, (parse, default) in SETTINGS.items():
        raw = values.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            parsed[name] = default
            continue
        try:
            parsed[name] = parse(raw)
        except ValueError as error:
            raise ConfigError(f"{name} {error}, not {raw!r}") from None
    return parsed


def rate_limit_store_warning(workers, environ):
    """The warning to log when `workers` processes would each keep their own rate-limit counts
    (the in-memory store), so that every limit lets `workers` times as many requests through."""
    values = _parsed({name: environ.get(name) for name in ("RATELIMIT_ENABLED", "RATELIMIT_STORAGE_URI")})
    if workers <= 1 or not values["RATELIMIT_ENABLED"] or not values["RATELIMIT_STORAGE_URI"].startswith("memory"):
        return None
    return (f"RATE LIMITS ARE NOT SHARED: {workers} workers each count in their own memory, so every limit "
            f"lets {workers} times as many requests through. Set RATELIMIT_STORAGE_URI=redis://host:6379/0 "
            f"(see README, Rate limits).")


def settings(values):
    """The app's settings from load_config()'s (or a test's) values: defaults resolved, each checked.
    Raises ConfigError naming the setting, so a bad deployment stops at start, not at first use."""
    resolved = {**values, **_parsed(values)}
    data_dir = Path(values["DATA_DIR"])
    resolved["DATABASE"] = values.get("DATABASE") or str(data_dir / "easel.sqlite3")
    resolved["MEDIA_DIR"] = values.get("MEDIA_DIR") or str(data_dir / "media")
    # Tests set the byte count directly; deployments give MAX_UPLOAD_MB.
    resolved["MAX_CONTENT_LENGTH"] = values.get("MAX_CONTENT_LENGTH") or resolved["MAX_UPLOAD_MB"] * MIB
    try:
        resolved["CORS_ORIGINS"] = parse_origins(resolved["CORS_ORIGINS"])
        resolved["PUBLIC_URL"] = parse_public_url(values.get("PUBLIC_URL"))
        resolved["SEARCH_RANKING"] = parse_ranking(values.get("SEARCH_RANKING"))
    except ConfigError:
        raise
    except ValueError as error:
        raise ConfigError(str(error)) from error
    resolved["SECRET_KEY"] = values.get("SECRET_KEY") or load_or_create_secret(values["DATA_DIR"])
    # The secret the card processor signs webhooks with; give the processor the same value.
    resolved["PAYMENT_WEBHOOK_SECRET"] = (values.get("PAYMENT_WEBHOOK_SECRET")
                                          or load_or_create_secret(values["DATA_DIR"], "payment_webhook_secret"))
    # The secret shared with the print lab: it signs orders sent, status callbacks and file links.
    resolved["FULFILMENT_SECRET"] = (values.get("FULFILMENT_SECRET")
                                     or load_or_create_secret(values["DATA_DIR"], "fulfilment_secret"))
    return resolved


def load_config(environ=os.environ):
    """The environment's text for every setting; settings() parses and checks it. README.md
    documents each one."""
    return {
        "DATA_DIR": str(Path(environ.get("DATA_DIR", "data")).resolve()),
        "DATABASE": environ.get("DATABASE") or None,  # default: DATA_DIR/easel.sqlite3
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        # Where people open an artwork (the frontend); share links point there. Default: this server.
        "PUBLIC_URL": environ.get("PUBLIC_URL") or None,
        "MEDIA_DIR": environ.get("MEDIA_DIR") or None,  # default: DATA_DIR/media
        # JSON with any of search.ranking.RankingConfig's fields, e.g. {"engagement": 0.3}.
        "SEARCH_RANKING": environ.get("SEARCH_RANKING") or None,
        "PAYMENT_WEBHOOK_SECRET": environ.get("PAYMENT_WEBHOOK_SECRET") or None,  # default: DATA_DIR file
        "FULFILMENT_SECRET": environ.get("FULFILMENT_SECRET") or None,  # default: DATA_DIR file
        **{name: environ.get(name) for name in SETTINGS},
    }


def parse_ranking(value):
    """The search ranking settings: a RankingConfig, a dict or JSON text of overrides, or None."""
    if value is None or isinstance(value, RankingConfig):
        return value or RankingConfig()
    try:
        return (RankingConfig.from_mapping(value) if isinstance(value, dict) else RankingConfig.from_json(value))
    except ValueError as error:
        raise ValueError(f"SEARCH_RANKING: {error}") from error



def load_or_create_secret(data_dir, name="secret_key"):
    """A secret (by default the key that signs session cookies), generated once and kept in
    DATA_DIR under `name` (mode 0600).

    Written to a temporary file and linked into place, so that several workers starting at
    once agree on one key and none reads a half-written file.
    """
    path = Path(data_dir) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race; use its key
        finally:
            temporary.unlink()
    return path.read_text().strip()

