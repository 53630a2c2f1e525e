/*
 * probe_cmd.h - pieces of "smtptls probe" shared by cmd/probe.c (options,
 * one target) and cmd/probe_batch.c (--domains).
 */
#ifndef SMTPTLS_PROBE_CMD_H
#define SMTPTLS_PROBE_CMD_H

#include "cmd.h"
#include "smtptls/probe.h"

/* Print the report of r as the global options ask (human, JSON, quiet,
 * --nagios) and return the exit code to use. */
int probe_print_report(const struct probe_result *r, const struct global_opts *g);

/* Probe every target listed in file, at most parallel at once. */
int probe_batch_run(const char *file, unsigned parallel,
    const struct probe_options *base, struct global_opts *g);

#endif
