/* commands: the command table (drives help, man page checks and
 * completions) and helpers every command uses.
 *
 * A command declares its options once, in a table NAME_opts below (one
 * struct opt_spec an option, see commands.h), and points its entry in
 * commands[] at it.  From that table come getopt_long's arguments
 * (cmd_getopt), the option lines of its --help (cmd_print_help), the
 * completion answers (complete.c) and, through "mlpkg __options", the
 * test that the man page documents exactly these options (t-basics.sh).
 * The command's own loop switches on each option's key. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "query/compiled.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt_spec dump_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "the protobuf JSON mapping, with the schema's field names\n"
	  "(64-bit integers as strings, bytes as base64, enums by name,\n"
	  "default values left out)",
	  NULL },
	{ 0 },
};

static const struct opt_spec meta_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "JSON output (list, get): {version, models: [...]}", NULL },
	{ "output", 'o', OPT_SHORT, "OUT", "write the result to OUT instead of editing in place", "file" },
	{ "dry-run", 'n', OPT_SHORT_UNLISTED, NULL, "show what would change, write nothing", NULL },
	{ "value-file", 'F', 0, "FILE",
	  "read VALUE from FILE (- for standard input; one final\n"
	  "newline dropped)",
	  "file" },
	{ "from", 'J', 0, "FILE.json",
	  "the keys from a JSON object (- for standard input):\n"
	  "a string sets a key, null removes it",
	  "file" },
	{ "force", 'f', 0, NULL, "write preview keys that do not fit the model", NULL },
	{ 0 },
};

static const struct opt_spec preview_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "JSON output (show): {version, models: [{model, type,\n"
	  "known, needs, params, labels, labelCount, problems,\n"
	  "notes}]}",
	  NULL },
	{ "labels", 'L', 0, "FILE",
	  "the labels, one a line (- for standard input; UTF-8,\n"
	  "blank lines and a final newline ignored, CRLF\n"
	  "accepted): params become {\"labels\": [...]}",
	  "file" },
	{ "params", 'P', 0, "JSON",
	  "the params as JSON (with --labels: more members, such\n"
	  "as \"colors\", after the labels)",
	  NULL },
	{ "force", 'f', 0, NULL, "write a preview that does not fit the model", NULL },
	{ "output", 'o', OPT_SHORT, "OUT", "write the result to OUT instead of editing in place", "file" },
	{ "dry-run", 'n', OPT_SHORT_UNLISTED, NULL, "show what would change, write nothing", NULL },
	{ 0 },
};

static const struct opt_spec pack_opts[] = {
	{ "output", 'o', OPT_SHORT, "OUT",
	  "the zip to write (default: PACKAGE.zip beside it);\n"
	  "an existing zip is replaced atomically (another file\n"
	  "there is refused)",
	  "file" },
	{ "store", 'S', 0, NULL, "store every file (no compression)", NULL },
	{ "deflate", 'D', 0, NULL, "deflate every file", NULL },
	{ 0 },
};

static const struct opt_spec unpack_opts[] = {
	{ "output", 'o', OPT_SHORT, "DIR",
	  "the folder to unpack into (default: the current one,\n"
	  "created when missing); a DIR ending in .mlpackage\n"
	  "names the package folder itself",
	  "dir" },
	{ "store", 'S', OPT_HIDDEN, NULL, NULL, NULL },
	{ "deflate", 'D', OPT_HIDDEN, NULL, NULL, NULL },
	{ 0 },
};

static const struct opt_spec convert_opts[] = {
	{ "output", 'o', OPT_SHORT, "OUT",
	  "the result; its kind comes from its name:\n"
	  ".mlpackage (a folder), .zip (a zipped package) or\n"
	  ".mlmodel",
	  "file" },
	{ "store", 'S', 0, NULL, NULL, NULL },
	{ "deflate", 'D', 0, NULL, "compression when OUT is a zip (as for pack)", NULL },
	{ 0 },
};

static const struct opt_spec scan_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "one JSON object listing every model found", NULL },
	{ 0 },
};

static const struct opt_spec info_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "JSON output: {version, models: [one object per model]}", NULL },
	{ 0 },
};

static const struct opt_spec io_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "JSON output: {version, models: [one object per model]}", NULL },
	{ 0 },
};

static const struct opt_spec layers_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "JSON output: {version, models: [{model, members, functions,\n"
	  "layers, operations}]} ({model, total, kinds} with --summary)",
	  NULL },
	{ "type", 't', OPT_SHORT_UNLISTED, "KIND",
	  "only layers of that kind (convolution, innerProduct...)\n"
	  "or operations of that type (conv, const...)",
	  NULL },
	{ "grep", 'g', OPT_SHORT_UNLISTED, "REGEX",
	  "only those whose name, kind, inputs or outputs match the\n"
	  "extended regular expression",
	  NULL },
	{ "summary", 's', OPT_SHORT_UNLISTED, NULL, "a count per kind instead of the list", NULL },
	{ 0 },
};

static const struct opt_spec weights_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "JSON output", NULL },
	{ "stats", 'S', OPT_SHORT_UNLISTED, NULL,
	  "each float tensor's min, max, mean, std, zeros,\n"
	  "NaN and Inf (JSON: a stats object)",
	  NULL },
	{ "extract", 'x', OPT_SHORT_UNLISTED, "NAME", "write one tensor's data (NAME as listed, or its path)", NULL },
	{ "output", 'o', OPT_SHORT, "FILE",
	  "where to write it (- for standard output); a FILE\n"
	  "ending in .npy gets a NumPy file with dtype and shape",
	  "file" },
	{ 0 },
};

static const struct opt_spec get_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "JSON output: {version, models: [{model, path, value}]},\n"
	  "the value in protobuf's JSON mapping",
	  NULL },
	{ 0 },
};

static const struct opt_spec describe_opts[] = {
	{ "output", 'o', OPT_SHORT, "OUT", "write the result to OUT instead of editing in place", "file" },
	{ "dry-run", 'n', OPT_SHORT_UNLISTED, NULL, "show what would change, write nothing", NULL },
	{ "function", 'f', 0, "NAME", "only that function of a multi-function model", NULL },
	{ 0 },
};

static const struct opt_spec rename_opts[] = {
	{ "output", 'o', OPT_SHORT, "OUT", "write the result to OUT instead of editing in place", "file" },
	{ "dry-run", 'n', OPT_SHORT_UNLISTED, NULL, "list the fields that would change, write nothing", NULL },
	{ "function", 'f', 0, "NAME", "only that function of a multi-function model", NULL },
	{ 0 },
};

static const struct opt_spec labels_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "JSON output: {version, models: [{model, type, source,\n"
	  "count, labels}]}",
	  NULL },
	{ "output", 'o', OPT_SHORT, "OUT", "write the result to OUT instead of editing in place", "file" },
	{ "dry-run", 'n', OPT_SHORT_UNLISTED, NULL, "show the labels that would change, write nothing", NULL },
	{ 0 },
};

static const struct opt_spec graph_opts[] = {
	{ "format", 'f', OPT_SHORT_UNLISTED, "FMT", "dot (default; render with dot -Tsvg) or mermaid", "dot|mermaid" },
	{ "consts", 'c', OPT_SHORT_UNLISTED, NULL,
	  "draw const operations as nodes (default: folded into\n"
	  "the label of the operation that reads them)",
	  NULL },
	{ "grep", 'g', OPT_SHORT_UNLISTED, "REGEX",
	  "only layers and operations whose name or kind match the\n"
	  "extended regular expression",
	  NULL },
	{ "around", 'a', OPT_SHORT_UNLISTED, "NAME",
	  "only what is within --depth edges (default 2) of the\n"
	  "layer, operation, input or output named NAME, else of\n"
	  "the ones making and reading the value NAME (exit 3\n"
	  "when there is none)",
	  NULL },
	{ "depth", 'd', OPT_SHORT_UNLISTED, "N", "with --around: how many edges away to go (default 2)", NULL },
	{ "output", 'o', OPT_SHORT, "FILE", "write to FILE instead of standard output", "file" },
	{ 0 },
};

static const struct opt_spec check_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL,
	  "JSON output: {version, models: [{model, ok, errors, warnings, problems}]}", NULL },
	{ 0 },
};

static const struct opt_spec diff_opts[] = {
	{ "json", 'j', OPT_SHORT_UNLISTED, NULL, "JSON output: equal, changes (path, change, from, to)", NULL },
	{ "stat", 's', 0, NULL,
	  "one line per changed layer, op or other part (the fields\n"
	  "changed) and a summary: changed, added, removed, weight bytes",
	  NULL },
	{ "no-weights", 'W', 0, NULL, "leave weight values out (structure only)", NULL },
	{ 0 },
};

static const struct opt_spec browse_opts[] = {
	{ "mouse", 'm', 0, NULL,
	  "clicks select and open, the wheel scrolls (by default\n"
	  "the mouse is left to the terminal, to select text)",
	  NULL },
	{ "no-mouse", 'M', 0, NULL, "leave the mouse to the terminal (the default)", NULL },
	{ "view", 'v', 0, "NAME", "start in view NAME: overview, layers, metadata, weights, tree",
	  "overview|layers|metadata|weights|tree" },
	{ 0 },
};

const struct cmd commands[] = {
	{
		.name = "dump",
		.fn = cmd_dump,
		.usage = "dump [--json] [MODEL]",
		.summary = "print the whole spec tree as text or as protobuf JSON",
		.opts = dump_opts,
		.help = "MODEL is an .mlmodel, an .mlpackage folder, a zipped package or - (stdin).\n",
	},
	{
		.name = "meta",
		.fn = cmd_meta,
		.usage = "meta [list] [--json] [MODEL...]\n"
			 "meta get [--json] KEY [MODEL]\n"
			 "meta set [-o OUT] [--dry-run] [--force] KEY VALUE [KEY VALUE...] [MODEL...]\n"
			 "meta set [-o OUT] [--dry-run] [--force] --value-file FILE KEY [MODEL...]\n"
			 "meta set [-o OUT] [--dry-run] [--force] --from FILE.json [MODEL...]\n"
			 "meta rm [-o OUT] [--dry-run] [--force] KEY... [MODEL...]",
		.summary = "read and edit model metadata in place",
		.intro = "  KEY is author, license, version, description (the standard fields), any\n"
			 "  userDefined key verbatim, or preview.type / preview.params (short for\n"
			 "  com.apple.coreml.model.preview.type / .params).  userDefined.NAME is\n"
			 "  always the user key NAME: a user key named like a standard field or an\n"
			 "  alias is listed so.\n",
		.opts = meta_opts,
		.optcol = 21,
		.help = "Several keys go in one atomic save: every value is checked first, and one\n"
			"refused refuses them all (exit 2, the model unchanged).  The models follow\n"
			"the keys: from the first word in a key's place naming a model (.mlmodel,\n"
			".mlpackage, .zip, or an existing path), else the last word of an odd count.\n"
			"Preview keys are checked against the model as mlpkg preview set checks them.\n"
			"Without MODEL: $MLPKG_MODEL, the package holding the current folder, or\n"
			"the single model in the current folder.  list and get read a compiled\n"
			"model (.mlmodelc) too; set and rm refuse it (exit 2).\n",
		.words = "list get set rm",
	},
	{
		.name = "preview",
		.fn = cmd_preview,
		.usage = "preview [show] [--json] [MODEL]\n"
			 "preview set [-o OUT] [--dry-run] [--force] [--labels FILE|-] [--params JSON] TYPE [MODEL]\n"
			 "preview rm [-o OUT] [--dry-run] [MODEL]",
		.summary = "show, set or remove the preview Xcode shows for a model",
		.opts = preview_opts,
		.help = "show prints the type, what Xcode needs for it, the labels (one a line,\n"
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
		.words = "show set rm",
	},
	{
		.name = "pack",
		.fn = cmd_pack,
		.usage = "pack [--store|--deflate] [-o OUT] [PACKAGE]",
		.summary = "zip a package folder (entries under X.mlpackage/, modes kept)",
		.opts = pack_opts,
		.help = "By default JSON files and specs up to 64 MiB are deflated and weights\n"
			"stored: they barely compress.  A package lacking an item or weight file it\n"
			"names is packed as it is, with a warning.  Prints the zip's name.\n",
	},
	{
		.name = "unpack",
		.fn = cmd_unpack,
		.usage = "unpack [-o DIR] [ZIP]",
		.summary = "unzip a zipped package into a folder, refusing unsafe entries",
		.opts = unpack_opts,
		.help = "The package lands in DIR/X.mlpackage, built in a temp folder and renamed\n"
			"into place (an existing package there is replaced).  Entries with\n"
			"absolute names or '..', links leading outside, special files, duplicated\n"
			"names, a second package and sizes the archive cannot hold (zip bombs) are\n"
			"refused with exit status 4 and nothing written.  Prints the folder made.\n",
	},
	{
		.name = "convert",
		.fn = cmd_convert,
		.usage = "convert [--store|--deflate] -o OUT [MODEL]",
		.summary = "turn an .mlmodel into a package or zip, and back",
		.opts = convert_opts,
		.optcol = 20,
		.help = "An .mlmodel becomes a package with a new Manifest.json and the spec\n"
			"copied verbatim; an ML program that refers to weight files is refused\n"
			"(exit 4).  A package or zip becomes an .mlmodel only when it has no\n"
			"weights or other items (else exit 2).  A zip to .mlpackage unpacks, a\n"
			"folder to .zip packs.  Prints the name of the result.\n",
	},
	{
		.name = "scan",
		.fn = cmd_scan,
		.usage = "scan [--json] PATH...",
		.summary = "find every Core ML model in folders, app bundles, zips and .ipa files",
		.opts = scan_opts,
		.help = "Walks folders (links not followed) and reads zips and .ipa files in\n"
			"place, never extracting them; an archive unpack would refuse (zip bomb,\n"
			"'..' or absolute names, links leading outside) is refused (exit 4).\n"
			"Lists each model found (.mlmodel, .mlpackage, compiled .mlmodelc, nested\n"
			"pipeline members included): path, format, size, and for what is on disk or\n"
			"compiled its kind, spec version, author and inputs -> outputs, read from\n"
			"headers only.  Exit 0 when a model was found, 3 when none was.\n",
	},
	{
		.name = "info",
		.fn = cmd_info,
		.usage = "info [--json] [MODEL...]",
		.summary = "summarise a model: format, sizes, version, type, interface, counts",
		.opts = info_opts,
		.help = "Shows the format and sizes (spec, weight files, total on disk), the spec\n"
			"version and the OS releases that read it, the model type (pipelines as a\n"
			"tree), inputs, outputs, functions and states, metadata, the preview type\n"
			"with the count of labels its params hold, counts (layers or operations,\n"
			"weight tensors, parameters, weight bytes;\n"
			"trees and nodes, support vectors, coefficients, examples for the other\n"
			"kinds of model) and notes on anything odd: metadata overlays, unknown\n"
			"fields, an unset model type, a spec version lower than the features used\n"
			"need.\n"
			"Weights are measured, never read.  A compiled model (.mlmodelc) is shown\n"
			"from its metadata.json: type, versions, availability, metadata, inputs,\n"
			"outputs, the layer or operation histogram, and the files' sizes\n"
			"(coremldata.bin is undocumented and not read).\n",
	},
	{
		.name = "io",
		.fn = cmd_io,
		.usage = "io [--json] [MODEL...]",
		.summary = "list inputs, outputs, states and training inputs with their types",
		.opts = io_opts,
		.help = "Types read as image<RGB,224x224>, float32[1,3,512,512], dict<string,double>,\n"
			"sequence<string>, state<float16[1,4]>; flexible sizes follow as\n"
			"'in {A,B}' (enumerated) or 'in [LO..HI,...]' (ranges, * unbounded).\n"
			"Multi-function models are shown per function.  A compiled model\n"
			"(.mlmodelc) shows the formatted types its metadata.json gives.\n",
	},
	{
		.name = "layers",
		.fn = cmd_layers,
		.usage = "layers [--json] [--type KIND] [--grep REGEX] [--summary] [MODEL...]",
		.summary = "list neural-network layers and ML-program operations",
		.opts = layers_opts,
		.optcol = 18,
		.help = "Layers show index, kind, name, inputs -> outputs, key parameters and\n"
			"weights; operations show their bindings, output types, const values and\n"
			"weight references, per function and block, nested blocks numbered\n"
			"OP.BLOCK.OP.  Pipelines list each member in turn.\n",
	},
	{
		.name = "weights",
		.fn = cmd_weights,
		.usage = "weights [--stats] [--json] [MODEL...]\n"
			 "weights --extract NAME -o FILE [MODEL]",
		.summary = "list weight tensors, or extract one",
		.opts = weights_opts,
		.optcol = 20,
		.help = "ML programs: every blob-file value with its operation, dtype, shape, bytes\n"
			"and offset, checked against the weight.bin record.  Neural networks: each\n"
			"layer's weight fields (float32, float16, int8, quantized, lut), the shape\n"
			"their layer gives them and sizes.\n",
	},
	{
		.name = "get",
		.fn = cmd_get,
		.usage = "get [--json] PATH [MODEL...]",
		.summary = "print any node of the spec by path",
		.opts = get_opts,
		.help = "PATH uses the schema's field names: description.metadata.author,\n"
			"neuralNetwork.layers[3].convolution.kernelSize, layers[-1] (the last),\n"
			"layers[name=\"conv1\"] (the first whose field matches),\n"
			"description.metadata.userDefined[\"KEY\"] and functions[\"main\"] (maps).\n"
			"A scalar prints raw, a message as dump prints it.  A path that does not\n"
			"exist exits with status 3 naming the first part that failed.\n",
	},
	{
		.name = "describe",
		.fn = cmd_describe,
		.usage = "describe [-o OUT] [--dry-run] [--function NAME] FEATURE TEXT [MODEL...]",
		.summary = "set the description of an input, output or state",
		.opts = describe_opts,
		.optcol = 22,
		.help = "Sets shortDescription of every input, output, state and training input\n"
			"named FEATURE (an empty TEXT removes it), in the model's description and in\n"
			"each function's.  An entry the package's FeatureDescriptions.json already\n"
			"has for FEATURE follows.  Exit 3 when FEATURE is not in the model.\n",
	},
	{
		.name = "rename",
		.fn = cmd_rename,
		.usage = "rename [-o OUT] [--dry-run] [--function NAME] OLD NEW [MODEL...]",
		.summary = "rename an input or output everywhere it is used",
		.opts = rename_opts,
		.optcol = 22,
		.help = "Renames OLD in the description (inputs, outputs, states, training inputs,\n"
			"functions, predicted feature and probabilities names) and wherever the\n"
			"model uses it: neural-network layer inputs and outputs, preprocessing,\n"
			"labelProbabilityLayerName, loss layers, ML-program function inputs, block\n"
			"outputs and every operation binding (nested blocks included), pipeline\n"
			"members and the names connecting them, FeatureVectorizer columns and every\n"
			"*FeatureName field (NonMaximumSuppression...).  Layer and operation names\n"
			"stay.  NEW is refused (exit 2) when it is already used or, for an ML\n"
			"program, is not an identifier ([A-Za-z_][A-Za-z0-9_]*).  Exit 3 when OLD is\n"
			"not a feature of the model.  FeatureDescriptions.json follows.\n",
	},
	{
		.name = "labels",
		.fn = cmd_labels,
		.usage = "labels [list] [--json] [MODEL...]\n"
			 "labels set [-o OUT] [--dry-run] FILE|- [MODEL...]",
		.summary = "list or replace a classifier's class labels",
		.opts = labels_opts,
		.help = "Lists one label a line: neural-network, GLM, SVM, tree-ensemble and\n"
			"nearest-neighbors classifiers, the member of a pipeline classifier that has\n"
			"them, an ML program's classify op, Create ML's text classifiers and word\n"
			"taggers (their tags), a detector's non-maximum suppression member; else\n"
			"the labels of the model's preview params, saying so.\n"
			"set reads one label a line from FILE\n"
			"(- for standard input) and replaces them in place, keeping their kind\n"
			"(string or int64); a count other than the model's, duplicates and empty\n"
			"labels are refused (exit 2, nothing written).  Exit 3: no labels.\n",
		.words = "list set",
	},
	{
		.name = "graph",
		.fn = cmd_graph,
		.usage = "graph [--format dot|mermaid] [--consts] [--grep REGEX | --around NAME [--depth N]] [-o FILE] "
			 "[MODEL]",
		.summary = "draw the data flow as Graphviz DOT or Mermaid",
		.opts = graph_opts,
		.optcol = 18,
		.help = "One node per layer or operation (kind and name), model inputs and outputs\n"
			"as ellipses, types on the edges where the model gives them; pipeline\n"
			"members, ML-program functions and nested blocks (cond, while_loop) as\n"
			"clusters.  The same model always gives the same bytes.\n",
	},
	{
		.name = "check",
		.fn = cmd_check,
		.usage = "check [--json] [MODEL...]",
		.summary = "validate a model as far as a file can be, without Core ML",
		.opts = check_opts,
		.help = "Checks Manifest.json (entries present, links staying inside), that the spec\n"
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
			"at all.  A compiled model (.mlmodelc) is checked for its folder's\n"
			"consistency: coremldata.bin, the schemas in metadata.json, and the\n"
			"program or network its histogram speaks of.\n",
	},
	{
		.name = "diff",
		.fn = cmd_diff,
		.usage = "diff [--json] [--stat] [--no-weights] A B",
		.summary = "compare two models semantically",
		.opts = diff_opts,
		.help = "Compares the spec version, model type, metadata, inputs, outputs, states\n"
			"and functions, pipeline members, neural-network layers (by name, with the\n"
			"fields that changed) and ML-program operations (by name, weights compared\n"
			"by the content of their blobs).  An input, output, layer or operation\n"
			"whose only change is its name is one rename line (\"> OLD -> NEW\").  A and\n"
			"B may be of any format: an .mlmodel against a package or a zip; manifest\n"
			"identifiers and byte layout are ignored.\n"
			"Class labels are compared label by label (\"~ ...labels[3]: \\\"cat\\\" ->\n"
			"\\\"kitten\\\"\", labels added and removed, the count).  Other messages\n"
			"(preprocessing, featureVectorizer.inputList, tree-ensemble nodes, layer\n"
			"parameters) are compared field by field, each changed field by its path\n"
			"with both values; enums by name (\"mode: CHANNEL_FIRST -> CHANNEL_LAST\").\n"
			"Weights and bytes are compared by size and hash.  At most 20 lines are\n"
			"shown for one part of a model, then \"... N more in PART\" (--json lists\n"
			"every change).  Exit 0 when equal, 1 when different.\n"
			"--no-weights leaves out the changes of weight values (blobs, WeightParams,\n"
			"long constants): only structure is compared, and exit status says so.\n"
			"--stat prints one line per changed layer, op or other part (\"~ PATH:\n"
			"FIELD, FIELD\"; \"+\", \"-\" and \">\" as above) and a summary line \"N changed,\n"
			"M added, K removed, weight bytes A -> B\"; with --json the same as numbers.\n",
	},
	{
		.name = "browse",
		.fn = cmd_browse,
		.usage = "browse [--mouse] [--view NAME] [MODEL]",
		.summary = "browse layers, operations, metadata, weights and the spec tree (ncurses)",
		.opts = browse_opts,
		.help = "Views: the overview (what info shows), layers and operations (pipelines\n"
			"member by member, ML programs per function and block), metadata (editable:\n"
			"a add, e change, d delete, p preview type; w saves atomically), weights\n"
			"(with min, max, mean, std, zeros, NaN/Inf and a histogram of float tensors)\n"
			"and the whole spec tree.  Keys: arrows or j/k, PgUp/PgDn, g/G, Enter/l\n"
			"open, h close, Tab next view, / search, n/N next/previous match; in the\n"
			"layers view c shows const operations and < > b follow the data; ? help,\n"
			"q quit.  Prompts edit as readline does (C-a, C-e, M-b, M-f, C-w, C-k,\n"
			"Up/Down for earlier values).  NO_COLOR is honoured.\n"
			"MLPKG_SCRIPT=FILE reads keys from FILE (one a line); with MLPKG_NO_DISPLAY=1\n"
			"the screen is drawn off-screen and printed when the script ends.\n",
	},
	{
		.name = "help",
		.fn = cmd_help,
		.usage = "help [COMMAND]",
		.summary = "show help for mlpkg or one command",
	},
	{ 0 },
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

/* an option's head in --help: "--json", "-o, --output OUT"; options
 * without text of their own join the next one ("--store, --deflate") */
static size_t option_head(const struct opt_spec *o, char *buf, size_t size)
{
	char sh[8] = "";
	if (o->flags & OPT_SHORT)
		snprintf(sh, sizeof(sh), "-%c, ", o->key);
	int n = snprintf(buf, size, "%s--%s%s%s", sh, o->lng, o->argname ? " " : "", o->argname ? o->argname : "");
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static int shown(const struct opt_spec *o)
{
	return !(o->flags & OPT_HIDDEN);
}

/* the heads of the options sharing one line of --help, from o (shown) to
 * the one carrying the text; returns that one */
static const struct opt_spec *line_head(const struct opt_spec *o, char *buf, size_t size)
{
	const struct opt_spec *last = o;
	size_t l = 0;
	buf[0] = 0;
	for (; o->lng; o++) {
		if (!shown(o))
			continue;
		if (l && l + 3 < size) {
			strcpy(buf + l, ", ");
			l += 2;
		}
		l += option_head(o, buf + l, size - l);
		last = o;
		if (o->help)
			break;
	}
	return last;
}

static void print_options(const struct cmd *c, FILE *fp)
{
	char head[128];
	int col = c->optcol;
	if (!col) {
		col = 15;
		for (const struct opt_spec *o = c->opts; o->lng; o++) {
			if (!shown(o))
				continue;
			o = line_head(o, head, sizeof(head));
			if ((int)strlen(head) + 4 > col)
				col = (int)strlen(head) + 4;
		}
	}
	for (const struct opt_spec *o = c->opts; o->lng; o++) {
		if (!shown(o))
			continue;
		o = line_head(o, head, sizeof(head));
		int pad = col - 2 - (int)strlen(head);
		fprintf(fp, "  %s%*s", head, pad < 2 ? 2 : pad, "");
		if (!o->help || !*o->help)
			fputc('\n', fp);
		for (const char *p = o->help ? o->help : ""; *p;) {
			size_t l = strcspn(p, "\n");
			fprintf(fp, "%.*s\n", (int)l, p);
			p += l;
			if (*p && *++p)
				fprintf(fp, "%*s", col, "");
		}
	}
}

int cmd_print_help(const struct cmd *c, FILE *fp)
{
	print_usage_lines(c, fp);
	fprintf(fp, "\n%s\n", c->summary);
	int any = c->opts && c->opts[0].lng;
	if ((c->intro && *c->intro) || any || (c->help && *c->help))
		fputc('\n', fp);
	if (c->intro)
		fputs(c->intro, fp);
	if (any)
		print_options(c, fp);
	if (c->help)
		fputs(c->help, fp);
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

int cmd_read_input(const char *file, char **buf, size_t *len)
{
	int fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return error_code(errno == ENOENT ? EXIT_NOTFOUND : EXIT_FAIL, "'%s': cannot read: %s", file,
				  strerror(errno));
	uint8_t *b;
	int r = fs_read_fd(fd, &b, len, SIZE_MAX - 1);
	int e = errno;
	if (fd)
		close(fd);
	if (r < 0)
		return error_code(EXIT_FAIL, "'%s': cannot read: %s", file, strerror(e));
	*buf = (char *)b;
	return 0;
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
	if ((flags & CMD_OPEN_EDIT) && compiled_is(arg)) {
		error_code(EXIT_USAGE,
			   "'%s': a compiled model (.mlmodelc) is not edited: Core ML does not read edits to it; "
			   "edit the .mlmodel or .mlpackage it was compiled from, and compile that again",
			   arg);
		free(def);
		return NULL;
	}
	struct mlpkg_model *m;
	int r = mlpkg_open(arg, flags & ~CMD_OPEN_EDIT, &m);
	free(def);
	return r < 0 ? NULL : m;
}

/* getopt_long's arguments from a command's table, built once per command */
#define MAX_OPTIONS 32
static const struct cmd *getopt_for;
static struct option getopt_long_opts[MAX_OPTIONS + 1];
static char getopt_short_opts[2 * MAX_OPTIONS + 2];

static void build_getopt(const struct cmd *c)
{
	size_t n = 0, k = 0;
	getopt_short_opts[k++] = ':'; /* ':' tells a missing value from an unknown option */
	for (const struct opt_spec *o = c->opts; o && o->lng && n < MAX_OPTIONS; o++, n++) {
		getopt_long_opts[n] =
			(struct option){ o->lng, o->argname ? required_argument : no_argument, NULL, o->key };
		if (o->flags & (OPT_SHORT | OPT_SHORT_UNLISTED)) {
			getopt_short_opts[k++] = (char)o->key;
			if (o->argname)
				getopt_short_opts[k++] = ':';
		}
	}
	getopt_long_opts[n] = (struct option){ NULL, 0, NULL, 0 };
	getopt_short_opts[k] = 0;
	getopt_for = c;
}

int cmd_getopt(int argc, char **argv, const struct cmd *cmd)
{
	if (getopt_for != cmd)
		build_getopt(cmd);
	const struct option *longopts = getopt_long_opts;
	opterr = 0;
	int c = getopt_long(argc, argv, getopt_short_opts, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	fflush(stdout);
	if (c == ':')
		fprintf(stderr, "mlpkg: %s: option '%s' needs a value\n", argv[0], arg);
	else if (optopt && (!arg || arg[0] != '-' || arg[1] != '-'))
		fprintf(stderr, "mlpkg: %s: unknown option '-%c'\n", argv[0], optopt);
	else if (strchr(arg, '=')) {
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

int cmd_regcomp(const struct cmd *c, regex_t *re, const char *pattern)
{
	int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	if (!r)
		return 0;
	char msg[256];
	regerror(r, re, msg, sizeof(msg));
	cmd_usage(c, "bad regular expression '%s': %s", pattern, msg);
	return -1;
}
