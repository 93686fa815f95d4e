/* cmd-dump: mlpkg dump [--json] [MODEL]: the whole tree. */
#include "cli/commands.h"
#include "spec/dump.h"
#include "base/error.h"
#include <stdio.h>

int cmd_dump(int argc, char **argv)
{
	const struct cmd *self = cmd_find("dump");
	int json = 0, c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	if (argc - optind > 1)
		return cmd_usage(self, "dump takes one model");
	struct mlpkg_model *m = cmd_open(optind < argc ? argv[optind] : NULL, 0);
	if (!m)
		return last_error_code();
	/* validate first so that nothing half-printed precedes an error */
	int rc = mt_validate(m->root);
	if (rc == 0) {
		if (json) {
			struct jw w;
			jw_init(&w, stdout);
			rc = dump_json(&w, m->root);
			jw_end(&w);
		} else {
			rc = dump_text(stdout, m->root, 0);
		}
	}
	mlpkg_close(m);
	return rc < 0 ? last_error_code() : EXIT_OK;
}
