/* commands: the command table (drives help, man page checks and
 * completions) and helpers every command uses. */
#include "commands.h"
#include "error.h"
#include "xalloc.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct cmd commands[] = {
	{ "dump", cmd_dump, "dump [--json] [MODEL]",
	  "print the whole spec tree as text or as protobuf JSON",
	  "  --json       the protobuf JSON mapping, with the schema's field names\n"
	  "               (64-bit integers as strings, bytes as base64, enums by name,\n"
	  "               default values left out)\n"
	  "MODEL is an .mlmodel, an .mlpackage folder, a zipped package or - (stdin).\n",
	  "--json --help", "" },
	{ "meta", cmd_meta,
	  "meta [list] [--json] [MODEL...]\n"
	  "meta get [--json] KEY [MODEL]\n"
	  "meta set [-o OUT] [--dry-run] KEY VALUE [MODEL...]\n"
	  "meta set [-o OUT] [--dry-run] --value-file FILE KEY [MODEL...]\n"
	  "meta rm [-o OUT] [--dry-run] KEY [MODEL...]",
	  "read and edit model metadata in place",
	  "  KEY is author, license, version, description (the standard fields), any\n"
	  "  userDefined key verbatim, or preview.type / preview.params (short for\n"
	  "  com.apple.coreml.model.preview.type / .params).\n"
	  "  --json             JSON output (list, get)\n"
	  "  -o, --output OUT   write the result to OUT instead of editing in place\n"
	  "  --dry-run          show what would change, write nothing\n"
	  "  --value-file FILE  read VALUE from FILE (- for standard input)\n"
	  "Without MODEL: $MLPKG_MODEL, the package holding the current folder, or\n"
	  "the single model in the current folder.\n",
	  "--json --output --dry-run --value-file --help",
	  "list get set rm" },
	{ "help", cmd_help, "help [COMMAND]", "show help for mlpkg or one command", "", "--help", "" },
	{ NULL, NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct cmd *cmd_find(const char *name)
{
	for (const struct cmd *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void print_usage_lines(const struct cmd *c, FILE *fp)
{
	const char *p = c->usage;
	const char *lead = "usage: ";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(fp, "%smlpkg %.*s\n", lead, (int)l, p);
		lead = "   or: ";
		p += l + (nl ? 1 : 0);
	}
}

int cmd_print_help(const struct cmd *c, FILE *fp)
{
	print_usage_lines(c, fp);
	fprintf(fp, "\n%s\n", c->summary);
	if (c->help && *c->help)
		fprintf(fp, "\n%s", c->help);
	fprintf(fp, "\nSee mlpkg(1) for details and exit codes.\n");
	return EXIT_OK;
}

int cmd_usage(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fputs("mlpkg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage_lines(c, stderr);
	return EXIT_USAGE;
}

struct mlpkg_model *cmd_open(const char *arg, int flags)
{
	char *def = NULL;
	if (!arg) {
		def = mlpkg_default_model();
		if (!def)
			return NULL;
		arg = def;
	}
	struct mlpkg_model *m;
	int r = mlpkg_open(arg, flags, &m);
	free(def);
	return r < 0 ? NULL : m;
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

int worse(int a, int b)
{
	return a ? a : b;
}
