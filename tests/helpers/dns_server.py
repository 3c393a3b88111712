"""A tiny DNS server for tests, run inside a network namespace of the test's own: A records
for the names given as NAME=ADDRESS arguments, NXDOMAIN for every other name.

    python dns_server.py live.test=1.2.3.4 …

Binds 127.0.0.1:53 (in the namespace), answers at most 2,000 queries, and exits after 60 s
without one.
"""

from __future__ import annotations

import socket
import struct
import sys


def answer(query: bytes, records: dict[str, str]) -> bytes:
    ident = struct.unpack(">H", query[:2])[0]
    pos, labels = 12, []
    while query[pos]:
        length = query[pos]
        labels.append(query[pos + 1 : pos + 1 + length].decode("ascii", "replace"))
        pos += 1 + length
    qtype = struct.unpack(">H", query[pos + 1 : pos + 3])[0]
    question = query[12 : pos + 5]
    address = records.get(".".join(labels).lower())
    if address is None:  # NXDOMAIN: the name does not exist
        return struct.pack(">HHHHHH", ident, 0x8183, 1, 0, 0, 0) + question
    if qtype != 1:  # the name exists, with no record of that type
        return struct.pack(">HHHHHH", ident, 0x8180, 1, 0, 0, 0) + question
    header = struct.pack(">HHHHHH", ident, 0x8180, 1, 1, 0, 0)
    record = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton(address)
    return header + question + record


def main() -> None:
    records = dict(argument.split("=", 1) for argument in sys.argv[1:])
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", 53))
    server.settimeout(60)
    for _ in range(2000):
        try:
            query, client = server.recvfrom(512)
        except TimeoutError:
            return
        server.sendto(answer(query, records), client)


if __name__ == "__main__":
    main()
