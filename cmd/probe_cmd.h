/*
 * probe_cmd.h - pieces of "smtptls probe" shared by cmd/probe.c (options,
 * one target), cmd/probe_batch.c (--domains) and cmd/probe_print.c.
 */
#ifndef SMTPTLS_PROBE_CMD_H
#define SMTPTLS_PROBE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cmd.h"
#include "smtptls/probe.h"

/* -o/--output, --resume, --shard (cli.md, "Added for the next
 * capabilities"): where the report goes and which entries of a list run. */
/* The text of "smtptls probe --help" (probe_usage.c). */
extern const char probe_usage[];

struct probe_out_opts {
	const char *output; /* -o FILE, or NULL: stdout */
	bool resume;        /* --resume: append, skip what FILE has */
	bool sharded;       /* --shard I/N given */
	unsigned shard_i, shard_n;
};

/* Where reports go (probe_out.c): standard output or -o FILE. */
struct report_sink {
	int fd;
	const char *path; /* NULL: standard output */
};

/* Open the sink for path (NULL: standard output): appending with --resume,
 * else from empty. 0 or the errno of the failure. */
int report_sink_open(struct report_sink *s, const char *path, bool append);
/* Write len octets of text, a whole report, with one write() where the
 * system allows; 0 or an errno. */
int report_sink_write(struct report_sink *s, const char *text, size_t len);
int report_sink_close(struct report_sink *s);

struct batch_keyset;

/* The progress line of a list run (probe_progress.c); the caller counts. */
struct probe_progress {
	bool on;             /* standard error is a terminal */
	size_t total;        /* lines of the list, 0 when unknown */
	size_t lines;        /* lines read */
	size_t done;         /* entries with a result */
	size_t failed;       /* results with an exit code other than 0 */
	long long t0, drawn; /* CLOCK_MONOTONIC ms */
};

/* on: wanted at all (not with --quiet); drawn only on a terminal. */
void probe_progress_init(struct probe_progress *p, const char *list, bool on);
/* Redraw (at most five times a second unless final; final ends the line). */
void probe_progress_draw(struct probe_progress *p, bool final);
/* Clear the line before another message on standard error. */
void probe_progress_clear(const struct probe_progress *p);

/*
 * --resume: add the key of every document of the JSON Lines file path to
 * seen (batch.h: the domain, an address's input, an invalid entry's
 * target.input) and count them in *docs. A last line without its LF (a
 * write cut short) is cut off the file, and *torn says so. A missing file
 * is an empty one. Returns -1 when the run goes on, else the exit code of
 * the error it reported (not JSON Lines of smtptls: 2; out of memory: 4).
 */
int probe_resume_load(const char *path, struct batch_keyset *seen, size_t *docs,
    bool *torn, const struct global_opts *g);

/* Parse the options of "smtptls probe" (cli.md) into o, *domains,
 * *parallel and *out. Returns -1 when the command goes on (optind is at the
 * first operand), else the exit code (usage error reported, or --help
 * shown). */
int probe_opts_parse(int argc, char **argv, struct probe_options *o,
    struct global_opts *g, const char **domains, unsigned *parallel,
    struct probe_out_opts *out);

/* Fill what the environment says into o (SMTPTLS_RESOLV_CONF,
 * SSL_CERT_FILE, SSL_CERT_DIR); probe and serve read it alike. */
void cmd_probe_env(struct probe_options *o);

/* Print the report of r as the global options ask (human, JSON, quiet,
 * --nagios) and return the exit code to use. */
int cmd_probe_report(const struct probe_result *r, const struct global_opts *g);

/* --html FILE: open it for writing before the probe, so that a path that
 * cannot be written is a usage error (2) before any connection; NULL after
 * reporting it (*rc is then the exit code). */
FILE *cmd_probe_html_open(const struct global_opts *g, int *rc);
/* Write r's page into f (opened for g->html) and close it; returns rc, or
 * 4 when the page could not be rendered or written (the file is then
 * removed rather than left half-written). */
int cmd_probe_html_finish(FILE *f, const struct probe_result *r,
    const struct global_opts *g, int rc);

/* The same report as text appended to out (a JSON document ends in LF);
 * its exit code, or -1 when out of memory. */
struct buf;
int cmd_probe_report_text(const struct probe_result *r,
    const struct global_opts *g, struct buf *out);

/* Probe every target listed in file, at most parallel at once; the
 * reports go where out says (cmd/probe_batch.c). */
int cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, const struct probe_out_opts *out,
    struct global_opts *g);

/* batch_share.c: before a --domains run, o->share for all its probes (-1,
 * or an exit code when out of memory); after it, with -v, what sharing
 * saved on stderr, and o->share freed. */
int batch_share_begin(struct probe_options *o, struct global_opts *g);
void batch_share_end(struct probe_options *o, const struct global_opts *g);

#endif
