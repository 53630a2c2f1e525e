/*
 * fuzz_dns_answer.c - libFuzzer target for what a lookup makes of a
 * resolver's response (src/net/dns.c, dns_rr.c, dns_answer.c): the input
 * is one DNS message as it arrives. The lookup asks the question the
 * message carries and gets the message as its answer, as dns_pending.c
 * hands one over (dns_ctx.primed), asking nothing more (no_wait: nothing
 * is sent, so the configured server is never contacted). Whatever the
 * message says, the answer stays within its caps, every text is a string,
 * and a copy has the same records. Seeds: testdata/fuzz/dns_answer/.
 */
#include "dns_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "clock.h"

#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct dns_config *
config(void)
{
	static struct dns_config cfg;
	static bool ready;
	const char *spec = "127.10.0.2";
	char err[200];

	if (!ready && dns_config_init(&cfg, &spec, 1, NULL, 1000, NULL, err,
	                  sizeof(err)) != ST_OK)
		abort();
	ready = true;
	return &cfg;
}

/* check - the answer keeps its promises (dns.h) */
static void
check(const struct dns_answer *a)
{
	struct dns_answer copy;

	if (a->err < ST_OK || a->err >= ST_ERR__COUNT || a->name == NULL ||
	    a->ntext > DNS_RR_MAX || a->nmx > DNS_MX_MAX ||
	    a->ncname > DNS_CNAME_MAX ||
	    strlen(a->errmsg) >= sizeof(a->errmsg))
		abort();
	for (size_t i = 0; i < a->ntext; i++) {
		if (a->text[i] == NULL || strlen(a->text[i]) > DNS_TEXT_MAX)
			abort();
		if (a->txt != NULL && (a->txt[i] == NULL ||
		                          a->txt_len[i] > DNS_TXT_RAW_MAX))
			abort();
	}
	for (size_t i = 0; i < a->nmx; i++)
		if (a->mx[i].exchange == NULL)
			abort();
	for (size_t i = 0; i < a->ncname; i++)
		if (a->cname[i].from == NULL || a->cname[i].to == NULL)
			abort();
	if (!dns_answer_copy(&copy, a))
		abort();
	if (copy.ntext != a->ntext || copy.nmx != a->nmx ||
	    copy.ntlsa != a->ntlsa || copy.ncname != a->ncname)
		abort();
	for (size_t i = 0; i < a->ntext; i++)
		if (strcmp(copy.text[i], a->text[i]) != 0)
			abort();
	dns_answer_release(&copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct dns_config *cfg = config();
	struct dns_answer ans;
	struct dns_ctx c;
	const ldns_rr *q;
	ldns_pkt *p = NULL;
	char *name;

	if (ldns_wire2pkt(&p, data, size) != LDNS_STATUS_OK)
		return 0;
	if ((q = ldns_rr_list_rr(ldns_pkt_question(p), 0)) == NULL ||
	    (name = dns_dname_str(ldns_rr_owner(q))) == NULL) {
		ldns_pkt_free(p);
		return 0;
	}
	dns_ctx_init(&c, cfg);
	c.primed = p; /* the context's now */
	c.no_wait = true;
	(void)dns_lookup_ctx(&c, name[0] != '\0' ? name : ".",
	    ldns_rr_get_type(q), &ans, clock_ms());
	check(&ans);
	dns_answer_release(&ans);
	dns_ctx_release(&c);
	free(name);
	return 0;
}
