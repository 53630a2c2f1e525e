/*
 * sendtest.c - the sender policy test (see include/smtptls/sendtest.h):
 * one listener per scenario, each in a thread of its own running
 * listen_run(), the signed zone's DNS server in another, and the
 * sessions' outcomes folded into one result per scenario.
 *
 * The certificates come first (listen_new makes the self-signed ones),
 * then the zone, whose TLSA records name their keys.
 */
#include "sendtest_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bind_addr.h"

#include "banned.h"

/* A SPKI value for the TLSA of a scenario that is not served. */
#define UNSERVED_SPKI                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* host_of - the address of an "ADDR[:PORT]" spec, without the port */
static bool
host_of(const char *spec, unsigned dflt, char *out, size_t len)
{
	struct bind_addr a;

	if (!bind_addr_parse(spec, dflt, &a))
		return false;
	snprintf(out, len, "%s", a.host);
	return true;
}

static enum st_err
open_listener(struct sendtest *t, size_t i, const char *bind, char *errmsg,
    size_t errlen)
{
	const struct sendtest_params *p = &t->p;
	const struct tz_scenario *sc = &t->scen[i];
	struct listen_params lp = { 0 };
	const char *binds[1] = { bind };
	char host[300];

	snprintf(host, sizeof(host), "mx-%s.%s", sc->name, p->zone);
	lp.binds = binds;
	lp.nbinds = 1;
	lp.hostname = host;
	lp.starttls = sc->cert != TZ_CERT_NONE;
	lp.untrusted_cert = sc->cert == TZ_CERT_UNTRUSTED;
	lp.cert_file = sc->cert == TZ_CERT_VALID ? p->cert_file : NULL;
	lp.key_file = sc->cert == TZ_CERT_VALID ? p->key_file : NULL;
	lp.accept_data = true;
	lp.duration_ms = p->duration_ms;
	lp.step_timeout_ms = p->step_timeout_ms;
	lp.session_timeout_ms = p->session_timeout_ms;
	return listen_new(&lp, &t->run[i].l, errmsg, errlen);
}

/* open_shared - SNI mode: one listener (the valid certificate for names
 * it does not know), and each STARTTLS scenario's certificate for its MX
 * host's name; run[sni_at] holds it */
static enum st_err
open_shared(struct sendtest *t, char *errmsg, size_t errlen)
{
	const struct sendtest_params *p = &t->p;
	enum st_err err;

	for (size_t i = 0; i < t->nscen; i++)
		if (t->scen[i].cert == TZ_CERT_VALID) {
			t->sni_at = i;
			break;
		}
	if ((err = open_listener(t, t->sni_at, p->smtp_binds[0], errmsg,
	         errlen)) != ST_OK)
		return err;
	t->nrun = 1;
	for (size_t i = 0; i < t->nscen; i++) {
		const struct tz_scenario *sc = &t->scen[i];
		bool valid = sc->cert == TZ_CERT_VALID;
		char mx[300];

		if (sc->cert == TZ_CERT_NONE)
			continue;
		snprintf(mx, sizeof(mx), "mx-%s.%s", sc->name, p->zone);
		if ((err = listen_add_sni(t->run[t->sni_at].l, mx,
		         valid ? p->cert_file : NULL,
		         valid ? p->key_file : NULL,
		         sc->cert == TZ_CERT_UNTRUSTED, errmsg, errlen)) !=
		    ST_OK)
			return err;
		t->served[i] = true;
	}
	return ST_OK;
}

/* open_listeners - one per scenario served; addr[i] the zone's address
 * for scenario i */
static enum st_err
open_listeners(struct sendtest *t, char addr[][80], char *errmsg, size_t errlen)
{
	const struct sendtest_params *p = &t->p;
	enum st_err err;

	if (t->sni_mode) {
		if (!host_of(p->smtp_binds[0], 25, addr[0], sizeof(addr[0]))) {
			snprintf(errmsg, errlen,
			    "invalid --bind '%s': want ADDR[:PORT] with a "
			    "numeric address",
			    p->smtp_binds[0]);
			return ST_ERR_PARSE;
		}
		for (size_t i = 1; i < t->nscen; i++)
			memcpy(addr[i], addr[0], sizeof(addr[i]));
		return open_shared(t, errmsg, errlen);
	}
	for (size_t i = 0, b = 0; i < t->nscen; i++) {
		const char *bind;

		if (p->scenario != NULL &&
		    strcmp(p->scenario, t->scen[i].name) != 0)
			continue;
		bind = p->smtp_binds[b++];
		if (!host_of(bind, 25, addr[i], sizeof(addr[i]))) {
			snprintf(errmsg, errlen,
			    "invalid --bind '%s': want ADDR[:PORT] with a "
			    "numeric address",
			    bind);
			return ST_ERR_PARSE;
		}
		if ((err = open_listener(t, i, bind, errmsg, errlen)) != ST_OK)
			return err;
		t->served[i] = true;
		t->nrun++;
	}
	/* Scenarios not served point where the one that is served is. */
	for (size_t i = 0; i < t->nscen; i++)
		if (t->run[i].l == NULL)
			for (size_t k = 0; k < t->nscen; k++)
				if (t->run[k].l != NULL)
					memcpy(addr[i], addr[k],
					    sizeof(addr[i]));
	return ST_OK;
}

static enum st_err
check_params(const struct sendtest_params *p, size_t nscen, char *errmsg,
    size_t errlen)
{
	const char *why;

	if (!testzone_name_ok(p->zone, &why)) {
		snprintf(errmsg, errlen, "invalid --test-zone '%s': it %s",
		    p->zone, why);
		return ST_ERR_INVAL;
	}
	if (p->scenario != NULL && testzone_scenario(p->scenario) == NULL) {
		snprintf(errmsg, errlen,
		    "unknown --scenario '%s' (smtptls listen --test-zone ZONE "
		    "--send-hint lists them)",
		    p->scenario);
		return ST_ERR_INVAL;
	}
	if ((p->scenario != NULL && p->nsmtp != 1) ||
	    (p->scenario == NULL && p->nsmtp != nscen && p->nsmtp != 1)) {
		snprintf(errmsg, errlen,
		    "--test-zone wants one --bind per scenario (%zu), or one "
		    "--bind (scenarios told apart by SNI, or --scenario NAME)",
		    nscen);
		return ST_ERR_INVAL;
	}
	if (p->cert_file == NULL) {
		snprintf(errmsg, errlen,
		    "--test-zone needs --cert and --key: a certificate the "
		    "sender trusts for the MX and mta-sts names (--send-hint "
		    "lists them)");
		return ST_ERR_INVAL;
	}
	return ST_OK;
}

/* start_sts - the policy host for every scenario with an MTA-STS record */
static enum st_err
start_sts(struct sendtest *t, const struct tz_params *zp, char *errmsg,
    size_t errlen)
{
	struct sts_site site[TZ_SCENARIOS_MAX];
	char host[TZ_SCENARIOS_MAX][300];
	size_t n = 0;
	enum st_err err = ST_OK;

	for (size_t i = 0; i < t->nscen && err == ST_OK; i++) {
		if (t->scen[i].sts == TZ_STS_NONE)
			continue;
		snprintf(host[n], sizeof(host[n]), "mta-sts.%s.%s",
		    t->scen[i].name, t->p.zone);
		site[n].host = host[n];
		if ((site[n].policy = testzone_sts_policy(zp, &t->scen[i])) ==
		    NULL)
			err = ST_ERR_NOMEM;
		n++;
	}
	if (err == ST_OK)
		err = sts_server_start(t->p.https_addr, t->p.cert_file,
		    t->p.key_file, site, n, &t->sts, errmsg, errlen);
	for (size_t i = 0; i < n; i++)
		free((char *)site[i].policy);
	return err;
}

static enum st_err
make_zone(struct sendtest *t, char addr[][80], char *errmsg, size_t errlen)
{
	const struct sendtest_params *p = &t->p;
	const char *smtp[TZ_SCENARIOS_MAX], *spki[TZ_SCENARIOS_MAX];
	char dns[80], https[80], id[32];
	struct tz_params zp;
	enum st_err err;

	if (!host_of(p->dns_bind, 53, dns, sizeof(dns)) ||
	    !host_of(p->https_addr, 443, https, sizeof(https))) {
		snprintf(errmsg, errlen,
		    "invalid --dns-bind '%s' or --https-bind '%s': want "
		    "ADDR[:PORT] with a numeric address",
		    p->dns_bind, p->https_addr);
		return ST_ERR_PARSE;
	}
	for (size_t i = 0; i < t->nscen; i++) {
		char mx[300];

		smtp[i] = addr[i];
		snprintf(mx, sizeof(mx), "mx-%s.%s", t->scen[i].name, p->zone);
		spki[i] = t->sni_mode ? listen_sni_spki(t->run[t->sni_at].l, mx)
		          : t->run[i].l != NULL ? listen_cert_spki(t->run[i].l)
		                                : "";
		if (spki[i][0] == '\0')
			spki[i] = UNSERVED_SPKI;
	}
	/* A new id each run: senders fetch the policy again. */
	snprintf(id, sizeof(id), "%lld", p->now_s);
	zp = (struct tz_params){ p->zone, dns, https, smtp, t->nscen, spki, id,
		p->zone_key_file };
	if ((err = testzone_sign(&zp, p->now_s, &t->zone, errmsg, errlen)) !=
	    ST_OK)
		return err;
	return start_sts(t, &zp, errmsg, errlen);
}

enum st_err
sendtest_new(const struct sendtest_params *p, struct sendtest **out,
    char *errmsg, size_t errlen)
{
	struct sendtest *t = calloc(1, sizeof(*t));
	enum st_err err;

	*out = NULL;
	if (t == NULL)
		return ST_ERR_NOMEM;
	t->p = *p;
	t->scen = testzone_scenarios(&t->nscen);
	t->sni_mode = p->scenario == NULL && p->nsmtp == 1;
	if ((err = check_params(p, t->nscen, errmsg, errlen)) != ST_OK ||
	    (err = open_listeners(t, t->addr, errmsg, errlen)) != ST_OK ||
	    (err = make_zone(t, t->addr, errmsg, errlen)) != ST_OK ||
	    (err = dns_server_start(t->zone, p->dns_bind, &t->dns, errmsg,
	         errlen)) != ST_OK) {
		sendtest_free(t);
		return err;
	}
	pthread_mutex_init(&t->mu, NULL);
	t->mu_ready = true;
	*out = t;
	return ST_OK;
}

void
sendtest_free(struct sendtest *t)
{
	if (t == NULL)
		return;
	dns_server_stop(t->dns, NULL);
	sts_server_stop(t->sts);
	for (size_t i = 0; i < t->nscen; i++)
		listen_free(t->run[i].l);
	testzone_signed_free(t->zone);
	if (t->mu_ready)
		pthread_mutex_destroy(&t->mu);
	free(t);
}

const char *
sendtest_ds(const struct sendtest *t)
{
	return testzone_ds(t->zone);
}

const char *
sendtest_dnskey(const struct sendtest *t)
{
	return testzone_dnskey(t->zone);
}

const char *
sendtest_scenario_name(size_t i)
{
	size_t n;
	const struct tz_scenario *sc = testzone_scenarios(&n);

	return i < n ? sc[i].name : NULL;
}

const char *
sendtest_scenario_what(size_t i)
{
	size_t n;
	const struct tz_scenario *sc = testzone_scenarios(&n);

	return i < n ? sc[i].what : NULL;
}
