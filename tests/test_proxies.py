"""The client's address behind PROXY_COUNT proxies (what login throttling counts by)."""

import pytest
from django.test import RequestFactory

from config.proxies import client_address

CASES = [
    # proxy count, X-Forwarded-For (None: not sent), expected address
    pytest.param(0, "198.51.100.7", "10.0.0.254", id="no-proxy-ignores-the-header"),
    pytest.param(1, "198.51.100.7", "198.51.100.7", id="one-proxy"),
    pytest.param(1, "192.0.2.1, 198.51.100.7", "198.51.100.7", id="one-proxy-forged-left"),
    pytest.param(2, "192.0.2.1, 198.51.100.7, 10.0.0.3", "198.51.100.7", id="two-proxies"),
    pytest.param(2, "198.51.100.7", "10.0.0.254", id="header-shorter-than-the-proxies"),
    pytest.param(1, None, "10.0.0.254", id="header-missing"),
    pytest.param(1, "192.0.2.1, not-an-address", "10.0.0.254", id="entry-not-an-address"),
    pytest.param(1, "192.0.2.1, 2001:DB8::1 ", "2001:db8::1", id="ipv6-normalised"),
]


@pytest.mark.parametrize("count, forwarded_for, expected", CASES)
def test_client_address(settings, count, forwarded_for, expected):
    settings.PROXY_COUNT = count
    headers = {} if forwarded_for is None else {"HTTP_X_FORWARDED_FOR": forwarded_for}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.254", **headers)

    assert client_address(request) == expected
