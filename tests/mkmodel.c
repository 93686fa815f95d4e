/* mkmodel: writes example Core ML models (.mlmodel files and .mlpackage folders) for the tests, the
 * quick start and the benchmarks.  Everything is built with the protobuf-c code generated from our
 * schema, except the two big kinds, whose weights are streamed with a small hand-written encoder so
 * that a model of any size needs only a few buffers of memory.
 *
 * usage: mkmodel KIND OUT [--size BYTES] [--seed N]
 * (KIND voc writes no model: the 21 PASCAL VOC labels the segmentation example scores, one a line)
 * Output is a pure function of the arguments: identifiers are fixed and weight values come from a
 * PRNG seeded with --seed (default 1).
 *
 * This file holds the command line and the table of kinds; the kinds and what they share are in
 * tests/mkmodel-*.c (see mkmodel.h). */
#include "mkmodel.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BIG_SIZE (64ull << 20)

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fprintf(stderr,
		"usage: %s KIND OUT [--size BYTES] [--seed N]  (KIND: segmentation nn nnclassifier "
		"pipeline multifunction bignn bigpkg voc detector control compiledprogram compilednn "
		"compiledpipeline compressed compresseddense nnlut mobilenet)\n",
		progname);
	exit(2);
}

/* a byte count, optionally with a K, M or G suffix (powers of 1024) */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		end++;
		break;
	case 'm':
	case 'M':
		shift = 20;
		end++;
		break;
	case 'g':
	case 'G':
		shift = 30;
		end++;
		break;
	default: break;
	}
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int main(int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;
	uint64_t size = DEFAULT_BIG_SIZE, seed = 1;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--size") || !strcmp(argv[i], "--seed")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "%s: %s needs a value\n", progname, argv[i]);
				exit(2);
			}
			uint64_t v;
			if (!strcmp(argv[i], "--size")) {
				if (parse_size(argv[i + 1], &v) != 0 || v == 0) {
					fprintf(stderr, "%s: bad --size: %s\n", progname, argv[i + 1]);
					exit(2);
				}
				size = v;
			} else {
				char *end;
				errno = 0;
				unsigned long long s = strtoull(argv[i + 1], &end, 10);
				if (errno || end == argv[i + 1] || *end || argv[i + 1][0] == '-') {
					fprintf(stderr, "%s: bad --seed: %s\n", progname, argv[i + 1]);
					exit(2);
				}
				seed = (uint64_t)s;
			}
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage();
		} else if (argv[i][0] == '-' && argv[i][1] == '-') {
			fprintf(stderr, "%s: unknown option %s\n", progname, argv[i]);
			exit(2);
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			usage();
		}
	}
	if (npos != 2)
		usage();
	const char *kind = pos[0], *out = pos[1];
	static const char *const kinds[] = { "segmentation",     "nn",         "nnclassifier",    "pipeline",
					     "multifunction",    "bignn",      "bigpkg",          "voc",
					     "detector",         "control",    "compiledprogram", "compilednn",
					     "compiledpipeline", "compressed", "nnlut",           "mobilenet",
					     "compresseddense" };
	size_t k;
	for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (!strcmp(kind, kinds[k]))
			break;
	if (k == sizeof kinds / sizeof kinds[0]) {
		fprintf(stderr,
			"%s: unknown KIND %s (one of: segmentation nn nnclassifier pipeline multifunction "
			"bignn bigpkg voc detector control compiledprogram compilednn compiledpipeline compressed "
			"nnlut mobilenet compresseddense)\n",
			progname, kind);
		exit(2);
	}

	rng_state = seed;
	remove_existing(out);
	out_path = out;
	switch (k) {
	case 0: make_segmentation(out); break;
	case 1: make_nn(out); break;
	case 2: make_nnclassifier(out); break;
	case 3: make_pipeline(out); break;
	case 4: make_multifunction(out); break;
	case 5: make_bignn(out, size, seed); break;
	case 6: make_bigpkg(out, size, seed); break;
	case 7: make_voc(out); break;
	case 8: make_detector(out); break;
	case 9: make_control(out); break;
	case 10: make_compiled(out, 1); break;
	case 11: make_compiled(out, 0); break;
	case 12: make_compiled_pipeline(out); break;
	case 13: make_compressed(out, 0); break;
	case 14: make_nnlut(out); break;
	case 15: make_mobilenet(out); break;
	case 16: make_compressed(out, 1); break;
	default: usage();
	}
	out_path = NULL;
	arena_free();
	return 0;
}
