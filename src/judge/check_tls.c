/*
 * check_tls.c - findings about the standard handshake (checks.md 4) and the
 * presented certificates (checks.md 5), judged from the facts session.c and
 * cert_check.c collected. PKIX-dependent results use checks.md 1.8.
 */
#include "judge.h"

#include <stdio.h>
#include <string.h>

#include <openssl/ssl.h>

#include "clock.h"
#include "check_data.h"
#include "mtasts_check.h"

#include "banned.h"

static struct check_result *
add(struct probe_result *r, const struct probe_addr *pa, enum check_id id,
    enum check_status st, struct check_data *data, const char *fmt_detail)
{
	return check_add(&r->checks, id, st, NULL, pa->mx->name, pa->address,
	    pa->order, data, "%s", fmt_detail);
}

bool
probe_pkix_expected(const struct probe_result *r, const struct probe_mx *mx)
{
	enum mtasts_mode mode = mtasts_mode_of(r);

	/* 1: a valid enforce or testing policy that names the host */
	if ((mode == MTASTS_MODE_ENFORCE || mode == MTASTS_MODE_TESTING) &&
	    mtasts_match(r, mx->name) != NULL)
		return true;
	/* 2 */
	if (r->opt.require & ((1u << LEVEL_VERIFY) | (1u << LEVEL_MTASTS)))
		return true;
	/* 3: XXX the DANE exemption needs the DANE state, which is judged
	 * after the certificate checks; --require secure counts in full. */
	return (r->opt.require & (1u << LEVEL_SECURE)) != 0;
}

/* tls_prereq - the first check on the way to a handshake that failed;
 * CK_NONE when the handshake completed */
static enum check_id
tls_prereq(const struct probe_addr *pa)
{
	const struct smtp_client *sc = &pa->sc;

	if (!pa->connected)
		return CK_SMTP_CONNECT;
	if (sc->banner.code != 220)
		return CK_SMTP_BANNER;
	if (sc->ehlo.code != 250 && !(sc->used_helo && sc->helo.code == 250))
		return CK_SMTP_EHLO;
	if (!sc->starttls_offered)
		return CK_SMTP_STARTTLS_OFFERED;
	if (sc->starttls.code != 220)
		return CK_SMTP_STARTTLS_RESPONSE;
	if (!pa->tls.established)
		return CK_TLS_HANDSHAKE;
	return CK_NONE;
}

static const enum check_id tls_ids[] = {
	CK_TLS_VERSION,
	CK_TLS_CIPHER,
	CK_TLS_KEX,
	CK_TLS_SIGALG,
	CK_CERT_CHAIN_TRUSTED,
	CK_CERT_CHAIN_COMPLETE,
	CK_CERT_EXPIRY,
	CK_CERT_NAME_MATCH,
	CK_CERT_NAME_NEXTHOP,
	CK_CERT_KEY,
	CK_CERT_SIGNATURE,
	CK_CERT_OCSP,
};

/* judged - whether check id applies in this run: cert.name.nexthop needs
 * a next-hop domain (the target's, or --tls-domain) */
static bool
judged(const struct probe_result *r, enum check_id id)
{
	return id != CK_CERT_NAME_NEXTHOP || r->domain != NULL ||
	       r->opt.tls_domain != NULL;
}

/* add_all - tls_ids from the first-th on, with one status and detail */
static void
add_all(struct probe_result *r, const struct probe_addr *pa, size_t first,
    enum check_status st, const char *detail)
{
	for (size_t i = first; i < sizeof(tls_ids) / sizeof(tls_ids[0]); i++)
		if (judged(r, tls_ids[i]))
			add(r, pa, tls_ids[i], st, NULL, detail);
}

static void
skip_all(struct probe_result *r, const struct probe_addr *pa, enum check_id why,
    bool with_handshake)
{
	char d[160];

	snprintf(d, sizeof(d), "not evaluated: %s did not pass",
	    check_id_name(why));
	if (with_handshake)
		add(r, pa, CK_TLS_HANDSHAKE, CHECK_SKIP, NULL, d);
	add_all(r, pa, 0, CHECK_SKIP, d);
}

/* tls_data - data of kind k about the TLS facts of pa */
static struct check_data *
tls_data(struct probe_result *r, const struct probe_addr *pa, enum cd_kind k)
{
	struct check_data *d = check_data_new(&r->checks, k);

	if (d != NULL)
		d->u.tls.t = &pa->tls;
	return d;
}

static bool
check_handshake(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct check_result *cr;
	char detail[300];
	struct check_data *d = tls_data(r, pa, CD_TLS_HANDSHAKE);

	if (d != NULL)
		d->u.tls.ms = pa->t[T_TLS];
	if (t->established) {
		snprintf(detail, sizeof(detail), "%s with %s in %ld ms",
		    t->version, t->cipher.iana, pa->t[T_TLS]);
		add(r, pa, CK_TLS_HANDSHAKE, CHECK_PASS, d, detail);
		return true;
	}
	snprintf(detail, sizeof(detail), "handshake failed: %s",
	    t->errmsg[0] ? t->errmsg : "no reason given");
	cr = add(r, pa, CK_TLS_HANDSHAKE, t->timeout ? CHECK_ERROR : CHECK_FAIL,
	    d, detail);
	if (cr && !t->timeout)
		cr->tlsrpt = "validation-failure";
	return false;
}

static void
check_version(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct check_data *d = tls_data(r, pa, CD_TLS_VERSION);
	char detail[200];
	enum check_status st =
	    t->version_num >= TLS1_2_VERSION ? CHECK_PASS : CHECK_FAIL;

	snprintf(detail, sizeof(detail), "%s%s", t->version,
	    t->version_num == TLS1_2_VERSION ? " (TLS 1.3 is recommended)"
	    : st == CHECK_FAIL
	        ? ": senders with a TLS 1.2 floor cannot use TLS here"
	        : "");
	add(r, pa, CK_TLS_VERSION, st, d, detail);
}

static void
check_cipher(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_cipher_info *c = &pa->tls.cipher;
	struct check_data *d = tls_data(r, pa, CD_TLS_CIPHER);
	char detail[300];
	static const enum check_status map[TLS_CLASS__COUNT] = {
		CHECK_PASS,
		CHECK_PASS,
		CHECK_WARN,
		CHECK_FAIL,
	};

	snprintf(detail, sizeof(detail), "%s (%s%s%s)", c->iana,
	    tls_class_name(c->cls), c->why[0] ? ": " : "", c->why);
	add(r, pa, CK_TLS_CIPHER, map[c->cls], d, detail);
}

static void
check_kex(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct check_data *d = tls_data(r, pa, CD_TLS_KEX);
	char detail[200];
	enum check_status st;
	enum tls_class cls;

	if (!t->cipher.forward_secrecy) {
		add(r, pa, CK_TLS_KEX, CHECK_WARN, d,
		    "RSA key transport: no forward secrecy");
		return;
	}
	cls = tls_group_classify(t->group[0] ? t->group : NULL, t->kex_bits);
	st = cls == TLS_CLASS_BROKEN ? CHECK_FAIL
	     : cls == TLS_CLASS_WEAK ? CHECK_WARN
	                             : CHECK_PASS;
	snprintf(detail, sizeof(detail), "%s%s%d bits (%s)",
	    t->group[0] ? t->group : "DHE", ", ", t->kex_bits,
	    tls_class_name(cls));
	add(r, pa, CK_TLS_KEX, st, d, detail);
}

static void
check_sigalg(struct probe_result *r, const struct probe_addr *pa)
{
	const struct tls_facts *t = &pa->tls;
	struct check_data *d;
	enum check_status st;
	char detail[200];

	if (!t->cipher.forward_secrecy) {
		add(r, pa, CK_TLS_SIGALG, CHECK_SKIP, NULL,
		    "not evaluated: RSA key transport has no handshake signature");
		return;
	}
	d = tls_data(r, pa, CD_TLS_SIGALG);
	if (t->version_num < TLS1_2_VERSION) {
		st = CHECK_WARN;
		snprintf(detail, sizeof(detail),
		    "%s negotiates no signature scheme "
		    "(MD5+SHA-1 or SHA-1)",
		    t->version);
	} else if (strcmp(t->sigalg_hash, "md5") == 0) {
		st = CHECK_FAIL;
		snprintf(detail, sizeof(detail), "%s", t->sigalg);
	} else if (strcmp(t->sigalg_hash, "sha1") == 0) {
		st = CHECK_WARN;
		snprintf(detail, sizeof(detail), "%s: SHA-1 (RFC 9155)",
		    t->sigalg);
	} else {
		st = CHECK_PASS;
		snprintf(detail, sizeof(detail), "%s",
		    t->sigalg[0] ? t->sigalg : "unnamed scheme");
	}
	add(r, pa, CK_TLS_SIGALG, st, d, detail);
}

static void
check_chain(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	struct check_result *cr;
	/* checks.md 5: this check ignores dates (cert.expiry judges them),
	 * so its data is the validation without time checks; the report's
	 * tls.pkix carries OpenSSL's verdict with them. */
	struct check_data *d = tls_data(r, pa, CD_CERT_VERIFY);
	char detail[300];

	if (c->path_trusted && c->trusted) {
		snprintf(detail, sizeof(detail),
		    "chains to the trust store (%zu certificates on the path)",
		    c->path_len);
		add(r, pa, CK_CERT_CHAIN_TRUSTED, CHECK_PASS, d, detail);
	} else if (c->path_trusted) {
		snprintf(detail, sizeof(detail),
		    "chains to the trust store (%zu certificates "
		    "on the path) but for the dates: %s (error %d at depth %d), see cert.expiry",
		    c->path_len, c->verify_error, c->verify_code,
		    c->verify_depth);
		add(r, pa, CK_CERT_CHAIN_TRUSTED, CHECK_PASS, d, detail);
	} else {
		snprintf(detail, sizeof(detail),
		    "no trusted path: %s (error %d at depth %d)%s",
		    c->path_verify_error, c->path_verify_code,
		    c->path_verify_depth,
		    pkix ? "" : "; PKIX is not expected for this host");
		cr = add(r, pa, CK_CERT_CHAIN_TRUSTED,
		    pkix ? CHECK_FAIL : CHECK_WARN, d, detail);
		if (cr)
			cr->tlsrpt = "certificate-not-trusted";
	}
	d = tls_data(r, pa, CD_CERT_COMPLETE);
	snprintf(detail, sizeof(detail), "%zu certificate%s presented%s%s",
	    c->ncerts, c->ncerts == 1 ? "" : "s", c->issues ? "; " : "",
	    c->issues & CERT_ISSUE_MISSING_INTERMEDIATE
	        ? "an intermediate is missing"
	    : c->issues ? "wrong order, duplicates or unrelated certificates"
	                : "");
	add(r, pa, CK_CERT_CHAIN_COMPLETE, c->issues ? CHECK_WARN : CHECK_PASS,
	    d, detail);
}

static void
check_expiry(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	struct check_result *cr;
	struct check_data *d = tls_data(r, pa, CD_CERT_EXPIRY);
	char na[32], detail[300];
	enum check_status st;

	clock_rfc3339(c->ncerts ? c->certs[0].not_after : 0, na, sizeof(na));
	if (!c->path_in_validity) {
		st = pkix ? CHECK_FAIL : CHECK_WARN;
		snprintf(detail, sizeof(detail), "%s (not after %s)%s",
		    c->leaf_not_yet_valid ? "the certificate is not yet valid"
		    : c->leaf_expired
		        ? "the server certificate has expired"
		        : "a certificate on the path is outside its validity",
		    na, pkix ? "" : "; PKIX is not expected for this host");
		cr = add(r, pa, CK_CERT_EXPIRY, st, d, detail);
		if (cr)
			cr->tlsrpt = "certificate-expired";
		return;
	}
	st = c->days_left < r->opt.warn_days ? CHECK_WARN : CHECK_PASS;
	snprintf(detail, sizeof(detail), "valid until %s (%ld days left)%s", na,
	    c->days_left,
	    st == CHECK_WARN ? ", within the warning window" : "");
	add(r, pa, CK_CERT_EXPIRY, st, d, detail);
}

/* names_data - the names of the leaf and which matched, for result n */
static struct check_data *
names_data(struct probe_result *r, const struct probe_addr *pa,
    const struct cert_name_result *n)
{
	struct check_data *d = tls_data(r, pa, CD_CERT_NAMES);

	if (d != NULL)
		d->u.tls.name = n;
	return d;
}

static void
check_names(struct probe_result *r, const struct probe_addr *pa, bool pkix)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	const struct cert_name_result *n = &c->name_mx;
	struct check_result *cr;
	char detail[300];
	enum check_status st;

	if (pa->mx->literal) {
		add(r, pa, CK_CERT_NAME_MATCH, CHECK_SKIP, NULL,
		    "not evaluated: the host is an address literal");
	} else {
		if (n->via == CERT_NAME_SAN)
			st = CHECK_PASS;
		else
			st = pkix ? CHECK_FAIL : CHECK_WARN;
		snprintf(detail, sizeof(detail),
		    n->via == CERT_NAME_SAN ? "subjectAltName %s matches %s"
		    : n->via == CERT_NAME_CN
		        ? "only the subject CN %s matches %s (legacy form)"
		        : "%sno certificate name matches %s",
		    n->matched ? n->matched : "", pa->mx->name);
		cr = add(r, pa, CK_CERT_NAME_MATCH, st, names_data(r, pa, n),
		    detail);
		if (cr && st != CHECK_PASS)
			cr->tlsrpt = "certificate-host-mismatch";
	}
	if (!judged(r, CK_CERT_NAME_NEXTHOP))
		return;
	n = &c->name_dom;
	snprintf(detail, sizeof(detail),
	    n->via != CERT_NAME_NONE ? "%s matches the next-hop domain %s"
	                             : "%sno certificate name matches the "
	                               "next-hop domain %s",
	    n->matched ? n->matched : "",
	    r->opt.tls_domain ? r->opt.tls_domain : r->domain);
	add(r, pa, CK_CERT_NAME_NEXTHOP,
	    n->via != CERT_NAME_NONE ? CHECK_PASS : CHECK_WARN,
	    names_data(r, pa, n), detail);
}

static void
check_key_sig(struct probe_result *r, const struct probe_addr *pa)
{
	const struct cert_chain_result *c = &pa->tls.chain;
	const struct cert_summary *leaf;
	enum tls_class k, s = TLS_CLASS_GOOD;
	char detail[200];
	struct check_data *d;

	if (c->ncerts == 0)
		return;
	leaf = &c->certs[0];
	k = tls_key_classify(leaf->key_type, leaf->key_bits);
	d = tls_data(r, pa, CD_CERT_KEY);
	snprintf(detail, sizeof(detail), "%s %d bits (%s)", leaf->key_type,
	    leaf->key_bits, tls_class_name(k));
	add(r, pa, CK_CERT_KEY,
	    k == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : k == TLS_CLASS_WEAK ? CHECK_WARN
	                          : CHECK_PASS,
	    d, detail);
	for (size_t i = 0; i < c->ncerts; i++) {
		enum tls_class x;

		/* A trust anchor's own signature is not checked by anyone;
		 * a self-signed server certificate's is all there is. */
		if (c->certs[i].self_issued && i > 0)
			continue;
		x = tls_sighash_classify(c->certs[i].sig_hash);
		if (x > s)
			s = x;
	}
	d = tls_data(r, pa, CD_CERT_SIGNATURE);
	snprintf(detail, sizeof(detail), "%s (%s)", leaf->sig_alg,
	    tls_class_name(s));
	add(r, pa, CK_CERT_SIGNATURE,
	    s == TLS_CLASS_BROKEN ? CHECK_FAIL
	    : s == TLS_CLASS_WEAK ? CHECK_WARN
	                          : CHECK_PASS,
	    d, detail);
}

static void
check_addr(struct probe_result *r, const struct probe_addr *pa)
{
	enum check_id why = tls_prereq(pa);
	bool pkix = probe_pkix_expected(r, pa->mx);

	if (why != CK_NONE && why != CK_TLS_HANDSHAKE) {
		skip_all(r, pa, why, true);
		return;
	}
	if (!check_handshake(r, pa)) {
		skip_all(r, pa, CK_TLS_HANDSHAKE, false);
		return;
	}
	check_version(r, pa);
	check_cipher(r, pa);
	check_kex(r, pa);
	check_sigalg(r, pa);
	if (!pa->tls.have_chain) {
		/* from cert.chain.trusted on */
		add_all(r, pa, 4, CHECK_ERROR,
		    "the presented chain could not be analysed");
		return;
	}
	check_chain(r, pa, pkix);
	check_expiry(r, pa, pkix);
	check_names(r, pa, pkix);
	check_key_sig(r, pa);
	add(r, pa, CK_CERT_OCSP, CHECK_INFO, NULL,
	    pa->tls.ocsp_stapled ? "OCSP response stapled"
	                         : "no OCSP response stapled");
}

/* check_consistency - the same certificate on every address of a host */
static void
check_consistency(struct probe_result *r, const struct probe_mx *m)
{
	const char *first = NULL;
	size_t seen = 0;
	bool differ = false;

	for (size_t k = 0; k < m->naddrs; k++) {
		const struct tls_facts *t = &m->addrs[k].tls;

		if (!t->have_chain || t->chain.ncerts == 0)
			continue;
		seen++;
		if (first == NULL)
			first = t->chain.certs[0].sha256_hex;
		else if (strcmp(first, t->chain.certs[0].sha256_hex) != 0)
			differ = true;
	}
	if (seen < 2)
		check_add(&r->checks, CK_CERT_CONSISTENCY,
		    seen ? CHECK_PASS : CHECK_SKIP, NULL, m->name, NULL,
		    m->order, NULL,
		    seen ? "one address presented a certificate"
		         : "not evaluated: no address completed a handshake");
	else
		check_add(&r->checks, CK_CERT_CONSISTENCY,
		    differ ? CHECK_INFO : CHECK_PASS, NULL, m->name, NULL,
		    m->order, NULL,
		    differ
		        ? "the addresses of %s present different certificates"
		        : "every address of %s presents the same certificate",
		    m->name);
}

void
check_tls_run(struct probe_result *r)
{
	for (size_t i = 0; i < r->nmx; i++) {
		for (size_t k = 0; k < r->mx[i].naddrs; k++)
			check_addr(r, &r->mx[i].addrs[k]);
		if (r->mx[i].naddrs > 0)
			check_consistency(r, &r->mx[i]);
	}
}
