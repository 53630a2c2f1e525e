/*
 * cert_check.c - facts about a presented certificate chain (see
 * cert_check.h): OpenSSL path validation with time checks and without
 * them, chain completeness, validity dates on the path, and name matching
 * for the MX host and the next-hop domain.
 *
 * OpenSSL decides every verdict it knows how to decide (X509_verify_cert,
 * X509_check_host, X509_check_issued); this file only arranges the calls
 * and records what they said. Owns the result it fills until
 * cert_chain_result_release(); borrows the chain and the store. Never
 * prints, does no network I/O; cert_store_load() reads trust store files.
 */
#include "cert_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "ascii.h"
#include "banned.h"

/* Error messages in this file are cut at errlen by snprintf; a shortened
 * message is still a correct one. */

/* ossl_reason - text of the newest OpenSSL error, for errmsg */
static const char *
ossl_reason(void)
{
	const char *r = ERR_reason_error_string(ERR_peek_last_error());

	return r != NULL ? r : "unknown OpenSSL error";
}

/* in_stack - whether a certificate equal to x is in sk */
static bool
in_stack(const X509 *x, STACK_OF(X509) * sk)
{
	int i;

	for (i = 0; i < sk_X509_num(sk); i++)
		if (X509_cmp(x, sk_X509_value(sk, i)) == 0)
			return true;
	return false;
}

/* issued - whether issuer plausibly issued subject (names, key ids, key
 * usage; OpenSSL's own test, no signature check) */
static bool
issued(X509 *issuer, X509 *subject)
{
	return X509_check_issued(issuer, subject) == X509_V_OK;
}

/* What one X509_verify_cert run said. */
struct verify_out {
	bool ok;
	int code;
	int depth;
	size_t path_len;
};

/* set_params - purpose TLS server; time checks at now, or none */
static bool
set_params(X509_STORE_CTX *ctx, time_t now, bool check_time)
{
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);

	if (X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER) != 1)
		return false;
	if (!check_time)
		return X509_VERIFY_PARAM_set_flags(param,
		           X509_V_FLAG_NO_CHECK_TIME) == 1;
	/* The run's clock rather than OpenSSL's own reading of it, so that
	 * this agrees with the dates judge_dates looks at. */
	X509_VERIFY_PARAM_set_time(param, now);
	return true;
}

/*
 * verify_path - X509_verify_cert on the presented chain: purpose TLS
 * server, untrusted = the chain minus its leaf; time checks at now, or
 * none when !check_time. Fills *out and, when pathp is not NULL, hands
 * over the (possibly partial) path OpenSSL built in *pathp (NULL if
 * none). A fault of the chain is a result in *out, not an error.
 */
static enum st_err
verify_path(STACK_OF(X509) * chain, X509_STORE *store, time_t now,
    bool check_time, struct verify_out *out, STACK_OF(X509) * *pathp,
    char *errmsg, size_t errlen)
{
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *untrusted = NULL, *path = NULL;
	enum st_err err = ST_ERR_NOMEM;
	int rv;

	memset(out, 0, sizeof(*out));
	if (pathp != NULL)
		*pathp = NULL;
	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_dup(chain);
	if (ctx == NULL || untrusted == NULL) {
		snprintf(errmsg, errlen, "cannot set up path validation");
		goto out;
	}
	/* The stack copy is shallow: shifting drops a borrowed pointer. */
	(void)sk_X509_shift(untrusted);
	err = ST_ERR_TLS;
	if (X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0),
	        untrusted) != 1 ||
	    !set_params(ctx, now, check_time)) {
		snprintf(errmsg, errlen, "cannot set up path validation: %s",
		    ossl_reason());
		goto out;
	}
	rv = X509_verify_cert(ctx);
	out->code = X509_STORE_CTX_get_error(ctx);
	if (rv <= 0 && out->code == X509_V_ERR_OUT_OF_MEM) {
		err = ST_ERR_NOMEM;
		snprintf(errmsg, errlen, "path validation ran out of memory");
		goto out;
	}
	if (rv <= 0 &&
	    (out->code == X509_V_OK || out->code == X509_V_ERR_UNSPECIFIED)) {
		/* Failed without naming a fault of the chain: ours. */
		snprintf(errmsg, errlen, "path validation failed: %s",
		    ossl_reason());
		goto out;
	}
	out->ok = rv > 0 && out->code == X509_V_OK;
	path = X509_STORE_CTX_get1_chain(ctx);
	if (path == NULL && out->ok) {
		err = ST_ERR_NOMEM;
		snprintf(errmsg, errlen, "cannot copy the verified path");
		goto out;
	}
	out->path_len = path != NULL ? (size_t)sk_X509_num(path) : 0;
	if (out->ok)
		out->depth = (int)out->path_len - 1;
	else
		out->depth = X509_STORE_CTX_get_error_depth(ctx);
	if (pathp != NULL) {
		*pathp = path;
		path = NULL;
	}
	err = ST_OK;
out:
	sk_X509_pop_free(path, X509_free);
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	return err;
}

/*
 * all_current - every certificate of path is within its dates at now, by
 * the comparisons of OpenSSL's own time check (x509_vfy.c,
 * ossl_x509_check_cert_time: notBefore <= now < notAfter).
 */
static bool
all_current(STACK_OF(X509) * path, time_t now)
{
	if (path == NULL || sk_X509_num(path) <= 0)
		return false;
	for (int i = 0; i < sk_X509_num(path); i++) {
		X509 *x = sk_X509_value(path, i);

		if (X509_cmp_time(X509_get0_notBefore(x), &now) >= 0 ||
		    X509_cmp_time(X509_get0_notAfter(x), &now) <= 0)
			return false;
	}
	return true;
}

/*
 * verify_both - the two validations of cert_check.h: with time checks
 * (trusted, what a verifying sender decides) and without (path_trusted,
 * the path whose dates judge_dates looks at, handed over in *pathp).
 *
 * The second run is needed only when a date is out: time enters path
 * building solely as a preference among candidate issuers (the first one
 * within its dates wins, and without time checks simply the first), so
 * when every certificate the first run chose is within its dates, the run
 * with time checks chooses the same ones, in the same order, and ends the
 * same way. Then the first run's verdict is the second's.
 */
static enum st_err
verify_both(STACK_OF(X509) * chain, X509_STORE *store, time_t now,
    struct cert_chain_result *r, STACK_OF(X509) * *pathp, char *errmsg,
    size_t errlen)
{
	struct verify_out v;
	enum st_err err;

	if ((err = verify_path(chain, store, now, false, &v, pathp, errmsg,
	         errlen)) != ST_OK)
		return err;
	r->path_trusted = v.ok;
	r->path_verify_code = v.code;
	r->path_verify_depth = v.depth;
	r->path_len = v.path_len;
	ascii_copy(r->path_verify_error, sizeof(r->path_verify_error),
	    X509_verify_cert_error_string(v.code));
	if (all_current(*pathp, now)) {
		r->trusted = r->path_trusted;
		r->verify_code = r->path_verify_code;
		r->verify_depth = r->path_verify_depth;
		snprintf(r->verify_error, sizeof(r->verify_error), "%s",
		    r->path_verify_error);
		return ST_OK;
	}
	if ((err = verify_path(chain, store, now, true, &v, NULL, errmsg,
	         errlen)) != ST_OK)
		return err;
	r->trusted = v.ok;
	r->verify_code = v.code;
	r->verify_depth = v.depth;
	ascii_copy(r->verify_error, sizeof(r->verify_error),
	    X509_verify_cert_error_string(v.code));
	return ST_OK;
}

/*
 * missing_intermediate - whether the presented certificates plus one trust
 * anchor fall short of the path: OpenSSL took a non-anchor certificate of
 * the path from the store, or gave up for want of an issuer.
 */
static bool
missing_intermediate(STACK_OF(X509) * chain, STACK_OF(X509) * path,
    const struct cert_chain_result *r)
{
	X509 *x;
	int i, n;

	/* Only the leaf's own issuer missing says "intermediate missing": when
	 * the presented intermediates chain up and only the top one's issuer
	 * is unknown, the anchor is what the store lacks (an unknown CA). */
	if (!r->path_trusted &&
	    (r->path_verify_code ==
	            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	        r->path_verify_code ==
	            X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE))
		return r->path_verify_depth == 0;
	n = sk_X509_num(path);
	for (i = 1; i < n; i++) {
		x = sk_X509_value(path, i);
		if (in_stack(x, chain))
			continue;
		/* The top of the path is the anchor the store may supply. */
		if (i == n - 1 && (r->path_trusted || issued(x, x)))
			continue;
		return true;
	}
	return false;
}

/*
 * order_issues - duplicates, unrelated certificates and wrong order in the
 * presented list. A certificate is related when a chain of issuer links
 * leads from it down to the leaf (that keeps cross-signed variants of an
 * issuer related); the related, first-seen certificates must each have
 * issued the one before them.
 */
static enum st_err
order_issues(STACK_OF(X509) * chain, unsigned *issues)
{
	unsigned char *reach = NULL;
	int *dup = NULL, *queue = NULL;
	int i, j, n, head, tail, prev;
	enum st_err err = ST_ERR_NOMEM;

	n = sk_X509_num(chain);
	dup = calloc((size_t)n, sizeof(*dup));
	reach = calloc((size_t)n, 1);
	queue = calloc((size_t)n, sizeof(*queue));
	if (dup == NULL || reach == NULL || queue == NULL)
		goto out;
	/* dup[i]: 1 + the index of an earlier copy of certificate i. */
	for (i = 1; i < n; i++) {
		for (j = 0; j < i && !dup[i]; j++)
			if (X509_cmp(sk_X509_value(chain, i),
			        sk_X509_value(chain, j)) == 0)
				dup[i] = j + 1;
		if (dup[i])
			*issues |= CERT_ISSUE_DUPLICATE;
	}
	/* Breadth-first from the leaf along "issued": O(n^2) checks. */
	reach[0] = 1;
	queue[0] = 0;
	head = 0;
	tail = 1;
	while (head < tail) {
		j = queue[head++];
		for (i = 1; i < n; i++) {
			if (reach[i] || !issued(sk_X509_value(chain, i),
			                    sk_X509_value(chain, j)))
				continue;
			reach[i] = 1;
			queue[tail++] = i;
		}
	}
	prev = 0;
	for (i = 1; i < n; i++) {
		/* A copy of the leaf issued nothing, yet it is no stranger. */
		if (dup[i])
			reach[i] = reach[dup[i] - 1];
		if (!reach[i]) {
			*issues |= CERT_ISSUE_UNRELATED;
			continue;
		}
		if (dup[i])
			continue;
		if (!issued(sk_X509_value(chain, i),
		        sk_X509_value(chain, prev)))
			*issues |= CERT_ISSUE_ORDER;
		prev = i;
	}
	err = ST_OK;
out:
	free(dup);
	free(reach);
	free(queue);
	return err;
}

/* floor_days - whole days in secs, rounded towards minus infinity */
static long
floor_days(time_t secs)
{
	long long d = (long long)secs / 86400;

	if ((long long)secs % 86400 < 0)
		d--;
	return (long)d;
}

/*
 * judge_dates - validity at now of every certificate on the path (the
 * presented chain when OpenSSL built none), and the leaf's own dates.
 */
static void
judge_dates(STACK_OF(X509) * chain, STACK_OF(X509) * path, time_t now,
    struct cert_chain_result *r)
{
	STACK_OF(X509) *judged = sk_X509_num(path) > 0 ? path : chain;
	const struct cert_summary *leaf = &r->certs[0];
	time_t nb, na;
	int i;

	r->path_in_validity = true;
	for (i = 0; i < sk_X509_num(judged); i++) {
		/* Unreadable dates come back as 0: outside validity. */
		if (!cert_summary_dates(sk_X509_value(judged, i), &nb, &na) ||
		    now < nb || now > na)
			r->path_in_validity = false;
	}
	r->leaf_not_yet_valid = now < leaf->not_before;
	r->leaf_expired = now > leaf->not_after;
	r->days_left = floor_days(leaf->not_after - now);
}

/*
 * match_name - X509_check_host against one reference name (len bytes, a
 * leading dot meaning "any host below"): first subjectAltName dNSName
 * only, then the CN when the certificate has no DNS names at all.
 */
static enum st_err
match_name(X509 *leaf, const struct cert_summary *s, const char *ref,
    size_t len, struct cert_name_result *out)
{
	const unsigned int base = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	char *peer = NULL;
	int rv;

	rv = X509_check_host(leaf, ref, len,
	    base | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, &peer);
	if (rv == 1) {
		out->via = CERT_NAME_SAN;
	} else if (s->ndns == 0) {
		/* Without NEVER_CHECK_SUBJECT OpenSSL reads the CN only
		 * when there is no dNSName, which is our rule as well. */
		rv = X509_check_host(leaf, ref, len, base, &peer);
		if (rv == 1)
			out->via = CERT_NAME_CN;
	}
	/* rv < 0: OpenSSL could not decode a certificate name. That is a
	 * peer fault, and the name then matches nothing. */
	if (rv != 1) {
		OPENSSL_free(peer);
		ERR_clear_error();
		return ST_OK;
	}
	out->matched = peer != NULL ? strdup(peer) : NULL;
	OPENSSL_free(peer);
	if (out->matched == NULL) {
		out->via = CERT_NAME_NONE;
		return ST_ERR_NOMEM;
	}
	return ST_OK;
}

/* ref_len - length of a reference name without one trailing dot */
static size_t
ref_len(const char *name)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.')
		n--;
	return n;
}

/*
 * check_names - cert.name.match against mx_host; cert.name.nexthop
 * against domain, then (unless exact) against ".domain", which OpenSSL
 * matches with any name below the domain, as Postfix's "dot-nexthop".
 */
static enum st_err
check_names(X509 *leaf, const char *mx_host, const char *domain, bool exact,
    struct cert_chain_result *r)
{
	const struct cert_summary *s = &r->certs[0];
	char *dot = NULL;
	enum st_err err = ST_OK;
	size_t n;

	if (mx_host != NULL && mx_host[0] != '\0' &&
	    (err = match_name(leaf, s, mx_host, ref_len(mx_host),
	         &r->name_mx)) != ST_OK)
		goto out;
	if (domain == NULL || domain[0] == '\0')
		goto out;
	n = ref_len(domain);
	if ((err = match_name(leaf, s, domain, n, &r->name_dom)) != ST_OK)
		goto out;
	if (exact || r->name_dom.via != CERT_NAME_NONE)
		goto out;
	dot = malloc(n + 2);
	if (dot == NULL) {
		err = ST_ERR_NOMEM;
		goto out;
	}
	dot[0] = '.';
	memcpy(dot + 1, domain, n);
	dot[n + 1] = '\0';
	err = match_name(leaf, s, dot, n + 1, &r->name_dom);
out:
	free(dot);
	return err;
}

/* summarise - a cert_summary for every presented certificate */
static enum st_err
summarise(STACK_OF(X509) * chain, struct cert_chain_result *r, char *errmsg,
    size_t errlen)
{
	size_t i, n = (size_t)sk_X509_num(chain);
	enum st_err err;

	r->certs = calloc(n, sizeof(*r->certs));
	if (r->certs == NULL) {
		snprintf(errmsg, errlen, "cannot summarise %zu certificates",
		    n);
		return ST_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		err = cert_summary_fill(sk_X509_value(chain, (int)i),
		    &r->certs[i], errmsg, errlen);
		if (err != ST_OK)
			return err;
		r->ncerts = i + 1;
	}
	return ST_OK;
}

enum st_err
cert_chain_check(STACK_OF(X509) * chain, X509_STORE *store, time_t now,
    const char *mx_host, const char *domain, bool exact_domain,
    struct cert_chain_result *res, char *errmsg, size_t errlen)
{
	struct cert_chain_result r;
	STACK_OF(X509) *path = NULL;
	enum st_err err;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	if (errlen > 0)
		errmsg[0] = '\0';
	if (chain == NULL || store == NULL || sk_X509_num(chain) <= 0) {
		err = ST_ERR_INVAL;
		snprintf(errmsg, errlen, "no certificate chain to check");
		goto out;
	}
	/* Stale errors would be blamed on the calls below. */
	ERR_clear_error();
	if ((err = summarise(chain, &r, errmsg, errlen)) != ST_OK)
		goto out;
	if ((err = verify_both(chain, store, now, &r, &path, errmsg, errlen)) !=
	    ST_OK)
		goto out;
	if (missing_intermediate(chain, path, &r))
		r.issues |= CERT_ISSUE_MISSING_INTERMEDIATE;
	if ((err = order_issues(chain, &r.issues)) != ST_OK) {
		snprintf(errmsg, errlen, "cannot check the chain's order");
		goto out;
	}
	judge_dates(chain, path, now, &r);
	if ((err = check_names(sk_X509_value(chain, 0), mx_host, domain,
	         exact_domain, &r)) != ST_OK) {
		snprintf(errmsg, errlen, "cannot match certificate names");
		goto out;
	}
	*res = r;
	memset(&r, 0, sizeof(r));
out:
	cert_chain_result_release(&r);
	sk_X509_pop_free(path, X509_free);
	ERR_clear_error();
	return err;
}

void
cert_chain_result_release(struct cert_chain_result *res)
{
	size_t i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ncerts; i++)
		cert_summary_release(&res->certs[i]);
	free(res->certs);
	free(res->name_mx.matched);
	free(res->name_dom.matched);
	memset(res, 0, sizeof(*res));
}

X509_STORE *
cert_store_load(const char *ca_file, const char *ca_path, char *errmsg,
    size_t errlen)
{
	X509_STORE *store = NULL, *ret = NULL;
	struct stat st;

	if (errlen > 0)
		errmsg[0] = '\0';
	ERR_clear_error();
	store = X509_STORE_new();
	if (store == NULL) {
		snprintf(errmsg, errlen, "cannot create a trust store: %s",
		    ossl_reason());
		goto out;
	}
	if (ca_file == NULL && ca_path == NULL &&
	    X509_STORE_set_default_paths(store) != 1) {
		snprintf(errmsg, errlen,
		    "cannot load the default trust store: %s", ossl_reason());
		goto out;
	}
	if (ca_file != NULL && X509_STORE_load_file(store, ca_file) != 1) {
		snprintf(errmsg, errlen, "cannot load CA file '%s': %s",
		    ca_file, ossl_reason());
		goto out;
	}
	if (ca_path != NULL) {
		/* OpenSSL reads the directory lazily: check it now, so that
		 * a typo is a tool error rather than "untrusted". */
		if (stat(ca_path, &st) != 0) {
			snprintf(errmsg, errlen,
			    "cannot use CA directory '%s': %s", ca_path,
			    strerror(errno));
			goto out;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(errmsg, errlen,
			    "cannot use CA directory '%s': not a directory",
			    ca_path);
			goto out;
		}
		if (X509_STORE_load_path(store, ca_path) != 1) {
			snprintf(errmsg, errlen,
			    "cannot load CA directory '%s': %s", ca_path,
			    ossl_reason());
			goto out;
		}
	}
	ret = store;
	store = NULL;
out:
	X509_STORE_free(store);
	ERR_clear_error();
	return ret;
}
