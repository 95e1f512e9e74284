#!/usr/bin/python3
"""gnutls_smtpd.py - a small SMTP server whose STARTTLS runs on GnuTLS, for the lab

Usage: gnutls_smtpd.py --cert CHAIN.pem --key KEY.pem --log FILE --pidfile FILE
                       --listen NAME,ADDR,PORT,PRIORITY [--listen ...]

Why: Debian's OpenSSL 3 (and so Postfix) has no 3DES or RC4 suites compiled
in; GnuTLS 3.7 has both. gnutls-serv has no STARTTLS, so this server speaks
the SMTP part itself and runs the TLS handshake and the encrypted dialogue
through libgnutls (ctypes). PRIORITY is a GnuTLS priority string, which fixes
the versions and suites each listener accepts.

Dialogue (before and inside TLS): banner "220 NAME ESMTP starttls-check lab
(GnuTLS)"; EHLO -> 250-NAME, 250-PIPELINING, 250-SIZE 10240000,
250-STARTTLS (before TLS only), 250 8BITMIME; HELO, NOOP, RSET, MAIL -> 250;
RCPT -> 554 (relay refused: this server accepts no mail); DATA -> 503;
QUIT -> 221 and close; STARTTLS -> "220 2.0.0 Ready to start TLS", then
bytes the client sent after the command are discarded (no command
injection) and the handshake runs. Lines over 4094 bytes -> 500. Every wait
is bounded (60 s idle, 100 commands per session).

Log (--log), one line per event, for counting sessions as Postfix's
"connect from" lines are counted:
    TIME NAME[PID]: connect from [ADDR]:PORT
    TIME NAME[PID]: tls-ok version=TLS1.2 suite=ECDHE-RSA-3DES-CBC-SHA1
    TIME NAME[PID]: tls-fail err=-N TEXT
    TIME NAME[PID]: disconnect from [ADDR]:PORT

The process binds every listener, then forks into the background (new
session); the child writes --pidfile once it serves. SIGTERM ends it.
"""

import ctypes
import ctypes.util
import os
import signal
import socket
import sys
import threading
import time

GNUTLS_SERVER = 1
GNUTLS_CRD_CERTIFICATE = 1
GNUTLS_X509_FMT_PEM = 1
GNUTLS_SHUT_WR = 1
GNUTLS_E_AGAIN = -28
GNUTLS_E_INTERRUPTED = -52
IDLE_SECONDS = 60
MAX_COMMANDS = 100
MAX_LINE = 4096


def load_gnutls():
    """libgnutls with the prototypes this server uses"""
    path = ctypes.util.find_library("gnutls") or "libgnutls.so.30"
    lib = ctypes.CDLL(path)
    vp, ip, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    protos = {
        "gnutls_global_init": (ip, []),
        "gnutls_certificate_allocate_credentials": (ip, [ctypes.POINTER(vp)]),
        "gnutls_certificate_set_x509_key_file": (ip, [vp, cp, cp, ip]),
        "gnutls_init": (ip, [ctypes.POINTER(vp), ctypes.c_uint]),
        "gnutls_priority_set_direct": (ip, [vp, cp, ctypes.POINTER(cp)]),
        "gnutls_credentials_set": (ip, [vp, ip, vp]),
        "gnutls_transport_set_int2": (None, [vp, ip, ip]),
        "gnutls_handshake_set_timeout": (None, [vp, ctypes.c_uint]),
        "gnutls_record_set_timeout": (None, [vp, ctypes.c_uint]),
        "gnutls_handshake": (ip, [vp]),
        "gnutls_record_recv": (ctypes.c_ssize_t, [vp, vp, ctypes.c_size_t]),
        "gnutls_record_send": (ctypes.c_ssize_t, [vp, vp, ctypes.c_size_t]),
        "gnutls_bye": (ip, [vp, ip]),
        "gnutls_deinit": (None, [vp]),
        "gnutls_error_is_fatal": (ip, [ip]),
        "gnutls_alert_send_appropriate": (ip, [vp, ip]),
        "gnutls_strerror": (cp, [ip]),
        "gnutls_protocol_get_version": (ip, [vp]),
        "gnutls_protocol_get_name": (cp, [ip]),
        "gnutls_kx_get": (ip, [vp]),
        "gnutls_cipher_get": (ip, [vp]),
        "gnutls_mac_get": (ip, [vp]),
        "gnutls_cipher_suite_get_name": (cp, [ip, ip, ip]),
    }
    for name, (res, args) in protos.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


class Log:
    """one appended line per event, shared by every thread"""

    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.lock = threading.Lock()

    def __call__(self, name, text):
        line = "%s %s[%d]: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), name, os.getpid(), text)
        with self.lock:
            os.write(self.fd, line.encode("ascii", "replace"))


class Plain:
    """the cleartext side of a session: line reader and writer on the socket"""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def recv(self):
        try:
            return self.sock.recv(4096)
        except OSError:
            return b""

    def send(self, data):
        self.sock.sendall(data)


class Tls:
    """the encrypted side: GnuTLS record layer on the same socket"""

    def __init__(self, lib, session):
        self.lib = lib
        self.s = session
        self.buf = b""

    def recv(self):
        chunk = ctypes.create_string_buffer(4096)
        while True:
            n = self.lib.gnutls_record_recv(self.s, chunk, 4096)
            if n in (GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED):
                continue
            return chunk.raw[:n] if n > 0 else b""

    def send(self, data):
        while data:
            n = self.lib.gnutls_record_send(self.s, data, len(data))
            if n in (GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED):
                continue
            if n <= 0:
                raise OSError("gnutls_record_send: %d" % n)
            data = data[n:]


def read_line(chan):
    """one command line (without CRLF), b"" at end of input, None if too long"""
    while b"\n" not in chan.buf:
        if len(chan.buf) > MAX_LINE:
            chan.buf = b""
            return None
        data = chan.recv()
        if not data:
            return b""
        chan.buf += data
    line, chan.buf = chan.buf.split(b"\n", 1)
    return line.rstrip(b"\r") or b" "


class Listener:
    def __init__(self, spec, server):
        name, addr, port, prio = spec.split(",", 3)
        self.name, self.prio, self.server = name, prio.encode(), server
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.sock = socket.socket(fam, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((addr.strip("[]"), int(port)))
        self.sock.listen(64)
        # Reject a priority string GnuTLS does not understand now, not per session.
        s = ctypes.c_void_p()
        lib = server.lib
        lib.gnutls_init(ctypes.byref(s), GNUTLS_SERVER)
        err = ctypes.c_char_p()
        rc = lib.gnutls_priority_set_direct(s, self.prio, ctypes.byref(err))
        lib.gnutls_deinit(s)
        if rc < 0:
            sys.exit("gnutls_smtpd: %s: bad priority at %r" % (name, err.value))

    def serve(self):
        while True:
            conn, peer = self.sock.accept()
            threading.Thread(target=self.session, args=(conn, peer), daemon=True).start()

    def session(self, conn, peer):
        log, name = self.server.log, self.name
        log(name, "connect from [%s]:%d" % (peer[0], peer[1]))
        conn.settimeout(IDLE_SECONDS)
        try:
            self.dialogue(conn)
        except OSError:
            pass
        finally:
            conn.close()
            log(name, "disconnect from [%s]:%d" % (peer[0], peer[1]))

    def ehlo(self, chan, tls):
        lines = [self.name, "PIPELINING", "SIZE 10240000"] + ([] if tls else ["STARTTLS"]) + ["8BITMIME"]
        chan.send("".join("250%s%s\r\n" % ("-" if i < len(lines) - 1 else " ", l)
                          for i, l in enumerate(lines)).encode())

    def dialogue(self, conn):
        chan = Plain(conn)
        chan.send(("220 %s ESMTP starttls-check lab (GnuTLS)\r\n" % self.name).encode())
        tls = None
        for _ in range(MAX_COMMANDS):
            line = read_line(chan)
            if line is None:
                chan.send(b"500 5.5.2 Error: line too long\r\n")
                continue
            if not line:
                break
            verb = line.split(b" ", 1)[0].upper()
            if verb == b"EHLO":
                self.ehlo(chan, tls)
            elif verb in (b"HELO", b"NOOP", b"RSET", b"MAIL"):
                chan.send(b"250 2.0.0 Ok\r\n")
            elif verb == b"RCPT":
                chan.send(b"554 5.7.1 Relay access denied\r\n")
            elif verb == b"DATA":
                chan.send(b"503 5.5.1 Error: need RCPT command\r\n")
            elif verb == b"QUIT":
                chan.send(b"221 2.0.0 Bye\r\n")
                break
            elif verb == b"STARTTLS" and tls is None:
                chan.send(b"220 2.0.0 Ready to start TLS\r\n")
                tls = self.handshake(conn)
                if tls is None:
                    return
                chan = tls
            elif verb == b"STARTTLS":
                chan.send(b"554 5.5.1 Error: TLS already active\r\n")
            else:
                chan.send(b"502 5.5.2 Error: command not recognized\r\n")
        if tls is not None:
            self.server.lib.gnutls_bye(tls.s, GNUTLS_SHUT_WR)
            self.server.lib.gnutls_deinit(tls.s)

    def handshake(self, conn):
        lib, log = self.server.lib, self.server.log
        s = ctypes.c_void_p()
        lib.gnutls_init(ctypes.byref(s), GNUTLS_SERVER)
        lib.gnutls_priority_set_direct(s, self.prio, None)
        lib.gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, self.server.cred)
        conn.settimeout(None)  # GnuTLS reads the descriptor itself: blocking, with its own timeouts
        lib.gnutls_transport_set_int2(s, conn.fileno(), conn.fileno())
        lib.gnutls_handshake_set_timeout(s, IDLE_SECONDS * 1000)
        lib.gnutls_record_set_timeout(s, IDLE_SECONDS * 1000)
        while True:
            rc = lib.gnutls_handshake(s)
            if rc >= 0:
                break
            if lib.gnutls_error_is_fatal(rc):
                log(self.name, "tls-fail err=%d %s" % (rc, lib.gnutls_strerror(rc).decode()))
                lib.gnutls_alert_send_appropriate(s, rc)
                lib.gnutls_deinit(s)
                return None
        ver = lib.gnutls_protocol_get_name(lib.gnutls_protocol_get_version(s)) or b"?"
        suite = lib.gnutls_cipher_suite_get_name(lib.gnutls_kx_get(s), lib.gnutls_cipher_get(s),
                                                 lib.gnutls_mac_get(s)) or b"?"
        log(self.name, "tls-ok version=%s suite=%s" % (ver.decode(), suite.decode()))
        return Tls(lib, s)


class Server:
    def __init__(self, args):
        opts = {"--listen": []}
        it = iter(args)
        for a in it:
            if a not in ("--cert", "--key", "--log", "--pidfile", "--listen"):
                sys.exit(__doc__)
            v = next(it, None)
            if v is None:
                sys.exit(__doc__)
            if a == "--listen":
                opts[a].append(v)
            else:
                opts[a] = v
        if not all(k in opts for k in ("--cert", "--key", "--log", "--pidfile")) or not opts["--listen"]:
            sys.exit(__doc__)
        self.pidfile = opts["--pidfile"]
        self.lib = load_gnutls()
        self.lib.gnutls_global_init()
        self.cred = ctypes.c_void_p()
        self.lib.gnutls_certificate_allocate_credentials(ctypes.byref(self.cred))
        rc = self.lib.gnutls_certificate_set_x509_key_file(
            self.cred, opts["--cert"].encode(), opts["--key"].encode(), GNUTLS_X509_FMT_PEM)
        if rc < 0:
            sys.exit("gnutls_smtpd: certificate: %s" % self.lib.gnutls_strerror(rc).decode())
        self.log = Log(opts["--log"])
        self.listeners = [Listener(spec, self) for spec in opts["--listen"]]

    def run(self):
        if os.fork():
            os._exit(0)
        os.setsid()
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        for l in self.listeners:
            threading.Thread(target=l.serve, daemon=True).start()
        with open(self.pidfile + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.rename(self.pidfile + ".tmp", self.pidfile)
        while True:
            signal.pause()

    def stop(self):
        try:
            os.unlink(self.pidfile)
        except OSError:
            pass
        os._exit(0)


if __name__ == "__main__":
    Server(sys.argv[1:]).run()
