/* cmd-weights: mlpkg weights [--json] [MODEL]; mlpkg weights --extract NAME
 * -o FILE [MODEL]: the weight tensors of ML programs (blob-file values, with
 * their weight.bin records) and neural networks (WeightParams fields). */
#include "cli/commands.h"
#include "base/atomic.h"
#include "query/blob.h"
#include "base/error.h"
#include "query/inspect.h"
#include "query/weights.h"
#include "query/mil.h"
#include "query/miltext.h"
#include "query/compiled.h"
#include "spec/schema.h"
#include "query/show.h"
#include "base/xalloc.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- listing -------------------------------------------------------------------- */

static void values_text(const struct weight_stats *st)
{
	if (!st->n) {
		printf("no finite values, NaN %llu, Inf %llu", (unsigned long long)st->nan,
		       (unsigned long long)st->inf);
		return;
	}
	printf("min %g, max %g, mean %g, std %g, zeros %llu (%.1f%%), NaN %llu, Inf %llu, unique %s%llu", st->min,
	       st->max, st->mean, st->std, (unsigned long long)st->zeros, 100.0 * (double)st->zeros / (double)st->count,
	       (unsigned long long)st->nan, (unsigned long long)st->inf, st->unique_capped ? ">" : "",
	       (unsigned long long)st->unique);
}

/* the progress line of a big tensor's statistics, on a terminal */
struct stats_progress {
	const char *name;
	int last; /* the percentage shown, -1 none */
};

/* for many tensors of much data: the tensors done, on a terminal */
#define STATS_PROGRESS_BYTES (64u << 20)
static int stats_tty;

static void stats_count_progress(size_t i, size_t n)
{
	fflush(stdout);
	if (i < n)
		fprintf(stderr, "\r\033[Kmlpkg: statistics: %zu of %zu tensors", i + 1, n);
	else
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

static void draw_stats_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct stats_progress *p = ctx;
	if (!total) {
		if (p->last >= 0)
			fputs("\r\033[K", stderr);
		p->last = -1;
		return;
	}
	int pct = (int)(done * 100 / total);
	if (pct == p->last)
		return;
	p->last = pct;
	fflush(stdout);
	fprintf(stderr, "\r\033[Kmlpkg: statistics of %s: %d%%", p->name, pct);
	fflush(stderr);
}

static void stats_line(const struct weight_list *L, size_t i)
{
	struct stats_progress prog = { L->v[i].name, -1 };
	if (isatty(2))
		weight_stats_progress(draw_stats_progress, &prog);
	/* the line below the tensor's shows where the work is, then its statistics */
	if (stats_tty)
		stats_count_progress(i, L->n);
	struct weight_stats st;
	struct weight_dequant dq;
	char *why = NULL, *dwhy = NULL;
	int got = weight_values(L, i, &st, &why) == 0;
	int dgot = !got && weight_compressed(&L->v[i]) && weight_dequant(L, i, &dq, &dwhy) == 0;
	if (stats_tty)
		stats_count_progress(L->n, L->n); /* cleared before the line */
	if (got) {
		fputs("      ", stdout);
		values_text(&st);
		fputc('\n', stdout);
	} else if (dgot) {
		printf("      %s, %.2f bits/weight, dequantized: ", dq.scheme,
		       (double)dq.stored_bits / (double)dq.dense);
		values_text(&dq.st);
		fputc('\n', stdout);
	} else {
		printf("      (%s)\n", dwhy ? dwhy : why ? why : "no statistics");
	}
	weight_stats_progress(NULL, NULL);
	free(why);
	free(dwhy);
}

static void json_values(struct jw *w, const struct weight_stats *st)
{
	const struct {
		const char *k;
		uint64_t v;
	} counts[] = { { "count", st->count }, { "finite", st->n }, { "zeros", st->zeros },
		       { "nan", st->nan },     { "inf", st->inf },  { "unique", st->unique } };
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		jw_key(w, counts[k].k);
		jw_uint(w, counts[k].v);
	}
	if (st->unique_capped)
		jw_kbool(w, "uniqueCapped", 1);
	const struct {
		const char *k;
		double v;
	} moments[] = { { "min", st->min }, { "max", st->max }, { "mean", st->mean }, { "std", st->std } };
	for (size_t k = 0; st->n && k < sizeof(moments) / sizeof(moments[0]); k++) {
		jw_key(w, moments[k].k);
		jw_double(w, moments[k].v);
	}
}

/* the weights by kind of storage, and unpacked */
static void storage_text(const struct weight_list *L)
{
	struct weight_storage s;
	weight_storage(L, &s);
	if (!s.n)
		return;
	struct strlist items = { 0 };
	for (size_t i = 0; i < s.n; i++) {
		const struct weight_kind *k = &s.k[i];
		char b[32];
		human_size(b, sizeof(b), k->bytes);
		if (k->elements)
			sl_pushf(&items, "%s %llu tensor%s %s (%.2f bits/weight)", k->name,
				 (unsigned long long)k->tensors, k->tensors == 1 ? "" : "s", b,
				 (double)k->bytes * 8 / (double)k->elements);
		else
			sl_pushf(&items, "%s %llu tensor%s %s", k->name, (unsigned long long)k->tensors,
				 k->tensors == 1 ? "" : "s", b);
	}
	char b[32];
	human_size(b, sizeof(b), s.unpacked);
	sl_pushf(&items, "unpacked %s", b);
	fputs("storage: ", stdout);
	show_wrap(stdout, &items, ", ", 9, 9);
	fputc('\n', stdout);
	sl_free(&items);
}

static void list_text(const struct weight_list *L, const struct weight_file *fi, size_t nfi, int stats)
{
	int several_models = 0, several_funcs = 0;
	for (size_t i = 1; i < L->n; i++) {
		several_models |= L->v[i].model != L->v[0].model;
		several_funcs |= L->v[i].function && L->v[0].function && strcmp(L->v[i].function, L->v[0].function);
	}
	size_t cur_model = (size_t)-1;
	const char *cur_func = NULL;
	int header = 0;
	struct weight_totals tt;
	weight_totals(L, &tt);
	stats_tty = stats && isatty(2) && tt.bytes > STATS_PROGRESS_BYTES;
	for (size_t i = 0; i < L->n; i++) {
		const struct weight_entry *e = &L->v[i];
		if (several_models && e->model != cur_model) {
			const struct model_ref *r = &L->refs[e->model];
			printf("%s (%s):\n", *r->path ? r->path : "(root)", r->type);
			header = 0;
		}
		if (several_funcs && e->function && (!cur_func || strcmp(cur_func, e->function))) {
			fputs("function ", stdout);
			show_escaped(stdout, e->function);
			fputs(":\n", stdout);
			header = 0;
		}
		cur_model = e->model;
		cur_func = e->function;
		if (!header) {
			if (e->is_nn)
				printf("  %-12s %-17s %10s %10s  %s\n", "type", "shape", "count", "bytes", "name");
			else
				printf("  %-9s %-21s %10s %10s  %s\n", "dtype", "shape", "bytes", "offset", "name");
			header = 1;
		}
		char shape[64];
		weight_shape_str(shape, sizeof(shape), e);
		if (e->is_nn) {
			char type[32];
			if (!strcmp(e->w.type, "quantized") || !strcmp(e->w.type, "lut"))
				snprintf(type, sizeof(type), "%s/%d", e->w.type, e->w.bits);
			else
				snprintf(type, sizeof(type), "%s", e->w.type);
			printf("  %-12s %-17s %10llu %10llu  ", type, shape, (unsigned long long)e->w.count,
			       (unsigned long long)e->w.bytes);
		} else {
			printf("  %-9s %-21s %10llu %10llu  ", weight_dtype(e), shape,
			       (unsigned long long)weight_bytes(e), (unsigned long long)e->offset);
		}
		show_escaped(stdout, e->name);
		fputc('\n', stdout);
		if (stats)
			stats_line(L, i);
	}
	for (size_t i = 0; i < nfi; i++) {
		char b[32];
		human_size(b, sizeof(b), fi[i].bytes);
		const char *mp = "@model_path/";
		const char *f = strncmp(fi[i].file, mp, strlen(mp)) ? fi[i].file : fi[i].file + strlen(mp);
		printf("%s: %llu blobs, %s of data", f, (unsigned long long)fi[i].blobs, b);
		if (fi[i].unref) {
			human_size(b, sizeof(b), fi[i].unref_bytes);
			printf(", %llu not referenced by the spec (%s)", (unsigned long long)fi[i].unref, b);
		}
		fputc('\n', stdout);
	}
	struct weight_totals t;
	weight_totals(L, &t);
	char b[32];
	human_size(b, sizeof(b), t.bytes);
	printf("total: %llu weight tensor%s", (unsigned long long)t.tensors, t.tensors == 1 ? "" : "s");
	if (t.distinct != t.tensors)
		printf(" (%llu distinct)", (unsigned long long)t.distinct);
	printf(", %llu parameters, %s (%llu bytes)\n", (unsigned long long)t.params, b, (unsigned long long)t.bytes);
	storage_text(L);
	if (!t.tensors && L->m) {
		/* a tree ensemble, a GLM...: what it holds instead of tensors */
		struct model_counts c = { 0 };
		char *classic = model_count(L->m->root, &c) == 0 ? classic_summary(&c) : NULL;
		if (classic)
			printf("(no weight tensors: the model holds %s)\n", classic);
		free(classic);
		model_counts_release(&c);
	}
}

/* one model's object of the JSON output */
static void list_json(struct jw *wp, const struct weight_list *L, const struct weight_file *fi, size_t nfi, int stats)
{
	jw_obj(wp);
	jw_kstr(wp, "model", L->label);
	jw_key(wp, "weights");
	jw_arr(wp);
	for (size_t i = 0; i < L->n; i++) {
		const struct weight_entry *e = &L->v[i];
		jw_obj(wp);
		jw_kstr(wp, "name", e->name);
		jw_kstr(wp, "path", e->path);
		/* the pipeline member holding it; absent for the model itself */
		const char *member = L->refs[e->model].path;
		if (member && *member)
			jw_kstr(wp, "member", member);
		jw_kstr(wp, "kind", e->is_nn ? "neuralNetwork" : "mlProgram");
		if (e->is_nn) {
			jw_kstr(wp, "layer", e->layer);
			jw_kstr(wp, "field", e->field);
			jw_kstr(wp, "dtype", e->w.type);
			jw_kint(wp, "bits", e->w.bits);
			jw_key(wp, "shape");
			jw_arr(wp);
			for (size_t d = 0; d < e->rank; d++)
				jw_int(wp, e->shape[d]);
			if (!e->rank)
				jw_int(wp, (int64_t)e->w.count);
			jw_arr_end(wp);
			jw_kint(wp, "count", (int64_t)e->w.count);
			jw_kint(wp, "bytes", (int64_t)e->w.bytes);
		} else {
			jw_kstr(wp, "function", e->function);
			jw_kstr(wp, "opType", e->optype);
			jw_kstr(wp, "key", e->key);
			jw_kstr(wp, "dtype", e->dtype ? e->dtype->name : NULL);
			jw_key(wp, "shape");
			jw_arr(wp);
			for (size_t d = 0; d < e->rank; d++)
				jw_int(wp, e->shape[d]);
			jw_arr_end(wp);
			jw_kint(wp, "count", (int64_t)weight_count(e));
			jw_kint(wp, "bytes", (int64_t)weight_bytes(e));
			jw_kstr(wp, "file", e->file);
			jw_kint(wp, "offset", (int64_t)e->offset);
			if (e->have_rec) {
				jw_kstr(wp, "blobDtype", mil_dtype_of_blob(e->rec.dtype)->name);
				jw_kint(wp, "dataOffset", (int64_t)e->rec.data);
				jw_kint(wp, "paddingBits", (int64_t)e->rec.pad_bits);
			}
		}
		struct weight_stats st;
		struct weight_dequant dq;
		char *why = NULL;
		if (stats && weight_values(L, i, &st, &why) == 0) {
			jw_key(wp, "stats");
			jw_obj(wp);
			json_values(wp, &st);
			jw_obj_end(wp);
		} else if (stats && weight_compressed(e) && (free(why), weight_dequant(L, i, &dq, &why) == 0)) {
			jw_key(wp, "dequantized");
			jw_obj(wp);
			jw_kstr(wp, "scheme", dq.scheme);
			jw_kint(wp, "bits", dq.bits);
			jw_kint(wp, "elements", (int64_t)dq.dense);
			jw_kint(wp, "storedBits", (int64_t)dq.stored_bits);
			jw_key(wp, "bitsPerWeight");
			jw_double(wp, (double)dq.stored_bits / (double)dq.dense);
			json_values(wp, &dq.st);
			jw_obj_end(wp);
		}
		free(why);
		jw_obj_end(wp);
	}
	jw_arr_end(wp);
	jw_key(wp, "files");
	jw_arr(wp);
	for (size_t i = 0; i < nfi; i++) {
		jw_obj(wp);
		jw_kstr(wp, "file", fi[i].file);
		jw_kint(wp, "blobs", (int64_t)fi[i].blobs);
		jw_kint(wp, "bytes", (int64_t)fi[i].bytes);
		jw_kint(wp, "unreferenced", (int64_t)fi[i].unref);
		jw_obj_end(wp);
	}
	jw_arr_end(wp);
	struct weight_totals t;
	weight_totals(L, &t);
	jw_key(wp, "totals");
	jw_obj(wp);
	jw_kint(wp, "tensors", (int64_t)t.tensors);
	jw_kint(wp, "distinct", (int64_t)t.distinct);
	jw_kint(wp, "parameters", (int64_t)t.params);
	jw_kint(wp, "bytes", (int64_t)t.bytes);
	struct weight_storage s;
	weight_storage(L, &s);
	jw_key(wp, "storage");
	jw_arr(wp);
	for (size_t k = 0; k < s.n; k++) {
		jw_obj(wp);
		jw_kstr(wp, "kind", s.k[k].name);
		jw_kint(wp, "tensors", (int64_t)s.k[k].tensors);
		jw_kint(wp, "bytes", (int64_t)s.k[k].bytes);
		jw_kint(wp, "elements", (int64_t)s.k[k].elements);
		jw_obj_end(wp);
	}
	jw_arr_end(wp);
	jw_kint(wp, "unpackedBytes", (int64_t)s.unpacked);
	jw_obj_end(wp);
	jw_obj_end(wp);
}

/* ---- extraction ------------------------------------------------------------------- */

/* the .npy header (version 1.0) for a little-endian C-order array */
static char *npy_header(const char *descr, const uint64_t *dims, size_t rank, size_t *len)
{
	struct strbuf d = STRBUF_INIT;
	sb_addf(&d, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
	for (size_t i = 0; i < rank; i++)
		sb_addf(&d, "%llu%s", (unsigned long long)dims[i], rank == 1 ? "," : i + 1 < rank ? ", " : "");
	sb_adds(&d, "), }");
	/* magic (6) + version (2) + length (2) + dict + padding + newline: a multiple of 64 */
	size_t total = 10 + d.len + 1;
	size_t pad = (64 - total % 64) % 64;
	for (size_t i = 0; i < pad; i++)
		sb_addc(&d, ' ');
	sb_addc(&d, '\n');
	struct strbuf h = STRBUF_INIT;
	sb_add(&h, "\x93NUMPY\x01\x00", 8);
	uint8_t l2[2] = { (uint8_t)(d.len & 0xff), (uint8_t)(d.len >> 8) };
	sb_add(&h, l2, 2);
	sb_add(&h, d.buf, d.len);
	sb_release(&d);
	return sb_detach(&h, len);
}

struct out {
	struct atomic_file af;
	int to_stdout;
	const char *name;
};

static int out_write(struct out *o, const void *p, size_t n)
{
	if (o->to_stdout) {
		if (n && fwrite(p, 1, n, stdout) != n)
			return error_code(EXIT_WRITE, "cannot write to standard output");
		return 0;
	}
	return atomic_write(&o->af, p, n);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int extract(struct weight_list *L, const char *name, const char *outname)
{
	const struct weight_entry *e = NULL;
	for (size_t i = 0; i < L->n && !e; i++)
		if (!strcmp(L->v[i].name, name))
			e = &L->v[i];
	for (size_t i = 0; i < L->n && !e; i++)
		if (!strcmp(L->v[i].path, name))
			e = &L->v[i];
	if (!e)
		return error_code(EXIT_NOTFOUND, "'%s': no weight tensor named '%s' (see mlpkg weights)", L->label,
				  name);
	const uint8_t *data;
	size_t len;
	uint8_t *own = NULL;
	const char *descr;
	int bits, is_signed = 0, msb = 0;
	uint64_t count;
	if (e->is_nn) {
		if (e->w.value) {
			data = e->w.value->val;
			len = e->w.value->vlen;
		} else {
			own = nn_weight_gather(&e->w, &len);
			data = own;
		}
		bits = e->w.bits;
		count = e->w.count;
		msb = 1;
		if (!strcmp(e->w.type, "float32"))
			descr = "<f4";
		else if (!strcmp(e->w.type, "float16"))
			descr = "<f2";
		else if (!strcmp(e->w.type, "int8"))
			descr = "|i1", is_signed = 1;
		else
			descr = "|u1";
	} else {
		if (!e->have_rec && L->absent)
			return error_code(L->absent, "%s",
					  L->absent_msg ? L->absent_msg : "its weight file is not there");
		if (!e->have_rec && L->unreadable) {
			/* its weight file could not be read: said already */
			return error_code_silent(L->unreadable);
		}
		if (!e->have_rec) {
			return error_code(EXIT_NOTFOUND, "'%s': the data of '%s' is in %s, which only a package holds",
					  L->label, name, e->file);
		}
		data = e->bf->data + e->rec.data;
		len = e->rec.size;
		const struct mil_dtype *d = mil_dtype_of_blob(e->rec.dtype);
		descr = d->npy;
		bits = d->bits;
		is_signed = !strcmp(d->name, "int4");
		count = blob_elements(&e->rec, bits);
	}
	int npy = has_suffix(outname, ".npy");
	struct out o;
	memset(&o, 0, sizeof(o));
	o.to_stdout = !strcmp(outname, "-");
	o.name = outname;
	if (o.to_stdout && isatty(1)) {
		free(own);
		return error_code(EXIT_USAGE, "not writing binary data to a terminal: redirect it or use -o FILE");
	}
	if (npy && bits > 8 && bits % 8) {
		free(own);
		return error_code(EXIT_USAGE, "'%s': %d-bit values have no .npy form; extract the raw bytes", name,
				  bits);
	}
	if (!o.to_stdout && atomic_begin(&o.af, outname, 0) < 0) {
		free(own);
		return -1;
	}
	int rc = 0;
	if (npy) {
		uint64_t dims[64];
		size_t rank = 1;
		dims[0] = count;
		if (e->is_nn && e->rank && e->rank <= 64) {
			/* the layer's shape (its size was checked against the count) */
			rank = e->rank;
			for (size_t i = 0; i < rank; i++)
				dims[i] = (uint64_t)e->shape[i];
		} else if (!e->is_nn && e->known && e->rank <= 64 && (e->count == count || e->rank == 0)) {
			rank = e->rank;
			for (size_t i = 0; i < rank; i++)
				dims[i] = (uint64_t)e->shape[i];
		}
		size_t hl;
		char *h = npy_header(descr, dims, rank, &hl);
		rc = out_write(&o, h, hl);
		free(h);
		if (rc == 0 && bits < 8) {
			/* one byte per element */
			uint8_t *u = xmalloc(count ? count : 1);
			if ((count * (uint64_t)bits + 7) / 8 > len) {
				rc = error_code(EXIT_INVALID, "'%s': '%s' is shorter than its %llu elements", L->label,
						name, (unsigned long long)count);
			} else {
				bits_unpack(data, count, bits, is_signed, msb, u);
				rc = out_write(&o, u, count);
			}
			free(u);
		} else if (rc == 0) {
			rc = out_write(&o, data,
				       (size_t)(count * (uint64_t)bits / 8) <= len
					       ? (size_t)(count * (uint64_t)bits / 8)
					       : len);
		}
	} else {
		rc = out_write(&o, data, len);
	}
	free(own);
	if (o.to_stdout)
		return rc;
	if (rc < 0) {
		atomic_abort(&o.af);
		return -1;
	}
	return atomic_commit(&o.af);
}

/* a weight file that is not there (absent, a Git LFS pointer) does not
 * fail a listing: said once, as a warning (extracting a tensor from it
 * fails instead) */
static void say_unreadable(const struct weight_list *L)
{
	if (L->absent_msg)
		warning("%s: its tensors are listed as the spec declares them, records not read", L->absent_msg);
}

struct weights_opts {
	int json, stats, several;
	const char *name, *outname;
};

/* One model: listed as text, as its object of the JSON output into w
 * (nothing when it cannot be read: its error is said, its status
 * returned), or the tensor extracted. */
static int weights_one(const char *arg, const struct weights_opts *o, struct jw *w)
{
	struct weight_list L;
	memset(&L, 0, sizeof(L));
	struct compiled *cm = NULL;
	int gathered = -1, ec = EXIT_OK, partial = 0;
	struct error_capture cap;
	if (arg && compiled_is(arg)) {
		/* a compiled folder: the program's weights from model.mil and weights/ */
		if (compiled_open(arg, &cm) < 0)
			return last_error_code();
		L.label = arg;
		L.store = blob_store_new_dir(arg);
		char *stop = NULL;
		error_capture_begin(&cap, ERRCAP_WATCH);
		gathered = weight_list_read_compiled(&L, cm, &stop);
		ec = error_capture_end(&cap);
		if (stop)
			warning("'%s': %s; the weights after it are not listed", arg, stop);
		partial = stop != NULL;
		free(stop);
	} else {
		L.m = cmd_open(arg, 0);
		if (!L.m)
			return last_error_code();
		L.store = blob_store_new(L.m);
		error_capture_begin(&cap, ERRCAP_WATCH);
		gathered = weight_list_read(&L);
		ec = error_capture_end(&cap);
	}
	int rc = EXIT_OK;
	struct weight_file *fi = NULL;
	size_t nfi = 0;
	if (gathered < 0 || ec != EXIT_OK) {
		/* any node found invalid on the way fails the model */
		rc = ec != EXIT_OK ? ec : EXIT_FAIL;
	} else if (o->name) {
		if (extract(&L, o->name, o->outname) < 0)
			rc = last_error_code();
	} else if (weight_files(&L, &fi, &nfi) < 0) {
		rc = last_error_code();
	} else if (o->json) {
		say_unreadable(&L);
		/* the model's object apart first: nothing half-written */
		char *buf;
		size_t len;
		struct jw one;
		FILE *mem = jw_fork_mem(&one, w, &buf, &len);
		list_json(&one, &L, fi, nfi, o->stats);
		fclose(mem);
		jw_join(w, &one, buf, len);
		free(buf);
	} else {
		say_unreadable(&L);
		if (o->several)
			printf("%s:\n", L.label);
		list_text(&L, fi, nfi, o->stats);
		if (cm && L.espresso)
			printf("(a compiled neural network: model.espresso.weights is not read, its layout is not "
			       "published)\n");
	}
	if (rc == EXIT_OK && partial)
		rc = EXIT_INVALID; /* what was read is listed; where model.mil stopped was said */
	if (rc == EXIT_OK && L.unreadable)
		rc = L.unreadable;
	free(fi);
	weight_list_release(&L);
	mlpkg_close(L.m);
	compiled_close(cm);
	return rc;
}

int cmd_weights(int argc, char **argv)
{
	const struct cmd *self = cmd_find("weights");
	struct weights_opts o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'x': o.name = optarg; break;
		case 'S': o.stats = 1; break;
		case 'o': o.outname = optarg; break;
		default: return cmd_usage(self, "unknown option");
		}
	}
	int n = argc - optind;
	if (o.name && n > 1)
		return cmd_usage(self, "--extract takes one model");
	if (o.name && !o.outname)
		return cmd_usage(self, "--extract needs -o FILE (- for standard output)");
	if (o.outname && !o.name)
		return cmd_usage(self, "-o goes with --extract");
	if (o.name && o.json)
		return cmd_usage(self, "--json does not go with --extract");
	if (o.name && o.stats)
		return cmd_usage(self, "--stats does not go with --extract");
	o.several = n > 1;
	struct jw w;
	jw_init(&w, stdout);
	if (o.json)
		jw_models_begin(&w);
	int rc = !n ? weights_one(NULL, &o, &w) : EXIT_OK;
	for (int i = 0; i < n; i++)
		rc = worse(rc, weights_one(argv[optind + i], &o, &w));
	if (o.json)
		jw_models_end(&w);
	return rc;
}
