/* findings.c - the one table of findings: check, severity, title, advice
 *
 * Findings are not errors: each entry says what was seen and what to do.
 * The order follows stc_finding_code_t; the numbers are stable.
 */
#include "stc_int.h"

#if STC_LONG_TEXT
#define ADVICE(s) s
#else
#define ADVICE(s) ""
#endif

#define D STC_CHK_DOMAIN
#define H STC_CHK_HOST
#define CN STC_CHK_CONNECT
#define ST STC_CHK_STARTTLS
#define CE STC_CHK_CERT
#define VE STC_CHK_VERSION

static const stc_finding_info_t table[STC_F_COUNT] = {
    [STC_F_NONE] = {"none", D, STC_SUCCESS, 0, "No finding", ADVICE("")},
    [STC_F_INVALID_DOMAIN] = {"invalid_domain", D, STC_ERROR, 0, "Not a valid domain name",
        ADVICE("Give a mail domain such as example.org; internationalized names are converted to A-labels by the command-line tool.")},
    [STC_F_DNS_NXDOMAIN] = {"dns_nxdomain", D, STC_ERROR, 0, "The domain does not exist in DNS",
        ADVICE("Check the spelling; if the domain should receive mail, publish it and its MX records.")},
    [STC_F_DNS_SERVFAIL] = {"dns_servfail", D, STC_ERROR, 0, "The resolver failed to answer (SERVFAIL)",
        ADVICE("The domain's DNS is broken or its DNSSEC signatures do not validate; fix the zone's name servers and signatures, then check again.")},
    [STC_F_DNS_TIMEOUT] = {"dns_timeout", D, STC_ERROR, 0, "No DNS answer in time",
        ADVICE("Check that the resolver is reachable from here (--resolver) and that the domain's name servers answer.")},
    [STC_F_DNS_ERROR] = {"dns_error", D, STC_ERROR, 0, "The resolver refused the question or its answer was malformed",
        ADVICE("Check the resolver (--resolver) and the domain's name servers; the detail is the DNS RCODE (5 REFUSED) or our error.")},
    [STC_F_NULL_MX] = {"null_mx", D, STC_SUCCESS, 0, "The domain accepts no mail (null MX, RFC 7505)",
        ADVICE("Nothing to do if the domain is not meant to receive mail; otherwise replace the \"MX 0 .\" record with real MX records.")},
    [STC_F_IMPLICIT_MX] = {"implicit_mx", D, STC_SUCCESS, 0, "No MX records: mail goes to the domain's own address",
        ADVICE("Publish explicit MX records for the hosts that should receive mail (RFC 5321 5.1 implicit MX is a fallback).")},
    [STC_F_NO_MAIL_HOSTS] = {"no_mail_hosts", D, STC_FAILURE, 0, "No MX records and no address: mail cannot be delivered",
        ADVICE("Publish MX records (or a null MX \"MX 0 .\" if the domain takes no mail).")},
    [STC_F_MX_TRUNCATED] = {"mx_truncated", D, STC_WARNING, 0, "More MX hosts than this build checks; the least preferred were skipped",
        ADVICE("Only the most-preferred hosts decide the verdict; raise STC_MAX_MX to check them all.")},
    [STC_F_BAD_HOSTNAME] = {"bad_hostname", D, STC_FAILURE, 0, "An MX host matches none of the expected host names",
        ADVICE("Update the MX records or the expected host list so that every MX host is one you operate.")},
    [STC_F_PREFERRED_UNREACHABLE] = {"preferred_unreachable", D, STC_WARNING, 0, "The most-preferred MX hosts could not be reached; a backup decided",
        ADVICE("Make the primary MX hosts reachable on port 25; senders now depend on the backups.")},
    [STC_F_HOST_NO_ADDRESS] = {"host_no_address", H, STC_FAILURE, 0, "The mail host name has no A or AAAA record",
        ADVICE("Publish A/AAAA records for the host, or remove the MX record that names it.")},
    [STC_F_HOST_DNS_ERROR] = {"host_dns_error", H, STC_ERROR, 0, "The mail host's addresses could not be looked up (the resolver answered with an error)",
        ADVICE("Fix the DNS of the host's zone (the detail is the RCODE: 2 SERVFAIL, which also means DNSSEC that does not validate; 5 REFUSED) and check again.")},
    [STC_F_MX_IS_CNAME] = {"mx_is_cname", H, STC_WARNING, 0, "The MX record points at an alias (CNAME)",
        ADVICE("RFC 2181 10.3: an MX must name a host, not an alias. Point the MX at the canonical name.")},
    [STC_F_ADDRS_TRUNCATED] = {"addrs_truncated", H, STC_WARNING, 0, "More addresses than this build checks; some were skipped",
        ADVICE("Raise STC_MAX_ADDRS to check every address of the host.")},
    [STC_F_SOME_ADDRS_FAIL] = {"some_addresses_fail", H, STC_WARNING, 0, "Some addresses of this host could not be reached or refused us",
        ADVICE("Senders pick any address: make every A/AAAA address of the host accept SMTP, or remove the dead ones.")},
    [STC_F_FAMILY_UNTESTED] = {"family_untested", CN, STC_SUCCESS, 0, "This address family cannot be used from here; not tested",
        ADVICE("Run the check from a network with IPv6 (or IPv4) connectivity to test this address.")},
    [STC_F_CONNECT_REFUSED] = {"connect_refused", CN, STC_FAILURE, 0, "Connection refused on the SMTP port",
        ADVICE("Make the mail server listen on this address and port (the detail is the port), or remove the address from DNS.")},
    [STC_F_CONNECT_TIMEOUT] = {"connect_timeout", CN, STC_FAILURE, 0, "No answer to the connection attempt in time",
        ADVICE("A firewall may drop the SMTP port (the detail), or the host is down; many ISPs also block outbound port 25 from residential networks.")},
    [STC_F_CONNECT_UNREACH] = {"connect_unreachable", CN, STC_FAILURE, 0, "The address is unreachable",
        ADVICE("Check routing to the host, or remove the unreachable address from DNS.")},
    [STC_F_CONNECT_ERROR] = {"connect_error", CN, STC_ERROR, 0, "The connection could not be attempted",
        ADVICE("A local error stopped the attempt (detail: our error code); check the machine running the check.")},
    [STC_F_BANNER_TIMEOUT] = {"banner_timeout", CN, STC_FAILURE, 0, "Connected, but no complete SMTP greeting in time",
        ADVICE("The server or a tarpit delays the 220 greeting too long; senders give up after a few minutes (RFC 5321 4.5.3.2).")},
    [STC_F_REJECTED] = {"rejected", CN, STC_ERROR, 0, "The server refused to talk to us (421/554)",
        ADVICE("This says nothing about STARTTLS: the server rejected this client (blocklist, rate limit). Check from another address.")},
    [STC_F_CLOSED_EARLY] = {"closed_early", CN, STC_FAILURE, 0, "The server closed the connection during the SMTP dialogue",
        ADVICE("Check the server's logs for why it drops sessions.")},
    [STC_F_SMTP_PROTOCOL] = {"smtp_protocol", CN, STC_FAILURE, 0, "The server's SMTP replies are malformed",
        ADVICE("Replies must be \"DDD text\" lines with the same code on every line of a multi-line reply (RFC 5321 4.2).")},
    [STC_F_REPLY_TOO_LONG] = {"reply_too_long", CN, STC_WARNING, 0, "A reply line or reply is longer than SMTP allows",
        ADVICE("RFC 5321 4.5.3.1.5 limits reply lines to 512 octets; fix the server's banner or EHLO list.")},
    [STC_F_NO_ESMTP] = {"no_esmtp", ST, STC_FAILURE, 0, "The server rejected EHLO: no ESMTP, so no STARTTLS",
        ADVICE("Enable ESMTP (EHLO) and STARTTLS on the mail server.")},
    [STC_F_COMMAND_TIMEOUT] = {"command_timeout", CN, STC_FAILURE, 0, "The server did not answer a command in time",
        ADVICE("The server stalls during the dialogue; check its load and logs.")},
    [STC_F_NO_STARTTLS] = {"no_starttls", ST, STC_FAILURE, 0, "STARTTLS is not offered",
        ADVICE("Enable STARTTLS with a certificate for the MX host name (Postfix: smtpd_tls_security_level = may).")},
    [STC_F_STARTTLS_REFUSED] = {"starttls_refused", ST, STC_FAILURE, 0, "STARTTLS is advertised but the command was refused",
        ADVICE("The server advertises STARTTLS but cannot start it (detail: reply code); check its certificate and key configuration.")},
    [STC_F_STARTTLS_INJECTION] = {"starttls_injection", ST, STC_FAILURE, 0, "Plaintext arrived after \"220\" to STARTTLS",
        ADVICE("Something between us and the server (or the server itself) injects plaintext into the TLS start; fix or remove it (CVE-2011-0411 class).")},
    [STC_F_TLS_HANDSHAKE] = {"tls_handshake_failed", ST, STC_FAILURE, 0, "The TLS handshake failed",
        ADVICE("Offer TLS 1.2 or 1.3 with ECDHE and AES-GCM or ChaCha20 suites; the detail is the TLS library's error.")},
    [STC_F_TLS_TIMEOUT] = {"tls_timeout", ST, STC_FAILURE, 0, "The TLS handshake did not finish in time",
        ADVICE("The server stalls during the handshake; check its TLS configuration and load.")},
    [STC_F_TLS_NO_EHLO_AFTER] = {"no_ehlo_after_tls", ST, STC_WARNING, 0, "EHLO failed inside TLS",
        ADVICE("After STARTTLS the client must send EHLO again (RFC 3207 4.2); the server must answer it.")},
    [STC_F_CERT_NONE] = {"cert_none", CE, STC_FAILURE, 0, "The server presented no certificate",
        ADVICE("Configure a certificate for the MX host name; anonymous TLS cannot be authenticated.")},
    [STC_F_CERT_UNTRUSTED] = {"cert_untrusted", CE, STC_FAILURE, 0, "The certificate does not chain to a trusted authority",
        ADVICE("Use a certificate from a public CA and send the full chain (leaf and intermediates).")},
    [STC_F_CERT_SELF_SIGNED] = {"cert_self_signed", CE, STC_FAILURE, 0, "The certificate is self-signed",
        ADVICE("Replace it with a certificate from a public CA (or publish DANE TLSA records for it).")},
    [STC_F_CERT_NAME_MISMATCH] = {"cert_name_mismatch", CE, STC_FAILURE, 0, "The certificate does not name the mail host",
        ADVICE("Get a certificate whose subjectAltName lists the host name exactly (or a wildcard for its parent).")},
    [STC_F_CERT_EXPIRED] = {"cert_expired", CE, STC_FAILURE, 0, "The certificate has expired",
        ADVICE("Renew the certificate and automate renewal.")},
    [STC_F_CERT_NOT_YET_VALID] = {"cert_not_yet_valid", CE, STC_FAILURE, 0, "The certificate is not valid yet",
        ADVICE("Check the server's clock and the certificate's notBefore date.")},
    [STC_F_CERT_EXPIRES_SOON] = {"cert_expires_soon", CE, STC_WARNING, 0, "The certificate expires soon",
        ADVICE("Renew it now (the detail is the days left) and automate renewal.")},
    [STC_F_CERT_WEAK_KEY] = {"cert_weak_key", CE, STC_FAILURE, 0, "The certificate's key is too small",
        ADVICE("Use RSA of at least 2048 bits or an EC key of at least 256 bits (the detail is the size).")},
    [STC_F_CERT_WEAK_SIGNATURE] = {"cert_weak_signature", CE, STC_FAILURE, 0, "A certificate in the chain is signed with MD5 or SHA-1",
        ADVICE("Reissue the certificate (and intermediates) with SHA-256 or better.")},
    [STC_F_CERT_CHAIN_TRUNCATED] = {"cert_chain_truncated", CE, STC_ERROR, 1, "The chain is longer than this checker judges; it could not be anchored within that limit",
        ADVICE("This is the checker's limit (detail: certificates sent), not a verdict on the chain: raise STC_CHAIN_MAX. Servers should send only the leaf and its intermediates.")},
    [STC_F_CERT_PARSE] = {"cert_parse", CE, STC_FAILURE, 0, "A certificate could not be parsed",
        ADVICE("The server sent a malformed certificate (detail: the TLS library's error); reissue it.")},
    [STC_F_CERT_NO_ANCHORS] = {"cert_no_anchors", CE, STC_ERROR, 0, "No trust anchors here: the chain was not judged",
        ADVICE("Give a CA bundle (--ca-file) so the chain can be checked.")},
    [STC_F_TLS_OLD_VERSION] = {"tls_old_version", VE, STC_WARNING, 0, "The negotiated TLS version is older than 1.2",
        ADVICE("Enable TLS 1.2 and 1.3 and disable TLS 1.0/1.1 (RFC 8996).")},
    [STC_F_OUT_OF_MEMORY] = {"out_of_memory", D, STC_ERROR, 1, "The checker ran out of its memory arena",
        ADVICE("This is the checker's limit, not the server's fault: give the arena more memory or check fewer hosts at once.")},
    [STC_F_INTERNAL] = {"internal_error", D, STC_ERROR, 1, "The checker hit an internal error",
        ADVICE("Report this with the command line and output.")},
    [STC_F_NOTHING_TESTABLE] = {"nothing_testable", D, STC_ERROR, 0, "No MX address can be tried from this network",
        ADVICE("Every address is of a family this network cannot reach (e.g. IPv6 only); run the check from a network that has it.")},
    [STC_F_SOME_PREFERRED_UNREACHABLE] = {"some_preferred_unreachable", D, STC_WARNING, 0, "A most-preferred MX host could not be reached while another of the same preference could",
        ADVICE("Senders pick any host of the group; mail to the dead one waits for a retry. Make every host of the group accept SMTP, or remove the dead one (the detail is its index).")},
    [STC_F_CHECKER_NO_SOCKET] = {"checker_no_socket", D, STC_ERROR, 1, "The checker could not open a socket (its own limit)",
        ADVICE("This is the checker's limit, not the server's fault: raise the open-file limit (ulimit -n) or check fewer domains at once (--jobs).")},
    [STC_F_CHECKER_TLS_LIMIT] = {"checker_tls_limit", D, STC_ERROR, 1, "A TLS message from the server is larger than this checker's TLS library accepts",
        ADVICE("This is the checker's limit (detail: the TLS library's error), not a verdict on the server; most senders accept it. Large certificate chains cause it: consider sending a shorter chain.")},
    [STC_F_CHECKER_TLS_SETUP] = {"checker_tls_setup", D, STC_ERROR, 1, "The checker could not set up a TLS session (its random source or memory)",
        ADVICE("This is the checker's limit, not the server's fault: check the open-file limit (the TLS library opens /dev/urandom) and the arena size (--arena-kb).")},
    [STC_F_CHECKER_DNS_LIMIT] = {"checker_dns_limit", D, STC_ERROR, 1, "A DNS answer was larger than the checker's buffer",
        ADVICE("This is the checker's limit (detail: our error), not the domain's fault: raise STC_DNS_MSG_MAX.")},
    [STC_F_CHECKER_DNS_LOCAL] = {"checker_dns_local", D, STC_ERROR, 1, "The checker could not send its DNS question from here",
        ADVICE("This is the checker's own network or resolver set-up (detail: our error), not the domain's fault: check --resolver and the local network.")},
    [STC_F_HOST_DNS_TIMEOUT] = {"host_dns_timeout", H, STC_ERROR, 0, "No answer in time for the mail host's addresses",
        ADVICE("The host's name servers (or the resolver used here) do not answer; check them and the resolver (--resolver).")},
    [STC_F_CHECKER_UNCHECKED] = {"checker_unchecked", D, STC_ERROR, 1, "The checker did not get to check this (its own limit)",
        ADVICE("This is the checker's limit, not the server's fault: the check was cut short; run it again with more resources.")},
    [STC_F_CANCELLED] = {"cancelled", D, STC_ERROR, 1, "The check was cancelled before it ended",
        ADVICE("Nothing is known about the parts not checked; run the check again.")},
    [STC_F_PROVOKED_RETRY] = {"provoked_retry", CN, STC_SUCCESS, 0, "The server limited our concurrent sessions; retried with one at a time",
        ADVICE("Nothing to do: the checker held another session to this address and the server refused the extra one (421 or reset), as a per-client limit should.")},
};

/* stc_finding_info - table entry of a finding code */
const stc_finding_info_t *stc_finding_info(unsigned code)
{
    if (code >= STC_F_COUNT || table[code].name == NULL)
        code = STC_F_NONE;
    return &table[code];
}
