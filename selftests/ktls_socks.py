#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel TLS sockets held open for the selftests (ctl.sh, nlfuzz.sh), with
static TLS 1.2 AES-GCM-128 keys; no record is ever exchanged unless asked.

  ktls_socks.py listen ADDR PORT          accept and hold connections
  ktls_socks.py connect ADDR PORT N       N connections, TLS_TX and TLS_RX
                                          set on each, then "ready"
  ktls_socks.py rxhold ADDR PORT          accept one, TLS_RX, "ready"
  ktls_socks.py txsend ADDR PORT N FILE   connect, TLS_TX, wait for FILE,
                                          send N records of 1000 bytes, "sent"
  ktls_socks.py dump - 0                  dump the tls_dev family's
                                          connections 4 KiB a read and print
                                          "CONNS PARTS UNIQUE"
Every mode but dump then waits to be killed.
"""
import socket, struct, sys, time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == 'listen':
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1024)
    held = []
    while True:
        held.append(s.accept()[0])
if mode == 'dump':
    # a conn-get dump read 4 KiB at a time by a fresh socket, so that the
    # kernel splits it into several parts: print "CONNS PARTS UNIQUE"
    def sock():
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        s.bind((0, 0))
        return s
    def attrs(b):
        while len(b) >= 4:
            ln, t = struct.unpack('=HH', b[:4])
            yield t & 0x3fff, b[4:ln]
            b = b[(ln + 3) & ~3:]
    s = sock()
    s.send(struct.pack('=IHHII', 32, 0x10, 5, 1, 0) +
           struct.pack('=BBH', 3, 1, 0) + struct.pack('=HH', 12, 2) + b'tls_dev\0')
    m = s.recv(65536)
    family = [struct.unpack('=H', v[:2])[0] for t, v in attrs(m[20:]) if t == 1][0]
    s = sock()
    s.send(struct.pack('=IHHII', 20, family, 0x301, 1, 0) + struct.pack('=BBH', 2, 1, 0))
    conns, parts, keys, done = 0, 0, set(), False
    while not done:
        buf = s.recv(4096)
        parts += 1
        while buf:
            ln, t = struct.unpack('=IH', buf[:6])
            if t == 3:
                done = True
            elif t == family:
                conns += 1
                for at, v in attrs(buf[20:ln]):
                    if at == 9:     # TLSDEV_A_CONN: (DIR, SPORT)
                        c = dict(attrs(v))
                        keys.add((c.get(1), c.get(7)))
            buf = buf[(ln + 3) & ~3:]
    print(conns, parts, len(keys))
    sys.exit(0)
TCP_ULP, SOL_TLS, TLS_TX, TLS_RX = 31, 282, 1, 2
# struct tls12_crypto_info_aes_gcm_128: TLS 1.2, AES-GCM-128
info = struct.pack('=HH', 0x0303, 51) + bytes(range(8)) + bytes(range(16)) + \
       b'\xa0\xa1\xa2\xa3' + bytes(8)
fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
if mode == 'rxhold':
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(1)
    c, _ = s.accept()
    c.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b'tls')
    c.setsockopt(SOL_TLS, TLS_RX, info)
    print('ready', flush=True)
    while True:
        time.sleep(60)
if mode == 'txsend':
    import os
    c = socket.create_connection((addr, port))
    c.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b'tls')
    c.setsockopt(SOL_TLS, TLS_TX, info)
    while not os.path.exists(sys.argv[5]):
        time.sleep(0.05)
    for i in range(int(sys.argv[4])):
        c.sendall(bytes([i & 0xff]) * 1000)     # one record each
    print('sent', flush=True)
    while True:
        time.sleep(60)
socks = []
for i in range(int(sys.argv[4])):
    c = socket.create_connection((addr, port))
    c.setsockopt(socket.IPPROTO_TCP, TCP_ULP, b'tls')
    c.setsockopt(SOL_TLS, TLS_TX, info)
    c.setsockopt(SOL_TLS, TLS_RX, info)
    socks.append(c)
print('ready', flush=True)
while True:
    time.sleep(60)
