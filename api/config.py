"""Settings: read from the environment, validated before the app starts (README.md lists them)."""

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import imaging
from search.ranking import RankingConfig

DEFAULT_CORS_ORIGINS = "http://localhost:3000,http://localhost:5173,http://127.0.0.1:3000,http://127.0.0.1:5173"
_TRUE = {"1", "true", "yes", "on"}
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.-]+(:\d{1,5})?$")


def _flag(value):
    return str(value).strip().lower() in _TRUE


def _proxy_hops(value):
    """TRUST_PROXY: a number of proxies in front of the app, or true for one."""
    value = str(value).strip().lower()
    if value.isdigit():
        return int(value)
    return 1 if value in _TRUE else 0


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


def _number(environ, name, default, *, kind=int, minimum=None):
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {raw!r}")
    return value


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def settings(values):
    """The app's settings from load_config()'s (or a test's) values: defaults resolved, each checked.
    Raises ConfigError naming the setting, so a bad deployment stops at start, not at first use."""
    resolved = dict(values)
    data_dir = Path(values["DATA_DIR"])
    resolved["DATABASE"] = values.get("DATABASE") or str(data_dir / "easel.sqlite3")
    resolved["MEDIA_DIR"] = values.get("MEDIA_DIR") or str(data_dir / "media")
    try:
        resolved["CORS_ORIGINS"] = parse_origins(values["CORS_ORIGINS"])
        resolved["PUBLIC_URL"] = parse_public_url(values.get("PUBLIC_URL"))
        resolved["SEARCH_RANKING"] = parse_ranking(values.get("SEARCH_RANKING"))
    except ConfigError:
        raise
    except ValueError as error:
        raise ConfigError(str(error)) from error
    if str(values["LOG_LEVEL"]).upper() not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {values['LOG_LEVEL']!r}")
    resolved["SECRET_KEY"] = values.get("SECRET_KEY") or load_or_create_secret(values["DATA_DIR"])
    return resolved


def load_config(environ=os.environ):
    """Settings from the environment; README.md documents each one."""
    data_dir = Path(environ.get("DATA_DIR", "data")).resolve()
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE": environ.get("DATABASE") or None,  # default: DATA_DIR/easel.sqlite3
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "CORS_ORIGINS": environ.get("CORS_ORIGINS", DEFAULT_CORS_ORIGINS),
        # Where people open an artwork (the frontend); share links point there. Default: this server.
        "PUBLIC_URL": environ.get("PUBLIC_URL") or None,
        "MEDIA_DIR": environ.get("MEDIA_DIR") or None,  # default: DATA_DIR/media
        "MAX_CONTENT_LENGTH": _number(environ, "MAX_UPLOAD_MB", 100, minimum=1) * 1024 * 1024,
        "MAX_IMAGE_PIXELS": _number(environ, "MAX_IMAGE_PIXELS", imaging.DEFAULT_MAX_PIXELS, minimum=1),
        "SESSION_COOKIE_SECURE": _flag(environ.get("SESSION_COOKIE_SECURE", "false")),
        "SESSION_LIFETIME_DAYS": _number(environ, "SESSION_LIFETIME_DAYS", 30, minimum=1),
        "TRUST_PROXY": _proxy_hops(environ.get("TRUST_PROXY", "0")),
        "RATELIMIT_ENABLED": _flag(environ.get("RATELIMIT_ENABLED", "true")),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_DEFAULT": environ.get("RATELIMIT_DEFAULT", "300 per minute"),
        "PASSWORD_HASH_METHOD": environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        # JSON with any of search.ranking.RankingConfig's fields, e.g. {"engagement": 0.3}.
        "SEARCH_RANKING": environ.get("SEARCH_RANKING") or None,
        # Load the search ranking index in the background at start-up (seconds for 100,000 works),
        # so that the first search does not wait for it.
        "SEARCH_WARM": _flag(environ.get("SEARCH_WARM", "true")),
        # Seconds the feed's co-like and text model is kept before it is rebuilt in the background.
        "FEED_MODEL_MAX_AGE": _number(environ, "FEED_MODEL_MAX_AGE", 300, minimum=1),
        # A featured config change is refused when a headline offline metric falls by more than
        # this fraction of the live config's figure (unless forced with a reason).
        "FEATURED_GATE_TOLERANCE": _number(environ, "FEATURED_GATE_TOLERANCE", 0.05, kind=float, minimum=0),
        # Users whose last like the gate holds out (a seeded sample when there are more).
        "FEATURED_GATE_USERS": _number(environ, "FEATURED_GATE_USERS", 2000, minimum=1),
    }


def parse_ranking(value):
    """The search ranking settings: a RankingConfig, a dict or JSON text of overrides, or None."""
    if value is None or isinstance(value, RankingConfig):
        return value or RankingConfig()
    try:
        return (RankingConfig.from_mapping(value) if isinstance(value, dict) else RankingConfig.from_json(value))
    except ValueError as error:
        raise ValueError(f"SEARCH_RANKING: {error}") from error



def load_or_create_secret(data_dir):
    """The key that signs session cookies, generated once and kept in DATA_DIR (mode 0600).

    Written to a temporary file and linked into place, so that several workers starting at
    once agree on one key and none reads a half-written file.
    """
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
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

