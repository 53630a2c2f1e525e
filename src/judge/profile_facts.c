/*
 * profile_facts.c - the compliance profiles over a finished probe: turn
 * each scanned address's measurements (standard handshake, deep scan,
 * DANE and DNSSEC check results) into struct prof_facts, grade them with
 * profile_eval.c and keep the outcomes in r->profiles. Measures nothing.
 */
#include "profile.h"

#include <stdlib.h>
#include <string.h>

#include "judge.h"
#include "scan.h"

#include "banned.h"

static enum prof_tri
tri(int v)
{
	return v < 0 ? PT_UNKNOWN : v > 0 ? PT_YES : PT_NO;
}

static const struct check_result *
find(const struct probe_result *r, enum check_id id,
    const struct probe_addr *pa, bool address)
{
	return check_find(&r->checks, id, pa->mx->name,
	    address ? pa->address : NULL);
}

/* status_tri - pass: yes; a status in no_mask: no; else unknown */
static enum prof_tri
status_tri(const struct check_result *c, unsigned no_mask)
{
	if (c == NULL)
		return PT_UNKNOWN;
	if (c->status == CHECK_PASS)
		return PT_YES;
	return (no_mask >> c->status) & 1 ? PT_NO : PT_UNKNOWN;
}

#define M(s) (1u << (s))

static void
facts_dane(const struct probe_result *r, const struct probe_addr *pa,
    struct prof_facts *f)
{
	const struct check_result *ad, *lk, *us;

	ad = find(r, CK_DNS_MX_ADDR_DNSSEC, pa, false);
	f->dnssec_mx =
	    status_tri(ad, M(CHECK_WARN) | M(CHECK_FAIL) | M(CHECK_INFO));
	/* Unvalidated address records (error: not checked, as with --host)
	 * leave DANE unknown, as the verdict's dane-unknown: the TLSA lookup
	 * is skipped then, which must not read as "no DANE". */
	if (r->opt.no_dane || ad == NULL || ad->status == CHECK_ERROR)
		return;
	lk = find(r, CK_DANE_TLSA_LOOKUP, pa, false);
	us = find(r, CK_DANE_TLSA_USABLE, pa, false);
	/* checks.md 6: info = secure denial, skip = insecure address
	 * records; both mean no DANE for this host. */
	f->dane_exists = status_tri(lk,
	    M(CHECK_WARN) | M(CHECK_FAIL) | M(CHECK_INFO) | M(CHECK_SKIP));
	if (f->dane_exists == PT_YES && us != NULL && us->status == CHECK_FAIL)
		f->dane_exists = PT_NO;
	f->dane_valid =
	    status_tri(find(r, CK_DANE_TLSA_MATCH, pa, true), M(CHECK_FAIL));
	f->dane_rollover =
	    status_tri(find(r, CK_DANE_ROLLOVER, pa, false), M(CHECK_WARN));
}

static void
add_cert(struct prof_facts *f, const struct cert_summary *c)
{
	if (f->ncerts >= PROF_CERTS_MAX)
		return;
	f->certs[f->ncerts++] = (struct prof_cert){
		.key_type = c->key_type,
		.key_bits = c->key_bits,
		.curve = c->curve[0] ? c->curve : NULL,
		.sig_hash =
		    strcmp(c->sig_hash, "unknown") == 0 ? NULL : c->sig_hash,
	};
}

static void
facts_certs(const struct probe_addr *pa, const struct scan_facts *s,
    struct prof_facts *f)
{
	if (pa->tls.have_chain && pa->tls.chain.ncerts > 0)
		add_cert(f, &pa->tls.chain.certs[0]);
	for (size_t i = 0; s != NULL && i < s->nalt; i++)
		if (s->alt[i].have_chain && s->alt[i].chain.ncerts > 0 &&
		    strcmp(s->alt[i].leaf_sha256,
		        pa->tls.have_chain && pa->tls.chain.ncerts > 0
		            ? pa->tls.chain.certs[0].sha256_hex
		            : "") != 0)
			add_cert(f, &s->alt[i].chain.certs[0]);
}

static void
facts_suites(const struct scan_facts *s, struct prof_facts *f)
{
	for (int v = 0; v < SCAN_VER__COUNT; v++)
		for (size_t i = 0; i < s->nsuites[v]; i++) {
			const struct scan_suite *x = &s->suites[v][i];

			if (x->anonymous) {
				if (f->nanon < PROF_SUITES_MAX)
					f->anon[f->nanon++] = x->iana;
			} else if (f->nsuites < PROF_SUITES_MAX) {
				f->suite_ver[f->nsuites] = v;
				f->suites[f->nsuites++] = x->iana;
			}
		}
}

static void
facts_scan(const struct scan_facts *s, struct prof_facts *f)
{
	f->scanned = true;
	for (int v = 0; v < SCAN_VER__COUNT && v < 6; v++)
		f->versions[v] = s->versions[v] == SCAN_ACCEPTED  ? PT_YES
		                 : s->versions[v] == SCAN_REFUSED ? PT_NO
		                                                  : PT_UNKNOWN;
	facts_suites(s, f);
	f->server_order = tri(s->server_order);
	for (size_t i = 0; i < s->ngroups && i < PROF_GROUPS_MAX; i++)
		f->groups[f->ngroups++] = s->groups[i].name;
	f->groups_tested = s->groups_tested;
	f->dhe_bits = s->dhe_bits;
	f->dhe_group = s->dhe_group[0] ? s->dhe_group : NULL;
	f->kex_sha1 = tri(s->kex_sha1);
	f->kex_sha224 = tri(s->kex_sha224);
	f->reneg_secure = tri(s->reneg_secure);
	f->reneg_client = tri(s->reneg_client);
	f->ems = tri(s->ems);
	/* Without a compression method to offer the server cannot pick
	 * one: not testable, never "off". */
	f->compression = PT_UNKNOWN;
	if (s->sni[SCAN_SNI_WITHOUT] != SNI_UNTESTED &&
	    s->sni[SCAN_SNI_WITH] != SNI_UNTESTED)
		f->sni = s->sni[SCAN_SNI_WITHOUT] == SNI_OK &&
		                 s->sni[SCAN_SNI_WITH] == SNI_OK
		             ? PT_YES
		             : PT_NO;
}

/* no_starttls - the address answered EHLO without offering STARTTLS
 * (smtp.starttls.offered failed): known to have no TLS, not untested */
static bool
no_starttls(const struct probe_result *r, const struct probe_addr *pa)
{
	const struct check_result *c =
	    find(r, CK_SMTP_STARTTLS_OFFERED, pa, true);

	return c != NULL && c->status == CHECK_FAIL;
}

/* profile_facts_of - everything the evaluator reads about pa */
static void
profile_facts_of(const struct probe_result *r, const struct probe_addr *pa,
    struct prof_facts *f)
{
	prof_facts_init(f);
	f->no_starttls = no_starttls(r, pa);
	if (pa->scan != NULL && pa->scan->ran)
		facts_scan(pa->scan, f);
	if (pa->tls.established && pa->tls.sigalg_hash[0])
		f->kex_hash = pa->tls.sigalg_hash;
	facts_certs(pa, pa->scan, f);
	facts_dane(r, pa, f);
}

void
profile_runs_free(struct profile_run *runs, size_t n)
{
	for (size_t i = 0; runs != NULL && i < n; i++) {
		free(runs[i].addrs);
		free(runs[i].out);
	}
	free(runs);
}

/* run_one - grade every scanned address of r against pr->p */
static enum st_err
run_one(const struct probe_result *r, struct profile_run *pr)
{
	const struct profile *p = pr->p;
	size_t n = 0;
	struct prof_facts *f;

	for (size_t i = 0; i < r->nmx; i++)
		n += r->mx[i].naddrs;
	pr->addrs = calloc(n + 1, sizeof(*pr->addrs));
	pr->out = calloc(n * p->nreqs + 1, sizeof(*pr->out));
	f = malloc(sizeof(*f));
	if (pr->addrs == NULL || pr->out == NULL || f == NULL) {
		free(f);
		return ST_ERR_NOMEM;
	}
	pr->overall = PR_PASS;
	for (size_t i = 0; i < r->nmx; i++)
		for (size_t k = 0; k < r->mx[i].naddrs; k++) {
			const struct probe_addr *pa = &r->mx[i].addrs[k];
			struct prof_outcome *o;

			/* checks.md 10: only addresses that were scanned,
			 * and those known to offer no STARTTLS */
			if (pa->scan == NULL && !no_starttls(r, pa))
				continue;
			o = &pr->out[pr->naddrs * p->nreqs];
			pr->addrs[pr->naddrs++] = pa;
			profile_facts_of(r, pa, f);
			for (size_t q = 0; q < p->nreqs; q++) {
				prof_eval(&p->reqs[q], f, &o[q]);
				pr->overall = prof_overall(pr->overall,
				    p->reqs[q].level, o[q].res);
			}
		}
	/* No address could be graded: nothing is shown to conform. */
	if (pr->naddrs == 0)
		pr->overall = PR_UNTESTABLE;
	free(f);
	return ST_OK;
}

enum st_err
profile_run_all(struct probe_result *r)
{
	size_t n = r->opt.nprofiles;
	enum st_err err;

	if (n == 0)
		return ST_OK;
	if ((r->profiles = calloc(n, sizeof(*r->profiles))) == NULL)
		return ST_ERR_NOMEM;
	r->nprofiles = n;
	for (size_t i = 0; i < n; i++) {
		struct profile_run *pr = &r->profiles[i];

		if ((pr->p = profile_find(r->opt.profiles[i])) == NULL)
			return ST_ERR_INVAL;
		pr->required = (r->opt.require_profiles >> i) & 1;
		if ((err = run_one(r, pr)) != ST_OK)
			return err;
	}
	return ST_OK;
}
