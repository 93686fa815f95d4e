/* commands: the one table of subcommands, and what they share. */
#ifndef MLPKG_COMMANDS_H
#define MLPKG_COMMANDS_H
#include <getopt.h>
#include <regex.h>
#include <stdio.h>
#include "model/model.h"

/* One option of a command.  Its table (a static array in commands.c, next
 * to the command's entry, ended by an all-zero entry) is the only place an
 * option is declared: cmd_getopt builds getopt_long's arguments from it,
 * cmd_print_help the option lines of --help, and the completion entry
 * points (mlpkg __complete, __options, --complete-options) their answers. */
struct opt_spec {
	const char *lng;      /* long name without the dashes: "output" */
	int key;              /* what cmd_getopt returns for it; with OPT_SHORT
			       * or OPT_SHORT_UNLISTED also its short form -KEY */
	unsigned flags;       /* OPT_* below */
	const char *argname;  /* its value's name in --help ("OUT"); NULL when
			       * the option takes no value */
	const char *help;     /* its --help text, '\n' between lines; NULL:
			       * described on the next option's line */
	const char *complete; /* what completes its value: "file", "dir", or
			       * words separated by '|' ("dot|mermaid"); NULL for
			       * free text or no value */
};
enum {
	OPT_SHORT = 1 << 0,          /* -KEY works too, shown as "-K, --long" */
	OPT_SHORT_UNLISTED = 1 << 1, /* -KEY works too, not shown in --help (the
				      * man page lists the short forms) */
	OPT_HIDDEN = 1 << 2,         /* accepted by getopt only, to be refused
				      * with a better message than "unknown" */
};

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;           /* synopsis lines after "mlpkg " */
	const char *summary;         /* one line */
	const char *intro;           /* --help: lines before the options, or NULL */
	const struct opt_spec *opts; /* its options (--help is everyone's) */
	int optcol;                  /* --help: column of the options' text; 0: the
				      * widest option and two spaces, at least 15 */
	const char *help;            /* --help: the details after the options */
	const char *words;           /* sub-commands or keywords, for completions */
};

extern const struct cmd commands[];
const struct cmd *cmd_find(const char *name);

int cmd_dump(int argc, char **argv);
int cmd_meta(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_io(int argc, char **argv);
int cmd_layers(int argc, char **argv);
int cmd_weights(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_pack(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_labels(int argc, char **argv);
int cmd_browse(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_preview(int argc, char **argv);

/* Whether the preview keys m's tree holds (after edits) fit the model
 * (analyze/preview.h): 0, notes said on stderr and, with force, the
 * problems warned about; -1 refused (reported in one line naming m,
 * EXIT_USAGE). */
int cmd_preview_fit(struct mlpkg_model *m, int force);

/* prints the command's --help */
int cmd_print_help(const struct cmd *c, FILE *fp);
/* "mlpkg: MSG" and the usage line on stderr; returns EXIT_USAGE */
int cmd_usage(const struct cmd *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Compiles an option's extended regular expression into re: 0, or -1 when
 * it is bad (said with the usage line, as cmd_usage does; re not set). */
int cmd_regcomp(const struct cmd *c, regex_t *re, const char *pattern);
/* Opens the model named by arg, or the default model when arg is NULL;
 * NULL on error (reported, exit class set).  With CMD_OPEN_EDIT among the
 * flags (an edit command, with or without -o or --dry-run) a compiled
 * model (.mlmodelc) is refused with EXIT_USAGE. */
struct mlpkg_model *cmd_open(const char *arg, int flags);
#define CMD_OPEN_EDIT 0x100
/* Reads all of file ("-": standard input) into *buf (NUL-terminated,
 * caller frees); -1 reported ("cannot read", EXIT_NOTFOUND when missing). */
int cmd_read_input(const char *file, char **buf, size_t *len);
/* getopt_long over argv with the options of c's table (set optind to 0
 * before the first call); returns the option's key, -1 at the end, '?'
 * after saying what was wrong.  --help is handled before the command runs. */
int cmd_getopt(int argc, char **argv, const struct cmd *c);
/* the hidden entry points for completion scripts and tests: argv[0] is
 * "__complete", "__options", "--complete-commands", "--complete-options"
 * or "--complete-words"; returns -1 when argv[0] is none of them */
int cmd_complete(int argc, char **argv);
/* the worse of two exit codes: the higher, so that several models give the
 * same status in any order */
int worse(int a, int b);
#endif
