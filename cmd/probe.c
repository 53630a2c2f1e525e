/*
 * probe.c - "smtptls probe": parse the options of cli.md, run the probe,
 * print the report and return its exit code.
 */
#include "probe_cmd.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "smtptls/probe.h"
#include "ascii.h"
#include "smtp_client.h"

#include "banned.h"

static const char probe_usage[] =
    "usage: smtptls probe [options] DOMAIN | USER@DOMAIN | --host HOST[:PORT]\n"
    "\n"
    "  --resolver ADDR[:PORT]   DNS resolver (repeatable; [V6]:PORT)\n"
    "  --trust-anchor FILE      validate DNSSEC locally with this anchor\n"
    "  --ca-file FILE, --ca-path DIR   trust store for PKIX checks\n"
    "  --timeout SECONDS        limit per network step (default 10)\n"
    "  --deadline SECONDS       limit for the whole run (default 60)\n"
    "  -4, -6                   IPv4 or IPv6 addresses only\n"
    "  --host HOST[:PORT]       probe one server, no MX lookup\n"
    "  --port N                 SMTP port (default 25)\n"
    "  --ehlo NAME              name sent in EHLO\n"
    "  --rcpt ADDRESS           test this recipient (MAIL FROM/RCPT TO, never DATA)\n"
    "  --mail-from ADDRESS      reverse path of the address test (default <>)\n"
    "  --rcpt-all               address test on every MX address\n"
    "  --require LEVEL          opportunistic, encrypt, verify, dane, mta-sts,\n"
    "                           secure (repeatable)\n"
    "  --min-tls VERSION        1.0, 1.1, 1.2 (default) or 1.3\n"
    "  --warn-days N            certificate expiry warning window (default 14)\n"
    "  --tls-domain NAME        reference name for the verify domain variant\n"
    "  --allow-private          special-purpose addresses are info, not findings\n"
    "  --scan                   deep TLS scan of each address (more connections)\n"
    "  --transcript             show or include the SMTP dialogue\n"
    "  --no-pem                 leave certificate PEM text out of the JSON\n"
    "  --no-dane, --no-mta-sts  skip those lookups\n"
    "  --ignore ID              waive matching checks (shell wildcards, repeatable)\n"
    "  --strict                 warn counts as failure, error as incomplete\n"
    "  -f, --domains FILE       probe every domain listed (one per line, # comments)\n"
    "  --parallel N             at most N domains at once with --domains (default 4)\n"
    "  --nagios                 monitoring-plugin exit codes and status line\n"
    "  --catchall               also RCPT a random mailbox (catch-all test)\n"
    "  --cleartext              also run the address test without STARTTLS\n"
    "  --json, --color=WHEN, -v, --verbose, -q, --quiet   as for every command\n"
    "  --help                   this text\n"
    "\n"
    "See smtptls(1).\n";

enum {
	O_RESOLVER = 256, O_TRUST_ANCHOR, O_CA_FILE, O_CA_PATH, O_TIMEOUT,
	O_DEADLINE, O_HOST, O_PORT, O_EHLO, O_RCPT, O_MAIL_FROM, O_REQUIRE,
	O_SCAN, O_TRANSCRIPT, O_NO_PEM, O_NO_MTA_STS, O_NO_DANE, O_PARALLEL,
	O_WARN_DAYS, O_MIN_TLS, O_TLS_DOMAIN, O_ALLOW_PRIVATE, O_RCPT_ALL,
	O_CATCHALL, O_CLEARTEXT, O_IGNORE, O_STRICT, O_NAGIOS, O_JSON, O_COLOR,
	O_HELP,
};

static const struct option probe_options[] = {
	{"resolver", required_argument, NULL, O_RESOLVER},
	{"trust-anchor", required_argument, NULL, O_TRUST_ANCHOR},
	{"ca-file", required_argument, NULL, O_CA_FILE},
	{"ca-path", required_argument, NULL, O_CA_PATH},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"deadline", required_argument, NULL, O_DEADLINE},
	{"host", required_argument, NULL, O_HOST},
	{"port", required_argument, NULL, O_PORT},
	{"ehlo", required_argument, NULL, O_EHLO},
	{"rcpt", required_argument, NULL, O_RCPT},
	{"mail-from", required_argument, NULL, O_MAIL_FROM},
	{"require", required_argument, NULL, O_REQUIRE},
	{"scan", no_argument, NULL, O_SCAN},
	{"transcript", no_argument, NULL, O_TRANSCRIPT},
	{"no-pem", no_argument, NULL, O_NO_PEM},
	{"no-mta-sts", no_argument, NULL, O_NO_MTA_STS},
	{"no-dane", no_argument, NULL, O_NO_DANE},
	{"domains", required_argument, NULL, 'f'},
	{"parallel", required_argument, NULL, O_PARALLEL},
	{"warn-days", required_argument, NULL, O_WARN_DAYS},
	{"min-tls", required_argument, NULL, O_MIN_TLS},
	{"tls-domain", required_argument, NULL, O_TLS_DOMAIN},
	{"allow-private", no_argument, NULL, O_ALLOW_PRIVATE},
	{"rcpt-all", no_argument, NULL, O_RCPT_ALL},
	{"catchall", no_argument, NULL, O_CATCHALL},
	{"cleartext", no_argument, NULL, O_CLEARTEXT},
	{"ignore", required_argument, NULL, O_IGNORE},
	{"strict", no_argument, NULL, O_STRICT},
	{"nagios", no_argument, NULL, O_NAGIOS},
	{"json", no_argument, NULL, O_JSON},
	{"color", optional_argument, NULL, O_COLOR},
	{"verbose", no_argument, NULL, 'v'},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, O_HELP},
	{NULL, 0, NULL, 0},
};

/* parse_seconds - a positive number of seconds (decimals allowed) */
static bool
parse_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0) || v > 86400)
		return false;
	*ms = (unsigned)(v * 1000 + 0.5);
	if (*ms == 0)
		*ms = 1;
	return true;
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return false;
	*out = v;
	return true;
}

static int
opt_error(const struct global_opts *g, const char *opt, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
opt_error(const struct global_opts *g, const char *opt, const char *fmt, ...)
{
	char m[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	return cmd_error(g, EXIT_USAGE, "usage", "options", "%s: %s", opt, m);
}

/* bad_option - the usage error for getopt_long's '?'. A long option
 * given a value it does not take ("--scan=x") comes with optopt set to
 * the option's val, which is no character to print. */
static int
bad_option(const struct global_opts *g, const char *arg)
{
	if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') != NULL &&
	    (optopt >= 256 || (optopt > 0 && strchr("46fvq", optopt) != NULL)))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "option '%.*s' takes no value", (int)strcspn(arg, "="), arg);
	return cmd_error(g, EXIT_USAGE, "usage", "options",
	    "unknown option '%s' (see smtptls probe --help)",
	    optopt ? (char[]){'-', (char)optopt, '\0'} : arg);
}

/* parse_one - apply one option; returns -1 to go on, else an exit code */
static int
parse_one(int c, const char *arg, struct probe_options *o, struct global_opts *g,
    const char **domains, unsigned *parallel)
{
	unsigned long n;
	int lv;
	const char *why;

	switch (c) {
	case O_RESOLVER:
		if (o->nresolvers >= PROBE_MAX_RESOLVERS)
			return opt_error(g, "--resolver", "at most 4 resolvers");
		o->resolvers[o->nresolvers++] = arg;
		return -1;
	case O_TRUST_ANCHOR:
		if (access(arg, R_OK) != 0)
			return cmd_error(g, EXIT_USAGE, "config", "options",
			    "--trust-anchor: cannot read '%s'", arg);
		o->trust_anchor = arg;
		return -1;
	case O_CA_FILE:
		if (access(arg, R_OK) != 0)
			return cmd_error(g, EXIT_USAGE, "config", "options",
			    "--ca-file: cannot read '%s'", arg);
		o->ca_file = arg;
		return -1;
	case O_CA_PATH:
		if (access(arg, R_OK | X_OK) != 0)
			return cmd_error(g, EXIT_USAGE, "config", "options",
			    "--ca-path: cannot read directory '%s'", arg);
		o->ca_path = arg;
		return -1;
	case O_TIMEOUT:
		if (!parse_seconds(arg, &o->timeout_ms))
			return opt_error(g, "--timeout", "invalid number of seconds '%s'", arg);
		return -1;
	case O_DEADLINE:
		if (!parse_seconds(arg, &o->deadline_ms))
			return opt_error(g, "--deadline", "invalid number of seconds '%s'", arg);
		return -1;
	case '4':
		o->ipv6 = false;
		return -1;
	case '6':
		o->ipv4 = false;
		return -1;
	case O_HOST:
		o->host = arg;
		return -1;
	case O_PORT:
		if (!parse_uint(arg, 65535, &n) || n == 0)
			return opt_error(g, "--port", "invalid port '%s'", arg);
		o->port = (uint16_t)n;
		return -1;
	case O_EHLO:
		if ((why = smtp_ehlo_name_problem(arg)) != NULL)
			return opt_error(g, "--ehlo", "invalid name: %s", why);
		o->ehlo = arg;
		return -1;
	case O_RCPT:
		if ((why = smtp_mailbox_problem(arg)) != NULL)
			return opt_error(g, "--rcpt", "invalid address: %s", why);
		o->rcpt = arg;
		return -1;
	case O_MAIL_FROM:
		if (*arg != '\0' && (why = smtp_mailbox_problem(arg)) != NULL)
			return opt_error(g, "--mail-from", "invalid address: %s", why);
		o->mail_from = arg;
		return -1;
	case O_REQUIRE:
		lv = probe_level_parse(arg);
		if (lv < 0)
			return opt_error(g, "--require", "unknown level '%s' (expected "
			    "opportunistic, encrypt, verify, dane, mta-sts, secure)", arg);
		o->require |= 1u << lv;
		return -1;
	case O_TRANSCRIPT:
		o->transcript = true;
		return -1;
	case O_NO_PEM:
		o->no_pem = true;
		return -1;
	case O_NO_MTA_STS:
		o->no_mta_sts = true;
		return -1;
	case O_NO_DANE:
		o->no_dane = true;
		return -1;
	case O_WARN_DAYS:
		if (!parse_uint(arg, 3650, &n))
			return opt_error(g, "--warn-days", "invalid number of days '%s'", arg);
		o->warn_days = (int)n;
		return -1;
	case O_MIN_TLS:
		if (strcmp(arg, "1.0") == 0)
			o->min_tls = TLS1_VERSION;
		else if (strcmp(arg, "1.1") == 0)
			o->min_tls = TLS1_1_VERSION;
		else if (strcmp(arg, "1.2") == 0)
			o->min_tls = TLS1_2_VERSION;
		else if (strcmp(arg, "1.3") == 0)
			o->min_tls = TLS1_3_VERSION;
		else
			return opt_error(g, "--min-tls", "unknown version '%s' (expected "
			    "1.0, 1.1, 1.2 or 1.3)", arg);
		return -1;
	case O_TLS_DOMAIN:
		if (!ascii_is_hostname(arg))
			return opt_error(g, "--tls-domain", "invalid name (expected a "
			    "host name)");
		o->tls_domain = arg;
		return -1;
	case O_ALLOW_PRIVATE:
		o->allow_private = true;
		return -1;
	case O_RCPT_ALL:
		o->rcpt_all = true;
		return -1;
	case O_IGNORE:
		if (o->nignore >= PROBE_MAX_IGNORE)
			return opt_error(g, "--ignore", "at most 32 patterns");
		o->ignore[o->nignore++] = arg;
		return -1;
	case O_STRICT:
		o->strict = true;
		return -1;
	case 'f':
		if (access(arg, R_OK) != 0)
			return cmd_error(g, EXIT_USAGE, "config", "options",
			    "--domains: cannot read '%s'", arg);
		*domains = arg;
		return -1;
	case O_PARALLEL:
		if (!parse_uint(arg, 256, &n) || n == 0)
			return opt_error(g, "--parallel", "invalid number '%s' (1-256)", arg);
		*parallel = (unsigned)n;
		return -1;
	case O_NAGIOS:
		g->nagios = true;
		return -1;
	case O_SCAN:
		o->scan = true;
		return -1;
	case O_CATCHALL:
		o->catchall = true;
		return -1;
	case O_CLEARTEXT:
		o->cleartext = true;
		return -1;
	case O_JSON:
		g->json = true;
		return -1;
	case O_COLOR:
		if (arg == NULL || strcmp(arg, "always") == 0)
			g->color = COLOR_ALWAYS;
		else if (strcmp(arg, "auto") == 0)
			g->color = COLOR_AUTO;
		else if (strcmp(arg, "never") == 0)
			g->color = COLOR_NEVER;
		else
			return opt_error(g, "--color", "unknown value '%s' (expected auto, "
			    "always or never)", arg);
		return -1;
	case 'v':
		g->verbose++;
		return -1;
	case 'q':
		g->quiet = true;
		return -1;
	case O_HELP:
		fputs(probe_usage, stdout);
		return EXIT_PASS;
	default:
		return -2;
	}
}

int
cmd_probe(int argc, char **argv, struct global_opts *g)
{
	struct probe_options o;
	struct probe_result *r = NULL;
	const char *domains = NULL;
	unsigned parallel = 4;
	char errmsg[300];
	enum st_err err;
	int c, rc;

	probe_options_init(&o);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":46f:vq", probe_options, NULL)) != -1) {
		if (c == '?')
			return bad_option(g, argv[optind - 1]);
		if (c == ':')
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "option '%s' needs a value", argv[optind - 1]);
		rc = parse_one(c, optarg, &o, g, &domains, &parallel);
		if (rc >= 0)
			return rc;
	}
	if (domains != NULL) {
		if (optind < argc || o.host != NULL || o.rcpt != NULL)
			return cmd_error(g, EXIT_USAGE, "usage", "options", "--domains "
			    "excludes a target, --host and --rcpt");
	} else if (o.host != NULL) {
		if (optind < argc)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "--host and a target ('%s') exclude each other", argv[optind]);
	} else if (optind != argc - 1)
		return cmd_error(g, EXIT_USAGE, "usage", "options", optind >= argc ?
		    "no target given (see smtptls probe --help)" :
		    "more than one target given");
	else
		o.target = argv[optind];
	/* report.md 8: naming a level that an option leaves out is a usage
	 * error, not a silent pass. */
	if ((o.require & (1u << LEVEL_DANE)) && (o.no_dane ||
	    (o.host != NULL && (o.host[0] == '[' || strspn(o.host, "0123456789.:") ==
	    strlen(o.host)))))
		return cmd_error(g, EXIT_USAGE, "usage", "options", "--require dane: "
		    "%s leaves DANE out", o.no_dane ? "--no-dane" : "an address literal");
	if ((o.require & ((1u << LEVEL_MTASTS) | (1u << LEVEL_SECURE))) &&
	    (o.no_mta_sts || o.host != NULL))
		return cmd_error(g, EXIT_USAGE, "usage", "options", "--require %s: %s "
		    "leaves MTA-STS out", (o.require & (1u << LEVEL_MTASTS)) ?
		    "mta-sts" : "secure", o.no_mta_sts ? "--no-mta-sts" : "--host");
	if ((o.require & (1u << LEVEL_SECURE)) && o.no_dane)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "--require secure: --no-dane leaves DANE out");
	/* Both extra probes repeat the address test: they need a mailbox. */
	if ((o.catchall || o.cleartext) && o.rcpt == NULL &&
	    (o.target == NULL || strchr(o.target, '@') == NULL))
		return cmd_error(g, EXIT_USAGE, "usage", "options", "%s needs an "
		    "address to test (USER@DOMAIN or --rcpt)", o.catchall ?
		    "--catchall" : "--cleartext");
	if (!o.ipv4 && !o.ipv6)
		return cmd_error(g, EXIT_USAGE, "usage", "options", "-4 and -6 exclude each other");

	if (domains != NULL)
		return cmd_probe_batch(domains, parallel, &o, g);
	err = probe_run(&o, &r, errmsg, sizeof(errmsg));
	if (err == ST_ERR_INVAL)
		return cmd_error(g, EXIT_USAGE, "config", "options", "%s", errmsg);
	if (err != ST_OK)
		return cmd_error(g, EXIT_INTERNAL, err == ST_ERR_NOMEM ? "out-of-memory" :
		    "internal", "internal", "probe failed: %s%s%s", st_strerror(err),
		    errmsg[0] ? ": " : "", errmsg);
	/* -v: the dialogue goes to stderr, stdout keeps only the report. */
	if (g->verbose > 0) {
		char *t = report_transcript_render(r);

		if (t != NULL)
			fputs(t, stderr);
		free(t);
	}
	rc = cmd_probe_report(r, g);
	probe_result_free(r);
	return rc;
}
