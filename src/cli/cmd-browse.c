/* cmd-browse: mlpkg browse [--mouse] [--view NAME] [MODEL]: the ncurses
 * browser (src/ui*.c). */
#include "ui/browse.h"
#include "cli/commands.h"
#include "base/error.h"
#include <stdlib.h>
#include <string.h>

int cmd_browse(int argc, char **argv)
{
	const struct cmd *self = cmd_find("browse");
	/* the mouse is the terminal's unless asked for: capturing it stops
	 * the selection of text */
	struct browse_opts o = { .mouse = 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'm': o.mouse = 1; break;
		case 'M': o.mouse = 0; break;
		case 'v': o.view = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	if (o.view && strcmp(o.view, "overview") && strcmp(o.view, "layers") && strcmp(o.view, "metadata") &&
	    strcmp(o.view, "weights") && strcmp(o.view, "tree"))
		return cmd_usage(self, "no view '%s' (overview, layers, metadata, weights, tree)", o.view);
	if (argc - optind > 1)
		return cmd_usage(self, "browse takes one model");
	char *def = NULL;
	const char *path = optind < argc ? argv[optind] : NULL;
	if (!path) {
		def = mlpkg_default_model();
		if (!def)
			return last_error_code();
		path = def;
	}
	int rc = browse_run(path, &o);
	free(def);
	return rc;
}
