/* cmd-help: mlpkg help [COMMAND]. */
#include "cli/commands.h"
#include "base/error.h"
#include <stdio.h>

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: mlpkg [--version] [--help] COMMAND [ARGS]\n\nCommands:\n");
		for (const struct cmd *c = commands; c->name; c++)
			printf("  %-10s %s\n", c->name, c->summary);
		printf("\nRun 'mlpkg help COMMAND' or see mlpkg(1).\n");
		return EXIT_OK;
	}
	const struct cmd *c = cmd_find(argv[1]);
	if (!c) {
		fprintf(stderr, "mlpkg: '%s' is not a command\n", argv[1]);
		return EXIT_USAGE;
	}
	return cmd_print_help(c, stdout);
}
