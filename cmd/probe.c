/*
 * probe.c - "smtptls probe": the options (probe_opts.c) and the rules
 * between them, run the probe, print the report and return its exit code.
 */
#include "probe_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "buf.h"
#include "smtptls/probe.h"
#include "st_limits.h"

#include "banned.h"

/* operands - the target, or the reason there is none (NULL when fine) */
static const char *
operands(int argc, char **argv, struct probe_options *o, const char *domains,
    char *why, size_t len)
{
	if (domains != NULL) {
		if (optind < argc || o->host != NULL || o->rcpt != NULL)
			return "--domains excludes a target, --host and --rcpt";
	} else if (o->host != NULL) {
		if (optind < argc) {
			snprintf(why, len,
			    "--host and a target ('%s') exclude each other",
			    argv[optind]);
			return why;
		}
	} else if (optind != argc - 1)
		return optind >= argc
		           ? "no target given (see smtptls probe --help)"
		           : "more than one target given";
	else
		o->target = argv[optind];
	return NULL;
}

/* combination - options that exclude each other (NULL when none); report.md
 * 8: naming a level that an option leaves out is a usage error, not a
 * silent pass */
static const char *
combination(const struct probe_options *o, char *why, size_t len)
{
	bool literal = o->host != NULL &&
	               (o->host[0] == '[' ||
	                   strspn(o->host, "0123456789.:") == strlen(o->host));

	if ((o->require & (1u << LEVEL_DANE)) && (o->no_dane || literal)) {
		snprintf(why, len, "--require dane: %s leaves DANE out",
		    o->no_dane ? "--no-dane" : "an address literal");
		return why;
	}
	if ((o->require & ((1u << LEVEL_MTASTS) | (1u << LEVEL_SECURE))) &&
	    (o->no_mta_sts || o->host != NULL)) {
		snprintf(why, len, "--require %s: %s leaves MTA-STS out",
		    (o->require & (1u << LEVEL_MTASTS)) ? "mta-sts" : "secure",
		    o->no_mta_sts ? "--no-mta-sts" : "--host");
		return why;
	}
	if ((o->require & (1u << LEVEL_SECURE)) && o->no_dane)
		return "--require secure: --no-dane leaves DANE out";
	/* Both extra probes repeat the address test: they need a mailbox. */
	if ((o->catchall || o->cleartext) && o->rcpt == NULL &&
	    (o->target == NULL || strchr(o->target, '@') == NULL)) {
		snprintf(why, len,
		    "%s needs an address to test (USER@DOMAIN or --rcpt)",
		    o->catchall ? "--catchall" : "--cleartext");
		return why;
	}
	if (!o->ipv4 && !o->ipv6)
		return "-4 and -6 exclude each other";
	if (o->dnssec == PROBE_DNSSEC_RESOLVER && o->trust_anchor != NULL)
		return "--trust-anchor: --dnssec resolver validates nothing "
		       "locally";
	return NULL;
}

/* env - a variable's value, NULL when unset or empty */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* cmd_probe_env - what the environment says (read here, never in src/):
 * SMTPTLS_RESOLV_CONF replaces /etc/resolv.conf (for tests); OpenSSL's
 * SSL_CERT_FILE and SSL_CERT_DIR name the default trust store */
void
cmd_probe_env(struct probe_options *o)
{
	o->resolv_conf = env("SMTPTLS_RESOLV_CONF");
	o->ca_env_file = env(X509_get_default_cert_file_env());
	o->ca_env_dir = env(X509_get_default_cert_dir_env());
}

/* batch_combination - what --resume, --shard and --html need (NULL when
 * fine) */
static const char *
batch_combination(const char *domains, const struct probe_out_opts *out,
    const struct global_opts *g)
{
	/* One page per target: a batch would need a page per domain (or one
	 * huge page); say so rather than write only one of them. */
	if (domains != NULL && g->html != NULL)
		return "--html writes the page of one target; it cannot be "
		       "combined with --domains";
	if (out->resume && (domains == NULL || out->output == NULL))
		return "--resume needs --domains and --output";
	if (out->sharded && domains == NULL)
		return "--shard needs --domains";
	return NULL;
}

/* report_to_file - -o FILE for one target: the report as the options ask
 * it (never coloured unless --color=always), written in one piece */
static int
report_to_file(const struct probe_result *r, const struct global_opts *g,
    struct report_sink *sink)
{
	struct global_opts fg = *g;
	struct buf text;
	int code, rc;

	if (fg.color == COLOR_AUTO)
		fg.color = COLOR_NEVER;
	buf_init(&text, REPORT_TEXT_MAX);
	if ((code = cmd_probe_report_text(r, &fg, &text)) < 0) {
		buf_release(&text);
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "out of memory while rendering the report");
	}
	if ((rc = report_sink_write(sink, text.data, text.len)) == 0)
		rc = report_sink_close(sink);
	buf_release(&text);
	if (rc != 0)
		return cmd_error(g, EXIT_INCOMPLETE, "config", "internal",
		    "--output: cannot write '%s': %s", sink->path,
		    strerror(rc));
	return code;
}

/* abandon_outputs - no report: close -o FILE (nothing was written) and
 * remove the --html page (an empty file would look like one) */
static void
abandon_outputs(struct report_sink *sink, FILE *html,
    const struct global_opts *g)
{
	(void)report_sink_close(sink);
	if (html != NULL) {
		(void)fclose(html);    /* nothing was written to it */
		(void)unlink(g->html); /* best effort; the error says why */
	}
}

/* print_transcript - -v: the dialogue goes to stderr, stdout keeps only
 * the report */
static void
print_transcript(const struct probe_result *r, const struct global_opts *g)
{
	char *t;

	if (g->verbose <= 0 || (t = report_transcript_render(r)) == NULL)
		return;
	fputs(t, stderr);
	free(t);
}

int
cmd_probe(int argc, char **argv, struct global_opts *g)
{
	struct probe_options o;
	struct probe_result *r = NULL;
	FILE *html = NULL;
	const char *domains = NULL, *why;
	struct probe_out_opts out = { 0 };
	struct report_sink sink = { .fd = -1 };
	unsigned parallel = 4;
	char errmsg[300];
	enum st_err err;
	int rc;

	probe_options_init(&o);
	cmd_probe_env(&o);
	if ((rc = probe_opts_parse(argc, argv, &o, g, &domains, &parallel,
	         &out)) >= 0)
		return rc;
	if ((why = operands(argc, argv, &o, domains, errmsg, sizeof(errmsg))) !=
	        NULL ||
	    (why = combination(&o, errmsg, sizeof(errmsg))) != NULL ||
	    (why = batch_combination(domains, &out, g)) != NULL)
		return cmd_error(g, EXIT_USAGE, "usage", "options", "%s", why);
	if (domains != NULL) {
		if ((rc = batch_share_begin(&o, g)) < 0)
			rc = cmd_probe_batch(domains, parallel, &o, &out, g);
		batch_share_end(&o, g);
		return rc;
	}
	/* Before the probe: a name that cannot be written is a usage error,
	 * not a lost report. */
	if (out.output != NULL &&
	    (rc = report_sink_open(&sink, out.output, false)) != 0)
		return cmd_error(g, EXIT_USAGE, "config", "options",
		    "--output: cannot write '%s': %s", out.output,
		    strerror(rc));
	if (g->html != NULL && (html = cmd_probe_html_open(g, &rc)) == NULL) {
		(void)report_sink_close(&sink); /* nothing was written */
		return rc;
	}
	err = probe_run(&o, &r, errmsg, sizeof(errmsg));
	if (err != ST_OK)
		abandon_outputs(&sink, html, g);
	if (err == ST_ERR_INVAL)
		return cmd_error(g, EXIT_USAGE, "config", "options", "%s",
		    errmsg);
	if (err != ST_OK)
		return cmd_error(g, EXIT_INTERNAL,
		    err == ST_ERR_NOMEM ? "out-of-memory" : "internal",
		    "internal", "probe failed: %s%s%s", st_strerror(err),
		    errmsg[0] ? ": " : "", errmsg);
	print_transcript(r, g);
	rc = out.output != NULL ? report_to_file(r, g, &sink)
	                        : cmd_probe_report(r, g);
	if (html != NULL)
		rc = cmd_probe_html_finish(html, r, g, rc);
	probe_result_free(r);
	return rc;
}
