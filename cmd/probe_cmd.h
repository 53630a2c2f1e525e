/*
 * probe_cmd.h - pieces of "smtptls probe" shared by cmd/probe.c (options,
 * one target), cmd/probe_batch.c (--domains) and cmd/probe_print.c.
 */
#ifndef SMTPTLS_PROBE_CMD_H
#define SMTPTLS_PROBE_CMD_H

#include "cmd.h"
#include "smtptls/probe.h"

/* Print the report of r as the global options ask (human, JSON, quiet,
 * --nagios) and return the exit code to use. */
int cmd_probe_report(const struct probe_result *r, const struct global_opts *g);

/* Probe every target listed in file, at most parallel at once. */
int cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, struct global_opts *g);

#endif
