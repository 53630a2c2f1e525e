/*
 * serve_om.h - write metric families in the OpenMetrics text format
 * (1.0.0) or the Prometheus text format 0.0.4 into a struct buf. Label
 * values are escaped as both formats say (backslash, double quote,
 * newline), so no text from a peer can end a label or start a line.
 */
#ifndef SMTPTLS_SERVE_OM_H
#define SMTPTLS_SERVE_OM_H

#include "buf.h"
#include "smtptls/serve.h"

/* What one exposition costs at most: a probe of PROBE_SESSIONS_MAX
 * addresses with every check id is far below (~40 KiB). */
#define SERVE_METRICS_MAX (1024 * 1024)

enum serve_om_type { SERVE_OM_GAUGE = 0, SERVE_OM_COUNTER };

struct serve_om {
	struct buf b;
	enum serve_format f;
	const char *family; /* the family being written */
	enum serve_om_type type;
	enum st_err err; /* the first error; later calls do nothing */
};

void serve_om_init(struct serve_om *m, enum serve_format f);
/* Start a family: # TYPE, # UNIT (OpenMetrics, when unit is not NULL;
 * the name then ends in _unit) and # HELP. */
void serve_om_family(struct serve_om *m, const char *name,
    enum serve_om_type type, const char *unit, const char *help);
/* One sample of the current family: labels are nlabels name/value pairs
 * (names are ours, values anyone's). A counter's sample gets "_total". */
void serve_om_sample(struct serve_om *m, const char *const *labels,
    size_t nlabels, double value);
/* End the exposition (# EOF in OpenMetrics) and hand the text over:
 * ST_OK with *out, or the first error (nothing to free). */
enum st_err serve_om_finish(struct serve_om *m, char **out)
    __attribute__((warn_unused_result));

#endif
