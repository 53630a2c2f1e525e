/*
 * listen_testzone.c - "smtptls listen --test-zone ZONE": the sender
 * policy test (include/smtptls/sendtest.h). Parses its options, prints
 * the start record (the DS to put in the parent zone, each scenario's
 * address), each session as it ends with its scenario, and the summary
 * with the policies that explain the results; --send-hint prints what
 * to send where and exits.
 */
#include "cmd.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtptls/sendtest.h"

#include "banned.h"

#define TZ_BINDS_MAX 16

struct tz_opts {
	struct sendtest_params p;
	const char *binds[TZ_BINDS_MAX];
	char zone[256];
	const char *expect;
	bool hint;
};

/* limit - --count, --duration or --timeout into o */
static int
limit(int argc, char **argv, int *i, struct global_opts *g, struct tz_opts *o,
    bool *miss)
{
	struct listen_limits l = { o->p.count, o->p.duration_ms,
		o->p.step_timeout_ms };
	int r = cmd_listen_limit(argc, argv, i, g, &l, miss);

	o->p.count = l.count;
	o->p.duration_ms = l.duration_ms;
	o->p.step_timeout_ms = l.step_timeout_ms;
	return r;
}

/* value_option - one option with a value; 0 done, 1 not this one, or an
 * exit code + 2 */
static int
value_option(int argc, char **argv, int *i, struct global_opts *g,
    struct tz_opts *o)
{
	const char *v;
	bool miss = false;
	int r;

	if ((v = cmd_opt_value(argc, argv, i, "--test-zone", &miss))) {
		size_t k;

		for (k = 0; v[k] != '\0' && k + 1 < sizeof(o->zone); k++)
			o->zone[k] =
			    (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] - 'A' + 'a'
			                                      : v[k]);
		o->zone[k] = '\0';
	} else if ((v = cmd_opt_value(argc, argv, i, "--bind", &miss))) {
		if (o->p.nsmtp >= TZ_BINDS_MAX)
			return 2 + cmd_error(g, EXIT_USAGE, "usage", "options",
			               "listen: at most %d --bind",
			               TZ_BINDS_MAX);
		o->binds[o->p.nsmtp++] = v;
	} else if ((v = cmd_opt_value(argc, argv, i, "--dns-bind", &miss)))
		o->p.dns_bind = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--https-bind", &miss)))
		o->p.https_addr = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--zone-key", &miss)))
		o->p.zone_key_file = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--cert", &miss)))
		o->p.cert_file = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--key", &miss)))
		o->p.key_file = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--scenario", &miss)))
		o->p.scenario = v;
	else if ((v = cmd_opt_value(argc, argv, i, "--expect", &miss)))
		o->expect = v;
	else if ((r = limit(argc, argv, i, g, o, &miss)) != 1) {
		if (r >= 2)
			return r;
	} else if (miss)
		return 2 + cmd_error(g, EXIT_USAGE, "usage", "options",
		               "listen: option '%s' needs a value", argv[*i]);
	else
		return 1;
	return 0;
}

static int
parse(int argc, char **argv, struct global_opts *g, struct tz_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int r = value_option(argc, argv, &i, g, o);

		if (r >= 2)
			return r - 2;
		if (r == 0)
			continue;
		if (strcmp(a, "--json") == 0)
			g->json = true;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			g->quiet = true;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			g->verbose++;
		else if (strcmp(a, "--send-hint") == 0)
			o->hint = true;
		else
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "listen: unknown option '%s' with --test-zone", a);
	}
	if (o->expect != NULL && !sendtest_policy_known(o->expect))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "listen: invalid --expect '%s' with --test-zone (none, "
		    "opportunistic, encrypt, verify, dane, dane-only, mta-sts "
		    "or dane+mta-sts)",
		    o->expect);
	if (o->p.key_file != NULL && o->p.cert_file == NULL)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "listen: --key needs --cert");
	if (o->p.dns_bind == NULL && o->p.nsmtp > 0)
		o->p.dns_bind = o->binds[0];
	if (o->p.https_addr == NULL && o->p.nsmtp > 0)
		o->p.https_addr = o->binds[0];
	if (o->p.dns_bind == NULL)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "listen: --test-zone needs --bind (one per scenario) and "
		    "--dns-bind");
	return -1;
}

/* hint - who to send to, and how (human text) */
static int
hint(const struct tz_opts *o)
{
	const char *n;
	size_t i;

	printf("Sender test zone %s (delegate it to the --dns-bind address; "
	       "the DS record is printed when the test starts)\n\n",
	    o->zone);
	printf("The --cert certificate must be trusted by the sender and "
	       "name *.%s (the MX hosts mx-SCENARIO.%s) and mta-sts."
	       "SCENARIO.%s for the sts-* and dane-sts scenarios.\n\n",
	    o->zone, o->zone, o->zone);
	for (i = 0; (n = sendtest_scenario_name(i)) != NULL; i++) {
		const char *addr = o->p.scenario != NULL || o->p.nsmtp == 1
		                       ? o->binds[0]
		                   : i < o->p.nsmtp ? o->binds[i]
		                                    : "(no --bind)";

		if (o->p.scenario != NULL && strcmp(o->p.scenario, n) != 0)
			continue;
		printf("%-18s %s\n  MX mx-%s.%s at %s\n", n,
		    sendtest_scenario_what(i), n, o->zone, addr);
		printf("  swaks --server YOUR-MTA --to smtptls@%s.%s "
		       "--header 'Subject: smtptls sender test %s'\n",
		    n, o->zone, n);
	}
	if (o->p.scenario == NULL && o->p.nsmtp == 1)
		printf("\nOne --bind: every scenario but notls answers there, "
		       "told apart by the MX host the sender names by SNI "
		       "(Postfix sends it with smtp_tls_servername = "
		       "hostname). A sender that sends no SNI: run one "
		       "scenario at a time with --scenario NAME.\n");
	else if (o->p.scenario == NULL && o->p.nsmtp < i)
		printf("\nWith fewer --bind addresses than scenarios, run one "
		       "at a time with --scenario NAME (a sender that sends no "
		       "SNI can only be told apart by address).\n");
	return EXIT_PASS;
}

struct out_ctx {
	const struct global_opts *g;
};

static void
print_session(void *arg, const char *scenario, const struct listen_session *s)
{
	const struct out_ctx *oc = arg;
	char *t = oc->g->json
	              ? listen_session_json_tagged(s, "scenario", scenario)
	              : listen_session_human(s, oc->g->verbose > 0);

	if (t == NULL)
		return;
	if (oc->g->json)
		printf("%s\n", t);
	else if (!oc->g->quiet)
		printf("scenario %s: %s\n", scenario, t);
	fflush(stdout);
	free(t);
}

static void
print_start(const struct global_opts *g, const struct tz_opts *o,
    const struct sendtest *t)
{
	char *s;

	if (g->json) {
		if ((s = sendtest_start_json(t)) != NULL)
			printf("%s\n", s);
		free(s);
	} else if (!g->quiet)
		fprintf(stderr,
		    "smtptls: test zone %s on %s; put this DS in the parent "
		    "zone:\n%s",
		    o->zone, o->p.dns_bind, sendtest_ds(t));
	fflush(stdout);
}

static int
run(struct global_opts *g, struct tz_opts *o)
{
	struct sendtest *t = NULL;
	struct out_ctx oc = { g };
	char errmsg[512], *sum;
	enum st_err err;
	int rc;

	o->p.smtp_binds = o->binds;
	o->p.now_s = (long long)time(NULL);
	err = sendtest_new(&o->p, &t, errmsg, sizeof(errmsg));
	if (err == ST_ERR_IO)
		return cmd_error(g, EXIT_INCOMPLETE, "bind", "listen",
		    "listen: %s", errmsg);
	if (err == ST_ERR_NOMEM || err == ST_ERR_INTERNAL || err == ST_ERR_TLS)
		return cmd_error(g, EXIT_INTERNAL, "internal", "listen",
		    "listen: %s", errmsg);
	if (err != ST_OK)
		return cmd_error(g, EXIT_USAGE, "config", "listen",
		    "listen: %s", errmsg);
	cmd_catch_stop_signals();
	print_start(g, o, t);
	err = sendtest_run(t, print_session, &oc, &cmd_stop_flag);
	sum = sendtest_summary_json(t, o->expect);
	if (sum != NULL && (g->json || !g->quiet))
		printf("%s\n", sum);
	rc = err != ST_OK  ? EXIT_INTERNAL
	     : sum == NULL ? EXIT_INTERNAL
	     : o->expect != NULL && !sendtest_expect_met(t, o->expect)
	         ? EXIT_FAIL
	         : EXIT_PASS;
	free(sum);
	sendtest_free(t);
	return rc;
}

int
cmd_listen_testzone(int argc, char **argv, struct global_opts *g)
{
	struct tz_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = parse(argc, argv, g, &o)) >= 0)
		return rc;
	if (o.hint)
		return hint(&o);
	o.p.zone = o.zone;
	return run(g, &o);
}

bool
cmd_listen_testzone_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--test-zone") == 0 ||
		    strncmp(argv[i], "--test-zone=", 12) == 0)
			return true;
	return false;
}
