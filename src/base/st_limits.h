/*
 * st_limits.h - every size, count and time cap on network input and on
 * what we keep of it, with the reason for its value, in one place
 * (sections below name the module that applies each). Hitting one is a
 * finding, never a crash. (VERDICT_VARIANTS_MAX in judge/verdict.h sizes
 * a table of the code's own, not input.)
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
/* One report as text (JSON or human) in a buffer: what
 * cJSON_PrintPreallocated can take, an int; no probe comes near it. */
#define REPORT_TEXT_MAX (1024L * 1024 * 1024)

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

/* --- net/mtasts_fetch.h --- */
/* Header values kept (Content-Type, Location). Real ones are under 100
 * octets; longer ones are cut and flagged, never rejected. */
#define MTASTS_FETCH_HEADER_MAX 512
/* Policy host addresses accepted: DNS_ADDR_MAX per family. */
#define MTASTS_FETCH_ADDRS_MAX 32
/* RFC 1035 2.3.4: 253 octets of name, minus "mta-sts." */
#define MTASTS_FETCH_DOMAIN_MAX (253 - 8)

/* --- net/dns_int.h --- */
/* Zones whose keys one lookup may fetch while validating: the CNAME chain
 * and each name's delegation path; real chains need a handful. */
#define DNS_VAL_ZONES_MAX 16
/* RFC 9276 3.2: validators may treat NSEC3 with more iterations as
 * insecure; we stop at this count (hashing costs grow with it). */
#define DNS_NSEC3_ITER_MAX 150
/* Bytes of presentation text kept for one record (a 64 KiB TXT record
 * escaped as \DDD is at most four times its size). */
#define DNS_TEXT_MAX (4 * 65536 + 16)
/* Raw octets of one TXT record: RFC 1035 3.2.1 RDLENGTH is 16 bits, so
 * its character-strings together are shorter than 64 KiB. */
#define DNS_TXT_RAW_MAX 65536
/* Datagrams from other addresses or ports read from a lookup's socket in
 * one go before its deadline is looked at again (dns_udp.c). */
#define DNS_UDP_STRAYS_MAX 64

/* --- probe/scan_int.h --- */
#define SCAN_JOBS_MAX 32

/* --- probe/scan.h --- */
/* A server holds few suites; OpenSSL 3 knows about 170 in all. */
#define SCAN_SUITES_MAX 192
/* Groups the scan offers one at a time (scan.c, scan_groups). */
#define SCAN_GROUPS_MAX 8
/* Signature algorithm families offered alone (RSA, ECDSA, EdDSA). */
#define SCAN_ALT_MAX 3

/* --- proto/mtasts_txt.h --- */
/* RFC 8461 3.1: id is 1-32 alphanumerics. */
#define MTASTS_TXT_ID_MAX 32
/* RFC 8461 3.1: extension names are at most 32 characters. */
#define MTASTS_TXT_NAME_MAX 32
/* Extension fields kept; real records carry none or one. */
#define MTASTS_TXT_FIELDS_MAX 16
/* Bytes kept of an extension value (longer ones are cut and flagged). */
#define MTASTS_TXT_VALUE_MAX 255
/* Problems kept per parse; the rest are only counted. */
#define MTASTS_TXT_PROBLEMS_MAX 16
/* Bytes of peer text kept as evidence in one problem. */
#define MTASTS_TXT_EVIDENCE_MAX 64

/* --- proto/smtp_client.h --- */
/* RFC 5321 4.5.3.1.3: a path, with its <>, is at most 256 octets. */
#define SMTP_MAILBOX_MAX 254
/* RFC 5321 4.5.3.1.2: a domain is at most 255 octets. */
#define SMTP_EHLO_NAME_MAX 255

/* --- proto/mtasts_policy.h --- */
/* RFC 8461 3.2: at most 31557600 s (a year); checks.md 7 warns below a
 * day with mode enforce/testing. */
#define MTASTS_MAX_AGE_LIMIT 31557600u
/* RFC 8461 3.2: sts-policy-ext-name is at most 32 characters. */
#define MTASTS_KEY_MAX 32
/* RFC 1035 2.3.4: a host name is at most 253 octets in text form; a
 * pattern adds "*." */
#define MTASTS_PATTERN_MAX 255
/* Unknown keys kept; real policies carry none. */
#define MTASTS_UNKNOWN_MAX 16
/* Bytes kept of an unknown key's value (cut and flagged beyond). */
#define MTASTS_VALUE_MAX 255
/* Problems kept per parse; the rest are only counted. */
#define MTASTS_PROBLEMS_MAX 16
/* Bytes of peer text kept as evidence in one problem. */
#define MTASTS_EVIDENCE_MAX 64

/* --- proto/txt_record.h --- */
/* RFC 8461 3.1, RFC 8460 3: extension names are 1 to 32 octets. */
#define TXT_RECORD_NAME_MAX 32

/* --- proto/smtp_server.h --- */
#define SMTPS_LINE_MAX 2048
/* A real sender needs about ten commands per message; pipelined
 * transactions of a few messages stay far below this. */
#define SMTPS_COMMANDS_MAX 200
/* Unrecognised or out-of-sequence commands before we give up (Postfix
 * smtpd_hard_error_limit is 20; a sender that is not SMTP needs fewer). */
#define SMTPS_BAD_MAX 10
/* RFC 5321 4.5.3.1.8 asks servers to accept 100 recipients. */
#define SMTPS_RCPT_MAX 100
/* Path and parameter text kept from MAIL/RCPT (RFC 5321 4.5.3.1.3: 256). */
#define SMTPS_PATH_MAX 512
/* MAIL parameters kept (SIZE, BODY, SMTPUTF8, REQUIRETLS, RET, ENVID...). */
#define SMTPS_PARAMS_MAX 16
/* Replies queued but not yet written: bounded by the command cap; this
 * stops a sender that pipelines without reading. */
#define SMTPS_OUTPUT_MAX 65536
/* Message size with accept_data (matches the SIZE we advertise). */
#define SMTPS_DATA_MAX 10240000

/* --- proto/tlsrpt.h --- */
/* URIs kept from a record; real records list one or two. */
#define TLSRPT_URIS_MAX 16
/* Bytes kept of one URI for the report; validity is judged on all of it. */
#define TLSRPT_URI_MAX 512
/* Bytes kept of a URI scheme ("mailto", "https", or what was there). */
#define TLSRPT_SCHEME_MAX 16
/* RFC 1035 2.3.4: host names are at most 253 octets in text form. */
#define TLSRPT_HOST_MAX 253
/* Problems kept per parse; the rest are only counted. */
#define TLSRPT_PROBLEMS_MAX 16
/* Bytes of peer text kept as evidence in one problem. */
#define TLSRPT_EVIDENCE_MAX 64

/* --- net/dns_validate.c --- */
/* Delegations followed up from one name; the DNS has at most 127 labels. */
#define VAL_DEPTH_MAX 128

/* --- proto/smtp_client.c --- */
/* Octets of a reply line quoted in errmsg, and the room for their
 * escaped form (cut shorter so that the message fits in errmsg). */
#define QUOTE_MAX 60

/* --- proto/smtp_reply.c --- */
/* Octets of a bad line quoted in errmsg: enough to recognise it. */
#define EVIDENCE_MAX 40

/* --- report/report_human.c --- */
#define HUMAN_MAX (4 * 1024 * 1024)

/* --- report/report_transcript.c --- */
#define TRANSCRIPT_TEXT_MAX (8 * 1024 * 1024)

/* --- probe/probe_share.c --- */
/* DNS answers a batch keeps for its other domains (dns_cache.h): three
 * per distinct MX host (A, AAAA, TLSA) and the SOA of each parent zone
 * of a listed domain; each is about 1 KiB with its struct. Past this the
 * run still works, looking up what it cannot keep; 32,768 is ~32 MiB at
 * most (10,000 scale-lab domains keep ~3,100), where 300,000 allowed
 * ~300 MiB on a list of many distinct MX hosts. */
#define PROBE_SHARE_DNS_MAX 32768
/* Finished shared sessions kept for domains still to come, each ~3 KiB
 * of facts and its chain as DER (~2-5 KiB): ~16 MiB at most. Past this
 * the oldest one no probe is using is forgotten, and a later domain on
 * it connects again (issue 14: memory bounded by what is in flight, not
 * by the list; 10,000 scale-lab domains finish 1,010). */
#define PROBE_SHARE_DONE_MAX 2048

/* --- listen/ (the sender test) --- */
/* Concurrent sessions: a sending MTA opens a handful, but a flood of idle
 * or hostile connections must not lock a real sender out, so there is room
 * for a thousand; each costs a few KiB until it sends data (buffers grow
 * on demand to their caps) and times out after --timeout. Beyond this the
 * backlog holds the rest until a slot frees. */
#define LISTEN_SESSIONS_MAX 1024
/* Listening sockets (one per --bind). */
#define LISTEN_BINDS_MAX 16
/* Sessions remembered for related_sessions and listen.end peers; older
 * ones are forgotten so that a long run keeps bounded memory. */
#define LISTEN_HISTORY_MAX 4096
/* Related session ids listed per session. */
#define LISTEN_RELATED_MAX 32

#endif
