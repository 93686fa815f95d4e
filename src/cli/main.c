/* main: mlpkg's entry point; everything else lives in libmlpkg. */
#include "config.h"
#include "cli/commands.h"
#include "query/meta.h"
#include "base/error.h"
#include <cjson/cJSON.h>
#include <curses.h>
#include <locale.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <string.h>
#include <zip.h>
#include "model/zipload.h"

static void usage(FILE *fp)
{
	fprintf(fp, "usage: mlpkg [--version] [--help] COMMAND [ARGS]\n\n"
		    "Inspect and edit Core ML models (.mlmodel, .mlpackage, zipped packages).\n\nCommands:\n");
	for (const struct cmd *c = commands; c->name; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fprintf(fp, "\nRun 'mlpkg COMMAND --help' or see mlpkg(1).\n");
}

static void version(void)
{
	printf("mlpkg %s\n", PACKAGE_VERSION);
	printf("protobuf-c %s, libzip %s, cJSON %s, %s\n", protobuf_c_version(), zip_libzip_version(), cJSON_Version(),
	       curses_version());
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *a = argv[1];
	if (!strcmp(a, "--version") || !strcmp(a, "-V") || !strcmp(a, "version")) {
		version();
		return EXIT_OK;
	}
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	/* for the completion scripts */
	if (!strcmp(a, "--complete-commands")) {
		for (const struct cmd *c = commands; c->name; c++)
			printf("%s\n", c->name);
		return EXIT_OK;
	}
	if (!strcmp(a, "--complete-preview-types")) {
		for (const char *const *t = preview_types; *t; t++)
			printf("%s\n", *t);
		return EXIT_OK;
	}
	if (!strcmp(a, "--complete-options") || !strcmp(a, "--complete-words")) {
		const struct cmd *c = argc > 2 ? cmd_find(argv[2]) : NULL;
		if (c) {
			const char *s = !strcmp(a, "--complete-options") ? c->options : c->words;
			for (const char *p = s; *p;) {
				size_t l = strcspn(p, " ");
				printf("%.*s\n", (int)l, p);
				p += l;
				while (*p == ' ')
					p++;
			}
		}
		return EXIT_OK;
	}
	const struct cmd *c = cmd_find(a);
	if (!c) {
		fprintf(stderr, "mlpkg: '%s' is not a command; see 'mlpkg --help'\n", a);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cmd_print_help(c, stdout);
	}
	int rc = c->fn(argc - 1, argv + 1);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mlpkg: cannot write to standard output\n");
		return rc ? rc : EXIT_FAIL;
	}
	return rc;
}
