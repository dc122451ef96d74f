"""Responses put together from kept deflated pieces and a request's own bytes
(config/compressed.py): what a browser inflates is exactly the joined bytes, with a valid
gzip trailer, and a client that does not accept gzip gets them plain."""

import gzip
import zlib

import pytest
from django.test import RequestFactory

from config import compressed

KEPT = "Une page gardée, « accentuée », répétée. ".encode() * 2000
OWN = b"<input name=csrfmiddlewaretoken value=abc123>"


def request_accepting(encoding: str | None):
    headers = {"accept-encoding": encoding} if encoding else {}
    return RequestFactory().get("/", headers=headers)


def test_a_browser_gets_the_joined_bytes_gzipped_with_a_valid_trailer():
    kept = compressed.piece(KEPT)
    response = compressed.response(request_accepting("gzip, deflate, br"), [kept, OWN, kept])

    assert response["Content-Encoding"] == "gzip"
    assert response["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.content) == KEPT + OWN + KEPT  # checks CRC and length
    assert response.content.count(kept.deflated) == 2  # sent as kept, not compressed again
    assert len(response.content) * 20 < len(KEPT)


@pytest.mark.parametrize("encoding", [None, "identity", "br, deflate"])
def test_a_client_that_does_not_accept_gzip_gets_them_plain(encoding):
    kept = compressed.piece(KEPT)
    response = compressed.response(
        request_accepting(encoding), [OWN, kept], content_type="text/csv"
    )

    assert "Content-Encoding" not in response
    assert response.content == OWN + KEPT
    assert response["Content-Type"] == "text/csv"


def test_empty_pieces_join_too():
    response = compressed.response(request_accepting("gzip"), [b"", compressed.piece(b""), b""])
    assert gzip.decompress(response.content) == b""


@pytest.mark.parametrize("size", [0, 1, 64, 4096, 300_000])
def test_crc_shift_joins_two_crcs_as_zlib_would_compute_the_whole(size):
    head, tail = b"head of the page " * 3, bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    joined = compressed._crc_shift(zlib.crc32(head), compressed._x_to_8n(len(tail)))
    assert joined ^ zlib.crc32(tail) == zlib.crc32(head + tail)


@pytest.mark.django_db
def test_every_other_page_is_gzipped_by_django_s_middleware_when_accepted(client, catalogue):
    url = "/roles/"
    plain = client.get(url)
    zipped = client.get(url, headers={"accept-encoding": "gzip"})

    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert "AAA" in gzip.decompress(zipped.content).decode()


def _through_middleware(body: bytes, encoding: str | None, **headers):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse(body)
        for name, value in headers.items():
            response.headers[name] = value
        return response

    return compressed.GZipMiddleware(view)(request_accepting(encoding))


def test_a_page_made_per_request_is_gzipped_with_a_random_name_in_its_header():
    bodies = [_through_middleware(KEPT, "gzip", ETag='"v1"') for _ in range(20)]
    response = bodies[0]
    assert response["Content-Encoding"] == "gzip" and response["Vary"] == "Accept-Encoding"
    assert gzip.decompress(response.content) == KEPT  # checks CRC and length
    assert int(response["Content-Length"]) == len(response.content)
    assert response["ETag"] == 'W/"v1"'
    header = response.content[:10]
    assert header[3] & 0x08, "FNAME set: the name's random length hides the body's"
    # BREACH: the size of the same body varies from one response to the next.
    assert len({len(r.content) for r in bodies}) > 1


def test_the_middleware_leaves_small_encoded_and_unaccepted_bodies_alone():
    assert "Content-Encoding" not in _through_middleware(KEPT, None)
    assert _through_middleware(KEPT, None).content == KEPT
    assert _through_middleware(b"short", "gzip").content == b"short"
    kept = _through_middleware(b"x" * 500, "gzip", **{"Content-Encoding": "br"})
    assert kept.content == b"x" * 500 and kept["Content-Encoding"] == "br"
