/*
 * err.c - names of the library error codes.
 */
#include "smtptls/err.h"

#include <assert.h>
#include <stddef.h>

#include "banned.h"

static const char *const err_names[] = {
	[ST_OK] = "success",
	[ST_ERR_NOMEM] = "out of memory",
	[ST_ERR_LIMIT] = "size limit reached",
	[ST_ERR_PROTO] = "protocol error",
	[ST_ERR_TIMEOUT] = "timed out",
	[ST_ERR_IO] = "input/output error",
	[ST_ERR_TLS] = "TLS error",
	[ST_ERR_DNS] = "DNS lookup failed",
	[ST_ERR_HTTP] = "HTTPS fetch failed",
	[ST_ERR_PARSE] = "malformed input",
	[ST_ERR_CLOSED] = "connection closed by peer",
	[ST_ERR_INVAL] = "invalid argument",
	[ST_ERR_DEADLINE] = "run deadline reached",
	[ST_ERR_INTERNAL] = "internal error",
};
static_assert(sizeof(err_names) / sizeof(err_names[0]) == ST_ERR__COUNT,
    "err_names must name every enum st_err value");

const char *
st_strerror(enum st_err err)
{
	if ((int)err < 0 || err >= ST_ERR__COUNT || err_names[err] == NULL)
		return "unknown error";
	return err_names[err];
}
