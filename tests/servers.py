"""Real processes for tests: our server under gunicorn or `python app.py`, and Redis. Each starts on
a free port with its files in the test's temp folder, and is stopped by the test that started it."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COMMANDS = {
    "python app.py": [sys.executable, "app.py"],
    # No --bind: gunicorn.conf.py reads HOST and PORT, as it does in production.
    "gunicorn app:app": [str(BIN / "gunicorn"), "--workers", "2", "app:app"],
}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """Starts `command` with PORT and DATA_DIR set (and `env`), and waits until it answers."""

    def __init__(self, command, data_dir, env=None):
        self.port = free_port()
        self.env = {**os.environ, "PORT": str(self.port), "DATA_DIR": str(data_dir), "HOST": "127.0.0.1",
                    **(env or {})}
        self.command = list(command)
        self.process = None
        self.stderr_path = Path(data_dir).parent / f"server-{self.port}.log"

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        Path(self.stderr_path).parent.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=self._stderr)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._stderr.close()
                raise RuntimeError(f"server exited: {self.log()[-2000:]}")
            try:
                self.call("GET", "/api/health")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not answer within 30 s")

    def log(self):
        return self.stderr_path.read_text(errors="replace")

    @staticmethod
    def log_of(data_dir):
        """Every server log written beside data_dir (after the server has stopped)."""
        return "".join(path.read_text(errors="replace") for path in sorted(Path(data_dir).parent.glob("server-*.log")))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self._stderr.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def call(self, method, path, body=None, cookie=None, headers=None):
        """(status, headers, parsed JSON body) for one request."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if cookie:
            request.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, json.loads(response.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, json.loads(error.read())

    def upload(self, cookie, content, **fields):
        """POST /api/artworks/upload of one image; returns the artwork."""
        body, content_type = multipart({key: str(value) for key, value in fields.items()},
                                       [("image_file", "work.jpg", content)])
        request = urllib.request.Request(self.base + "/api/artworks/upload", data=body, method="POST",
                                         headers={"Content-Type": content_type, "Cookie": cookie})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def register(self, username, **fields):
        """Registers an account; returns its cookie ("name=value")."""
        status, headers, body = self.call("POST", "/api/auth/register", {
            "username": username, "email": f"{username}@example.com", "password": f"{username} secret words",
            "artist_name": username.title(), **fields})
        assert status == 201, body
        return headers["Set-Cookie"].split(";")[0]


def multipart(fields, files):
    """(body, content type) for form fields and (field, filename, bytes) files."""
    boundary = "easel-e2e-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Redis:
    """redis-server on a free port, persisting nothing, in `folder`; skips the test if it is absent."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
        self.port, self.folder, self.process = free_port(), Path(folder), None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer within 10 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
