/* commands: the command table (drives help, man page checks and
 * completions) and helpers every command uses. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/xalloc.h"
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
	  "meta set [-o OUT] [--dry-run] [--force] KEY VALUE [KEY VALUE...] [MODEL...]\n"
	  "meta set [-o OUT] [--dry-run] [--force] --value-file FILE KEY [MODEL...]\n"
	  "meta set [-o OUT] [--dry-run] [--force] --from FILE.json [MODEL...]\n"
	  "meta rm [-o OUT] [--dry-run] [--force] KEY... [MODEL...]",
	  "read and edit model metadata in place",
	  "  KEY is author, license, version, description (the standard fields), any\n"
	  "  userDefined key verbatim, or preview.type / preview.params (short for\n"
	  "  com.apple.coreml.model.preview.type / .params).\n"
	  "  --json             JSON output (list, get)\n"
	  "  -o, --output OUT   write the result to OUT instead of editing in place\n"
	  "  --dry-run          show what would change, write nothing\n"
	  "  --value-file FILE  read VALUE from FILE (- for standard input; one final\n"
	  "                     newline dropped)\n"
	  "  --from FILE.json   the keys from a JSON object (- for standard input):\n"
	  "                     a string sets a key, null removes it\n"
	  "  --force            write preview keys that do not fit the model\n"
	  "Several keys go in one atomic save: every value is checked first, and one\n"
	  "refused refuses them all (exit 2, the model unchanged).  The models follow\n"
	  "the keys: from the first word in a key's place naming a model (.mlmodel,\n"
	  ".mlpackage, .zip, or an existing path), else the last word of an odd count.\n"
	  "Preview keys are checked against the model as mlpkg preview set checks them.\n"
	  "Without MODEL: $MLPKG_MODEL, the package holding the current folder, or\n"
	  "the single model in the current folder.\n",
	  "--json --output --dry-run --value-file --from --force --help",
	  "list get set rm" },
	{ "preview", cmd_preview,
	  "preview [show] [--json] [MODEL]\n"
	  "preview set [-o OUT] [--dry-run] [--force] [--labels FILE|-] [--params JSON] TYPE [MODEL]\n"
	  "preview rm [-o OUT] [--dry-run] [MODEL]",
	  "show, set or remove the preview Xcode shows for a model",
	  "  --json            JSON output (show): model, type, known, needs, params,\n"
	  "                    labels, labelCount, problems, notes\n"
	  "  --labels FILE     the labels, one a line (- for standard input; UTF-8,\n"
	  "                    blank lines and a final newline ignored, CRLF\n"
	  "                    accepted): params become {\"labels\": [...]}\n"
	  "  --params JSON     the params as JSON (with --labels: more members, such\n"
	  "                    as \"colors\", after the labels)\n"
	  "  --force           write a preview that does not fit the model\n"
	  "  -o, --output OUT  write the result to OUT instead of editing in place\n"
	  "  --dry-run         show what would change, write nothing\n"
	  "show prints the type, what Xcode needs for it, the labels (one a line,\n"
	  "counted) and whether they fit the model.  set writes preview.type and\n"
	  "preview.params in one atomic save (params left as they are when neither\n"
	  "--labels nor --params is given); rm removes both.  A preview that does not\n"
	  "fit is refused (exit 2, the model unchanged) unless --force: an image type\n"
	  "(imageSegmenter, objectDetector, imageClassifier, depthEstimation,\n"
	  "poseEstimation, styleTransfer) on a model without an image input, a text\n"
	  "type (textClassifier, wordTagger) without a string input, a segmenter's\n"
	  "label count other than the classes of the output it colours, labels other\n"
	  "than the class labels a classifier or detector holds, params that are not\n"
	  "the JSON object Xcode reads.  Types Xcode is not known to use are accepted\n"
	  "with a warning.\n",
	  "--json --labels --params --force --output --dry-run --help",
	  "show set rm" },
	{ "pack", cmd_pack, "pack [--store|--deflate] [-o OUT] [PACKAGE]",
	  "zip a package folder (entries under X.mlpackage/, modes kept)",
	  "  -o, --output OUT  the zip to write (default: PACKAGE.zip beside it);\n"
	  "                    an existing zip is replaced atomically (another file\n"
	  "                    there is refused)\n"
	  "  --store           store every file (no compression)\n"
	  "  --deflate         deflate every file\n"
	  "By default JSON files and specs up to 64 MiB are deflated and weights\n"
	  "stored: they barely compress.  Prints the zip's name.\n",
	  "--output --store --deflate --help", "" },
	{ "unpack", cmd_unpack, "unpack [-o DIR] [ZIP]",
	  "unzip a zipped package into a folder, refusing unsafe entries",
	  "  -o, --output DIR  the folder to unpack into (default: the current one,\n"
	  "                    created when missing); a DIR ending in .mlpackage\n"
	  "                    names the package folder itself\n"
	  "The package lands in DIR/X.mlpackage, built in a temp folder and renamed\n"
	  "into place (an existing package there is replaced).  Entries with\n"
	  "absolute names or '..', links leading outside, special files, duplicated\n"
	  "names, a second package and sizes the archive cannot hold (zip bombs) are\n"
	  "refused with exit status 4 and nothing written.  Prints the folder made.\n",
	  "--output --help", "" },
	{ "convert", cmd_convert, "convert [--store|--deflate] -o OUT [MODEL]",
	  "turn an .mlmodel into a package or zip, and back",
	  "  -o, --output OUT  the result; its kind comes from its name:\n"
	  "                    .mlpackage (a folder), .zip (a zipped package) or\n"
	  "                    .mlmodel\n"
	  "  --store, --deflate  compression when OUT is a zip (as for pack)\n"
	  "An .mlmodel becomes a package with a new Manifest.json and the spec\n"
	  "copied verbatim; an ML program that refers to weight files is refused\n"
	  "(exit 4).  A package or zip becomes an .mlmodel only when it has no\n"
	  "weights or other items (else exit 2).  A zip to .mlpackage unpacks, a\n"
	  "folder to .zip packs.  Prints the name of the result.\n",
	  "--output --store --deflate --help", "" },
	{ "info", cmd_info, "info [--json] [MODEL...]",
	  "summarise a model: format, sizes, version, type, interface, counts",
	  "  --json       one JSON object per model (an array for several)\n"
	  "Shows the format and sizes (spec, weight files, total on disk), the spec\n"
	  "version and the OS releases that read it, the model type (pipelines as a\n"
	  "tree), inputs, outputs, functions and states, metadata, the preview type\n"
	  "with the count of labels its params hold, counts (layers or operations, weight tensors, parameters, weight bytes;\n"
	  "trees and nodes, support vectors, coefficients, examples for the other\n"
	  "kinds of model) and notes on anything odd: metadata overlays, unknown\n"
	  "fields, an unset model type, a spec version lower than the features used\n"
	  "need.\n"
	  "Weights are measured, never read.\n",
	  "--json --help", "" },
	{ "io", cmd_io, "io [--json] [MODEL...]",
	  "list inputs, outputs, states and training inputs with their types",
	  "  --json       one JSON object per model (an array for several)\n"
	  "Types read as image<RGB,224x224>, float32[1,3,512,512], dict<string,double>,\n"
	  "sequence<string>, state<float16[1,4]>; flexible sizes follow as\n"
	  "'in {A,B}' (enumerated) or 'in [LO..HI,...]' (ranges, * unbounded).\n"
	  "Multi-function models are shown per function.\n",
	  "--json --help", "" },
	{ "layers", cmd_layers, "layers [--json] [--type KIND] [--grep REGEX] [--summary] [MODEL]",
	  "list neural-network layers and ML-program operations",
	  "  --json          JSON output\n"
	  "  --type KIND     only layers of that kind (convolution, innerProduct...)\n"
	  "                  or operations of that type (conv, const...)\n"
	  "  --grep REGEX    only those whose name, kind, inputs or outputs match the\n"
	  "                  extended regular expression\n"
	  "  --summary       a count per kind instead of the list\n"
	  "Layers show index, kind, name, inputs -> outputs, key parameters and\n"
	  "weights; operations show their bindings, output types, const values and\n"
	  "weight references, per function and block, nested blocks numbered\n"
	  "OP.BLOCK.OP.  Pipelines list each member in turn.\n",
	  "--json --type --grep --summary --help", "" },
	{ "weights", cmd_weights, "weights [--json] [MODEL]\n"
	  "weights --extract NAME -o FILE [MODEL]",
	  "list weight tensors, or extract one",
	  "  --json            JSON output\n"
	  "  --extract NAME    write one tensor's data (NAME as listed, or its path)\n"
	  "  -o, --output FILE where to write it (- for standard output); a FILE\n"
	  "                    ending in .npy gets a NumPy file with dtype and shape\n"
	  "ML programs: every blob-file value with its operation, dtype, shape, bytes\n"
	  "and offset, checked against the weight.bin record.  Neural networks: each\n"
	  "layer's weight fields (float32, float16, int8, quantized, lut), the shape\n"
	  "their layer gives them and sizes.\n",
	  "--json --extract --output --help", "" },
	{ "get", cmd_get, "get [--json] PATH [MODEL...]",
	  "print any node of the spec by path",
	  "  --json       the value as protobuf JSON\n"
	  "PATH uses the schema's field names: description.metadata.author,\n"
	  "neuralNetwork.layers[3].convolution.kernelSize, layers[-1] (the last),\n"
	  "layers[name=\"conv1\"] (the first whose field matches),\n"
	  "description.metadata.userDefined[\"KEY\"] and functions[\"main\"] (maps).\n"
	  "A scalar prints raw, a message as dump prints it.  A path that does not\n"
	  "exist exits with status 3 naming the first part that failed.\n",
	  "--json --help", "" },
	{ "describe", cmd_describe, "describe [-o OUT] [--dry-run] [--function NAME] FEATURE TEXT [MODEL...]",
	  "set the description of an input, output or state",
	  "  -o, --output OUT    write the result to OUT instead of editing in place\n"
	  "  --dry-run           show what would change, write nothing\n"
	  "  --function NAME     only that function of a multi-function model\n"
	  "Sets shortDescription of every input, output, state and training input\n"
	  "named FEATURE (an empty TEXT removes it), in the model's description and in\n"
	  "each function's.  An entry the package's FeatureDescriptions.json already\n"
	  "has for FEATURE follows.  Exit 3 when FEATURE is not in the model.\n",
	  "--output --dry-run --function --help", "" },
	{ "rename", cmd_rename, "rename [-o OUT] [--dry-run] [--function NAME] OLD NEW [MODEL...]",
	  "rename an input or output everywhere it is used",
	  "  -o, --output OUT    write the result to OUT instead of editing in place\n"
	  "  --dry-run           list the fields that would change, write nothing\n"
	  "  --function NAME     only that function of a multi-function model\n"
	  "Renames OLD in the description (inputs, outputs, states, training inputs,\n"
	  "functions, predicted feature and probabilities names) and wherever the\n"
	  "model uses it: neural-network layer inputs and outputs, preprocessing,\n"
	  "labelProbabilityLayerName, loss layers, ML-program function inputs, block\n"
	  "outputs and every operation binding (nested blocks included), pipeline\n"
	  "members and the names connecting them, FeatureVectorizer columns and every\n"
	  "*FeatureName field (NonMaximumSuppression...).  Layer and operation names\n"
	  "stay.  NEW is refused (exit 2) when it is already used or, for an ML\n"
	  "program, is not an identifier ([A-Za-z_][A-Za-z0-9_]*).  Exit 3 when OLD is\n"
	  "not a feature of the model.  FeatureDescriptions.json follows.\n",
	  "--output --dry-run --function --help", "" },
	{ "labels", cmd_labels, "labels [list] [--json] [MODEL...]\n"
	  "labels set [-o OUT] [--dry-run] FILE|- [MODEL...]",
	  "list or replace a classifier's class labels",
	  "  --json            JSON output: type, source, count, labels\n"
	  "  -o, --output OUT  write the result to OUT instead of editing in place\n"
	  "  --dry-run         show the labels that would change, write nothing\n"
	  "Lists one label a line: neural-network, GLM, SVM, tree-ensemble and\n"
	  "nearest-neighbors classifiers, the member of a pipeline classifier that has\n"
	  "them, an ML program's classify op, Create ML's text classifiers and word\n"
	  "taggers (their tags), a detector's non-maximum suppression member; else\n"
	  "the labels of the model's preview params, saying so.\n"
	  "set reads one label a line from FILE\n"
	  "(- for standard input) and replaces them in place, keeping their kind\n"
	  "(string or int64); a count other than the model's, duplicates and empty\n"
	  "labels are refused (exit 2, nothing written).  Exit 3: no labels.\n",
	  "--json --output --dry-run --help", "list set" },
	{ "graph", cmd_graph,
	  "graph [--format dot|mermaid] [--consts] [--grep REGEX | --around NAME [--depth N]] [-o FILE] [MODEL]",
	  "draw the data flow as Graphviz DOT or Mermaid",
	  "  --format FMT    dot (default; render with dot -Tsvg) or mermaid\n"
	  "  --consts        draw const operations as nodes (default: folded into\n"
	  "                  the label of the operation that reads them)\n"
	  "  --grep REGEX    only layers and operations whose name or kind match the\n"
	  "                  extended regular expression\n"
	  "  --around NAME   only what is within --depth edges (default 2) of the\n"
	  "                  layer, operation, input or output named NAME, else of\n"
	  "                  the ones making and reading the value NAME (exit 3\n"
	  "                  when there is none)\n"
	  "  -o, --output FILE  write to FILE instead of standard output\n"
	  "One node per layer or operation (kind and name), model inputs and outputs\n"
	  "as ellipses, types on the edges where the model gives them; pipeline\n"
	  "members, ML-program functions and nested blocks (cond, while_loop) as\n"
	  "clusters.  The same model always gives the same bytes.\n",
	  "--format --consts --grep --around --depth --output --help", "dot mermaid" },
	{ "check", cmd_check, "check [--json] [MODEL...]",
	  "validate a model as far as a file can be, without Core ML",
	  "  --json       JSON output: model, ok, errors, warnings, problems\n"
	  "Checks Manifest.json (entries present, links staying inside), that the spec\n"
	  "decodes (unknown fields are warnings), the spec version against the\n"
	  "features used, unique names, that the description's inputs and outputs\n"
	  "match what the network, program or pipeline consumes and produces, that\n"
	  "every layer or operation input is defined before (inside branch and loop\n"
	  "layers and ML-program blocks too), layer weights against the sizes the\n"
	  "layer declares, weight.bin (header, every record's sentinel, data type,\n"
	  "size and alignment), that every blob reference points at a record of its\n"
	  "declared type and element count, and that classifiers have class labels.\n"
	  "One line per problem with the path of the node.  Exit 0 when no error was\n"
	  "found (warnings allowed), 1 when one was, 4 when the model cannot be read\n"
	  "at all.\n",
	  "--json --help", "" },
	{ "diff", cmd_diff, "diff [--json] A B",
	  "compare two models semantically",
	  "  --json       JSON output: equal, changes (path, change, from, to)\n"
	  "Compares the spec version, model type, metadata, inputs, outputs, states\n"
	  "and functions, pipeline members, neural-network layers (by name, with the\n"
	  "fields that changed) and ML-program operations (by name, weights compared\n"
	  "by the content of their blobs).  An input, output, layer or operation\n"
	  "whose only change is its name is one rename line (\"> OLD -> NEW\").  A and\n"
	  "B may be of any format: an .mlmodel against a package or a zip; manifest\n"
	  "identifiers and byte layout are ignored.  Exit 0 when equal, 1 when\n"
	  "different.\n",
	  "--json --help", "" },
	{ "browse", cmd_browse, "browse [--no-mouse] [--view NAME] [MODEL]",
	  "browse layers, operations, metadata, weights and the spec tree (ncurses)",
	  "  --no-mouse   leave the mouse to the terminal\n"
	  "  --view NAME  start in view NAME: overview, layers, metadata, weights, tree\n"
	  "Views: the overview (what info shows), layers and operations (pipelines\n"
	  "member by member, ML programs per function and block), metadata (editable:\n"
	  "a add, e change, d delete, p preview type; w saves atomically), weights\n"
	  "(with min, max, mean of float tensors) and the whole spec tree.  Keys: arrows\n"
	  "or j/k, PgUp/PgDn, g/G, Enter/l open, h close, Tab next view, / search,\n"
	  "n/N next/previous match, ? help, q quit.  NO_COLOR is honoured.\n"
	  "MLPKG_SCRIPT=FILE reads keys from FILE (one a line); with MLPKG_NO_DISPLAY=1\n"
	  "the screen is drawn off-screen and printed when the script ends.\n",
	  "--no-mouse --view --help", "" },
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

/* set when cmd_getopt has said what was wrong with an option: the usage
 * that follows does not say it again */
static int option_reported;

int cmd_usage(const struct cmd *c, const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	if (!option_reported) {
		fputs("mlpkg: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	option_reported = 0;
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
	char so[64];
	snprintf(so, sizeof(so), ":%s", shortopts); /* ':' tells a missing value from an unknown option */
	opterr = 0;
	int c = getopt_long(argc, argv, so, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	fflush(stdout);
	if (c == ':')
		fprintf(stderr, "mlpkg: %s: option '%s' needs a value\n", argv[0], arg);
	else if (optopt && (!arg || arg[0] != '-' || arg[1] != '-'))
		fprintf(stderr, "mlpkg: %s: unknown option '-%c'\n", argv[0], optopt);
	else if (strchr(arg, '=') && longopts) {
		/* --name=value for an option that takes none */
		size_t l = (size_t)(strchr(arg, '=') - arg - 2);
		int known = 0;
		for (const struct option *o = longopts; o->name; o++)
			known |= strlen(o->name) == l && !strncmp(o->name, arg + 2, l);
		if (known)
			fprintf(stderr, "mlpkg: %s: option '%.*s' takes no value\n", argv[0], (int)l + 2, arg);
		else
			fprintf(stderr, "mlpkg: %s: unknown option '%.*s'\n", argv[0], (int)l + 2, arg);
	} else
		fprintf(stderr, "mlpkg: %s: unknown option '%s'\n", argv[0], arg);
	option_reported = 1;
	return '?';
}

/* several models: the highest exit status of any, whatever their order */
int worse(int a, int b)
{
	return a > b ? a : b;
}
