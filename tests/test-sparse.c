/* test-sparse: a tree over a mapped file (mt_root_set_file) lists big nodes
 * with pread and copies only their small fields; it must see exactly what
 * the in-memory tree sees: same fields, same values, same errors, the same
 * bytes when saved, whatever the shape (sparse, dense, groups, truncated,
 * invalid), and it must not touch the big payloads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/error.h"
#include "spec/tree.h"
#include "spec/wire.h"
#include "base/xalloc.h"
#include "Model.pb-c.h"

/* ---- building specs by hand -------------------------------------------------- */

static void put_varint_field(struct strbuf *sb, uint32_t num, uint64_t v)
{
	uint8_t b[20];
	size_t k = wire_put_varint(b, wire_tag(num, WT_VARINT));
	k += wire_put_varint(b + k, v);
	sb_add(sb, b, k);
}

static void put_len_field(struct strbuf *sb, uint32_t num, const void *p, size_t len)
{
	uint8_t b[20];
	size_t k = wire_put_varint(b, wire_tag(num, WT_LEN));
	k += wire_put_varint(b + k, len);
	sb_add(sb, b, k);
	if (len)
		sb_add(sb, p, len);
}

static void put_str(struct strbuf *sb, uint32_t num, const char *s)
{
	put_len_field(sb, num, s, strlen(s));
}

/* WeightParams with floatValue (packed) of n floats */
static void put_weights(struct strbuf *sb, uint32_t num, size_t n, unsigned seed)
{
	struct strbuf w = STRBUF_INIT, fl = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		float f = (float)((i * 2654435761u + seed) % 1000) / 1000.0f;
		sb_add(&fl, &f, 4);
	}
	put_len_field(&w, 1, fl.buf, fl.len);
	put_len_field(sb, num, w.buf, w.len);
	sb_release(&w);
	sb_release(&fl);
}

struct shape {
	size_t layers;
	size_t wfloats; /* floats per weight tensor */
	int group;      /* a group field inside the network */
	int bad_utf8;   /* a layer name that is not UTF-8 */
};

static uint8_t *make_spec(const struct shape *sh, size_t *len)
{
	struct strbuf root = STRBUF_INIT, desc = STRBUF_INIT, md = STRBUF_INIT, e = STRBUF_INIT, in = STRBUF_INIT,
		      nn = STRBUF_INIT;
	put_varint_field(&root, 1, 4);
	put_str(&in, 1, "input");
	put_len_field(&desc, 1, in.buf, in.len);
	put_str(&md, 3, "someone");
	put_str(&e, 1, "k");
	put_str(&e, 2, "v");
	put_len_field(&md, 100, e.buf, e.len);
	put_len_field(&desc, 100, md.buf, md.len);
	put_len_field(&root, 2, desc.buf, desc.len);
	for (size_t i = 0; i < sh->layers; i++) {
		struct strbuf l = STRBUF_INIT, ip = STRBUF_INIT;
		char name[32];
		snprintf(name, sizeof name, "dense_%zu", i);
		if (sh->bad_utf8 && i == sh->layers / 2)
			name[0] = (char)0xff;
		put_str(&l, 1, name);
		put_str(&l, 2, i ? "prev" : "input");
		put_str(&l, 3, "next");
		put_varint_field(&ip, 1, 16);
		put_varint_field(&ip, 2, 16);
		put_varint_field(&ip, 10, 1);
		put_weights(&ip, 20, sh->wfloats, (unsigned)i);
		put_weights(&ip, 21, 16, (unsigned)i + 7);
		put_len_field(&l, 140, ip.buf, ip.len);
		put_len_field(&nn, 1, l.buf, l.len);
		if (sh->group && i == 1) {
			/* field 8888 as a group holding a varint, then its end */
			uint8_t g[16];
			size_t k = wire_put_varint(g, wire_tag(8888, WT_SGROUP));
			k += wire_put_varint(g + k, wire_tag(1, WT_VARINT));
			g[k++] = 5;
			k += wire_put_varint(g + k, wire_tag(8888, WT_EGROUP));
			sb_add(&nn, g, k);
		}
		sb_release(&l);
		sb_release(&ip);
	}
	put_varint_field(&nn, 9999, 42); /* unknown to the schema */
	put_len_field(&root, 500, nn.buf, nn.len);
	sb_release(&desc);
	sb_release(&md);
	sb_release(&e);
	sb_release(&in);
	sb_release(&nn);
	return (uint8_t *)sb_detach(&root, len);
}

/* ---- two trees over the same bytes ------------------------------------------- */

struct pair {
	uint8_t *mem; /* in-memory copy */
	size_t len;
	int fd;
	uint8_t *map;
	struct mt_node *a, *b; /* a: in memory, b: over the mapped file */
	char path[64];
};

static void pair_open(struct pair *p, const uint8_t *bytes, size_t len)
{
	memset(p, 0, sizeof(*p));
	p->len = len;
	p->mem = xmalloc(len);
	memcpy(p->mem, bytes, len);
	strcpy(p->path, "/tmp/test-sparse.XXXXXX");
	p->fd = mkstemp(p->path);
	assert_true(p->fd >= 0);
	unlink(p->path);
	assert_int_equal(write(p->fd, bytes, len), (ssize_t)len);
	p->map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, p->fd, 0);
	assert_true(p->map != MAP_FAILED);
	p->a = mt_root_new(&core_ml__specification__model__descriptor, p->mem, len, "t");
	p->b = mt_root_new(&core_ml__specification__model__descriptor, p->map, len, "t");
	mt_root_set_file(p->b, p->fd, p->map, len);
}

static void pair_close(struct pair *p)
{
	mt_free(p->a);
	mt_free(p->b);
	munmap(p->map, p->len);
	close(p->fd);
	free(p->mem);
}

static int in_map(const struct pair *p, const void *q)
{
	return (const uint8_t *)q >= p->map && (const uint8_t *)q < p->map + p->len;
}

/* walks both trees, opening every message; checks they agree.  Counts the
 * fields of b that still point into the mapping (*mapped) and how many of
 * them are big (*big). */
static void same_tree(struct pair *p, struct mt_node *a, struct mt_node *b, size_t *mapped, size_t *copied)
{
	int ra = mt_parse(a), rb = mt_parse(b);
	assert_int_equal(ra, rb);
	if (ra < 0)
		return;
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_field *fa = &a->f[i], *fb = &b->f[i];
		assert_int_equal(fa->number, fb->number);
		assert_int_equal(fa->wt, fb->wt);
		assert_int_equal(fa->flags, fb->flags);
		assert_ptr_equal(fa->fd, fb->fd);
		assert_int_equal(fa->rawlen, fb->rawlen);
		assert_int_equal(fa->vlen, fb->vlen);
		assert_int_equal(fa->u, fb->u);
		assert_int_equal(fa->val - fa->raw, fb->val - fb->raw);
		if (in_map(p, fb->raw))
			(*mapped)++;
		else
			(*copied)++;
		if (fa->rawlen <= 4096)
			assert_memory_equal(fa->raw, fb->raw, fa->rawlen);
		if (fa->fd && fa->fd->type == PROTOBUF_C_TYPE_MESSAGE && fa->wt == WT_LEN) {
			struct mt_node *ca = mt_child(a, i), *cb = mt_child(b, i);
			assert_int_equal(ca == NULL, cb == NULL);
			if (ca)
				same_tree(p, ca, cb, mapped, copied);
		}
	}
}

static void same_bytes_saved(struct pair *p)
{
	size_t la, lb;
	uint8_t *sa = mt_serialize(p->a, &la), *sb = mt_serialize(p->b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(sa, sb, la);
	free(sa);
	free(sb);
}

/* Makes the whole mapping unreadable (on) or readable again: listing and
 * checking a sparse file-backed tree reads the file with pread only. */
static void protect_map(struct pair *p, int on)
{
	assert_int_equal(mprotect(p->map, p->len, on ? PROT_NONE : PROT_READ), 0);
}

/* ---- tests ---------------------------------------------------------------------- */

/* a network of big layers: only headers and small fields are read */
static void sparse_network(void **state)
{
	struct shape sh = { .layers = 12, .wfloats = 20000 };
	size_t len, mapped = 0, copied = 0;
	uint8_t *spec = make_spec(&sh, &len);
	struct pair p;
	pair_open(&p, spec, len);
	assert_int_equal(mt_check(p.a), 0);
	assert_int_equal(mt_validate(p.a), 0);
	/* checking and listing all of it reads no byte through the mapping:
	 * no page of it is faulted in */
	protect_map(&p, 1);
	assert_int_equal(mt_check(p.b), 0);
	assert_int_equal(mt_validate(p.b), 0);
	protect_map(&p, 0);
	same_tree(&p, p.a, p.b, &mapped, &copied);
	/* the 12 weight payloads and the spans holding them stay in the mapping */
	assert_true(mapped >= 12);
	assert_true(copied > 12 * 5);
	/* the root's fields other than the network are copies */
	assert_false(in_map(&p, p.b->f[0].raw));
	assert_false(in_map(&p, p.b->f[1].raw));
	assert_true(in_map(&p, p.b->f[2].raw));
	same_bytes_saved(&p);
	/* an edit saves the same bytes */
	struct mt_node *ma = mt_get_path(p.a, "description.metadata"), *mb = mt_get_path(p.b, "description.metadata");
	mt_set_bytes(ma, 3, "a new author", 12);
	mt_set_bytes(mb, 3, "a new author", 12);
	struct mt_node *la = mt_get_path(p.a, "neuralNetwork"), *lb = mt_get_path(p.b, "neuralNetwork");
	struct mt_node *l5a = mt_child(la, 5), *l5b = mt_child(lb, 5);
	mt_set_bytes(l5a, 1, "renamed", 7);
	mt_set_bytes(l5b, 1, "renamed", 7);
	same_bytes_saved(&p);
	pair_close(&p);
	free(spec);
}

/* many small layers: the network is dense and is read through the mapping */
static void dense_network(void **state)
{
	struct shape sh = { .layers = 3000, .wfloats = 4 };
	size_t len, mapped = 0, copied = 0;
	uint8_t *spec = make_spec(&sh, &len);
	struct pair p;
	pair_open(&p, spec, len);
	same_tree(&p, p.a, p.b, &mapped, &copied);
	struct mt_node *nb = mt_get_path(p.b, "neuralNetwork");
	assert_true(in_map(&p, nb->f[1000].raw));
	assert_int_equal(mt_check(p.b), 0);
	same_bytes_saved(&p);
	pair_close(&p);
	free(spec);
}

/* a group in a big node: the in-memory parser takes over, same result */
static void group_in_big_node(void **state)
{
	struct shape sh = { .layers = 4, .wfloats = 5000, .group = 1 };
	size_t len, mapped = 0, copied = 0;
	uint8_t *spec = make_spec(&sh, &len);
	struct pair p;
	pair_open(&p, spec, len);
	same_tree(&p, p.a, p.b, &mapped, &copied);
	assert_int_equal(mt_check(p.b), 0);
	same_bytes_saved(&p);
	pair_close(&p);
	free(spec);
}

/* every truncation point: both trees fail, or not, at the same place */
static void truncated(void **state)
{
	struct shape sh = { .layers = 3, .wfloats = 600 };
	size_t len;
	uint8_t *spec = make_spec(&sh, &len);
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	for (size_t cut = 1; cut < len; cut += cut < 200 ? 1 : 97) {
		struct pair p;
		size_t mapped = 0, copied = 0;
		pair_open(&p, spec, cut);
		assert_int_equal(mt_check(p.a), mt_check(p.b));
		same_tree(&p, p.a, p.b, &mapped, &copied);
		pair_close(&p);
	}
	error_capture_end(&cap);
	free(spec);
}

/* a string that is not UTF-8 in a small field of a big node */
static void invalid_string(void **state)
{
	struct shape sh = { .layers = 6, .wfloats = 3000, .bad_utf8 = 1 };
	size_t len, mapped = 0, copied = 0;
	uint8_t *spec = make_spec(&sh, &len);
	struct pair p;
	pair_open(&p, spec, len);
	struct error_capture cap;
	error_capture_begin(&cap, ERRCAP_DROP);
	assert_int_equal(mt_check(p.a), -1);
	assert_int_equal(mt_check(p.b), -1);
	same_tree(&p, p.a, p.b, &mapped, &copied);
	error_capture_end(&cap);
	pair_close(&p);
	free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sparse_network), cmocka_unit_test(dense_network),  cmocka_unit_test(group_in_big_node),
		cmocka_unit_test(truncated),      cmocka_unit_test(invalid_string),
	};
	return cmocka_run_group_tests_name("sparse", tests, NULL, NULL);
}
