#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Sender for selftests/hostile.sh: a TLS 1.2 AES-GCM record stream written
to a plain TCP socket, encrypted here, towards a `tlsxfer server` in static
mode, with one hostile variant per --case.

The records are what tlsxfer's static client (kernel TLS TX) would send for
the same --key/--salt/--iv/--rec-seq: record i carries the explicit nonce
iv + i, is sealed under the nonce salt || explicit nonce and the additional
data seq(8) || type(1) || 0x0303 || plaintext length(2), seq = rec_seq + i.
The application data is the tlsxfer pattern (user/lib/pattern.c) for --seed,
so the receiver verifies every byte.

The stream: valid records carrying the first bytes of the pattern (the
prefix), then the case's part:

  valid      the rest of the pattern, then close_notify
  tiny       more valid records written one byte per write (TCP_NODELAY),
             then close_notify
  segsizes   the whole valid stream written in writes of random sizes
             (TCP_NODELAY), then close_notify
  random     random bytes, then FIN
  truncated  the head of a valid record, then FIN
  oversized  an authentic record whose length field is 2^14 + 256 + 1
  version    an authentic record whose header says version 3.1
  shift-drop   a record with 3 bytes of its ciphertext left out
  shift-insert a record with 5 bytes inserted into its ciphertext
  replay     the last prefix record again, byte for byte
  flip       a record with one byte of its ciphertext flipped

The failing cases but random and truncated go on with two valid records
(continuing the record numbers) and FIN, so a receiver that skipped the
bad record would get more than the prefix. Hostile records that
authenticate carry bytes outside the pattern, so a receiver that took one
reports a mismatch.

It prints the first two lines below before it connects; with --go-file
it connects as soon as the receiver listens and sends when the file
appears (once the receiver has its keys, so that the receiving device
sees the whole stream). Then it reads the receiver's answer up to EOF
(server->client records: same key and salt, the explicit nonce comes with
each record). Output:
  "intact: N"   pattern bytes the receiver must deliver (all of them for
                the valid cases, the prefix for the others)
  "total: N"    the pattern bytes the stream claims to carry (a hostile
                record counts for its nominal length): the receiver's
                --bytes, so a stream cut short fails it
  "status: ..." the receiver's status line, if it came
Exit 0 when everything was sent (valid cases: and the receiver answered
"OK N SHA256" for exactly the bytes sent), 1 otherwise, 5 on a timeout.
"""

import argparse
import hashlib
import os
import random
import socket
import struct
import sys
import time

M64 = (1 << 64) - 1
GOLDEN = 0x9e3779b97f4a7c15
T_ALERT, T_APPDATA = 21, 23
TLS12 = 0x0303
MAX_PLAIN = 1 << 14
OVERHEAD = 8 + 16               # explicit nonce + tag

VALID_CASES = ("valid", "tiny", "segsizes")
FAIL_CASES = ("random", "truncated", "oversized", "version", "shift-drop",
              "shift-insert", "replay", "flip")

# Prefix record sizes: edge sizes (1 byte, full records) and odd ones.
PREFIX_SIZES = (16384, 1, 1000, 16384, 4096, 16384, 777, 8192)
# The tiny case: records sent one byte per write.
TINY_SIZES = (1, 2, 100, 1500, 4096, 6000)


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M64
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M64
    return z ^ (z >> 31)


def pattern(seed, off, n):
    """n bytes of the tlsxfer pattern for seed, from stream offset off."""
    first, last = off // 8, (off + n + 7) // 8
    blocks = [mix64((seed + (i + 1) * GOLDEN) & M64)
              for i in range(first, last)]
    raw = struct.pack("<%dQ" % len(blocks), *blocks)
    return raw[off - first * 8:off - first * 8 + n]


def aesgcm(key):
    """AES-GCM with key (imported late: it takes seconds under emulation,
    and the sizes of the stream are printed before)."""
    # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    return AESGCM(key)


class DryAead:
    """Sizes only: no crypto."""

    @staticmethod
    def encrypt(_nonce, plain, _aad):
        return bytes(len(plain) + 16)


class Sealer:
    """The client->server record stream: record numbers and nonces."""

    def __init__(self, key, salt, iv, rec_seq, dry=False):
        self.aead = DryAead() if dry else aesgcm(key)
        self.salt = salt
        self.iv = int.from_bytes(iv, "big")
        self.seq = rec_seq
        self.nrec = 0

    def seal(self, typ, plain, version=TLS12, length=None):
        """The next record; version and length override the header only."""
        explicit = ((self.iv + self.nrec) & M64).to_bytes(8, "big")
        aad = struct.pack(">QBHH", self.seq & M64, typ, TLS12, len(plain))
        body = explicit + self.aead.encrypt(self.salt + explicit, plain, aad)
        self.seq += 1
        self.nrec += 1
        if length is None:
            length = len(body)
        return struct.pack(">BHH", typ, version, length) + body


def open_records(buf, key, salt, rec_seq):
    """Decrypt the server->client records in buf: (app data, alerts)."""
    aead = aesgcm(key)
    data, alerts, seq, off = b"", [], rec_seq, 0
    while off + 5 <= len(buf):
        typ, _, length = struct.unpack(">BHH", buf[off:off + 5])
        body = buf[off + 5:off + 5 + length]
        if len(body) < length or length < OVERHEAD:
            break
        aad = struct.pack(">QBHH", seq & M64, typ, TLS12, length - OVERHEAD)
        plain = aead.decrypt(salt + body[:8], body[8:], aad)
        if typ == T_APPDATA:
            data += plain
        elif typ == T_ALERT:
            alerts.append(plain.hex())
        seq += 1
        off += 5 + length
    return data, alerts, len(buf) - off


def build(args, rng, dry=False):
    """The byte stream: (chunks, intact, total, sha256 of the intact bytes).

    intact: pattern bytes the receiver must deliver; total: the pattern
    bytes the stream claims to carry (a hostile record counts for its
    nominal length), what the receiver is told to expect. dry: the same
    sizes (for the same rng), with zeros for records.
    """
    key, salt = bytes.fromhex(args.key), bytes.fromhex(args.salt)
    sealer = Sealer(key, salt, bytes.fromhex(args.iv), args.rec_seq, dry)

    def pat(start, n):
        return bytes(n) if dry else pattern(args.seed, start, n)
    off = 0
    sha = hashlib.sha256()
    chunks = []             # (bytes, write size: 0 = all at once)

    def data_record(n, write=0):
        nonlocal off
        plain = pat(off, n)
        sha.update(plain)
        off += n
        rec = sealer.seal(T_APPDATA, plain)
        chunks.append((rec, write))
        return rec

    def close_notify():
        chunks.append((sealer.seal(T_ALERT, b"\x01\x00"), 0))

    def random_records():
        while off < args.bytes:
            data_record(min(rng.randint(1, MAX_PLAIN), args.bytes - off))

    case = args.case
    if case == "segsizes":
        random_records()
        close_notify()
        return chunks, off, off, sha.hexdigest()

    last = None
    for n in PREFIX_SIZES:
        last = data_record(n)
    if case == "valid":
        random_records()
    elif case == "tiny":
        for n in TINY_SIZES:
            data_record(n, write=1)
    if case in VALID_CASES:
        close_notify()
        return chunks, off, off, sha.hexdigest()

    intact, digest = off, sha.hexdigest()
    filler = b"\xa5" * (2 * MAX_PLAIN)   # not the pattern
    if case == "random":
        bad = rng.randbytes(4096)
        nominal = len(bad)
    elif case == "truncated":
        bad = sealer.seal(T_APPDATA, pat(off, MAX_PLAIN))
        bad = bad[:5 + 8 + 1000]
        nominal = MAX_PLAIN
    elif case == "oversized":
        length = MAX_PLAIN + 256 + 1
        nominal = length - OVERHEAD
        bad = sealer.seal(T_APPDATA, filler[:nominal])
        assert struct.unpack(">H", bad[3:5])[0] == length
    elif case == "version":
        nominal = 4096
        bad = sealer.seal(T_APPDATA, filler[:nominal], version=0x0301)
    elif case in ("shift-drop", "shift-insert", "flip"):
        nominal = MAX_PLAIN
        bad = bytearray(sealer.seal(T_APPDATA,
                                    pat(off, nominal)))
        mid = 5 + 8 + nominal // 2
        if case == "shift-drop":
            del bad[mid:mid + 3]
        elif case == "shift-insert":
            bad[mid:mid] = b"\x17\x03\x03\x00\x20"
        else:
            bad[mid] ^= 0x01
        bad = bytes(bad)
    elif case == "replay":
        bad = last
        nominal = PREFIX_SIZES[-1]
        sealer.seq += 1             # the receiver counts it as a record
        sealer.nrec += 1
    else:
        raise SystemExit("unknown case %s" % case)
    chunks.append((bad, 0))
    off += nominal
    if case not in ("truncated", "random"):
        # valid records after it, numbered as if it had been one
        for n in (4096, 4096):
            data_record(n)
    return chunks, intact, off, digest


def writes_of(chunks, rng, args):
    """The stream cut into the pieces to write."""
    if args.case == "segsizes":
        # every byte in writes of random sizes
        wire = b"".join(c for c, _ in chunks)
        pos = 0
        while pos < len(wire):
            n = rng.randint(1, args.max_write)
            yield wire[pos:pos + n]
            pos += n
        return
    for data, write in chunks:
        if not write:
            yield data
        else:
            for i in range(0, len(data), write):
                yield data[i:i + write]


def size(s):
    """N with an optional K or M suffix (powers of 1024)."""
    mult = {"K": 1 << 10, "M": 1 << 20}.get(s[-1:].upper(), 1)
    return int(s[:-1] if mult > 1 else s) * mult


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--connect", required=True, help="ADDR:PORT")
    ap.add_argument("--case", required=True,
                    choices=VALID_CASES + FAIL_CASES)
    ap.add_argument("--key", default="000102030405060708090a0b0c0d0e0f")
    ap.add_argument("--salt", default="a0a1a2a3")
    ap.add_argument("--iv", default="0000000000000001")
    ap.add_argument("--rec-seq", type=lambda s: int(s, 0), default=0)
    ap.add_argument("--seed", type=int, default=1, help="pattern seed")
    ap.add_argument("--bytes", type=size, default=256 << 10,
                    help="valid, segsizes: pattern bytes to send")
    ap.add_argument("--max-write", type=int, default=3000,
                    help="segsizes: largest write")
    ap.add_argument("--rand-seed", type=int,
                    help="random sizes and bytes (default: random)")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--go-file", metavar="PATH",
                    help="retry connecting until the receiver listens, "
                    "then send once PATH exists")
    args = ap.parse_args()

    if args.rand_seed is None:
        args.rand_seed = int.from_bytes(os.urandom(4), "big")
    key, salt = bytes.fromhex(args.key), bytes.fromhex(args.salt)
    # the sizes first, so that the receiver can start meanwhile
    _, intact, total, _ = build(args, random.Random(args.rand_seed), True)
    valid = args.case in VALID_CASES
    print("case: %s (random seed %d)" % (args.case, args.rand_seed))
    print("intact: %d" % intact)
    print("total: %d" % total)
    sys.stdout.flush()
    rng = random.Random(args.rand_seed)
    chunks, intact2, total2, digest = build(args, rng)
    assert (intact2, total2) == (intact, total)

    host, port = args.connect.rsplit(":", 1)
    deadline = time.monotonic() + args.timeout
    while True:
        try:
            sock = socket.create_connection((host.strip("[]"), int(port)),
                                            timeout=args.timeout)
            break
        except ConnectionRefusedError as e:
            if not args.go_file or time.monotonic() > deadline:
                print("connect: %s" % e)
                return 1
            time.sleep(0.05)
        except OSError as e:
            print("connect: %s" % e)
            return 1
    if args.case in ("tiny", "segsizes"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # not before the receiver has its keys: the device must see it all
    while args.go_file and not os.path.exists(args.go_file):
        if time.monotonic() > deadline:
            print("timeout waiting for %s" % args.go_file)
            return 5
        time.sleep(0.02)
    t0 = time.monotonic()
    sent, writes, rc = 0, 0, 0
    try:
        for piece in writes_of(chunks, rng, args):
            sock.sendall(piece)
            sent += len(piece)
            writes += 1
        sock.shutdown(socket.SHUT_WR)
    except socket.timeout:
        print("timeout while sending")
        return 5
    except OSError as e:
        # the receiver may give up (and reset) before the end of a bad stream
        print("sending: %s" % e)
        if valid:
            rc = 1
    print("sent: %d bytes in %d writes, %.2f s" %
          (sent, writes, time.monotonic() - t0))

    answer = b""
    try:
        while True:
            k = sock.recv(65536)
            if not k:
                break
            answer += k
    except socket.timeout:
        print("timeout waiting for the receiver's status")
        return 5
    except OSError as e:
        print("receiving the status: %s" % e)
    sock.close()
    try:
        data, alerts, rest = open_records(answer, key, salt, args.rec_seq)
    except Exception as e:  # pylint: disable=broad-except
        print("the receiver's records do not decrypt: %r" % e)
        return 1
    status = data.decode(errors="replace").strip()
    print("status: %s" % (status or "none"))
    print("alerts: %s%s" % (" ".join(alerts) or "none",
                            ", %d bytes left over" % rest if rest else ""))
    if valid:
        want = "OK %d %s" % (intact, digest)
        if status != want:
            print("expected status: %s" % want)
            rc = 1
        if alerts != ["0100"] or rest:
            print("expected one close_notify and nothing else")
            rc = 1
    elif status.startswith("OK"):
        print("the receiver accepted a hostile stream")
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
