/* cmd-graph: mlpkg graph [--format dot|mermaid] [--consts] [--grep REGEX]
 * [--around NAME [--depth N]] [-o FILE] [MODEL]: the data flow as a picture. */
#include "cli/commands.h"
#include "base/error.h"
#include "analyze/graph.h"
#include "base/xalloc.h"
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base_name(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	const char *s = p + n;
	while (s > p && s[-1] != '/')
		s--;
	return s;
}

int cmd_graph(int argc, char **argv)
{
	const struct cmd *self = cmd_find("graph");
	enum graph_format fmt = GRAPH_DOT;
	const char *grep = NULL, *around = NULL, *out = NULL;
	int consts = 0, depth = 2, depth_given = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "dot"))
				fmt = GRAPH_DOT;
			else if (!strcmp(optarg, "mermaid"))
				fmt = GRAPH_MERMAID;
			else
				return cmd_usage(self, "unknown format '%s' (dot or mermaid)", optarg);
			break;
		case 'c': consts = 1; break;
		case 'g': grep = optarg; break;
		case 'a': around = optarg; break;
		case 'd': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < 0 || v > 1000000)
				return cmd_usage(self, "bad depth '%s'", optarg);
			depth = (int)v;
			depth_given = 1;
			break;
		}
		case 'o': out = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	if (argc - optind > 1)
		return cmd_usage(self, "graph takes one model");
	if (grep && around)
		return cmd_usage(self, "--grep and --around do not go together");
	if (depth_given && !around)
		return cmd_usage(self, "--depth goes with --around");
	regex_t re;
	if (grep && cmd_regcomp(self, &re, grep) < 0)
		return EXIT_USAGE;
	struct mlpkg_model *m = cmd_open(optind < argc ? argv[optind] : NULL, 0);
	int rc = EXIT_OK;
	struct graph g;
	memset(&g, 0, sizeof(g));
	g.consts = consts;
	int built = 0, ec = EXIT_OK;
	if (m) {
		struct error_capture cap;
		error_capture_begin(&cap, ERRCAP_WATCH);
		built = graph_build(&g, m->root);
		ec = error_capture_end(&cap);
	}
	if (!m) {
		rc = last_error_code();
	} else if (built < 0 || ec != EXIT_OK) {
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else if (graph_select(&g, grep ? &re : NULL, around, depth) < 0) {
		error_code(EXIT_NOTFOUND, "'%s': no layer, operation, feature or value named '%s'", m->path, around);
		rc = EXIT_NOTFOUND;
	} else {
		g.title = xstrdup(base_name(m->path));
		/* written to a buffer first: nothing half-written on error */
		char *buf = NULL;
		size_t len = 0;
		FILE *mem = open_memstream(&buf, &len);
		if (!mem)
			die(EXIT_FAIL, "out of memory");
		graph_write(&g, fmt, mem);
		fclose(mem);
		if (out) {
			FILE *fp = fopen(out, "wb");
			if (!fp || fwrite(buf, 1, len, fp) != len || fclose(fp) != 0) {
				rc = EXIT_WRITE;
				error_code(EXIT_WRITE, "'%s': cannot write", out);
			}
		} else {
			fwrite(buf, 1, len, stdout);
		}
		free(buf);
	}
	graph_release(&g);
	mlpkg_close(m);
	if (grep)
		regfree(&re);
	return rc;
}
