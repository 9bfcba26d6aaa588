"""A real nginx with `proxy_cache` in front of a server, as a CDN or a reverse proxy would be.

nginx runs as a child process in the foreground, in one process, with every path it writes
(pid, logs, temporary files, the cache) in its own folder, listening on a loopback port. Its
configuration trusts the registry's headers alone: no `proxy_cache_valid`, no bypass rule, so
what it keeps is what `Cache-Control` and `Vary` allow. Each answer says what the cache did in
`X-Cache-Status` (nginx's `$upstream_cache_status`: MISS, HIT, EXPIRED, REVALIDATED…).
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from types import TracebackType

import httpx

from tests.server_process import free_port

CONFIG = """
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    proxy_cache_path {folder}/cache keys_zone=registry:1m max_size=16m inactive=10m;
    server {{
        listen 127.0.0.1:{port};
        location /graphql {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_cache registry;
            proxy_cache_revalidate on;  # an expired answer is asked again with If-None-Match
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


class CachingProxy:
    def __init__(self, executable: str, upstream_port: int, folder: Path) -> None:
        self.executable = executable
        self.upstream_port = upstream_port
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CachingProxy:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "nginx.conf"
        config.write_text(CONFIG.format(folder=self.folder, port=self.port, upstream=self.upstream_port))
        log = self.folder / "error.log"
        command = [self.executable, "-p", str(self.folder), "-e", str(log), "-c", str(config)]
        with open(self.folder / "stderr.log", "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{self.url}/graphql", timeout=2)  # any answer: nginx listens
                return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> CachingProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
