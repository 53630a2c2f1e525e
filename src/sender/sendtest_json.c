/*
 * sendtest_json.c - the sender test's summary record: per sender, each
 * scenario's result and the policies that explain them
 * (sendtest_infer.c).
 */
#include "sendtest_int.h"

#include <stdio.h>
#include <stdlib.h>

#include <cJSON.h>

#include "clock.h"
#include "smtptls/probe.h"
#include "sendtest_infer.h"

#include "banned.h"

static cJSON *
scenarios_json(const struct sendtest *t, const struct sendtest_peer *p)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; a != NULL && i < t->nscen; i++) {
		const struct sendtest_seen *e = &p->seen[i];
		cJSON *o = cJSON_CreateObject();

		if (o == NULL)
			break;
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "name", t->scen[i].name);
		cJSON_AddNumberToObject(o, "sessions", e->sessions);
		cJSON_AddStringToObject(o, "result",
		    sendtest_result_name(p->result[i]));
		/* It tried TLS, then delivered without: a fallback. */
		cJSON_AddBoolToObject(o, "fell_back_to_cleartext",
		    e->tls_tried && !e->delivered_tls && e->delivered_clear);
	}
	return a;
}

static cJSON *
fits_json(const struct sendtest *t, const struct sendtest_peer *p,
    size_t *reached)
{
	cJSON *a = cJSON_CreateArray();
	const struct sendtest_policy *pol;

	*reached = 0;
	for (size_t i = 0; a != NULL && (pol = sendtest_policy_at(i)); i++) {
		cJSON *o;

		if (!sendtest_policy_fits(pol, p->result, t->nscen, reached))
			continue;
		if ((o = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "policy", pol->name);
		cJSON_AddStringToObject(o, "settings", pol->settings);
	}
	return a;
}

static cJSON *
expect_json(const struct sendtest *t, const struct sendtest_peer *p,
    const char *expect)
{
	const struct sendtest_policy *pol = sendtest_policy(expect);
	cJSON *o = cJSON_CreateObject();
	char breaks[512];
	size_t reached;

	if (o == NULL || pol == NULL)
		return o;
	cJSON_AddStringToObject(o, "policy", expect);
	cJSON_AddBoolToObject(o, "met",
	    sendtest_policy_fits(pol, p->result, t->nscen, &reached));
	sendtest_policy_breaks(pol, p->result, t->nscen, breaks,
	    sizeof(breaks));
	cJSON_AddStringToObject(o, "broken_at", breaks);
	return o;
}

static cJSON *
sender_json(const struct sendtest *t, const struct sendtest_peer *p,
    const char *expect)
{
	cJSON *o = cJSON_CreateObject();
	size_t reached = 0;

	if (o == NULL)
		return NULL;
	cJSON_AddStringToObject(o, "address", p->addr);
	cJSON_AddItemToObject(o, "scenarios", scenarios_json(t, p));
	cJSON_AddItemToObject(o, "policies", fits_json(t, p, &reached));
	cJSON_AddNumberToObject(o, "scenarios_reached", (double)reached);
	if (expect != NULL)
		cJSON_AddItemToObject(o, "expect", expect_json(t, p, expect));
	return o;
}

/* head - the members every sendtest record begins with */
static void
head(cJSON *d, const char *type, const struct sendtest *t)
{
	cJSON *o;

	cJSON_AddStringToObject(d, "schema_version", "1.0");
	cJSON_AddStringToObject(d, "type", type);
	o = cJSON_AddObjectToObject(d, "tool");
	cJSON_AddStringToObject(o, "name", "smtptls");
	cJSON_AddStringToObject(o, "version", smtptls_version());
	cJSON_AddStringToObject(d, "zone", t->p.zone);
}

char *
sendtest_start_json(const struct sendtest *t)
{
	cJSON *d = cJSON_CreateObject(), *a;
	char *s;

	if (d == NULL)
		return NULL;
	head(d, "sendtest.start", t);
	cJSON_AddStringToObject(d, "ds", sendtest_ds(t));
	cJSON_AddStringToObject(d, "dnskey", sendtest_dnskey(t));
	cJSON_AddStringToObject(d, "dns", dns_server_addr(t->dns));
	a = cJSON_AddArrayToObject(d, "scenarios");
	for (size_t i = 0; a != NULL && i < t->nscen; i++) {
		cJSON *o = cJSON_CreateObject();
		char mx[300];

		if (o == NULL)
			break;
		cJSON_AddItemToArray(a, o);
		snprintf(mx, sizeof(mx), "mx-%s.%s", t->scen[i].name,
		    t->p.zone);
		cJSON_AddStringToObject(o, "name", t->scen[i].name);
		cJSON_AddStringToObject(o, "what", t->scen[i].what);
		cJSON_AddStringToObject(o, "mx", mx);
		cJSON_AddStringToObject(o, "address", t->addr[i]);
		cJSON_AddBoolToObject(o, "served", t->served[i]);
	}
	s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return s;
}

char *
sendtest_summary_json(const struct sendtest *t, const char *expect)
{
	cJSON *d = cJSON_CreateObject(), *a;
	char now[32], *s;

	if (d == NULL)
		return NULL;
	clock_rfc3339_now(now, sizeof(now));
	head(d, "sendtest.summary", t);
	cJSON_AddStringToObject(d, "finished", now);
	cJSON_AddNumberToObject(d, "sessions", t->sessions);
	a = cJSON_AddArrayToObject(d, "senders");
	for (size_t i = 0; a != NULL && i < t->npeers; i++)
		cJSON_AddItemToArray(a, sender_json(t, &t->peer[i], expect));
	cJSON_AddNumberToObject(d, "sessions_of_senders_not_judged",
	    t->peers_dropped);
	cJSON_AddStringToObject(d, "told_apart_by",
	    t->sni_mode ? "sni" : "address");
	cJSON_AddNumberToObject(d, "sessions_unattributed", t->unattributed);
	cJSON_AddNumberToObject(d, "mta_sts_policies_served",
	    (double)(t->sts != NULL ? sts_server_served(t->sts) : 0));
	s = cJSON_PrintUnformatted(d);
	cJSON_Delete(d);
	return s;
}

bool
sendtest_policy_known(const char *name)
{
	return sendtest_policy(name) != NULL;
}

bool
sendtest_expect_met(const struct sendtest *t, const char *name)
{
	const struct sendtest_policy *pol = sendtest_policy(name);
	size_t reached;

	if (pol == NULL || t->npeers == 0)
		return false;
	for (size_t i = 0; i < t->npeers; i++)
		if (!sendtest_policy_fits(pol, t->peer[i].result, t->nscen,
		        &reached))
			return false;
	return true;
}
