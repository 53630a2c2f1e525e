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

#include "smtptls/probe.h"

#include "banned.h"

int
cmd_probe(int argc, char **argv, struct global_opts *g)
{
	struct probe_options o;
	struct probe_result *r = NULL;
	const char *domains = NULL;
	unsigned parallel = 4;
	char errmsg[300];
	enum st_err err;
	int rc;

	probe_options_init(&o);
	if ((rc = probe_opts_parse(argc, argv, &o, g, &domains, &parallel)) >=
	    0)
		return rc;
	if (domains != NULL) {
		if (optind < argc || o.host != NULL || o.rcpt != NULL)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "--domains "
			    "excludes a target, --host and --rcpt");
	} else if (o.host != NULL) {
		if (optind < argc)
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "--host and a target ('%s') exclude each other",
			    argv[optind]);
	} else if (optind != argc - 1)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    optind >= argc
		        ? "no target given (see smtptls probe --help)"
		        : "more than one target given");
	else
		o.target = argv[optind];
	/* report.md 8: naming a level that an option leaves out is a usage
	 * error, not a silent pass. */
	if ((o.require & (1u << LEVEL_DANE)) &&
	    (o.no_dane ||
	        (o.host != NULL &&
	            (o.host[0] == '[' ||
	                strspn(o.host, "0123456789.:") == strlen(o.host)))))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "--require dane: "
		    "%s leaves DANE out",
		    o.no_dane ? "--no-dane" : "an address literal");
	if ((o.require & ((1u << LEVEL_MTASTS) | (1u << LEVEL_SECURE))) &&
	    (o.no_mta_sts || o.host != NULL))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "--require %s: %s "
		    "leaves MTA-STS out",
		    (o.require & (1u << LEVEL_MTASTS)) ? "mta-sts" : "secure",
		    o.no_mta_sts ? "--no-mta-sts" : "--host");
	if ((o.require & (1u << LEVEL_SECURE)) && o.no_dane)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "--require secure: --no-dane leaves DANE out");
	/* Both extra probes repeat the address test: they need a mailbox. */
	if ((o.catchall || o.cleartext) && o.rcpt == NULL &&
	    (o.target == NULL || strchr(o.target, '@') == NULL))
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "%s needs an "
		    "address to test (USER@DOMAIN or --rcpt)",
		    o.catchall ? "--catchall" : "--cleartext");
	if (!o.ipv4 && !o.ipv6)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "-4 and -6 exclude each other");

	if (domains != NULL)
		return cmd_probe_batch(domains, parallel, &o, g);
	err = probe_run(&o, &r, errmsg, sizeof(errmsg));
	if (err == ST_ERR_INVAL)
		return cmd_error(g, EXIT_USAGE, "config", "options", "%s",
		    errmsg);
	if (err != ST_OK)
		return cmd_error(g, EXIT_INTERNAL,
		    err == ST_ERR_NOMEM ? "out-of-memory" : "internal",
		    "internal", "probe failed: %s%s%s", st_strerror(err),
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
