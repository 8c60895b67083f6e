#!/usr/bin/python3
"""Captures what Debian's ovs-ofctl sends to a switch: listens on a unix
socket as a minimal OpenFlow switch (answers HELLO with 1.0 and 1.3,
echo, barrier and features requests), runs one ovs-ofctl command against it and
prints each message received as a hex line.  Used to produce
tests/unit/ofp_fixtures.h (tests/unit/ofp_fixtures.sh).

    ofp_capture.py SOCKET -- ovs-ofctl --no-names [-O OpenFlow13] \
        add-flow unix:SOCKET ...

(--no-names: otherwise ovs-ofctl first asks for table features.)
"""
import os
import socket
import struct
import subprocess
import sys
import threading


def serve(listener, out):
    conn, _ = listener.accept()
    # HELLO offering 1.0 and 1.3 (bitmap element).
    conn.sendall(struct.pack('!BBHI HHI', 4, 0, 16, 0, 1, 8, 0x12))
    buf = b''
    version = None
    while True:
        data = conn.recv(65536)
        if not data:
            break
        buf += data
        while len(buf) >= 8:
            ver, typ, length, xid = struct.unpack('!BBHI', buf[:8])
            if length < 8 or len(buf) < length:
                break
            msg, buf = buf[:length], buf[length:]
            if typ == 0:
                version = min(ver, 4) if ver >= 4 else 1
                continue
            out.append(msg)
            if typ == 2:        # Echo request.
                conn.sendall(struct.pack('!BBHI', ver, 3, length, xid)
                             + msg[8:])
            elif (ver == 1 and typ == 18) or (ver == 4 and typ == 20):
                conn.sendall(struct.pack('!BBHI', ver, typ + 1, 8, xid))
            elif typ == 5:      # Features request: a bare reply.
                if ver == 1:
                    body = struct.pack('!QIB3xII', 1, 0, 1, 0, 0)
                else:
                    body = struct.pack('!QIBB2xII', 1, 0, 254, 0, 0, 0)
                conn.sendall(struct.pack('!BBHI', ver, 6, 8 + len(body), xid)
                             + body)
    conn.close()


def main():
    sock = sys.argv[1]
    cmd = sys.argv[sys.argv.index('--') + 1:]
    if os.path.exists(sock):
        os.unlink(sock)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock)
    listener.listen(1)
    out = []
    t = threading.Thread(target=serve, args=(listener, out), daemon=True)
    t.start()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    t.join(5)
    os.unlink(sock)
    if r.returncode:
        sys.stderr.write(r.stderr)
        sys.exit(1)
    for msg in out:
        print(msg.hex())


if __name__ == '__main__':
    main()
