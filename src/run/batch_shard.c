/*
 * batch_shard.c - --shard I/N (batch.h): the stable hash of an entry, the
 * shard it falls in, and the "I/N" syntax. The hash is documented in
 * smtptls(1) so that other tools can split a list the same way.
 */
#include "smtptls/batch.h"

#include <string.h>

#include <openssl/evp.h>

#include "ascii.h"

#include "banned.h"

enum st_err
batch_hash(const char *s, size_t len, uint64_t *h)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	uint64_t v = 0;

	*h = 0;
	if (EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8)
		return ST_ERR_TLS;
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	*h = v;
	return ST_OK;
}

enum st_err
batch_line_shard(const struct batch_line *l, unsigned n, unsigned *shard)
{
	const char *s = l->kind == BATCH_LINE_INVALID ? l->key : l->domain;
	uint64_t h;
	enum st_err err;

	*shard = 0;
	if (n == 0)
		return ST_ERR_INVAL;
	if ((err = batch_hash(s, strlen(s), &h)) != ST_OK)
		return err;
	*shard = (unsigned)(h % n);
	return ST_OK;
}

/* parse_dec - a decimal number of at most 7 digits (BATCH_SHARD_MAX has
 * 7), no sign, no blanks; the end in *end */
static bool
parse_dec(const char *s, unsigned *v, const char **end)
{
	unsigned x = 0;
	size_t i;

	for (i = 0; i < 7 && ascii_is_digit((unsigned char)s[i]); i++)
		x = x * 10 + (unsigned)(s[i] - '0');
	if (i == 0 || ascii_is_digit((unsigned char)s[i]))
		return false;
	*v = x;
	*end = s + i;
	return true;
}

bool
batch_shard_parse(const char *s, unsigned *i, unsigned *n)
{
	const char *p;
	unsigned a, b;

	if (!parse_dec(s, &a, &p) || *p != '/' || !parse_dec(p + 1, &b, &p) ||
	    *p != '\0')
		return false;
	if (b < 1 || b > BATCH_SHARD_MAX || a >= b)
		return false;
	*i = a;
	*n = b;
	return true;
}
