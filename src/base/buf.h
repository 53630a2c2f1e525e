/*
 * buf.h - a growable byte buffer with a hard size limit.
 *
 * The limit is fixed at buf_init(); growing past it returns ST_ERR_LIMIT and
 * leaves the buffer unchanged and safe to reuse or release. The data is
 * always followed by a NUL byte (not counted in len) so that text can be
 * handed to string functions after the caller has checked for embedded NULs.
 */
#ifndef SMTPTLS_BUF_H
#define SMTPTLS_BUF_H

#include <stddef.h>

#include "smtptls/err.h"

struct buf {
	char *data; /* NULL until the first append */
	size_t len; /* bytes in use */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
/* Keep the allocation, drop the contents. */
void buf_reset(struct buf *b);
enum st_err buf_add(struct buf *b, const void *p, size_t n)
    __attribute__((warn_unused_result));
enum st_err buf_addstr(struct buf *b, const char *s)
    __attribute__((warn_unused_result));
enum st_err buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* Make room for n more bytes and the NUL, for a caller that writes into
 * data + len itself (and then adds what it wrote to len). */
enum st_err buf_reserve(struct buf *b, size_t n)
    __attribute__((warn_unused_result));
/* Remove the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Hand the data to the caller (who frees it); the buffer is left empty. */
char *buf_take(struct buf *b);

#endif
