/*
 * dnsq - drive src/dns.c from the command line for integration tests.
 *
 *   dnsq [--resolver ADDR]... [--trust-anchor FILE] [--timeout-ms N]
 *        [--pending] NAME TYPE
 *   dnsq [--resolver ADDR]... [--trust-anchor FILE] [--timeout-ms N] --probe
 *
 * Prints the lookup object of report.md 5.1 as one line of JSON (with
 * --probe: {"ok": bool, "state": "ok"|"no-ad"|"no-rrsig"|"failed",
 * "source": ..., "message": string|null}). The
 * DNSSEC reason of a bogus or indeterminate answer goes to stderr.
 * --pending makes the lookup the probe's way (dns_pending.h): the first
 * question sent without blocking, poll(2), dns_pending_read, and
 * dns_pending_finish when that says the lookup needs more; stderr then
 * says "dnsq: pending: done" or "dnsq: pending: finished" (which way it
 * ended) and the answer must be the one dns_lookup gives.
 * Exit 0 when the lookup got a response (any rcode) or the probe ran,
 * 1 on a lookup error (timeout, no response, malformed, CNAME loop),
 * 2 on bad usage or configuration.
 */
#include "clock.h"
#include "dns.h"
#include "dns_pending.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <ldns/ldns.h>

#include "banned.h"

#define DNSQ_SERVERS_MAX 8

static void
usage(void)
{
	fprintf(stderr, "usage: dnsq [--resolver ADDR]... [--trust-anchor FILE]"
	                " [--timeout-ms N] [--pending] NAME TYPE | --probe\n");
}

/* lookup_pending - NAME/TYPE the probe's way (see the top) */
static void
lookup_pending(const struct dns_config *cfg, const char *name,
    ldns_rr_type type, struct dns_answer *ans)
{
	struct dns_pending *p;
	enum dns_pending_state st = DNS_PENDING_WAIT;

	if (dns_pending_start(cfg, name, type, &p) != ST_OK) {
		fprintf(stderr, "dnsq: pending: not sent\n");
		(void)dns_lookup(cfg, name, type, ans);
		return;
	}
	while (st == DNS_PENDING_WAIT) {
		struct pollfd pfd = { .fd = dns_pending_fd(p), .events = POLLIN };
		long long left = dns_pending_until(p) - clock_ms();

		(void)poll(&pfd, 1, left > 0 ? (int)left : 0);
		st = dns_pending_read(p, ans);
	}
	if (st == DNS_PENDING_BLOCKS)
		(void)dns_pending_finish(p, ans);
	fprintf(stderr, "dnsq: pending: %s\n",
	    st == DNS_PENDING_DONE ? "done" : "finished");
	dns_pending_free(p);
}

/* error_code - report.md 7.1 code for a failed lookup. */
static const char *
error_code(const struct dns_answer *a)
{
	switch (a->err) {
	case ST_ERR_TIMEOUT:
		return "dns-timeout";
	case ST_ERR_NOMEM:
		return "out-of-memory";
	case ST_ERR_INVAL:
		return "usage";
	case ST_ERR_IO:
		return "resolver-unusable";
	case ST_ERR_PROTO:
		return "protocol";
	case ST_ERR_DNS:
		switch (a->rcode) {
		case LDNS_RCODE_SERVFAIL:
			return "dns-servfail";
		case LDNS_RCODE_REFUSED:
			return "dns-refused";
		case LDNS_RCODE_FORMERR:
			return "dns-formerr";
		default:
			return "protocol";
		}
	default:
		return "internal";
	}
}

/* tlsa_json - one TLSA answer; usability per RFC 7672 3.1 in short. */
static cJSON *
tlsa_json(const struct dns_tlsa *t)
{
	static const size_t mlen[] = {0, 32, 64};
	const char *reason = NULL;
	cJSON *o = cJSON_CreateObject();
	char *hex;
	size_t i;

	if (o == NULL || (hex = malloc(2 * t->len + 1)) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	for (i = 0; i < t->len; i++)
		snprintf(hex + 2 * i, 3, "%02x", t->data[i]);
	hex[2 * t->len] = '\0';
	if (t->usage != 2 && t->usage != 3)
		reason = "usage other than DANE-TA(2) or DANE-EE(3)";
	else if (t->selector > 1)
		reason = "unknown selector";
	else if (t->mtype > 2)
		reason = "unknown matching type";
	else if (t->mtype > 0 && t->len != mlen[t->mtype])
		reason = "data length does not fit the matching type";
	cJSON_AddNumberToObject(o, "usage", t->usage);
	cJSON_AddNumberToObject(o, "selector", t->selector);
	cJSON_AddNumberToObject(o, "mtype", t->mtype);
	cJSON_AddStringToObject(o, "data", hex);
	cJSON_AddBoolToObject(o, "usable", reason == NULL);
	if (reason != NULL)
		cJSON_AddStringToObject(o, "reason", reason);
	else
		cJSON_AddNullToObject(o, "reason");
	free(hex);
	return o;
}

static cJSON *
answers_json(const struct dns_answer *a)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; arr != NULL && i < a->ntext; i++) {
		if (a->type == LDNS_RR_TYPE_MX) {
			o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "preference",
			                        a->mx[i].preference);
			cJSON_AddStringToObject(o, "exchange",
			                        a->mx[i].exchange);
		} else if (a->type == LDNS_RR_TYPE_TLSA)
			o = tlsa_json(&a->tlsa[i]);
		else
			o = cJSON_CreateString(a->text[i]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *
lookup_json(const struct dns_answer *a)
{
	cJSON *o = cJSON_CreateObject(), *chain, *l, *e;
	size_t i;

	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "type", dns_type_name(a->type));
	if (a->rcode < 0)
		cJSON_AddNullToObject(o, "rcode");
	else
		cJSON_AddStringToObject(o, "rcode", dns_rcode_name(a->rcode));
	cJSON_AddStringToObject(o, "dnssec", dns_dnssec_name(a->dnssec));
	if (a->ttl < 0)
		cJSON_AddNullToObject(o, "ttl");
	else
		cJSON_AddNumberToObject(o, "ttl", (double)a->ttl);
	cJSON_AddItemToObject(o, "answers", answers_json(a));
	chain = cJSON_AddArrayToObject(o, "cname_chain");
	for (i = 0; i < a->ncname; i++) {
		l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "from", a->cname[i].from);
		cJSON_AddStringToObject(l, "to", a->cname[i].to);
		cJSON_AddStringToObject(l, "dnssec",
		                        dns_dnssec_name(a->cname[i].dnssec));
		cJSON_AddItemToArray(chain, l);
	}
	cJSON_AddNumberToObject(o, "ms", a->ms);
	if (a->err == ST_OK)
		cJSON_AddNullToObject(o, "error");
	else {
		e = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(e, "code", error_code(a));
		cJSON_AddStringToObject(e, "phase", "dns");
		cJSON_AddStringToObject(e, "message", a->errmsg);
	}
	return o;
}

static int
print_json(cJSON *o)
{
	char *s = cJSON_PrintUnformatted(o);

	cJSON_Delete(o);
	if (s == NULL) {
		fprintf(stderr, "dnsq: out of memory\n");
		return -1;
	}
	printf("%s\n", s);
	free(s);
	return 0;
}

static int
probe(const struct dns_config *cfg)
{
	char msg[256];
	enum dns_validation state;
	enum st_err err;
	cJSON *o;

	err = dns_probe_validation(cfg, &state, msg, sizeof(msg));
	o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", state == DNS_VALIDATION_OK);
	cJSON_AddStringToObject(o, "state", dns_validation_name(state));
	cJSON_AddStringToObject(o, "source",
	                        cfg->source == DNS_SRC_LOCAL ? "local"
	                                                     : "resolver-ad");
	if (msg[0] != '\0')
		cJSON_AddStringToObject(o, "message", msg);
	else
		cJSON_AddNullToObject(o, "message");
	if (print_json(o) != 0)
		return 1;
	return err == ST_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *servers[DNSQ_SERVERS_MAX];
	const char *anchor = NULL;
	struct dns_config cfg;
	struct dns_answer ans;
	size_t nservers = 0;
	unsigned long timeout_ms = 5000;
	char errmsg[256], *end;
	bool do_probe = false, pending = false;
	ldns_rr_type type;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--probe") == 0) {
			do_probe = true;
			continue;
		}
		if (strcmp(argv[i], "--pending") == 0) {
			pending = true;
			continue;
		}
		if (i + 1 >= argc) {
			usage();
			return 2;
		}
		if (strcmp(argv[i], "--resolver") == 0) {
			if (nservers == DNSQ_SERVERS_MAX) {
				fprintf(stderr, "dnsq: too many --resolver\n");
				return 2;
			}
			servers[nservers++] = argv[++i];
		} else if (strcmp(argv[i], "--trust-anchor") == 0)
			anchor = argv[++i];
		else if (strcmp(argv[i], "--timeout-ms") == 0) {
			timeout_ms = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || timeout_ms == 0 ||
			    timeout_ms > 600000) {
				usage();
				return 2;
			}
		} else {
			usage();
			return 2;
		}
	}
	if (do_probe ? argc - i != 0 : argc - i != 2) {
		usage();
		return 2;
	}
	if (dns_config_init(&cfg, servers, nservers, NULL, (unsigned)timeout_ms,
	                    anchor, errmsg, sizeof(errmsg)) != ST_OK) {
		fprintf(stderr, "dnsq: %s\n", errmsg);
		return 2;
	}
	if (do_probe) {
		rc = probe(&cfg);
		dns_config_release(&cfg);
		return rc;
	}
	if ((type = ldns_get_rr_type_by_name(argv[i + 1])) == 0) {
		fprintf(stderr, "dnsq: unknown type '%s'\n", argv[i + 1]);
		dns_config_release(&cfg);
		return 2;
	}
	/* ans.err tells */
	if (pending)
		lookup_pending(&cfg, argv[i], type, &ans);
	else
		(void)dns_lookup(&cfg, argv[i], type, &ans);
	if (ans.dnssec_why[0] != '\0')
		fprintf(stderr, "dnsq: %s: %s\n", dns_dnssec_name(ans.dnssec),
		        ans.dnssec_why);
	rc = ans.err == ST_OK || (ans.err == ST_ERR_DNS && ans.rcode > 0 &&
	                          ans.rcode != LDNS_RCODE_NXDOMAIN)
	         ? 0
	         : 1;
	if (print_json(lookup_json(&ans)) != 0)
		rc = 1;
	dns_answer_release(&ans);
	dns_config_release(&cfg);
	return rc;
}
