/*
 * diff.c - "smtptls diff OLD.json NEW.json": read two probe reports, let
 * report_diff() (src/report/report_diff.c) say what changed that matters,
 * print it as text or, with --json, as a diff document. Exit 1 when a
 * policy level got worse, 0 otherwise, 2 when an input cannot be read or
 * is not a probe report of one target, 4 when out of memory.
 */
#include "cmd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "buf.h"
#include "report_diff.h"

#include "banned.h"

/* A probe report with every PEM of a large domain stays well below this;
 * the cap keeps a wrong file (a disk image) from being read whole. */
#define DIFF_INPUT_MAX (64u * 1024 * 1024)

static const char diff_usage[] =
    "usage: smtptls diff [options] OLD.json NEW.json\n"
    "\n"
    "  --json                   the changes as a JSON document\n"
    "  --help                   this text\n"
    "\n"
    "Exit 1 when a policy level got worse, 0 otherwise, 2 on unreadable\n"
    "or invalid input. See smtptls(1).\n";

/* load - the JSON document in path, or NULL after reporting why (*rc) */
static cJSON *
load(const char *path, const struct global_opts *g, int *rc)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;
	enum st_err err = ST_OK;
	cJSON *doc = NULL;

	if (f == NULL) {
		*rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "diff: cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, DIFF_INPUT_MAX);
	while (err == ST_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		err = buf_add(&b, chunk, n);
	if (err == ST_OK && ferror(f))
		*rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "diff: cannot read '%s': read error", path);
	else if (err == ST_ERR_NOMEM)
		*rc = cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "diff: out of memory reading '%s'", path);
	else if (err != ST_OK)
		*rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "diff: '%s' is larger than %u MiB", path,
		    DIFF_INPUT_MAX >> 20);
	else if ((doc = cJSON_ParseWithLength(b.data ? b.data : "", b.len)) ==
	         NULL)
		*rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "diff: '%s' is not one JSON document", path);
	(void)fclose(f); /* opened for reading: nothing to lose */
	buf_release(&b);
	return doc;
}

/* parse_opts - --json, --help; -1 to go on, else the exit code */
static int
parse_opts(int argc, char **argv, struct global_opts *g)
{
	static const struct option longs[] = { { "json", no_argument, NULL,
		                                   'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int v;

	opterr = 0;
	optind = 1;
	while ((v = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
		if (v == 'j')
			g->json = true;
		else if (v == 'h') {
			fputs(diff_usage, stdout);
			return EXIT_PASS;
		} else
			return cmd_error(g, EXIT_USAGE, "usage", "options",
			    "unknown option '%s' (see smtptls diff --help)",
			    argv[optind - 1]);
	}
	if (argc - optind != 2)
		return cmd_error(g, EXIT_USAGE, "usage", "options",
		    "diff needs two reports, OLD.json and NEW.json (see "
		    "smtptls diff --help)");
	return -1;
}

/* print - the changes as the options ask; the exit code */
static int
print(const struct diff_list *l, const cJSON *old, const cJSON *new,
    const struct global_opts *g)
{
	int code = l->level_worse ? EXIT_FAIL : EXIT_PASS;
	char *out = NULL;

	if (g->json) {
		cJSON *d = report_diff_json(l, old, new, code);

		out = d ? cJSON_PrintUnformatted(d) : NULL;
		cJSON_Delete(d);
	} else
		out = report_diff_text(l, old, new);
	if (out == NULL)
		return cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "diff: out of memory while rendering");
	fputs(out, stdout);
	if (g->json)
		fputc('\n', stdout);
	free(out);
	return code;
}

int
cmd_diff(int argc, char **argv, struct global_opts *g)
{
	cJSON *old = NULL, *new = NULL;
	struct diff_list l;
	char why[300];
	enum st_err err;
	int rc;

	if ((rc = parse_opts(argc, argv, g)) >= 0)
		return rc;
	if ((old = load(argv[optind], g, &rc)) == NULL ||
	    (new = load(argv[optind + 1], g, &rc)) == NULL) {
		cJSON_Delete(old);
		return rc;
	}
	diff_list_init(&l);
	err = report_diff(old, new, &l, why, sizeof(why));
	if (err == ST_ERR_PARSE)
		rc = cmd_error(g, EXIT_USAGE, "config", "options", "diff: %s",
		    why);
	else if (err != ST_OK)
		rc = cmd_error(g, EXIT_INTERNAL, "out-of-memory", "internal",
		    "diff: %s", st_strerror(err));
	else
		rc = print(&l, old, new, g);
	diff_list_release(&l);
	cJSON_Delete(old);
	cJSON_Delete(new);
	return rc;
}
