/*
 * st_limits.h - every size, count and time cap on network input, with the
 * reason for its value. Hitting one is a finding, never a crash.
 */
#ifndef SMTPTLS_ST_LIMITS_H
#define SMTPTLS_ST_LIMITS_H

/* RFC 5321 4.5.3.1.5 allows 512-octet reply lines; real servers stay well
 * below. Anything over 512 is a finding. We store 8x that of a line as
 * evidence; the rest of a longer line is read and discarded, because
 * 4.5.3.1 asks receivers to cope with long lines and real MTAs carry on
 * (Postfix 3.7 skips to the line end; 3.12 gives up after 4 KiB). */
#define SMTP_REPLY_LINE_RFC 512
#define SMTP_REPLY_LINE_MAX 4096
/* Octets read for one reply, line ends and discarded parts included: what
 * ends a line that never ends (besides the step timeout). 100 lines of
 * 4 KiB are 400 KiB; 1 MiB is more than any real reply. */
#define SMTP_REPLY_OCTETS_MAX (1024 * 1024)
/* Real EHLO replies carry 5-20 lines; 100 stops an endless 250- reply. */
#define SMTP_REPLY_LINES_MAX 100
/* Text kept from a reply line in reports (report.md 2: cut at 1000). */
#define SMTP_REPORT_LINE_MAX 1000
/* Bytes of SMTP dialogue kept for --transcript per address. */
#define SMTP_TRANSCRIPT_MAX (64 * 1024)
/* Output queued to a peer: our commands are short; 8 KiB is ample. */
#define SMTP_OUTPUT_MAX 8192

/* RFC 8461 3.3 suggests 64 KiB as the policy body limit. */
#define MTASTS_POLICY_MAX 65536
/* mx patterns kept from a policy. A sender honours every line, so every
 * pattern must take part in matching: a pattern past any smaller cap would
 * turn a matching MX host into a false mtasts.mx.match failure. The body
 * is at most MTASTS_POLICY_MAX octets and the shortest mx line ("mx:a\n")
 * is 5, so at most 13,107 fit; the cap is never reached by a body we read
 * and memory stays bounded by the body size. */
#define MTASTS_MX_MAX 16384

/* MX records kept from one answer; RFC 5321 sets no limit, 500 is hostile. */
#define DNS_MX_MAX 64
/* Addresses kept per host and family. */
#define DNS_ADDR_MAX 16
/* CNAME links followed before calling it a loop (RFC 1034 suggests few). */
#define DNS_CNAME_MAX 8
/* Records of any type kept from one answer. */
#define DNS_RR_MAX 256

/* Certificates kept from a presented chain; real chains hold 2-4. */
#define TLS_CHAIN_MAX 16

/* Concurrent SMTP sessions of one probe (one per address). */
#define PROBE_SESSIONS_MAX 128

#endif
