/*
 * batch.h - the parts of a --domains run that are not I/O (cmd/ reads the
 * list and writes the reports): what one line of the list is, the shard a
 * domain falls in (--shard I/N), and the set of keys already done
 * (duplicates, --resume). The rules are those of smtptls(1), "DOMAIN
 * LISTS"; other tools reproduce the shard of a domain from there.
 */
#ifndef SMTPTLS_BATCH_H
#define SMTPTLS_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtptls/err.h"

/* Longest line of a list taken as an entry: an address (254 octets, RFC
 * 5321 4.5.3.1.3) with room for blanks and a comment. A longer line is
 * an invalid entry, read to its end in pieces and never held whole. */
#define BATCH_LINE_MAX 1024
/* --shard I/N: N at most this (a million workers is no real cluster). */
#define BATCH_SHARD_MAX 1000000u

enum batch_line_kind {
	BATCH_LINE_SKIP = 0, /* blank, or only a comment */
	BATCH_LINE_DOMAIN,   /* a domain name */
	BATCH_LINE_ADDRESS,  /* user@domain: also runs the address test */
	BATCH_LINE_INVALID,  /* neither: reported, never probed */
	BATCH_LINE__COUNT
};

/* "skip", "domain", "address", "invalid" */
const char *batch_line_kind_name(enum batch_line_kind k);

struct batch_line {
	enum batch_line_kind kind;
	/* The entry without comment and surrounding blanks, CR and LF, as
	 * given: what the probe is pointed at (DOMAIN, ADDRESS). */
	char entry[BATCH_LINE_MAX + 1];
	size_t entry_len;
	/* The normalised domain (lower-case A-labels, no final dot): of the
	 * entry, or of the address's domain part; "" for INVALID. */
	char domain[254];
	/* What identifies the entry among the others and in the report
	 * (duplicates, --resume): DOMAIN the domain; ADDRESS the entry;
	 * INVALID the entry escaped (\xNN) as the error document's
	 * target.input shows it, a long line cut, with its length. */
	char key[4 * BATCH_LINE_MAX + 64];
	char why[200]; /* INVALID: why not (no quotes of the entry) */
};

/*
 * Classify the len octets of one line (its LF, if any, included or not).
 * full_len is the length of the whole line: when it is more than len, the
 * reader kept only the first len octets (a line longer than
 * BATCH_LINE_MAX), and the line is INVALID. ST_ERR_NOMEM when libidn2 ran
 * out of memory; ST_OK otherwise, with out filled.
 */
enum st_err batch_line_classify(const char *p, size_t len, size_t full_len,
    struct batch_line *out) __attribute__((warn_unused_result));

/*
 * The shard hash of smtptls(1): SHA-256 (OpenSSL EVP) of the octets of s,
 * the first 8 octets of the digest read as a big-endian unsigned 64-bit
 * number. s is the normalised domain for a domain or address entry, the
 * key for an invalid one. ST_ERR_TLS when OpenSSL fails.
 */
enum st_err batch_hash(const char *s, size_t len, uint64_t *h)
    __attribute__((warn_unused_result));

/* The shard an entry belongs to: batch_hash of the domain (of the key for
 * an invalid entry) modulo n. */
enum st_err batch_line_shard(const struct batch_line *l, unsigned n,
    unsigned *shard) __attribute__((warn_unused_result));

/* Parse "I/N" (decimal, 0 <= I < N, 1 <= N <= BATCH_SHARD_MAX, nothing
 * else); false when s is not that. */
bool batch_shard_parse(const char *s, unsigned *i, unsigned *n);

/*
 * A set of keys (by their batch_hash: 8 octets each, 16 per key at most
 * in the table). Memory grows with the number of distinct keys, not with
 * lines; two keys share a hash with a chance of about k^2 / 2^65 for k
 * keys (1e-8 for a million). NULL when out of memory.
 */
struct batch_keyset;
struct batch_keyset *batch_keyset_new(void);
void batch_keyset_free(struct batch_keyset *s);
/* Add h; *added false when it was there already. ST_ERR_NOMEM when the
 * table could not grow (h is then not added). */
enum st_err batch_keyset_add(struct batch_keyset *s, uint64_t h, bool *added)
    __attribute__((warn_unused_result));
/* Whether h is in s. */
bool batch_keyset_has(const struct batch_keyset *s, uint64_t h);
size_t batch_keyset_count(const struct batch_keyset *s);

#endif
