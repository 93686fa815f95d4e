/* fuzz-pathq: libFuzzer target for the path language.  The input is a path,
 * then (after a NUL byte, when there is one) the spec it runs over; without
 * one the path runs over a small built-in model with metadata, a neural
 * network and an ML program. */
#include "base/error.h"
#include "query/pathq.h"
#include "spec/tree.h"
#include "base/xalloc.h"
#include "Model.pb-c.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* messages about the fuzzed input are expected: none is printed */
static void quiet(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)is_warning;
	(void)msg;
	(void)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a LEN field num holding parts (each a buffer and its length), appended to sb */
static void len_field(struct strbuf *sb, uint32_t num, const void *p, size_t n)
{
	size_t el;
	uint8_t *e = mt_encode_len(num, p, n, &el);
	sb_add(sb, e, el);
	free(e);
}

static void str_field(struct strbuf *sb, uint32_t num, const char *s)
{
	len_field(sb, num, s, strlen(s));
}

/* description { metadata { author: "a" userDefined { key: "k" value: "v" } } }
 * neuralNetwork { layers { name: "conv1" input: "x" output: "y" } }
 * mlProgram { functions { key: "main" value { opset: "CoreML5"
 *   block_specializations { key: "CoreML5" value { operations { type: "const" } } } } } } */
static struct strbuf builtin = STRBUF_INIT;

static void make_builtin(void)
{
	struct strbuf ud = STRBUF_INIT, md = STRBUF_INIT, d = STRBUF_INIT, l = STRBUF_INIT, nn = STRBUF_INIT;
	struct strbuf op = STRBUF_INIT, blk = STRBUF_INIT, bs = STRBUF_INIT, fn = STRBUF_INIT, fe = STRBUF_INIT,
		      prog = STRBUF_INIT;
	str_field(&ud, 1, "k");
	str_field(&ud, 2, "v");
	str_field(&md, 3, "a");
	len_field(&md, 100, ud.buf, ud.len);
	len_field(&d, 100, md.buf, md.len);
	len_field(&builtin, 2, d.buf, d.len);
	str_field(&l, 1, "conv1");
	str_field(&l, 2, "x");
	str_field(&l, 3, "y");
	len_field(&nn, 1, l.buf, l.len);
	len_field(&builtin, 500, nn.buf, nn.len);
	str_field(&op, 1, "const");
	len_field(&blk, 3, op.buf, op.len);
	str_field(&bs, 1, "CoreML5");
	len_field(&bs, 2, blk.buf, blk.len);
	str_field(&fn, 2, "CoreML5");
	len_field(&fn, 3, bs.buf, bs.len);
	str_field(&fe, 1, "main");
	len_field(&fe, 2, fn.buf, fn.len);
	len_field(&prog, 2, fe.buf, fe.len);
	len_field(&builtin, 502, prog.buf, prog.len);
	struct strbuf *all[] = { &ud, &md, &d, &l, &nn, &op, &blk, &bs, &fn, &fe, &prog };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sb_release(all[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	set_error_routine(quiet, NULL);
	if (!builtin.len)
		make_builtin();
	if (size > 4096)
		return 0;
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;
	char *path = malloc(plen + 1);
	memcpy(path, data, plen);
	path[plen] = 0;
	const uint8_t *spec = nul ? nul + 1 : (const uint8_t *)builtin.buf;
	size_t slen = nul ? size - plen - 1 : builtin.len;
	struct mt_node *root = mt_root_new(&core_ml__specification__model__descriptor, spec, slen, "fuzz");
	struct pq_result r;
	if (pathq_eval(root, path, &r) == 0) {
		if (!r.node)
			abort();
		if ((r.kind == PQ_FIELD || r.kind == PQ_ELEMENT || r.kind == PQ_REPEATED) && r.field >= r.node->n)
			abort();
	}
	mt_free(root);
	free(path);
	return 0;
}
