/* complete: the hidden entry points the completion scripts and the tests
 * ask, answered from the command table and the commands' option tables.
 *
 *   mlpkg __complete WORD... CUR  candidates for CUR, the word being typed
 *                                 after "mlpkg WORD...", one a line, those
 *                                 starting with CUR; the lines ":file",
 *                                 ":dir" and ":model" ask the shell for any
 *                                 file, a folder, or a model (.mlmodel, zip,
 *                                 folder) instead
 *   mlpkg __options [COMMAND...]  every option, one a line: command, --long,
 *                                 -s or empty, value name or empty, what
 *                                 completes the value or empty, tab-separated
 *   mlpkg --complete-commands     the commands
 *   mlpkg --complete-options CMD  CMD's long options and --help
 *   mlpkg --complete-words CMD    CMD's sub-commands or keywords
 *
 * A preview type completes after "preview set" and after the key
 * preview.type of "meta set".
 *
 * None of them is in --help: they are for programs. */
#include "cli/commands.h"
#include "base/error.h"
#include "query/meta.h"
#include <stdio.h>
#include <string.h>

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* prints the words of list (separated by any of seps) starting with cur */
static void print_words(const char *list, const char *seps, const char *cur)
{
	for (const char *p = list ? list : ""; *p;) {
		size_t l = strcspn(p, seps);
		if (l && strlen(cur) <= l && !strncmp(p, cur, strlen(cur)))
			printf("%.*s\n", (int)l, p);
		p += l;
		p += strspn(p, seps);
	}
}

static int listed(const struct opt_spec *o)
{
	return !(o->flags & OPT_HIDDEN);
}

/* the option word w names ("--output", "-o"), when it takes a value */
static const struct opt_spec *value_option(const struct cmd *c, const char *w)
{
	for (const struct opt_spec *o = c->opts; o && o->lng; o++) {
		if (!o->argname || !listed(o))
			continue;
		if (w[0] == '-' && w[1] == '-' && !strcmp(w + 2, o->lng))
			return o;
		if ((o->flags & (OPT_SHORT | OPT_SHORT_UNLISTED)) && w[0] == '-' && w[1] == o->key && !w[2])
			return o;
	}
	return NULL;
}

static void complete_value(const struct opt_spec *o, const char *cur)
{
	if (!o->complete)
		return; /* free text: nothing to offer */
	if (!strcmp(o->complete, "file"))
		puts(":file");
	else if (!strcmp(o->complete, "dir"))
		puts(":dir");
	else
		print_words(o->complete, "|", cur);
}

/* whether the word being typed (words[n - 1]) is a preview type: the first
 * word after "preview set", or the value after the key preview.type (short
 * or whole) in "meta set"; options and their values are passed over */
static int wants_preview_type(const struct cmd *c, int n, char **words)
{
	int pos = 0; /* words before the one typed that are not options */
	const char *first = NULL, *last = NULL;
	for (int i = 1; i < n - 1; i++) {
		if (words[i][0] == '-' && words[i][1]) {
			if (!strchr(words[i], '=') && value_option(c, words[i]))
				i++;
			continue;
		}
		if (!pos++)
			first = words[i];
		last = words[i];
	}
	if (!first || strcmp(first, "set"))
		return 0;
	if (c->fn == cmd_preview)
		return pos == 1;
	return c->fn == cmd_meta && pos % 2 == 0 &&
	       (!strcmp(last, "preview.type") || !strcmp(last, "com.apple.coreml.model.preview.type"));
}

/* words[0] is the command, words[n - 1] the word being typed */
static void complete(int n, char **words)
{
	const char *cur = n ? words[n - 1] : "";
	if (n <= 1) {
		for (const struct cmd *c = commands; c->name; c++)
			if (starts(c->name, cur))
				puts(c->name);
		if (!*cur || *cur == '-')
			print_words("--help --version", " ", cur);
		return;
	}
	const struct cmd *c = cmd_find(words[0]);
	if (!c)
		return;
	if (c->fn == cmd_help && cur[0] != '-') {
		if (n == 2)
			for (const struct cmd *k = commands; k->name; k++)
				if (starts(k->name, cur))
					puts(k->name);
		return;
	}
	int options_end = 0;
	for (int i = 1; i < n - 1; i++)
		options_end |= !strcmp(words[i], "--");
	if (!options_end && n >= 3) {
		const struct opt_spec *o = value_option(c, words[n - 2]);
		if (o) {
			complete_value(o, cur);
			return;
		}
	}
	if (!options_end && cur[0] == '-') {
		if (strchr(cur, '='))
			return;
		for (const struct opt_spec *o = c->opts; o && o->lng; o++)
			if (listed(o) && starts(o->lng, cur[1] == '-' ? cur + 2 : ""))
				printf("--%s\n", o->lng);
		if (starts("--help", cur))
			puts("--help");
		return;
	}
	if (n == 2)
		print_words(c->words, " ", cur);
	else if (!options_end && wants_preview_type(c, n, words)) {
		for (const char *const *t = preview_types; *t; t++)
			if (starts(*t, cur))
				puts(*t);
		return;
	}
	puts(":model");
}

static void print_options(const struct cmd *c)
{
	for (const struct opt_spec *o = c->opts; o && o->lng; o++) {
		if (!listed(o))
			continue;
		char sh[3] = "";
		if (o->flags & (OPT_SHORT | OPT_SHORT_UNLISTED))
			snprintf(sh, sizeof(sh), "-%c", o->key);
		printf("%s\t--%s\t%s\t%s\t%s\n", c->name, o->lng, sh, o->argname ? o->argname : "",
		       o->complete ? o->complete : "");
	}
}

int cmd_complete(int argc, char **argv)
{
	const char *a = argv[0];
	const struct cmd *c = argc > 1 ? cmd_find(argv[1]) : NULL;
	if (!strcmp(a, "__complete"))
		complete(argc - 1, argv + 1);
	else if (!strcmp(a, "__options")) {
		for (const struct cmd *k = commands; k->name; k++) {
			int want = argc < 2;
			for (int i = 1; i < argc; i++)
				want |= !strcmp(argv[i], k->name);
			if (want)
				print_options(k);
		}
	} else if (!strcmp(a, "--complete-commands")) {
		for (const struct cmd *k = commands; k->name; k++)
			puts(k->name);
	} else if (!strcmp(a, "--complete-options")) {
		if (c) {
			for (const struct opt_spec *o = c->opts; o && o->lng; o++)
				if (listed(o))
					printf("--%s\n", o->lng);
			puts("--help");
		}
	} else if (!strcmp(a, "--complete-words")) {
		if (c)
			print_words(c->words, " ", "");
	} else
		return -1;
	return EXIT_OK;
}
