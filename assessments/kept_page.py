"""A page kept rendered, and compressed, with holes where the request's own values go.

A submitted result never changes, so its page can be kept whole, but three things on it
belong to the request, not to the result: the CSRF token in its forms, the person's name
in the navigation bar and the messages. The page is rendered once with a marker in
place of the token and the name (and only when there is no message to show, nor a
query string, which the language form repeats), and kept as gzip pieces: each stretch of
page between two holes compressed on its own (a raw deflate stream that ends on a byte
boundary without closing, so pieces and hole values may follow one another in one gzip
body). Every response, the first included, puts this request's values between the
pieces: a browser that accepts gzip gets the kept bytes as they are (a tenth of the
page's size), any other client the pieces inflated. What is kept therefore depends only
on what the key stands for.

The hole values are compressed apart from the page, so the size of a response tells
nothing about its CSRF token (no BREACH oracle), and the page repeats nothing from the
request. The gzip trailer's CRC-32 is the kept pieces' CRCs joined with the hole values'
(`_crc_shift`, as zlib's crc32_combine, which Python's zlib does not offer).
"""

import re
import struct
import zlib
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import escape

TOKEN = "\x00csrf-token\x00"
NAME = "\x00person-name\x00"
_HOLES = re.compile(f"({re.escape(TOKEN)}|{re.escape(NAME)})")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time
_CLOSE = b"\x03\x00"  # an empty final block: what a fresh deflate stream's finish writes


class _Named:
    """The signed-in user as the page template sees them, their name left as a marker."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        return getattr(self._user, name)

    def get_username(self) -> str:
        return NAME


@dataclass(frozen=True)
class Piece:
    """A stretch of page between holes: deflated, with what the CRC-32 needs of it."""

    deflated: bytes
    crc: int
    shift: int  # x^(8 * its length) modulo the CRC polynomial: moves a CRC past it
    length: int


@dataclass(frozen=True)
class KeptPage:
    """What the cache holds: the pieces, and which hole follows each but the last."""

    pieces: tuple[Piece, ...]
    holes: tuple[str, ...]


def keepable(request) -> bool:
    """Whether this request's page may be kept: nothing on it but the holes is its own."""
    return not request.GET and not len(messages.get_messages(request))


def render_with_holes(request, template: str, context: dict) -> KeptPage:
    holes = {"csrf_token": TOKEN, "user": _Named(request.user)}
    page = render_to_string(template, {**context, **holes}, request=request)
    parts = _HOLES.split(page)
    return KeptPage(pieces=tuple(_piece(p.encode()) for p in parts[::2]), holes=tuple(parts[1::2]))


def response(request, page: KeptPage) -> HttpResponse:
    """The kept page with this request's values in its holes, gzipped if accepted."""
    values = {
        TOKEN: get_token(request).encode(),
        NAME: escape(request.user.get_username()).encode(),
    }
    filled = [values[hole] for hole in page.holes]
    if not _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        inflated = [zlib.decompressobj(-15).decompress(p.deflated) for p in page.pieces]
        body = b"".join(_interleave(inflated, filled))
        answer = HttpResponse(body)
    else:
        crc, length = page.pieces[0].crc, page.pieces[0].length
        for value, piece in zip(filled, page.pieces[1:], strict=True):
            crc = zlib.crc32(value, crc)
            crc = _crc_shift(crc, piece.shift) ^ piece.crc
            length += len(value) + piece.length
        deflated = _interleave([p.deflated for p in page.pieces], [_deflate(v) for v in filled])
        trailer = struct.pack("<II", crc, length & 0xFFFFFFFF)
        answer = HttpResponse(b"".join([_GZIP_HEADER, *deflated, _CLOSE, trailer]))
        answer.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(answer, ["Accept-Encoding"])
    return answer


def _interleave(pieces: list[bytes], values: list[bytes]) -> list[bytes]:
    joined = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        joined += [value, piece]
    return joined


def _deflate(data: bytes) -> bytes:
    """Raw deflate of `data` on its own, ended on a byte boundary and left open."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)


def _piece(data: bytes) -> Piece:
    return Piece(_deflate(data), zlib.crc32(data), _x_to_8n(len(data)), len(data))


# CRC-32 arithmetic, as in zlib's crc32.c: a CRC is a polynomial over GF(2), bit-reversed,
# and crc(A + B) = crc(A) * x^(8 * len(B)) + crc(B) modulo the polynomial.
_POLY = 0xEDB88320
_ONE = 1 << 31  # the polynomial 1, bit-reversed


def _multiply(a: int, b: int) -> int:
    """a * b modulo the CRC-32 polynomial."""
    product, bit = 0, _ONE
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


def _x_to_8n(n: int) -> int:
    """x^(8n) modulo the CRC-32 polynomial, by squaring."""
    result, square = _ONE, _ONE >> 8  # 1 and x^8
    while n:
        if n & 1:
            result = _multiply(result, square)
        square = _multiply(square, square)
        n >>= 1
    return result


def _crc_shift(crc: int, shift: int) -> int:
    return _multiply(shift, crc)
