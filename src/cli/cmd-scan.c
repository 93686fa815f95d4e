/* cmd-scan: mlpkg scan [--json] PATH...: every Core ML model in folders,
 * app bundles, zips and .ipa files, listed from their headers. */
#include "cli/commands.h"
#include "base/error.h"
#include "base/jsonout.h"
#include "query/scan.h"
#include "query/show.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct out {
	int json;
	struct jw w;
	/* the progress line on a terminal: folders and archives entered so
	 * far, drawn at most every PROGRESS_MS, cleared before each model
	 * listed and at the end */
	int tty, shown;
	unsigned long long visited;
	size_t found;
	struct timespec last;
};
#define PROGRESS_MS 100

static void progress_clear(struct out *o)
{
	if (o->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		o->shown = 0;
	}
}

static void visiting(void *ctx, const char *path)
{
	struct out *o = ctx;
	o->visited++;
	if (!o->tty)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long ms = (now.tv_sec - o->last.tv_sec) * 1000 + (now.tv_nsec - o->last.tv_nsec) / 1000000;
	if (o->visited > 1 && ms < PROGRESS_MS)
		return;
	o->last = now;
	/* the end of the path, so the line stays on one screen row */
	size_t n = strlen(path);
	const char *tail = n > 40 ? path + n - 40 : path;
	fflush(stdout);
	fprintf(stderr, "\r\033[Kmlpkg: scanning: %llu folders, %zu models; %s%s", o->visited, o->found,
		n > 40 ? "..." : "", tail);
	fflush(stderr);
	o->shown = 1;
}

static void names_text(const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", stdout);
		show_escaped(stdout, v[i]);
	}
	if (!n)
		fputs("-", stdout);
}

static void names_json(struct jw *w, const char *key, const char **v, size_t n)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, v[i]);
	jw_arr_end(w);
}

static void found(void *ctx, const struct scan_hit *h)
{
	struct out *o = ctx;
	o->found++;
	progress_clear(o);
	if (o->json) {
		struct jw *w = &o->w;
		jw_obj(w);
		jw_kstr(w, "model", h->path);
		jw_kstr(w, "format", h->format);
		if (h->kind)
			jw_kstr(w, "kind", h->kind);
		jw_kint(w, "size", h->size);
		if (h->version >= 0)
			jw_kint(w, "specificationVersion", h->version);
		if (h->author)
			jw_kstr(w, "author", h->author);
		if (h->in)
			names_json(w, "inputs", h->in, h->nin);
		if (h->out)
			names_json(w, "outputs", h->out, h->nout);
		jw_obj_end(w);
		return;
	}
	show_escaped(stdout, h->path);
	printf("\n  %s, %lld bytes", h->format, (long long)h->size);
	if (h->kind) {
		fputs(", ", stdout);
		show_escaped(stdout, h->kind);
	}
	if (h->version >= 0)
		printf(", spec %lld", (long long)h->version);
	if (h->author) {
		fputs(", by ", stdout);
		show_escaped(stdout, h->author);
	}
	if (h->in || h->out) {
		fputs("\n  ", stdout);
		names_text(h->in, h->nin);
		fputs(" -> ", stdout);
		names_text(h->out, h->nout);
	}
	fputc('\n', stdout);
}

int cmd_scan(int argc, char **argv)
{
	const struct cmd *self = cmd_find("scan");
	struct out o = { 0 };
	int c;
	optind = 0;
	while ((c = cmd_getopt(argc, argv, self)) != -1) {
		if (c == 'j')
			o.json = 1;
		else
			return cmd_usage(self, "unknown option");
	}
	if (optind >= argc)
		return cmd_usage(self, "no PATH to scan");
	if (o.json) {
		jw_init(&o.w, stdout);
		jw_obj(&o.w);
		jw_kint(&o.w, "version", 1);
		jw_key(&o.w, "models");
		jw_arr(&o.w);
	}
	size_t n = 0;
	int rc = EXIT_OK;
	o.tty = isatty(2);
	struct scan_cb cb = { found, visiting, &o };
	for (int i = optind; i < argc; i++) {
		int worst;
		n += scan_path(argv[i], &cb, &worst);
		rc = worse(rc, worst);
	}
	progress_clear(&o);
	if (o.json) {
		jw_arr_end(&o.w);
		jw_obj_end(&o.w);
		jw_end(&o.w);
	}
	if (rc == EXIT_OK && !n)
		return (error_code(EXIT_NOTFOUND, "no Core ML model found"), EXIT_NOTFOUND);
	return rc;
}
