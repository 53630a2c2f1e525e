/*
 * mhd_lib.c - libmicrohttpd's functions as smtptls uses them, forwarded to
 * the library opened on first use (mhd_lib.h). Not exported, and the
 * library is opened RTLD_LOCAL: its own calls never land here.
 */
#include "mhd_lib.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib_load.h"

#include "banned.h"

#ifndef SMTPTLS_MHD_SONAME
#error "SMTPTLS_MHD_SONAME (libmicrohttpd's SONAME) comes from the Makefile"
#endif

static struct {
	__typeof__(MHD_start_daemon_va) *start_daemon_va;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_create_response_from_buffer)
	    *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} fn;

static const struct lib_sym syms[] = {
	{ "MHD_start_daemon_va", (void **)&fn.start_daemon_va },
	{ "MHD_stop_daemon", (void **)&fn.stop_daemon },
	{ "MHD_get_connection_info", (void **)&fn.get_connection_info },
	{ "MHD_lookup_connection_value", (void **)&fn.lookup_connection_value },
	{ "MHD_create_response_from_buffer",
	    (void **)&fn.create_response_from_buffer },
	{ "MHD_add_response_header", (void **)&fn.add_response_header },
	{ "MHD_queue_response", (void **)&fn.queue_response },
	{ "MHD_destroy_response", (void **)&fn.destroy_response },
};
static struct lib_handle lib = LIB_HANDLE_INIT(SMTPTLS_MHD_SONAME, syms, NULL);

enum st_err
mhd_lib_load(char *errmsg, size_t errlen)
{
	return lib_open(&lib, errmsg, errlen);
}

/* The option list goes on as a va_list: MHD's own variadic entry does the
 * same. */
struct MHD_Daemon *
MHD_start_daemon(unsigned int flags, uint16_t port,
    MHD_AcceptPolicyCallback apc, void *apc_cls, MHD_AccessHandlerCallback dh,
    void *dh_cls, ...)
{
	struct MHD_Daemon *d;
	va_list ap;

	if (!lib_ready(&lib))
		return NULL;
	va_start(ap, dh_cls);
	d = fn.start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void
MHD_stop_daemon(struct MHD_Daemon *d)
{
	if (d != NULL && lib_ready(&lib))
		fn.stop_daemon(d);
}

/* Only info types without further arguments are asked for here
 * (MHD_CONNECTION_INFO_CLIENT_ADDRESS). */
const union MHD_ConnectionInfo *
MHD_get_connection_info(struct MHD_Connection *c,
    enum MHD_ConnectionInfoType type, ...)
{
	return lib_ready(&lib) ? fn.get_connection_info(c, type) : NULL;
}

const char *
MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
    const char *key)
{
	return lib_ready(&lib) ? fn.lookup_connection_value(c, kind, key)
	                       : NULL;
}

struct MHD_Response *
MHD_create_response_from_buffer(size_t size, void *buffer,
    enum MHD_ResponseMemoryMode mode)
{
	return lib_ready(&lib)
	           ? fn.create_response_from_buffer(size, buffer, mode)
	           : NULL;
}

enum MHD_Result
MHD_add_response_header(struct MHD_Response *r, const char *header,
    const char *content)
{
	return lib_ready(&lib) ? fn.add_response_header(r, header, content)
	                       : MHD_NO;
}

enum MHD_Result
MHD_queue_response(struct MHD_Connection *c, unsigned int status,
    struct MHD_Response *r)
{
	return lib_ready(&lib) ? fn.queue_response(c, status, r) : MHD_NO;
}

void
MHD_destroy_response(struct MHD_Response *r)
{
	if (r != NULL && lib_ready(&lib))
		fn.destroy_response(r);
}
