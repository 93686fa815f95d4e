/* check: validate a model as far as a file can be, without Core ML.
 *
 * Manifest.json (items present, links staying inside), the spec (decodes,
 * unknown fields), spec versions against the features used, descriptions
 * against what networks, programs and pipelines consume and produce, the
 * dataflow of layers and operations, unique names, weight.bin headers and
 * records, blob references, class labels.  Each problem is one entry with
 * the path of the node it is about (get's path language, or a file). */
#ifndef MLPKG_CHECK_H
#define MLPKG_CHECK_H
#include <stddef.h>

struct mlpkg_model;

enum check_level { CHECK_WARNING = 0, CHECK_ERROR = 1 };

struct check_problem {
	enum check_level level;
	char *path; /* "neuralNetwork.layers[name=\"fc1\"]", "Manifest.json", ... */
	char *msg;
};

struct check_report {
	struct check_problem *v;
	size_t n, cap;
	size_t errors, warnings;
	size_t gates; /* errors from Core ML's hard version gates (see check_one) */
};

/* Checks m, adding problems to r.  0, or -1 when the spec cannot be walked
 * at all (reported on stderr, exit class set: EXIT_INVALID). */
int check_model(struct mlpkg_model *m, struct check_report *r);
void check_report_release(struct check_report *r);
#endif
