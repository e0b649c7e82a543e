"""Debian's nginx in front of the web processes, with the site's own locations file."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import requests

from tests.conftest import wait_until
from tests.faults.conftest import free_port

NGINX = "/usr/sbin/nginx"
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"

CONFIG = """
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{map_and_upstream}
    server {{
        listen 127.0.0.1:{port};
        # which web process answered (the test kills that one)
        add_header X-Senim-Upstream $upstream_addr always;
        include {locations};
    }}
}}
"""


def _site_head(ports: list[int]) -> str:
    """The http-level part of deploy/nginx/senim.conf (map and upstream), on the test's ports."""
    text = (DEPLOY / "senim.conf").read_text()
    head = text[text.index("map $http_upgrade"):text.index("server {")]
    servers = "".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;\n" for port in ports)
    start, end = head.index("    server 127.0.0.1:"), head.index("    keepalive")
    return head[:start] + servers + head[end:]


class Nginx:
    def __init__(self, folder: Path, upstream_ports: list[int]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.config = folder / "nginx.conf"
        self.config.write_text(CONFIG.format(
            folder=folder, port=self.port, locations=DEPLOY / "senim-locations.conf",
            user="user root;" if os.getuid() == 0 else "", map_and_upstream=_site_head(upstream_ports)))
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        check = subprocess.run([NGINX, "-t", "-p", str(self.folder), "-c", str(self.config)],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen([NGINX, "-p", str(self.folder), "-c", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self._answers, timeout=20), (self.folder / "error.log").read_text()
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(self.base_url + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
