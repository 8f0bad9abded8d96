"""Schemathesis against the OpenAPI document, on a real gunicorn process: `make fuzz` (more examples)
and tests/test_fuzz.py (a bounded run inside `make test`) both call run().

The server gets a fresh data folder with a signed-in curator, so that the fuzzer reaches the
authenticated and the curators' routes; rate limits are off so that it is not answered 429
after a few registrations. The checks are the issue's six, over every phase (examples, coverage,
fuzzing, and stateful sequences that follow the document's links: create, then read, update, delete).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.servers import BIN, COMMANDS, ROOT, Server

CHECKS = ("not_a_server_error", "status_code_conformance", "response_schema_conformance",
          "content_type_conformance", "ignored_auth", "use_after_free")
AUTH = """\
[auth.openapi.session]
api_key = "${EASEL_FUZZ_SESSION}"
"""
# Most generated ids are drawn from the seeded rows, so that the fuzzer gets past 404s into each
# route's own logic; the rest stay random (and meet the 404s).
SEEDED_SHARE = 0.7


def seed_rows(server, cookie):
    """Rows of every kind the fuzzer's curator can act on: {path parameter: [ids]}."""
    from datetime import UTC, datetime, timedelta

    from tests.conftest import encoded, painting

    other = server.register("seeded_artist")
    other_id = server.call("GET", "/api/auth/user", cookie=other)[2]["user"]["id"]
    server.call("PUT", f"/api/artists/{other_id}", {"portfolio": {"open_for_commissions": True}}, cookie=other)
    works = [server.upload(cookie, encoded(painting(seed_number)), title=f"Seeded {seed_number}", tags="sea, night")
             for seed_number in (1, 2, 3)]
    theirs = server.upload(other, encoded(painting(4)), title="Their work")
    server.upload(other, encoded(painting(1)), title="A copy")  # a copy alert for the curator
    gallery = server.call("POST", "/api/galleries", {"name": "Seeded"}, cookie=cookie)[2]
    server.call("POST", f"/api/galleries/{gallery['id']}/artworks", {"artwork_id": works[0]["id"]}, cookie=cookie)
    comment = server.call("POST", f"/api/artworks/{works[0]['id']}/comment", {"comment_text": "Seeded"},
                          cookie=cookie)[2]
    commission = server.call("POST", "/api/commissions", {
        "artist_id": theirs["artist"]["id"], "title": "A harbour at night", "description": "Oil, 40 x 30 cm",
        "budget": 50000, "currency": "EUR", "deadline": str(datetime.now(UTC).date() + timedelta(days=60))},
        cookie=cookie)[2]
    day = datetime.now(UTC).date()
    exhibition = server.call("POST", "/api/exhibitions", {
        "title": "Seeded call", "submission_deadline": str(day + timedelta(days=10)),
        "exhibition_start": str(day + timedelta(days=20)), "exhibition_end": str(day + timedelta(days=30)),
        "location": "online"},
        cookie=cookie)[2]
    submission = server.call("POST", f"/api/exhibitions/{exhibition['id']}/submit",
                             {"artwork_ids": [theirs["id"]]}, cookie=other)[2]
    alerts = server.call("GET", "/api/copyright/alerts", cookie=cookie)[2]["items"]
    me = server.call("GET", "/api/auth/user", cookie=cookie)[2]["user"]
    found = {"artwork_id": [work["id"] for work in works] + [theirs["id"]], "gallery_id": [gallery["id"]],
             "comment_id": [comment["id"]], "commission_id": [commission["id"]],
             "exhibition_id": [exhibition["id"]], "submission_id": [submission["id"]],
             "artist_id": [me["id"], theirs["artist"]["id"]], "alert_id": [alert["id"] for alert in alerts]}
    missing = [name for name, ids in found.items() if not all(ids) or not ids]
    assert not missing, f"seeding failed for {missing}"
    return found


def config_text(seeded, signed_in=True):
    lines = [AUTH if signed_in else "", "[parameters]"]
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = {SEEDED_SHARE} }}' for name in seeded]
    for name, ids in seeded.items():
        lines += ["", f"[dictionaries.{name}]", "values = [" + ", ".join(f'"{value}"' for value in ids) + "]"]
    return "\n".join(lines) + "\n"


# One Schemathesis worker: with two threads, Hypothesis's ast.parse of its own lambdas meets CPython's
# "AST constructor recursion depth mismatch" SystemError (python/cpython#106905) on Python 3.11.
def run(folder, *, examples=25, seed=1, workers=1, extra=()):
    """Start the server, run schemathesis; returns (exit code, its output, the server's log)."""
    folder = Path(folder)
    env = {"RATELIMIT_ENABLED": "false", "WEB_CONCURRENCY": "2", "LOG_LEVEL": "WARNING",
           "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    with Server(COMMANDS["gunicorn app:app"], folder / "data", env=env) as server:
        cookie = server.register("fuzzer")
        subprocess.run([str(BIN / "flask"), "--app", "app", "grant-role", "fuzzer", "curator"], cwd=ROOT, check=True,
                       env={**server.env}, capture_output=True)
        seeded = seed_rows(server, cookie)
        (folder / "signed-in.toml").write_text(config_text(seeded))
        (folder / "signed-out.toml").write_text(config_text(seeded, signed_in=False))
        env = {**os.environ, "EASEL_FUZZ_SESSION": cookie.split("=", 1)[1]}
        outputs, code = [], 0
        # Signing out would end the fuzzer's own session and leave every later request signed out,
        # so logout gets a run of its own after the signed-in one; then every route once more
        # signed out, with fewer examples (most answer 401 at once).
        for config, count, selection in (("signed-in.toml", examples, ["--exclude-operation-id", "logout"]),
                                         ("signed-in.toml", examples, ["--include-operation-id", "logout",
                                                                         "--phases", "coverage,fuzzing"]),
                                         ("signed-out.toml", max(examples // 3, 1), [])):
            command = [str(BIN / "schemathesis"), "--config-file", str(folder / config), "run",
                       f"{server.base}/api/openapi.json", "--checks", ",".join(CHECKS),
                       "--max-examples", str(count), "--seed", str(seed), "--workers", str(workers),
                       "--request-timeout", "30", "--no-color", *selection, *extra]
            result = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
            outputs.append(result.stdout + result.stderr)
            code = code or result.returncode
        return code, "\n".join(outputs), server


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    arguments, extra = parser.parse_known_args()
    with tempfile.TemporaryDirectory(prefix="easel-fuzz-") as folder:
        code, output, server = run(folder, examples=arguments.examples, seed=arguments.seed,
                                   workers=arguments.workers, extra=extra)
        print(output)
        if code:
            print(server.log()[-20000:], file=sys.stderr)
    sys.exit(code)


if __name__ == "__main__":
    main()
