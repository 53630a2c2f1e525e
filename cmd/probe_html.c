/*
 * probe_html.c - "probe --html FILE": the file's side of the HTML page.
 * The page itself comes from src/report/report_html.c; this opens the file
 * before the probe starts (a bad path is a usage error, not a surprise
 * after a minute of probing) and writes the page after it ended.
 */
#include "probe_cmd.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "report_html.h"

#include "banned.h"

/* A page is a few hundred KiB even for many addresses with long chains;
 * the cap only stops a runaway renderer. */
#define HTML_PAGE_MAX (16u * 1024 * 1024)

FILE *
cmd_probe_html_open(const struct global_opts *g, int *rc)
{
	FILE *f = fopen(g->html, "w");

	if (f == NULL)
		*rc = cmd_error(g, EXIT_USAGE, "config", "options",
		    "--html: cannot write '%s': %s", g->html, strerror(errno));
	return f;
}

int
cmd_probe_html_finish(FILE *f, const struct probe_result *r,
    const struct global_opts *g, int rc)
{
	struct buf page;
	enum st_err err;
	int saved = 0;

	buf_init(&page, HTML_PAGE_MAX);
	err = report_html_render(r, &page);
	if (err == ST_OK && fwrite(page.data, 1, page.len, f) != page.len)
		saved = errno;
	if (fclose(f) != 0 && saved == 0)
		saved = errno;
	buf_release(&page);
	if (err == ST_OK && saved == 0)
		return rc;
	/* unlink may fail too; the message below already says the page is
	 * not usable */
	(void)unlink(g->html);
	if (err != ST_OK)
		return cmd_error(g, EXIT_INTERNAL,
		    err == ST_ERR_NOMEM ? "out-of-memory" : "internal",
		    "internal", "--html: cannot render the page: %s",
		    st_strerror(err));
	return cmd_error(g, EXIT_INTERNAL, "internal", "internal",
	    "--html: cannot write '%s': %s", g->html, strerror(saved));
}
