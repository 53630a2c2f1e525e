/*
 * dns_rr.c - turn answer records into the lookup object's text and typed
 * arrays (struct dns_answer), in report order, capped at DNS_RR_MAX
 * (DNS_MX_MAX for MX). Pure functions over ldns records: no I/O.
 */
#include "dns_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "st_limits.h"

#include "banned.h"

struct item {
	char *text;
	char *raw; /* TXT: the octets, raw_len of them */
	size_t raw_len;
	uint8_t addr[16]; /* A/AAAA: network order, sort key */
	struct dns_mx mx;
	struct dns_tlsa tlsa;
};

ldns_rr_list *
dns_rr_select(const ldns_rr_list *section, const ldns_rdf *owner,
    ldns_rr_type type, ldns_rr_type covered)
{
	ldns_rr_list *l;
	ldns_rr *rr;
	ldns_rdf *tc;
	size_t i;

	if ((l = ldns_rr_list_new()) == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_list_rr_count(section); i++) {
		rr = ldns_rr_list_rr(section, i);
		if (ldns_rr_get_type(rr) != type ||
		    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			continue;
		if (owner != NULL &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		if (type == LDNS_RR_TYPE_RRSIG && covered != 0 &&
		    ((tc = ldns_rr_rrsig_typecovered(rr)) == NULL ||
		        ldns_rdf2rr_type(tc) != covered))
			continue;
		if (!ldns_rr_list_push_rr(l, rr)) {
			ldns_rr_list_free(l);
			return NULL;
		}
	}
	return l;
}

char *
dns_rdf_str(const ldns_rdf *rdf)
{
	ldns_buffer *b = ldns_buffer_new(DNS_RDF_TEXT_MIN);
	char *s = NULL;

	if (b == NULL)
		return NULL;
	if (ldns_rdf2buffer_str(b, rdf) == LDNS_STATUS_OK &&
	    ldns_buffer_status_ok(b))
		s = ldns_buffer_export2str(b);
	ldns_buffer_free(b);
	return s;
}

char *
dns_dname_str(const ldns_rdf *dname)
{
	char *s, *p;
	size_t n;

	if ((s = dns_rdf_str(dname)) == NULL)
		return NULL;
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	n = strlen(s);
	/* "name." -> "name", "." -> "" (an escaped "\." stays). */
	if (n > 0 && s[n - 1] == '.' && (n < 2 || s[n - 2] != '\\'))
		s[n - 1] = '\0';
	return s;
}

/*
 * txt_text - character-strings concatenated: as raw octets into raw (what
 * the record parsers judge) and escaped like zone files into b (what the
 * report shows).
 */
static enum st_err
txt_text(const ldns_rr *rr, struct buf *b, struct buf *raw)
{
	const uint8_t *d;
	size_t i, j, len;
	enum st_err err;

	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		d = ldns_rdf_data(ldns_rr_rdf(rr, i));
		len = ldns_rdf_size(ldns_rr_rdf(rr, i));
		/* A character-string: one length octet, then the octets. */
		if (len == 0 || (size_t)d[0] + 1 != len)
			return ST_ERR_PROTO;
		if ((err = buf_add(raw, d + 1, len - 1)) != ST_OK)
			return err;
		for (j = 1; j < len; j++) {
			if (d[j] == '\\')
				err = buf_add(b, "\\\\", 2);
			else if (d[j] < 0x20 || d[j] > 0x7e)
				err = buf_printf(b, "\\%03u", (unsigned)d[j]);
			else
				err = buf_add(b, &d[j], 1);
			if (err != ST_OK)
				return err;
		}
	}
	if ((err = buf_add(raw, "", 0)) != ST_OK)
		return err;
	return buf_add(b, "", 0);
}

/* generic_text - rdata fields as ldns prints them, space-separated. */
static enum st_err
generic_text(const ldns_rr *rr, struct buf *b)
{
	enum st_err err = ST_OK;
	char *s;
	size_t i;

	for (i = 0; i < ldns_rr_rd_count(rr) && err == ST_OK; i++) {
		if ((s = dns_rdf_str(ldns_rr_rdf(rr, i))) == NULL)
			return ST_ERR_NOMEM;
		err = buf_printf(b, "%s%s", i > 0 ? " " : "", s);
		free(s);
	}
	if (err == ST_OK)
		err = buf_add(b, "", 0);
	return err;
}

/* tlsa_item - RFC 6698 2.1 fields, text "u s m hex". */
static enum st_err
tlsa_item(const ldns_rr *rr, struct item *it, struct buf *b)
{
	const ldns_rdf *f;
	enum st_err err;
	size_t i;

	if (ldns_rr_rd_count(rr) != 4)
		return ST_ERR_PROTO;
	for (i = 0; i < 3; i++)
		if (ldns_rdf_size(ldns_rr_rdf(rr, i)) != 1)
			return ST_ERR_PROTO;
	it->tlsa.usage = ldns_rdf2native_int8(ldns_rr_rdf(rr, 0));
	it->tlsa.selector = ldns_rdf2native_int8(ldns_rr_rdf(rr, 1));
	it->tlsa.mtype = ldns_rdf2native_int8(ldns_rr_rdf(rr, 2));
	f = ldns_rr_rdf(rr, 3);
	it->tlsa.len = ldns_rdf_size(f);
	if ((it->tlsa.data = malloc(it->tlsa.len + 1)) == NULL)
		return ST_ERR_NOMEM;
	memcpy(it->tlsa.data, ldns_rdf_data(f), it->tlsa.len);
	err = buf_printf(b, "%u %u %u ", (unsigned)it->tlsa.usage,
	    (unsigned)it->tlsa.selector, (unsigned)it->tlsa.mtype);
	for (i = 0; i < it->tlsa.len && err == ST_OK; i++)
		err = buf_printf(b, "%02x", it->tlsa.data[i]);
	return err;
}

/* rr_item - one record into *it (text and typed form). */
static enum st_err
rr_item(const ldns_rr *rr, struct item *it)
{
	const ldns_rdf *f;
	struct buf b, raw;
	char a[INET6_ADDRSTRLEN];
	enum st_err err = ST_ERR_PROTO;
	size_t i;

	buf_init(&b, DNS_TEXT_MAX);
	buf_init(&raw, DNS_TXT_RAW_MAX);
	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		f = ldns_rr_rdf(rr, 0);
		i = ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ? 4 : 16;
		if (f == NULL || ldns_rdf_size(f) != i)
			goto out;
		memcpy(it->addr, ldns_rdf_data(f), i);
		if (inet_ntop(i == 4 ? AF_INET : AF_INET6, it->addr, a,
		        sizeof(a)) == NULL)
			goto out;
		err = buf_addstr(&b, a);
		break;
	case LDNS_RR_TYPE_MX:
		if (ldns_rr_rd_count(rr) != 2 ||
		    (f = ldns_rr_rdf(rr, 0)) == NULL || ldns_rdf_size(f) != 2)
			goto out;
		it->mx.preference = ldns_rdf2native_int16(f);
		if ((it->mx.exchange = dns_dname_str(ldns_rr_rdf(rr, 1))) ==
		    NULL) {
			err = ST_ERR_NOMEM;
			goto out;
		}
		err = buf_printf(&b, "%u %s", (unsigned)it->mx.preference,
		    it->mx.exchange[0] != '\0' ? it->mx.exchange : ".");
		break;
	case LDNS_RR_TYPE_TLSA:
		err = tlsa_item(rr, it, &b);
		break;
	case LDNS_RR_TYPE_TXT:
		err = txt_text(rr, &b, &raw);
		it->raw_len = raw.len;
		if (err == ST_OK && (it->raw = buf_take(&raw)) == NULL)
			err = ST_ERR_NOMEM;
		break;
	default:
		err = generic_text(rr, &b);
		break;
	}
	if (err == ST_OK && (it->text = buf_take(&b)) == NULL)
		err = ST_ERR_NOMEM;
out:
	buf_release(&b);
	buf_release(&raw);
	return err;
}

static void
item_release(struct item *it)
{
	free(it->text);
	free(it->raw);
	free(it->mx.exchange);
	free(it->tlsa.data);
	memset(it, 0, sizeof(*it));
}

static int
cmp_a(const void *x, const void *y)
{
	return memcmp(((const struct item *)x)->addr,
	    ((const struct item *)y)->addr, 4);
}

static int
cmp_aaaa(const void *x, const void *y)
{
	return memcmp(((const struct item *)x)->addr,
	    ((const struct item *)y)->addr, 16);
}

static int
cmp_mx(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->mx.preference != b->mx.preference)
		return a->mx.preference < b->mx.preference ? -1 : 1;
	return strcmp(a->mx.exchange, b->mx.exchange);
}

static int
cmp_text(const void *x, const void *y)
{
	return strcmp(((const struct item *)x)->text,
	    ((const struct item *)y)->text);
}

/* items_move - hand the first n sorted items over to ans. */
static enum st_err
items_move(struct dns_answer *ans, struct item *it, size_t n)
{
	size_t i;

	if ((ans->text = calloc(n ? n : 1, sizeof(*ans->text))) == NULL)
		return ST_ERR_NOMEM;
	if (ans->type == LDNS_RR_TYPE_MX &&
	    (ans->mx = calloc(n ? n : 1, sizeof(*ans->mx))) == NULL)
		return ST_ERR_NOMEM;
	if (ans->type == LDNS_RR_TYPE_TLSA &&
	    (ans->tlsa = calloc(n ? n : 1, sizeof(*ans->tlsa))) == NULL)
		return ST_ERR_NOMEM;
	if (ans->type == LDNS_RR_TYPE_TXT &&
	    ((ans->txt = calloc(n ? n : 1, sizeof(*ans->txt))) == NULL ||
	        (ans->txt_len = calloc(n ? n : 1, sizeof(*ans->txt_len))) ==
	            NULL))
		return ST_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (ans->txt != NULL) {
			ans->txt[ans->ntext] = it[i].raw;
			ans->txt_len[ans->ntext] = it[i].raw_len;
			it[i].raw = NULL;
		}
		ans->text[ans->ntext++] = it[i].text;
		it[i].text = NULL;
		if (ans->mx != NULL) {
			ans->mx[ans->nmx++] = it[i].mx;
			it[i].mx.exchange = NULL;
		}
		if (ans->tlsa != NULL) {
			ans->tlsa[ans->ntlsa++] = it[i].tlsa;
			it[i].tlsa.data = NULL;
		}
	}
	return ST_OK;
}

enum st_err
dns_rr_fill(struct dns_answer *ans, const ldns_rr_list *rrs)
{
	int (*cmp)(const void *, const void *) = cmp_text;
	struct item *it = NULL;
	size_t i, n, max;
	enum st_err err = ST_ERR_NOMEM;
	uint32_t ttl;

	n = ldns_rr_list_rr_count(rrs);
	if (n > 0 && (it = calloc(n, sizeof(*it))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((err = rr_item(ldns_rr_list_rr(rrs, i), &it[i])) != ST_OK)
			goto out;
		ttl = ldns_rr_ttl(ldns_rr_list_rr(rrs, i));
		if (ans->ttl < 0 || (long)ttl < ans->ttl)
			ans->ttl = (long)ttl;
	}
	switch (ans->type) {
	case LDNS_RR_TYPE_A:
		cmp = cmp_a;
		break;
	case LDNS_RR_TYPE_AAAA:
		cmp = cmp_aaaa;
		break;
	case LDNS_RR_TYPE_MX:
		cmp = cmp_mx;
		break;
	default:
		break;
	}
	if (n > 1)
		qsort(it, n, sizeof(*it), cmp);
	max = ans->type == LDNS_RR_TYPE_MX ? DNS_MX_MAX : DNS_RR_MAX;
	if (n > max)
		ans->truncated_list = true;
	err = items_move(ans, it, n > max ? max : n);
out:
	for (i = 0; i < n && it != NULL; i++)
		item_release(&it[i]);
	free(it);
	return err;
}

long
dns_rr_negative_ttl(const ldns_pkt *p)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	const ldns_rr *rr;
	const ldns_rdf *min;
	long ttl;
	size_t i;

	for (i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		rr = ldns_rr_list_rr(auth, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
			continue;
		ttl = (long)ldns_rr_ttl(rr);
		if ((min = ldns_rr_rdf(rr, 6)) != NULL &&
		    ldns_rdf_size(min) == 4 &&
		    (long)ldns_rdf2native_int32(min) < ttl)
			ttl = (long)ldns_rdf2native_int32(min);
		return ttl;
	}
	return -1;
}
