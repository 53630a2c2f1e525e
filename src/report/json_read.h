/*
 * json_read.h - typed reads of a member of a parsed report document, for
 * the code that reads documents back (the HTML page, the change report,
 * the exporter's metrics). A member that is missing or of another type
 * reads as "absent", never as an error: the documents are smtptls's own,
 * checked against the schema by the tests, and a reader shows less rather
 * than failing on an older document.
 */
#ifndef SMTPTLS_JSON_READ_H
#define SMTPTLS_JSON_READ_H

#include <cJSON.h>

/* Member key of o; NULL when o is NULL or has no such member. */
const cJSON *json_get(const cJSON *o, const char *key);
/* Member key of o as a string, or NULL (missing, null, not a string). */
const char *json_str(const cJSON *o, const char *key);
/* Member key of o as a count (0 to 10^15); -1 when missing, not a number
 * or out of that range. */
long json_count(const cJSON *o, const char *key);

#endif
