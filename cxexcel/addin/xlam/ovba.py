"""MS-OVBA compression (2.4.1) and data encryption (2.4.3) for vbaProject.bin streams."""

from __future__ import annotations

import hashlib

_CHUNK = 4096
# a chunk header: bits 0-11 the chunk size minus 3, bits 12-14 the signature 0b011, bit 15 the flag
_SIGNATURE = 0b011 << 12
_COMPRESSED = 0x8000
# how many earlier positions with the same 3-byte prefix are tried per position: any match is valid,
# so this only trades ratio for speed (VBA text finds its long matches in the first few)
_MAX_CANDIDATES = 48


def _bit_count(difference: int) -> int:
    """Bits of a copy token's offset when `difference` bytes of the chunk are already written."""
    return max((difference - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk (2.4.1.3.7): header plus tokens, or a raw chunk when tokens do not fit."""
    n = len(chunk)
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    indexed = 0  # positions below this are in `heads`
    pos = 0
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len = 0
            best_off = 0
            max_len = min((0xFFFF >> _bit_count(pos)) + 3, n - pos)
            if max_len >= 3:
                for cand in reversed(heads.get(chunk[pos : pos + 3], ())[-_MAX_CANDIDATES:]):
                    # the copy may overlap the bytes it produces: comparing with the input is still exact,
                    # because every byte it reads has been written (and equals the input) by then
                    if best_len and chunk[cand + best_len] != chunk[pos + best_len]:
                        continue
                    length = 3
                    while length < max_len and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == max_len:
                            break
            if best_len >= 3:
                bits = _bit_count(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                advance = best_len
            else:
                out.append(chunk[pos])
                advance = 1
            pos += advance
            while indexed < min(pos, n - 2):
                heads.setdefault(chunk[indexed : indexed + 3], []).append(indexed)
                indexed += 1
        out[flag_at] = flags
    if len(out) <= _CHUNK:
        header = (len(out) + 2 - 3) | _SIGNATURE | _COMPRESSED
        return header.to_bytes(2, "little") + bytes(out)
    # 2.4.1.3.10: a raw chunk always holds 4096 bytes, so a short last one is padded with 0x00
    # (decompressed, the padding shows; VBA text always compresses, so it never gets here)
    return (0x0FFF | _SIGNATURE).to_bytes(2, "little") + chunk.ljust(_CHUNK, b"\x00")


def compress(data: bytes) -> bytes:
    """A CompressedContainer (2.4.1.1) holding `data`."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        out += _compress_chunk(data[start : start + _CHUNK])
    return bytes(out)


def decompress(container: bytes) -> bytes:
    """The decompressed bytes of a CompressedContainer (2.4.1.3.1); ValueError when it is malformed."""
    if not container or container[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container: the signature byte is not 0x01")
    out = bytearray()
    pos = 1
    end = len(container)
    while pos < end:
        if pos + 2 > end:
            raise ValueError(f"truncated chunk header at {pos}")
        header = int.from_bytes(container[pos : pos + 2], "little")
        if header & 0x7000 != _SIGNATURE:
            raise ValueError(f"bad chunk signature at {pos}")
        chunk_end = min(pos + (header & 0x0FFF) + 3, end)
        pos += 2
        start = len(out)
        if not header & _COMPRESSED:
            if pos + _CHUNK > end:
                raise ValueError(f"raw chunk at {pos - 2} is shorter than 4096 bytes")
            out += container[pos : pos + _CHUNK]
            pos += _CHUNK
            continue
        while pos < chunk_end:
            flags = container[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags & (1 << bit):
                    out.append(container[pos])
                    pos += 1
                    continue
                if pos + 2 > chunk_end:
                    raise ValueError(f"truncated copy token at {pos}")
                token = int.from_bytes(container[pos : pos + 2], "little")
                pos += 2
                bits = _bit_count(len(out) - start)
                offset = (token >> (16 - bits)) + 1
                length = (token & (0xFFFF >> bits)) + 3
                source = len(out) - offset
                if source < start:
                    raise ValueError(f"copy token at {pos - 2} reaches before its chunk")
                for k in range(length):
                    out.append(out[source + k])
        if len(out) - start > _CHUNK:
            raise ValueError(f"chunk ending at {chunk_end} decompresses to more than 4096 bytes")
    return bytes(out)


def _project_key(project_id: str) -> int:
    return sum(project_id.encode("ascii")) & 0xFF


def encrypt(data: bytes, project_id: str, seed: int | None = None) -> str:
    """Data encryption (2.4.3.2) of `data` for the PROJECT stream's CMG, DPB and GC, as upper hex.

    The seed is derived from the inputs unless given, so a build is reproducible.
    """
    if seed is None:
        seed = hashlib.sha256(project_id.encode("ascii") + data).digest()[0]
    version = 2
    key = _project_key(project_id)
    out = bytearray([seed, seed ^ version, seed ^ key])
    unencrypted_1, encrypted_1, encrypted_2 = key, seed ^ key, seed ^ version

    def put(byte: int) -> None:
        nonlocal unencrypted_1, encrypted_1, encrypted_2
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte

    for i in range((seed & 6) // 2):  # IgnoredLength: any values
        put((seed * 7 + i) & 0xFF)
    for byte in len(data).to_bytes(4, "little") + data:
        put(byte)
    return out.hex().upper()


def decrypt(hex_text: str, project_id: str | None = None) -> bytes:
    """Data decryption (2.4.3.3); checks the version and, when given, the project's key."""
    raw = bytes.fromhex(hex_text)
    if len(raw) < 7:
        raise ValueError("encrypted data is too short")
    seed, version_enc, key_enc = raw[0], raw[1], raw[2]
    if seed ^ version_enc != 2:
        raise ValueError("unknown data-encryption version")
    key = seed ^ key_enc
    if project_id is not None and key != _project_key(project_id):
        raise ValueError("the data was encrypted for another project ID")
    unencrypted_1, encrypted_1, encrypted_2 = key, key_enc, version_enc
    plain = bytearray()
    for byte_enc in raw[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    data = bytes(plain[ignored + 4 :])
    if len(data) != length:
        raise ValueError(f"encrypted data length {len(data)} differs from its header {length}")
    return data
