/*
 * err.h - library error codes.
 *
 * Library functions return enum st_err; 0 is success. Values are stable and
 * never reused. st_strerror() names every code; the one-line detail of a
 * failure lives in the object that failed (its errmsg field).
 */
#ifndef SMTPTLS_ERR_H
#define SMTPTLS_ERR_H

enum st_err {
	ST_OK = 0,
	ST_ERR_NOMEM = 1,     /* allocation failed */
	ST_ERR_LIMIT = 2,     /* a size or count limit was reached */
	ST_ERR_PROTO = 3,     /* peer broke the protocol */
	ST_ERR_TIMEOUT = 4,   /* a step ran past its deadline */
	ST_ERR_IO = 5,        /* socket or file error (errno kept) */
	ST_ERR_TLS = 6,       /* TLS library error */
	ST_ERR_DNS = 7,       /* DNS lookup failed */
	ST_ERR_HTTP = 8,      /* HTTPS fetch failed */
	ST_ERR_PARSE = 9,     /* malformed input (record, policy, option) */
	ST_ERR_CLOSED = 10,   /* peer closed the connection */
	ST_ERR_INVAL = 11,    /* invalid argument from the caller */
	ST_ERR_DEADLINE = 12, /* the whole-run deadline was reached */
	ST_ERR_INTERNAL = 13, /* a broken invariant */
	ST_ERR__COUNT
};

/* Short constant text for an error code; never NULL. */
const char *st_strerror(enum st_err err);

#endif
