/*
 * listen.c - "smtptls listen": parse the options of cli.md, run the
 * listener (include/smtptls/listen.h), print each finished session as it
 * ends (human block, or one JSON line with --json) and pick the exit code
 * of report.md 8.
 */
#include "cmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smtptls/listen.h"

#include "banned.h"

#define BINDS_MAX 16

static const char usage_text[] =
    "usage: smtptls listen [--bind ADDR[:PORT]]... [--hostname NAME]\n"
    "                      [--cert FILE --key FILE] [--untrusted-cert]\n"
    "                      [--request-client-cert] [--no-starttls]\n"
    "                      [--count N | --once] [--duration SECONDS]\n"
    "                      [--expect WHAT]... [--accept-data]\n"
    "\n"
    "Accept SMTP from a sending server and report how it does TLS.\n"
    "\n"
    "  --bind ADDR[:PORT]     listen here (repeatable; default [::]:25 and\n"
    "                         0.0.0.0:25)\n"
    "  --hostname NAME        banner, EHLO and certificate name\n"
    "  --cert FILE, --key FILE  certificate chain and key to present\n"
    "  --untrusted-cert       present a self-signed certificate for a wrong\n"
    "                         name: does the sender verify?\n"
    "  --request-client-cert  ask for a client certificate (never required)\n"
    "  --no-starttls          do not offer STARTTLS\n"
    "  --count N, --once      exit after N sessions (--once: 1)\n"
    "  --duration SECONDS     exit after this long\n"
    "  --timeout SECONDS      end a session idle this long (default 60)\n"
    "  --expect WHAT          verify, no-cleartext, client-cert, sni=NAME\n"
    "  --accept-data          accept DATA and discard the message\n"
    "  --json, -v, --verbose, -q, --quiet   as for every command\n"
    "  -h, --help             this text\n"
    "\n"
    "Sender policy test (smtptls(1), SENDER POLICY TEST):\n"
    "  --test-zone ZONE       serve a signed zone with one scenario per\n"
    "                         --bind address; infer the sender's policy\n"
    "  --dns-bind ADDR[:PORT]  the zone's DNS (UDP and TCP; port 53)\n"
    "  --https-bind ADDR[:PORT]  the MTA-STS policy host (HTTPS; port 443)\n"
    "  --zone-key FILE        the zone's signing key, kept across runs\n"
    "  --scenario NAME        serve only this scenario (one --bind)\n"
    "  --send-hint            print where to send, and exit\n"
    "  --expect POLICY        exit 1 unless the senders fit POLICY\n"
    "\nSee smtptls(1), LISTEN.\n";

struct out_ctx {
	const struct global_opts *g;
};

static void
print_session(void *arg, const struct listen_session *s)
{
	struct out_ctx *o = arg;
	char *t = o->g->json ? listen_session_json(s)
	                     : listen_session_human(s, o->g->verbose > 0);

	if (t == NULL)
		return;
	if (o->g->json)
		printf("%s\n", t);
	else if (!o->g->quiet)
		printf("%s\n", t);
	fflush(stdout);
	free(t);
}

/* is_host_name - RFC 1123 2.1 host name: labels of 1-63 letters, digits
 * and inner hyphens, 253 octets in all. The name goes into the banner,
 * the EHLO reply and the certificate, so anything else (control octets,
 * non-ASCII, spaces) would make them invalid. */
static bool
is_host_name(const char *s)
{
	size_t label = 0, len = strlen(s);

	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

/* parse_expect - one --expect value into p */
static bool
parse_expect(const char *v, struct listen_params *p)
{
	if (strcmp(v, "verify") == 0)
		p->expect_verify = true;
	else if (strcmp(v, "no-cleartext") == 0)
		p->expect_no_cleartext = true;
	else if (strcmp(v, "client-cert") == 0)
		p->expect_client_cert = true;
	else if (strncmp(v, "sni=", 4) == 0 && is_host_name(v + 4))
		p->expect_sni = v + 4;
	else
		return false;
	return true;
}

/* set_flag - the options without a value; false when a is none of them */
static bool
set_flag(const char *a, struct global_opts *g, struct listen_params *p)
{
	if (strcmp(a, "--json") == 0)
		g->json = true;
	else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
		g->verbose++;
	else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
		g->quiet = true;
	else if (strcmp(a, "--once") == 0)
		p->count = 1;
	else if (strcmp(a, "--untrusted-cert") == 0)
		p->untrusted_cert = true;
	else if (strcmp(a, "--request-client-cert") == 0)
		p->request_client_cert = true;
	else if (strcmp(a, "--no-starttls") == 0)
		p->starttls = false;
	else if (strcmp(a, "--accept-data") == 0)
		p->accept_data = true;
	else
		return false;
	return true;
}

/* combination - options that need or exclude each other (NULL: none) */
static const char *
combination(const struct listen_params *p)
{
	if (p->key_file != NULL && p->cert_file == NULL)
		return "--key needs --cert";
	if (p->cert_file != NULL && p->untrusted_cert)
		return "--cert and --untrusted-cert exclude each other";
	if (p->expect_verify && !p->untrusted_cert)
		return "--expect verify needs --untrusted-cert";
	if (p->expect_no_cleartext && p->starttls)
		return "--expect no-cleartext needs --no-starttls";
	if (p->expect_client_cert && !p->request_client_cert)
		return "--expect client-cert needs --request-client-cert";
	return NULL;
}

/* limit - --count, --duration or --timeout into p (cmd_listen_limit) */
static int
limit(int argc, char **argv, int *i, struct global_opts *g,
    struct listen_params *p, bool *miss)
{
	struct listen_limits l = { p->count, p->duration_ms,
		p->step_timeout_ms };
	int r = cmd_listen_limit(argc, argv, i, g, &l, miss);

	p->count = l.count;
	p->duration_ms = l.duration_ms;
	p->step_timeout_ms = l.step_timeout_ms;
	return r;
}

/* parse_args - fill p from argv; an exit code (usage) or -1 */
static int
parse_args(int argc, char **argv, struct global_opts *g,
    struct listen_params *p, const char **binds, char *host, size_t hostlen)
{
	const char *v, *why;
	bool miss;
	int r;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		miss = false;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			return EXIT_PASS;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--bind",
		                &miss))) {
			if (p->nbinds >= BINDS_MAX)
				return cmd_error(g, EXIT_USAGE, "usage",
				    "options", "listen: at most %d --bind",
				    BINDS_MAX);
			binds[p->nbinds++] = v;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--hostname",
		                &miss))) {
			if (!is_host_name(v) || strlen(v) >= hostlen)
				return cmd_error(g, EXIT_USAGE, "usage",
				    "options",
				    "listen: invalid --hostname '%s' (expected a "
				    "host name)",
				    v);
			memcpy(host, v, strlen(v) + 1);
		} else if ((v = cmd_opt_value(argc, argv, &i, "--cert", &miss)))
			p->cert_file = v;
		else if ((v = cmd_opt_value(argc, argv, &i, "--key", &miss)))
			p->key_file = v;
		else if ((r = limit(argc, argv, &i, g, p, &miss)) != 1) {
			if (r >= 2)
				return r - 2;
		} else if ((v = cmd_opt_value(argc, argv, &i, "--expect",
		                &miss))) {
			if (!parse_expect(v, p))
				return cmd_error(g, EXIT_USAGE, "usage",
				    "options",
				    "listen: invalid --expect '%s' (expected verify, "
				    "no-cleartext, client-cert or sni=NAME)",
				    v);
		} else if (miss)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "listen: option '%s' needs a value", a);
		else if (set_flag(a, g, p))
			continue;
		else
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "listen: unknown option '%s'", a);
	}
	if ((why = combination(p)) != NULL)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "listen: %s", why);
	return -1;
}

int
cmd_listen(int argc, char **argv, struct global_opts *g)
{
	static const char *const default_binds[] = { "[::]:25", "0.0.0.0:25" };
	const char *binds[BINDS_MAX];
	char host[256] = "", errmsg[512];
	struct listen_params p;
	struct listen *l = NULL;
	struct out_ctx oc = { g };
	enum st_err err;
	int rc;
	char *t;

	if (cmd_listen_testzone_wanted(argc, argv))
		return cmd_listen_testzone(argc, argv, g);
	memset(&p, 0, sizeof(p));
	p.starttls = true;
	if ((rc = parse_args(argc, argv, g, &p, binds, host, sizeof(host))) >=
	    0)
		return rc;
	if (p.nbinds == 0) {
		p.binds = default_binds;
		p.nbinds = 2;
	} else
		p.binds = binds;
	if (host[0] == '\0' && gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	p.hostname = host;
	err = listen_new(&p, &l, errmsg, sizeof(errmsg));
	if (err == ST_ERR_NOMEM || err == ST_ERR_TLS)
		return cmd_error(g, EXIT_INTERNAL, "internal", "listen",
		    "listen: %s", errmsg);
	/* report.md 8: a bind failure is an incomplete run (3), a bad
	 * certificate or key a configuration error (2). */
	if (err == ST_ERR_IO)
		return cmd_error(g, EXIT_INCOMPLETE, "bind", "listen",
		    "listen: %s", errmsg);
	if (err != ST_OK)
		return cmd_error(g, EXIT_USAGE, "config", "listen",
		    "listen: %s", errmsg);
	cmd_catch_stop_signals();
	if (g->json && (t = listen_start_json(l)) != NULL) {
		printf("%s\n", t);
		fflush(stdout);
		free(t);
	} else if (!g->json && !g->quiet)
		fprintf(stderr, "smtptls: listening as %s\n", host);
	err = listen_run(l, print_session, &oc, &cmd_stop_flag);
	if (err != ST_OK)
		rc = EXIT_INTERNAL;
	else if (listen_any_fail(l))
		rc = EXIT_FAIL;
	else if (listen_reason(l) == LISTEN_REASON_SIGNAL ||
	         (p.count > 0 && listen_sessions_complete(l) < p.count))
		rc = EXIT_INCOMPLETE;
	else
		rc = EXIT_PASS;
	if (g->json && (t = listen_end_json(l, rc)) != NULL) {
		printf("%s\n", t);
		free(t);
	} else if (!g->json)
		fprintf(stderr, "smtptls: %u session%s, %s\n",
		    listen_sessions(l), listen_sessions(l) == 1 ? "" : "s",
		    err != ST_OK      ? st_strerror(err)
		    : rc == EXIT_PASS ? "done"
		    : rc == EXIT_FAIL ? "a check failed"
		                      : "incomplete");
	fflush(stdout);
	listen_free(l);
	return rc;
}
