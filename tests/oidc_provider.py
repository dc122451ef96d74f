"""A real OpenID provider on loopback for the single sign-on tests.

tests/oidc/provider.mjs runs the npm package oidc-provider under Node; its packages are
installed with `npm ci` the first time (tests/oidc/node_modules is not committed).
"""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "skills"
SHORT_CODES_CLIENT_ID = "skills-short-codes"  # its codes expire after one second
CLIENT_SECRET = "test-secret"


def _node_modules() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "the single sign-on tests need Node.js and npm (apt-get install nodejs npm)"
        )
    subprocess.run(
        [npm, "ci", "--prefix", str(HERE), "--no-audit", "--no-fund"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    url: str  # where it answers
    issuer: str  # what its tokens say


@contextmanager
def running_provider(
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] = (),  # type: ignore[assignment]
    issuer: str | None = None,
    announce_own_url: bool = False,
) -> Iterator[Provider]:
    """Start the provider on a free loopback port, wait for its discovery document, and
    stop it afterwards. With `issuer` its tokens carry that issuer; `announce_own_url`
    makes its discovery document name its own URL as the issuer all the same."""
    _node_modules()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PORT": str(port),
        "ISSUER": issuer or url,
        "REDIRECT_URIS": ",".join(redirect_uris),
        "POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
        "CLIENT_SECRET": CLIENT_SECRET,
        "DISCOVERY_ISSUER": url if announce_own_url else "",
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(
                    f"{url}/.well-known/openid-configuration", timeout=1
                ).raise_for_status()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the OpenID provider did not start") from None
                time.sleep(0.1)
        yield Provider(url=url, issuer=issuer or url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in_at_provider(
    authorization_url: str, *, login: str, back_to: str, session: requests.Session | None = None
) -> str:
    """Go through the provider's own pages as a person would: its log-in form, then its
    consent form; returns the URL it sends the browser back to (starting with `back_to`)."""
    session = session or requests.Session()
    url = authorization_url
    for _step in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(back_to):
                return url
            continue
        assert response.status_code == 200, response.text
        prompt = "login" if 'name="login"' in response.text else "consent"
        data = {"prompt": prompt}
        if prompt == "login":
            data.update(login=login, password="any password")
        response = session.post(url, data=data, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text
        url = urljoin(url, response.headers["Location"])
        if url.startswith(back_to):
            return url
    raise AssertionError("the provider never sent the browser back")
