/*
 * check_tlsrpt.c - TLS-RPT findings (checks.md 8) from the _smtp._tls TXT
 * lookup, judged by the parser in tlsrpt.c.
 */
#include "judge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "check_data.h"
#include "mtasts_check.h"
#include "text.h"
#include "tlsrpt.h"

#include "banned.h"

static void
rua_check(struct probe_result *r, const struct tlsrpt *t)
{
	struct check_data *d = check_data_new(&r->checks, CD_TLSRPT_URIS);
	size_t invalid = t->nuris - t->nvalid;
	enum check_status st;

	/* t dies with the caller: the data keeps a copy of the URIs. */
	if (d != NULL && t->nuris > 0) {
		if ((d->own = malloc(t->nuris * sizeof(t->uris[0]))) == NULL) {
			check_list_set_error(&r->checks, ST_ERR_NOMEM);
			check_data_free(d);
			d = NULL;
		} else {
			memcpy(d->own, t->uris, t->nuris * sizeof(t->uris[0]));
			d->u.uris.v = d->own;
			d->u.uris.n = t->nuris;
		}
	}
	/* XXX: the warn for a mailto: domain without MX or with a null MX
	 * needs a lookup per URI domain; not done yet. */
	st = t->nvalid == 0 ? CHECK_FAIL : invalid ? CHECK_WARN : CHECK_PASS;
	check_add(&r->checks, CK_TLSRPT_RUA, st, r->domain, NULL, NULL, 0, d,
	    "%zu valid URI%s, %zu invalid", t->nvalid,
	    t->nvalid == 1 ? "" : "s", invalid);
}

/* dane_usable - some MX host has secure, usable TLSA records */
static bool
dane_usable(const struct probe_result *r)
{
	for (size_t i = 0; i < r->checks.n; i++)
		if (r->checks.v[i].id == CK_DANE_TLSA_USABLE &&
		    (r->checks.v[i].status == CHECK_PASS ||
		        r->checks.v[i].status == CHECK_WARN))
			return true;
	return false;
}

/* recommended - checks.md 8 tlsrpt.recommended */
static void
recommended(struct probe_result *r, bool rpt)
{
	enum mtasts_mode mode = mtasts_mode_of(r);
	bool sts = mode == MTASTS_MODE_ENFORCE || mode == MTASTS_MODE_TESTING;
	bool dane = dane_usable(r);
	enum check_status st;
	const char *d;

	if (!sts && !dane && !rpt) {
		st = CHECK_SKIP;
		d = "not evaluated: neither MTA-STS, DANE nor TLS-RPT is published";
	} else if (rpt && (sts || dane)) {
		st = CHECK_PASS;
		d = "TLS-RPT published alongside MTA-STS or DANE";
	} else if (mode == MTASTS_MODE_TESTING) {
		st = CHECK_WARN;
		d = "MTA-STS in testing mode without TLS-RPT: testing yields no feedback";
	} else if (!rpt) {
		st = CHECK_INFO;
		d = "MTA-STS or DANE without TLS-RPT: delivery failures stay invisible "
		    "to the domain";
	} else {
		st = CHECK_INFO;
		d = "TLS-RPT without MTA-STS or DANE";
	}
	check_add(&r->checks, CK_TLSRPT_RECOMMENDED, st, r->domain, NULL, NULL,
	    0, NULL, "%s", d);
}

/* none_detail - no candidate: nothing published, or only records that
 * senders discard (RFC 8460 3) */
static const char *
none_detail(size_t discarded, char *buf, size_t len)
{
	if (discarded == 0)
		return "no TLS-RPT record: TLS-RPT not deployed";
	snprintf(buf, len,
	    "no TLS-RPT record that senders keep: %zu record%s "
	    "resembling one discarded (only records beginning 'v=TLSRPTv1;' "
	    "count)",
	    discarded, discarded == 1 ? "" : "s");
	return buf;
}

/* lookup_failed - the TXT lookup itself failed: record error, rua skip */
static void
lookup_failed(struct probe_result *r, const struct dns_answer *a)
{
	check_add(&r->checks, CK_TLSRPT_RECORD, CHECK_ERROR, r->domain, NULL,
	    NULL, 0, NULL, "TXT lookup for %s failed: %s",
	    a->name ? a->name : "",
	    a->errmsg[0]               ? a->errmsg
	    : dns_rcode_name(a->rcode) ? dns_rcode_name(a->rcode)
	                               : "no answer");
	check_add(&r->checks, CK_TLSRPT_RUA, CHECK_SKIP, r->domain, NULL, NULL,
	    0, NULL, "not evaluated: tlsrpt.record did not pass");
}

void
check_tlsrpt_run(struct probe_result *r)
{
	const struct dns_answer *a = &r->rpt_txt;
	struct tlsrpt t;
	char rec[600];
	enum st_err err;

	if (a->err != ST_OK || (a->rcode != LDNS_RCODE_NOERROR &&
	                           a->rcode != LDNS_RCODE_NXDOMAIN)) {
		lookup_failed(r, a);
		return;
	}
	tlsrpt_init(&t);
	/* the records' octets: the escaped text would turn a tab into "\009" */
	if ((err = tlsrpt_parse(&t, (const char *const *)a->txt, a->txt_len,
	         a->ntext)) != ST_OK) {
		/* Without its results the list is incomplete: say so. */
		check_list_set_error(&r->checks, err);
		tlsrpt_release(&t);
		return;
	}
	rec[0] = '\0';
	if (t.candidates == 1)
		text_escape(a->text[t.record], strlen(a->text[t.record]), rec,
		    sizeof(rec));
	switch (t.status) {
	case TLSRPT_NONE:
		check_add(&r->checks, CK_TLSRPT_RECORD, CHECK_INFO, r->domain,
		    NULL, NULL, 0, NULL, "%s",
		    none_detail(t.discarded, rec, sizeof(rec)));
		break;
	case TLSRPT_VALID:
		check_add(&r->checks, CK_TLSRPT_RECORD, CHECK_PASS, r->domain,
		    NULL, NULL, 0, NULL, "%s", rec);
		break;
	case TLSRPT_MULTIPLE:
		check_add(&r->checks, CK_TLSRPT_RECORD, CHECK_FAIL, r->domain,
		    NULL, NULL, 0, NULL,
		    "%zu TLS-RPT records: senders act as if there were none",
		    t.candidates);
		break;
	default:
		check_add(&r->checks, CK_TLSRPT_RECORD, CHECK_FAIL, r->domain,
		    NULL, NULL, 0, NULL, "invalid TLS-RPT record (%s): %s",
		    t.nproblems ? tlsrpt_prob_name(t.problems[0].code)
		                : "malformed",
		    rec);
		break;
	}
	recommended(r, t.status == TLSRPT_VALID);
	if (t.status == TLSRPT_VALID)
		rua_check(r, &t);
	else
		check_add(&r->checks, CK_TLSRPT_RUA, CHECK_SKIP, r->domain,
		    NULL, NULL, 0, NULL,
		    "not evaluated: tlsrpt.record did not pass");
	tlsrpt_release(&t);
}
