/* ui-overview: the browser's first view, what `mlpkg info` shows, line for
 * line (the info command is run with its output captured, so the two never
 * differ; on standard input, info's printer on the model already read).
 * Metadata edits not yet saved show in the metadata view. */
#include "browse.h"
#include "commands.h"
#include "error.h"
#include "xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int overview_init(struct view *v)
{
	struct mlpkg_model *m = ui_model(v);
	FILE *tmp = tmpfile();
	if (!tmp)
		return error("cannot make a temporary file");
	fflush(stdout);
	int saved = dup(1);
	if (saved < 0) {
		fclose(tmp);
		return error("cannot duplicate standard output");
	}
	dup2(fileno(tmp), 1);
	/* a file is opened again (a damaged part then reports where the view
	 * reading it does); standard input cannot be read twice */
	char *argv[] = { "info", m->path, NULL };
	int rc = m->fmt == FMT_STDIN ? info_print_model(m) : cmd_info(2, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, tmp)) >= 0) {
		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		struct unode *u = un_add(v->root, "%s", line);
		if (line[0] && line[0] != ' ')
			u->attr = UA_HEAD;
		else if (n > 2 && line[2] != ' ')
			u->attr = UA_KEY;
	}
	free(line);
	fclose(tmp);
	if (rc)
		un_add(v->root, "(info failed: exit %d)", rc)->attr = UA_WARN;
	return 0;
}

const struct view_ops overview_ops = {
	.name = "overview",
	.init = overview_init,
	.no_detail = 1,
};
