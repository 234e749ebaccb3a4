"""Response bodies: Content-Encoding undone in bounded steps and the size capped on the decoded
bytes, so a decompression bomb costs us nothing."""

import zlib
from collections.abc import Callable, Iterator

from apps.documents.fetcher.errors import FetchError, FetchErrorKind

CHUNK_SIZE = 64 * 1024


class BodyDecoder:
    """Undoes Content-Encoding in bounded steps: no single step yields more than CHUNK_SIZE."""

    def __init__(self, encoding: str):
        self._encoding = encoding
        if encoding in ("", "identity"):
            self._wbits = None
        elif encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self._wbits = zlib.MAX_WBITS
        else:
            raise FetchError(FetchErrorKind.REFUSED, f"unsupported Content-Encoding {encoding!r}")
        self._decompressor = zlib.decompressobj(self._wbits) if self._wbits else None
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decompressor is None:
            yield data
            return
        while data:
            try:
                piece = self._decompressor.decompress(data, CHUNK_SIZE)
            except zlib.error as exc:
                # Some servers send raw deflate under "deflate"; switch once, at the start only.
                if self._encoding == "deflate" and not self._started and self._wbits > 0:
                    self._wbits = -zlib.MAX_WBITS
                    self._decompressor = zlib.decompressobj(self._wbits)
                    continue
                raise FetchError(
                    FetchErrorKind.TRANSIENT, f"corrupt {self._encoding} body: {exc}"
                ) from exc
            self._started = True
            yield piece
            data = self._decompressor.unconsumed_tail
            if self._decompressor.eof and self._decompressor.unused_data:
                # A gzip body may hold several members; each needs a fresh decompressor.
                data = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(self._wbits)

    def finish(self) -> None:
        if self._decompressor is not None and self._started and not self._decompressor.eof:
            raise FetchError(FetchErrorKind.TRANSIENT, f"truncated {self._encoding} body")


def body_read(
    read_chunk: Callable[[int], bytes],
    *,
    url: str,
    encoding: str,
    declared_length: str,
    max_bytes: int,
    check_interrupted: Callable[[], None],
) -> bytes:
    """The decoded body, read chunk by chunk and refused as soon as it passes ``max_bytes``
    (declared, received or decoded). ``check_interrupted`` runs once the reads end, before a
    truncated encoding is reported, so a body cut at the deadline is reported as such."""
    too_large = f"body of {url} is larger than {max_bytes} bytes"
    if declared_length.isdigit() and int(declared_length) > max_bytes:
        raise FetchError(FetchErrorKind.REFUSED, too_large)
    decoder = BodyDecoder(encoding)
    body = bytearray()
    received = 0
    while True:
        chunk = read_chunk(CHUNK_SIZE)
        if not chunk:
            break
        received += len(chunk)
        if received > max_bytes:
            raise FetchError(FetchErrorKind.REFUSED, too_large)
        for piece in decoder.feed(chunk):
            body += piece
            if len(body) > max_bytes:
                raise FetchError(
                    FetchErrorKind.REFUSED,
                    f"decoded body of {url} passes {max_bytes} bytes after {received} "
                    f"{encoding} bytes (decompression bomb?)",
                )
    check_interrupted()
    decoder.finish()
    return bytes(body)
