/* wolf.h - the one place the core picks up wolfSSL's build configuration
 *
 * wolfSSL's struct layouts (the verify callback's store, DecodedCert) and
 * its feature set depend on the options the library was built with, so
 * every core file that includes a wolfSSL header includes this first:
 * - a board that builds wolfSSL itself defines WOLFSSL_USER_SETTINGS and
 *   puts its user_settings.h on the include path (boards/cortex-m4/);
 * - otherwise the installed library's generated <wolfssl/options.h> (the
 *   Debian host build, libwolfssl-dev).
 *
 * What the core needs from any wolfSSL build is checked below; what it
 * merely uses when present (FP_ECC clean-up, TLS 1.1, DHE naming, the
 * session cache switch, TLS 1.2 tickets) is tested where it is used.
 */
#ifndef STC_WOLF_H
#define STC_WOLF_H

#ifdef WOLFSSL_USER_SETTINGS
#include <wolfssl/wolfcrypt/settings.h> /* includes user_settings.h */
#else
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#endif

/* tls.c: wolfSSL_set_app_data/get_app_data and
 * wolfSSL_X509_STORE_CTX_get_ex_data (the connection behind the verify
 * callback); cert.c: wc_CheckCertSigPubKey (a link checked with the
 * issuer's key, not a certificate manager). */
#if !defined(OPENSSL_EXTRA) || !defined(HAVE_EX_DATA)
#error "starttls-check needs wolfSSL with OPENSSL_EXTRA and HAVE_EX_DATA"
#endif
/* tls.c verifies nothing in the handshake (VERIFY_NONE) and copies the
 * chain in the verify callback, which then runs only with this. */
#ifndef WOLFSSL_ALWAYS_VERIFY_CB
#error "starttls-check needs wolfSSL with WOLFSSL_ALWAYS_VERIFY_CB"
#endif
#if !defined(WOLFSSL_TLS13) || !defined(HAVE_SNI) || !defined(HAVE_SUPPORTED_CURVES)
#error "starttls-check needs wolfSSL with TLS 1.3, SNI and supported curves"
#endif
#if defined(NO_CERTS) || defined(NO_ASN) || defined(WOLFCRYPT_ONLY) || defined(NO_WOLFSSL_CLIENT)
#error "starttls-check needs wolfSSL's TLS client and certificate parser"
#endif

#endif /* STC_WOLF_H */
