/*
 * probe_cmd.h - pieces of "smtptls probe" shared by cmd/probe.c (options,
 * one target), cmd/probe_batch.c (--domains) and cmd/probe_print.c.
 */
#ifndef SMTPTLS_PROBE_CMD_H
#define SMTPTLS_PROBE_CMD_H

#include "cmd.h"
#include "smtptls/probe.h"

/* Parse the options of "smtptls probe" (cli.md) into o, *domains and
 * *parallel. Returns -1 when the command goes on (optind is at the first
 * operand), else the exit code (usage error reported, or --help shown). */
int probe_opts_parse(int argc, char **argv, struct probe_options *o,
    struct global_opts *g, const char **domains, unsigned *parallel);

/* Print the report of r as the global options ask (human, JSON, quiet,
 * --nagios) and return the exit code to use. */
int cmd_probe_report(const struct probe_result *r, const struct global_opts *g);

/* Probe every target listed in file, at most parallel at once. */
int cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, struct global_opts *g);

/* batch_share.c: before a --domains run, o->share for all its probes (-1,
 * or an exit code when out of memory); after it, with -v, what sharing
 * saved on stderr, and o->share freed. */
int batch_share_begin(struct probe_options *o, struct global_opts *g);
void batch_share_end(struct probe_options *o, const struct global_opts *g);

#endif
