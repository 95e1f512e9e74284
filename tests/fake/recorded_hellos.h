/* recorded_hellos.h - server hellos of protocols no current library
 * serves, written out byte by byte: the smtp-test-server's hello-sslv3,
 * hello-sslv2 and hello-compress modes send them, and the probe reader's
 * unit tests (tests/unit/test_tls_hello.c) read them as vectors.
 */
#ifndef RECORDED_HELLOS_H
#define RECORDED_HELLOS_H

/* SSLv3: record 16 03 00, ServerHello version 03 00, 32 random bytes, no
 * session id, SSL_RSA_WITH_3DES_EDE_CBC_SHA (00 0a), null compression,
 * then ServerHelloDone (a modern client must refuse it). */
static const unsigned char hello_sslv3[] = {
    0x16, 0x03, 0x00, 0x00, 0x2e,                   /* handshake record, SSL 3.0, 46 */
    0x02, 0x00, 0x00, 0x26, 0x03, 0x00,             /* ServerHello, 38, version 3.0 */
    0x53, 0x53, 0x4c, 0x33, 0x53, 0x53, 0x4c, 0x33, /* random "SSL3..." */
    0x53, 0x53, 0x4c, 0x33, 0x53, 0x53, 0x4c, 0x33,
    0x53, 0x53, 0x4c, 0x33, 0x53, 0x53, 0x4c, 0x33,
    0x53, 0x53, 0x4c, 0x33, 0x53, 0x53, 0x4c, 0x33,
    0x00,                                           /* session id: none */
    0x00, 0x0a,                                     /* 3DES-EDE-CBC-SHA */
    0x00,                                           /* compression: null */
    0x0e, 0x00, 0x00, 0x00                          /* ServerHelloDone */
};
/* SSLv2 SERVER-HELLO (RFC 6101 appendix E): 2-byte header with the high
 * bit set, type 4, no session hit, X.509 cert type, version 00 02, empty
 * certificate, one cipher spec (SSL_CK_DES_192_EDE3_CBC_WITH_MD5 07 00 c0),
 * 16-byte connection id. */
static const unsigned char hello_sslv2[] = {
    0x80, 0x1e,                         /* length 30 */
    0x04, 0x00, 0x01, 0x00, 0x02,       /* SERVER-HELLO, hit 0, X.509, v2 */
    0x00, 0x00, 0x00, 0x03, 0x00, 0x10, /* cert 0, specs 3, conn id 16 */
    0x07, 0x00, 0xc0,                   /* DES-192-EDE3-CBC-WITH-MD5 */
    0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54, 0x49,
    0x4f, 0x4e, 0x2d, 0x49, 0x44, 0x2d, 0x56, 0x32
};
/* TLS 1.2 ServerHello choosing DEFLATE compression (method 1, RFC 3749):
 * the CRIME precondition. ECDHE-RSA-AES128-GCM-SHA256 (c0 2f). */
static const unsigned char hello_compress[] = {
    0x16, 0x03, 0x03, 0x00, 0x2a,                   /* handshake record, TLS 1.2, 42 */
    0x02, 0x00, 0x00, 0x26, 0x03, 0x03,             /* ServerHello, 38, version 1.2 */
    0x43, 0x4f, 0x4d, 0x50, 0x43, 0x4f, 0x4d, 0x50, /* random "COMP..." */
    0x43, 0x4f, 0x4d, 0x50, 0x43, 0x4f, 0x4d, 0x50,
    0x43, 0x4f, 0x4d, 0x50, 0x43, 0x4f, 0x4d, 0x50,
    0x43, 0x4f, 0x4d, 0x50, 0x43, 0x4f, 0x4d, 0x50,
    0x00,                                           /* session id: none */
    0xc0, 0x2f,                                     /* ECDHE-RSA-AES128-GCM-SHA256 */
    0x01                                            /* compression: DEFLATE */
};

#endif /* RECORDED_HELLOS_H */
