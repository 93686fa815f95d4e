/* commands: the one table of subcommands, and what they share. */
#ifndef MLPKG_COMMANDS_H
#define MLPKG_COMMANDS_H
#include <getopt.h>
#include <stdio.h>
#include "model/model.h"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;     /* synopsis lines after "mlpkg " */
	const char *summary;   /* one line */
	const char *help;      /* options and details for --help */
	const char *options;   /* options, space-separated, for completions */
	const char *words;     /* sub-commands or keywords, for completions */
};

extern const struct cmd commands[];
const struct cmd *cmd_find(const char *name);

int cmd_dump(int argc, char **argv);
int cmd_meta(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_info(int argc, char **argv);
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
/* Opens the model named by arg, or the default model when arg is NULL;
 * NULL on error (reported, exit class set). */
struct mlpkg_model *cmd_open(const char *arg, int flags);
/* getopt_long over argv (reset for each command); the common options
 * --help is handled by the caller. */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* the worse of two exit codes: the higher, so that several models give the
 * same status in any order */
int worse(int a, int b);
#endif
