/*
 * session_target.c - what the probe's sessions are told before they run
 * and the certificate analysis after they ran (see session_target.h). The
 * loop in session.c only applies the one and keeps the evidence for the
 * other.
 */
#include "session_target.h"

#include <stdlib.h>

#include "banned.h"

void
session_target_of(const struct probe_mx *mx, struct session_target *t)
{
	/* SNI is the TLSA base domain (checks.md 1.9). */
	t->sni = mx->literal ? NULL : mx->tlsa_base ? mx->tlsa_base : mx->name;
	t->tlsa = NULL;
	t->ntlsa = 0;
	if (mx->have_tlsa && mx->tlsa.dnssec == DNSSEC_SECURE) {
		t->tlsa = mx->tlsa.tlsa;
		t->ntlsa = mx->tlsa.ntlsa;
	}
	t->ref_name = mx->literal ? NULL : mx->name;
}

struct session_target *
session_targets_new(struct probe_addr **addrs, size_t n)
{
	struct session_target *t = calloc(n + 1, sizeof(*t));

	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		session_target_of(addrs[i]->mx, &t[i]);
	return t;
}

void
session_chain_drop(struct probe_addr *pa)
{
	sk_X509_pop_free(pa->peer_chain, X509_free);
	pa->peer_chain = NULL;
}

void
session_chains_check(struct probe_addr **addrs,
    const struct session_target *targets, size_t n,
    const struct session_params *p)
{
	for (size_t i = 0; i < n; i++) {
		struct probe_addr *pa = addrs[i];
		char err[200];

		if (pa->peer_chain == NULL)
			continue;
		/* A failed analysis (out of memory) leaves no chain result,
		 * which the checks report as not analysed. */
		if (cert_chain_check(pa->peer_chain, p->store, p->now,
		        targets[i].ref_name, p->domain, p->exact_domain,
		        &pa->tls.chain, err, sizeof(err)) == ST_OK)
			pa->tls.have_chain = true;
		session_chain_drop(pa);
	}
}
