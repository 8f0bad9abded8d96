"""A real local HTTP server standing in for a print lab: it records every order POSTed to it,
answers as scripted (a status per request: down at first, then up), and can download the print
file from the signed URL it was sent, the way a lab would."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Lab:
    def __init__(self, answers=(200,)):
        self.answers = list(answers)  # the last one repeats
        self.received = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/orders"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        lab = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the name http.server calls
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = lab.answers.pop(0) if len(lab.answers) > 1 else lab.answers[0]
                lab.received.append({"headers": dict(self.headers), "body": body, "answered": status})
                answer = json.dumps({"reference": f"LAB-{len(lab.received)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        return Handler


