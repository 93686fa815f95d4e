/* ui-overview: the browser's first view, what `mlpkg info` shows, line for
 * line: the same summary (query/summary.h).  Of the model as it stands in
 * memory once it holds edits not yet saved (the view is built again after
 * each); before that, of the file opened once more, so that a damaged part
 * is reported again where the view reading it runs into it (standard
 * input, which cannot be read twice, is summarised as read). */
#include "ui/browse.h"
#include "base/error.h"
#include "base/xalloc.h"
#include "query/summary.h"
#include "query/compiled.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_lines(struct view *v, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct unode *u = un_add(v->root, "%.*s", (int)n, p);
		if (n && p[0] != ' ')
			u->attr = UA_HEAD;
		else if (n > 2 && p[2] != ' ')
			u->attr = UA_KEY;
		p += n + (nl != NULL);
	}
}

static int overview_init(struct view *v)
{
	if (ui_compiled(v)) {
		/* what info says of a compiled folder */
		char *text = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&text, &len);
		if (!fp)
			return error("cannot make the overview: out of memory");
		compiled_info_text(fp, ui_compiled(v));
		fclose(fp);
		add_lines(v, text, len);
		free(text);
		return 0;
	}
	struct mlpkg_model *m = ui_model(v), *fresh = NULL;
	struct summary s;
	int rc = EXIT_OK;
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_WATCH);
	if (m->fmt != FMT_STDIN && !m->root->dirty) {
		if (mlpkg_open(m->path, 0, &fresh) < 0) {
			un_add(v->root, "(info failed: exit %d)", error_capture_end(&cap))->attr = UA_WARN;
			return 0;
		}
		m = fresh;
	}
	int gathered = summary_gather(&s, m);
	int ec = error_capture_end(&cap);
	if (gathered < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else {
		char *text = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&text, &len);
		if (!fp) {
			summary_release(&s);
			return error("cannot make the overview: out of memory");
		}
		summary_text(fp, &s);
		fclose(fp);
		add_lines(v, text, len);
		free(text);
	}
	summary_release(&s);
	if (fresh)
		mlpkg_close(fresh);
	if (rc)
		un_add(v->root, "(info failed: exit %d)", rc)->attr = UA_WARN;
	return 0;
}

const struct view_ops overview_ops = {
	.name = "overview",
	.init = overview_init,
	.no_detail = 1,
};
