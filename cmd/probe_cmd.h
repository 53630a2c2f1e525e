/*
 * probe_cmd.h - pieces of "smtptls probe" shared by cmd/probe.c (options,
 * one target), cmd/probe_batch.c (--domains) and cmd/probe_print.c.
 */
#ifndef SMTPTLS_PROBE_CMD_H
#define SMTPTLS_PROBE_CMD_H

#include <stdio.h>

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

/* --html FILE: open it for writing before the probe, so that a path that
 * cannot be written is a usage error (2) before any connection; NULL after
 * reporting it (*rc is then the exit code). */
FILE *cmd_probe_html_open(const struct global_opts *g, int *rc);
/* Write r's page into f (opened for g->html) and close it; returns rc, or
 * 4 when the page could not be rendered or written (the file is then
 * removed rather than left half-written). */
int cmd_probe_html_finish(FILE *f, const struct probe_result *r,
    const struct global_opts *g, int rc);

/* Probe every target listed in file, at most parallel at once. */
int cmd_probe_batch(const char *file, unsigned parallel,
    const struct probe_options *base, struct global_opts *g);

#endif
