/*
 * probe_out.c - where the reports of "smtptls probe" go: standard output
 * or -o FILE. Each report is handed over whole and written with one
 * write() on an O_APPEND descriptor, so that a run killed at any moment
 * leaves complete lines only (a write cut short by a full disk is the
 * exception --resume repairs, probe_resume.c).
 */
#include "probe_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

int
report_sink_open(struct report_sink *s, const char *path, bool append)
{
	s->path = path;
	s->fd = STDOUT_FILENO;
	if (path == NULL)
		return 0;
	s->fd = open(path,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (append ? 0 : O_TRUNC),
	    0666);
	return s->fd < 0 ? errno : 0;
}

int
report_sink_write(struct report_sink *s, const char *text, size_t len)
{
	/* stdio may hold text written before the sink was used */
	if (s->fd == STDOUT_FILENO)
		fflush(stdout);
	while (len > 0) {
		ssize_t n = write(s->fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int
report_sink_close(struct report_sink *s)
{
	int fd = s->fd;

	s->fd = -1;
	if (fd < 0 || fd == STDOUT_FILENO)
		return 0;
	return close(fd) == 0 ? 0 : errno;
}
