#!/usr/bin/env python3
"""nfq_delay.py - hold every packet of one NFQUEUE queue for a fixed time
(a stand-in for netem where the kernel has no sch_netem).

Usage: nfq_delay.py QUEUE MS SECONDS

Binds netfilter queue QUEUE (an iptables rule "-j NFQUEUE --queue-num
QUEUE --queue-bypass" sends packets to it), and gives each packet its
ACCEPT verdict MS milliseconds after it arrived: with the rule on the
OUTPUT chain of lo in a namespace, every packet between two local
addresses is delayed MS once, as "tc qdisc add dev lo root netem delay
MSms" would do. Packet ids grow and the delay is constant, so verdicts are
given in arrival order, several at a time (NFQNL_MSG_VERDICT_BATCH).
Prints "nfq_delay: bound, pid PID" once the queue is bound, and "nfq_delay: N
packets" at exit: after SECONDS (a bound, so it can never outlive the
bench) or on SIGTERM. Python standard library only (raw netlink).
"""
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_CONFIG, NFQNL_MSG_VERDICT_BATCH = 0, 2, 3
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN = 1, 2, 3
NFQA_CFG_MASK, NFQA_CFG_FLAGS = 4, 5
NFQA_CFG_F_FAIL_OPEN = 1
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1
SOL_NETLINK, NETLINK_NO_ENOBUFS = 270, 5


def attr(kind, payload):
    """attr - one netlink attribute, padded to 4 bytes"""
    n = 4 + len(payload)
    return struct.pack("=HH", n, kind) + payload + b"\0" * ((4 - n % 4) % 4)


def message(kind, queue, attrs, flags=NLM_F_REQUEST, seq=0):
    """message - an nfnetlink queue message: nlmsghdr, nfgenmsg, attributes"""
    body = struct.pack("=BB", socket.AF_UNSPEC, 0) + struct.pack(">H", queue) + attrs
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind,
                       flags, seq, 0) + body


def config(sock, queue, attrs, seq):
    """config - send one config message and read its acknowledgement"""
    sock.send(message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK, seq))
    data = sock.recv(65536)
    _, kind, _, _, _ = struct.unpack_from("=IHHII", data)
    if kind == NLMSG_ERROR:
        err = struct.unpack_from("=i", data, 16)[0]
        if err != 0:
            raise OSError(-err, "nfqueue config: " + os.strerror(-err))


def packet_ids(data):
    """packet_ids - the packet ids of the queue messages in one netlink read"""
    off = 0
    while off + 16 <= len(data):
        n, kind, _, _, _ = struct.unpack_from("=IHHII", data, off)
        if n < 16 or off + n > len(data):
            break
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = off + 20
            while a + 4 <= off + n:
                alen, akind = struct.unpack_from("=HH", data, a)
                if alen < 4:
                    break
                if akind & 0x7fff == NFQA_PACKET_HDR:
                    yield struct.unpack_from(">I", data, a + 4)[0]
                    break
                a += (alen + 3) & ~3
        off += (n + 3) & ~3


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: nfq_delay.py QUEUE MS SECONDS")
    queue, delay, seconds = int(sys.argv[1]), int(sys.argv[2]) / 1000.0, float(sys.argv[3])
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.setsockopt(SOL_NETLINK, NETLINK_NO_ENOBUFS, 1)
    config(sock, queue, attr(NFQA_CFG_CMD, struct.pack(">BBH", NFQNL_CFG_CMD_BIND, 0,
                                                       socket.AF_INET)), 1)
    config(sock, queue, attr(NFQA_CFG_PARAMS, struct.pack(">IB", 0, NFQNL_COPY_META)), 2)
    config(sock, queue, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack(">I", 65536)), 3)
    # a full queue lets packets through rather than dropping them
    config(sock, queue, attr(NFQA_CFG_MASK, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN)) +
           attr(NFQA_CFG_FLAGS, struct.pack(">I", NFQA_CFG_F_FAIL_OPEN)), 4)
    print("nfq_delay: bound, pid %d" % os.getpid(), flush=True)
    held = []   # (due time, packet id), in arrival order
    head = 0
    count = 0
    end = time.monotonic() + seconds
    while not stop:
        now = time.monotonic()
        if now >= end:
            break
        last = None
        while head < len(held) and held[head][0] <= now:
            last = held[head][1]
            head += 1
        if last is not None:
            sock.send(message(NFQNL_MSG_VERDICT_BATCH, queue,
                              attr(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, last))))
        if head > 4096:
            del held[:head]
            head = 0
        wait = min(end - now, 0.5)
        if head < len(held):
            wait = max(0.0, min(wait, held[head][0] - now))
        try:
            ready, _, _ = select.select([sock], [], [], wait)
        except InterruptedError:
            continue
        if ready:
            arrived = time.monotonic()
            for pid in packet_ids(sock.recv(1 << 20)):
                held.append((arrived + delay, pid))
                count += 1
    # what is still held goes through at once
    if head < len(held):
        sock.send(message(NFQNL_MSG_VERDICT_BATCH, queue,
                          attr(NFQA_VERDICT_HDR, struct.pack(">II", NF_ACCEPT, held[-1][1]))))
    print("nfq_delay: %d packets" % count, flush=True)


if __name__ == "__main__":
    main()
