/*
 * testzone_sign.c - the test zone, signed by ldns: its records from
 * testzone_records(), one ECDSA P-256 key (flags 257, signing every
 * RRset, as a small zone needs no separate ZSK), NSEC denial made by
 * ldns_dnssec_zone_sign(), and for TZ_TLSA_LOOKUP_FAILS a TLSA signature
 * spoilt on purpose so that validating resolvers answer SERVFAIL.
 *
 * The key is made fresh each run (the parent's DS must then be updated,
 * which --send-hint says) unless a key file is given: then it is read from
 * there, or made and written there the first time, so that a zone
 * delegated for real keeps its DS. Signatures run from an hour before now
 * (clock skew) to 14 days after. Never prints.
 */
#include "testzone_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

#define TZ_SIG_BEFORE_S 3600
#define TZ_SIG_AFTER_S (14 * 86400)

static struct tz_signed *
tz_signed_new(void)
{
	return calloc(1, sizeof(struct tz_signed));
}

void
testzone_signed_free(struct tz_signed *z)
{
	if (z == NULL)
		return;
	if (z->zone != NULL)
		ldns_dnssec_zone_deep_free(z->zone);
	ldns_rdf_deep_free(z->apex);
	ldns_rr_free(z->dnskey);
	free(z->ds_text);
	free(z->dnskey_text);
	free(z);
}

/* add_records - each line of text into the zone */
static enum st_err
add_records(ldns_dnssec_zone *dz, const char *text, char *errmsg, size_t errlen)
{
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char line[1024];
		ldns_rr *rr = NULL;
		ldns_status s;

		if (n >= sizeof(line)) {
			snprintf(errmsg, errlen, "test zone: record too long");
			return ST_ERR_INVAL;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl != NULL);
		if (n == 0)
			continue;
		s = ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL);
		if (s == LDNS_STATUS_OK)
			s = ldns_dnssec_zone_add_rr(dz, rr);
		if (s != LDNS_STATUS_OK) {
			ldns_rr_free(rr);
			snprintf(errmsg, errlen, "test zone: '%s': %s", line,
			    ldns_get_errorstr_by_id(s));
			return s == LDNS_STATUS_MEM_ERR ? ST_ERR_NOMEM
			                                : ST_ERR_INTERNAL;
		}
	}
	return ST_OK;
}

/* key_read - the key in file f (ldns's private-key format), which must
 * be ECDSA P-256 like a key made here */
static enum st_err
key_read(FILE *f, const char *path, ldns_key **out, char *errmsg, size_t errlen)
{
	int line = 0;
	ldns_status s = ldns_key_new_frm_fp_l(out, f, &line);

	if (s == LDNS_STATUS_OK &&
	    ldns_key_algorithm(*out) == LDNS_SIGN_ECDSAP256SHA256)
		return ST_OK;
	snprintf(errmsg, errlen, "test zone: key file '%s': %s", path,
	    s != LDNS_STATUS_OK ? ldns_get_errorstr_by_id(s)
	                        : "not an ECDSA P-256 (algorithm 13) key");
	if (s == LDNS_STATUS_OK)
		ldns_key_deep_free(*out);
	*out = NULL;
	return s == LDNS_STATUS_MEM_ERR ? ST_ERR_NOMEM : ST_ERR_PARSE;
}

/* key_write - k into path, which must not exist yet (O_EXCL: two runs
 * never overwrite each other's key), readable by the owner only */
static enum st_err
key_write(const ldns_key *k, const char *path, char *errmsg, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char *text = ldns_key2str(k);
	bool ok = f != NULL && text != NULL && fputs(text, f) >= 0;
	int e = errno;

	if (f != NULL && fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	} else if (f == NULL && fd >= 0)
		close(fd);
	free(text);
	if (ok)
		return ST_OK;
	if (fd >= 0)
		unlink(path);
	if (text == NULL)
		return ST_ERR_NOMEM;
	snprintf(errmsg, errlen, "test zone: key file '%s': %s", path,
	    strerror(e));
	return ST_ERR_IO;
}

/* key_get - the signing key: fresh, or from the key file, or fresh and
 * then kept in the key file */
static enum st_err
key_get(const char *path, ldns_key **out, char *errmsg, size_t errlen)
{
	FILE *f = path != NULL ? fopen(path, "re") : NULL;
	enum st_err err;

	if (f != NULL) {
		err = key_read(f, path, out, errmsg, errlen);
		fclose(f);
		return err;
	}
	if (path != NULL && errno != ENOENT) {
		snprintf(errmsg, errlen, "test zone: key file '%s': %s", path,
		    strerror(errno));
		return ST_ERR_IO;
	}
	*out = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256, 256);
	if (*out == NULL)
		return ST_ERR_NOMEM;
	if (path == NULL ||
	    (err = key_write(*out, path, errmsg, errlen)) == ST_OK)
		return ST_OK;
	ldns_key_deep_free(*out);
	*out = NULL;
	return err;
}

/* make_key - the signing key for the apex, its DNSKEY in z->dnskey */
static enum st_err
make_key(struct tz_signed *z, const struct tz_params *p, long long now_s,
    ldns_key **out, char *errmsg, size_t errlen)
{
	ldns_key *k = NULL;
	enum st_err err = key_get(p->key_file, &k, errmsg, errlen);
	ldns_rdf *owner;

	if (err != ST_OK)
		return err;
	if ((owner = ldns_rdf_clone(z->apex)) == NULL) {
		ldns_key_deep_free(k);
		return ST_ERR_NOMEM;
	}
	ldns_key_set_pubkey_owner(k, owner);
	ldns_key_set_flags(k, LDNS_KEY_ZONE_KEY | LDNS_KEY_SEP_KEY);
	ldns_key_set_inception(k, (uint32_t)(now_s - TZ_SIG_BEFORE_S));
	ldns_key_set_expiration(k, (uint32_t)(now_s + TZ_SIG_AFTER_S));
	z->dnskey = ldns_key2rr(k);
	if (z->dnskey == NULL) {
		ldns_key_deep_free(k);
		return ST_ERR_NOMEM;
	}
	ldns_key_set_keytag(k, ldns_calc_keytag(z->dnskey));
	*out = k;
	return ST_OK;
}

/* spoil - flip a bit in each signature of the TLSA RRsets whose scenario
 * wants the lookup to fail */
static void
spoil(struct tz_signed *z, const struct tz_params *p)
{
	size_t n;
	const struct tz_scenario *sc = testzone_scenarios(&n);

	for (size_t i = 0; i < n; i++) {
		char owner[300];
		ldns_rdf *d = NULL;
		ldns_dnssec_rrsets *set;

		if (sc[i].tlsa != TZ_TLSA_LOOKUP_FAILS)
			continue;
		snprintf(owner, sizeof(owner), "_25._tcp.mx-%s.%s.", sc[i].name,
		    p->zone);
		if (ldns_str2rdf_dname(&d, owner) != LDNS_STATUS_OK)
			continue;
		set =
		    ldns_dnssec_zone_find_rrset(z->zone, d, LDNS_RR_TYPE_TLSA);
		ldns_rdf_deep_free(d);
		for (ldns_dnssec_rrs *r = set ? set->signatures : NULL; r;
		     r = r->next) {
			ldns_rdf *sig = ldns_rr_rdf(r->rr, 8);

			if (sig != NULL && ldns_rdf_size(sig) > 0)
				ldns_rdf_data(sig)[0] ^= 0x01;
		}
	}
}

static enum st_err
sign(struct tz_signed *z, const struct tz_params *p, long long now_s,
    char *errmsg, size_t errlen)
{
	ldns_key_list *keys = ldns_key_list_new();
	ldns_rr_list *made = ldns_rr_list_new();
	ldns_key *k = NULL;
	ldns_status s = LDNS_STATUS_MEM_ERR;
	enum st_err err = ST_ERR_NOMEM;

	if (keys != NULL && made != NULL &&
	    (err = make_key(z, p, now_s, &k, errmsg, errlen)) == ST_OK &&
	    ldns_key_list_push_key(keys, k)) {
		k = NULL; /* the list owns it */
		s = ldns_dnssec_zone_add_rr(z->zone, ldns_rr_clone(z->dnskey));
		if (s == LDNS_STATUS_OK)
			s = ldns_dnssec_zone_sign(z->zone, made, keys,
			    ldns_dnssec_default_replace_signatures, NULL);
	}
	if (k != NULL) /* ldns_key_deep_free(NULL) crashes */
		ldns_key_deep_free(k);
	if (keys != NULL)
		ldns_key_list_free(keys);
	ldns_rr_list_free(made);
	if (err != ST_OK && err != ST_ERR_NOMEM)
		return err; /* the key file: errmsg says why */
	if (s != LDNS_STATUS_OK) {
		snprintf(errmsg, errlen, "test zone: signing: %s",
		    ldns_get_errorstr_by_id(s));
		return s == LDNS_STATUS_MEM_ERR ? ST_ERR_NOMEM
		                                : ST_ERR_INTERNAL;
	}
	return ST_OK;
}

static enum st_err
texts(struct tz_signed *z)
{
	ldns_rr *ds = ldns_key_rr2ds(z->dnskey, LDNS_SHA256);

	z->ds_text = ds != NULL ? ldns_rr2str(ds) : NULL;
	ldns_rr_free(ds);
	z->dnskey_text = ldns_rr2str(z->dnskey);
	return z->ds_text != NULL && z->dnskey_text != NULL ? ST_OK
	                                                    : ST_ERR_NOMEM;
}

enum st_err
testzone_sign(const struct tz_params *p, long long now_s,
    struct tz_signed **out, char *errmsg, size_t errlen)
{
	struct tz_signed *z = tz_signed_new();
	char *records = NULL;
	enum st_err err = ST_ERR_NOMEM;

	*out = NULL;
	if (z == NULL)
		goto out;
	if ((err = testzone_records(p, &records)) != ST_OK) {
		snprintf(errmsg, errlen, "test zone: bad parameters");
		goto out;
	}
	err = ST_ERR_NOMEM;
	if ((z->zone = ldns_dnssec_zone_new()) == NULL ||
	    ldns_str2rdf_dname(&z->apex, p->zone) != LDNS_STATUS_OK)
		goto out;
	ldns_dname2canonical(z->apex);
	if ((err = add_records(z->zone, records, errmsg, errlen)) != ST_OK ||
	    (err = sign(z, p, now_s, errmsg, errlen)) != ST_OK ||
	    (err = texts(z)) != ST_OK)
		goto out;
	spoil(z, p);
	*out = z;
	z = NULL;
out:
	if (err == ST_ERR_NOMEM)
		snprintf(errmsg, errlen, "test zone: out of memory");
	free(records);
	testzone_signed_free(z);
	return err;
}

const char *
testzone_ds(const struct tz_signed *z)
{
	return z->ds_text;
}

const char *
testzone_dnskey(const struct tz_signed *z)
{
	return z->dnskey_text;
}
