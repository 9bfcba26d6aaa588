"""A real nginx with `proxy_cache` in front of a server, as a CDN or a reverse proxy would be.

nginx runs as a child process in the foreground, in one process, with every path it writes
(pid, logs, temporary files, the cache) in its own folder, listening on a loopback port. Its
configuration trusts the registry's headers alone: no `proxy_cache_valid`, no bypass rule, so
what it keeps is what `Cache-Control` and `Vary` allow. Each answer says what the cache did in
`X-Cache-Status` (nginx's `$upstream_cache_status`: MISS, HIT, EXPIRED, REVALIDATED…).
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.foreground import ForegroundProcess
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


class CachingProxy(ForegroundProcess):
    def __init__(self, executable: str, upstream_port: int, folder: Path) -> None:
        super().__init__(folder / "error.log")  # nginx's own error log, and whatever it prints
        self.executable = executable
        self.upstream_port = upstream_port
        self.folder = folder
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> CachingProxy:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "nginx.conf"
        config.write_text(CONFIG.format(folder=self.folder, port=self.port, upstream=self.upstream_port))
        self.launch([self.executable, "-p", str(self.folder), "-e", str(self.log), "-c", str(config)])
        self.wait(lambda: httpx.get(f"{self.url}/graphql", timeout=2) is not None, "nginx")  # any answer: nginx listens
        return self

    def __enter__(self) -> CachingProxy:
        return self.start()
