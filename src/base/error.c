/* error: one-line messages, "mlpkg: " prefix, no full stop, handed to one
 * routine (stderr by default) through the capture scopes open at the time. */
#include "base/error.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int last_code = EXIT_FAIL;
static error_routine routine = error_default_routine;
static void *routine_ctx;
static struct error_capture *innermost;

void error_default_routine(int code, int is_warning, const char *msg, void *ctx)
{
	(void)code;
	(void)ctx;
	fflush(stdout);
	fprintf(stderr, "mlpkg: %s%s\n", is_warning ? "warning: " : "", msg);
}

void set_error_routine(error_routine fn, void *ctx)
{
	routine = fn ? fn : error_default_routine;
	routine_ctx = fn ? ctx : NULL;
}

error_routine get_error_routine(void **ctx)
{
	if (ctx)
		*ctx = routine_ctx;
	return routine;
}

static void keep(struct error_capture *c, int code, int is_warning, const char *msg)
{
	size_t l = strlen(msg);
	struct error_msg *m = malloc(sizeof(*m) + l + 1);
	if (!m)
		return; /* out of memory: the message is lost, its count is not */
	m->next = NULL;
	m->code = code;
	m->is_warning = is_warning;
	memcpy(m->text, msg, l + 1);
	*c->tail = m;
	c->tail = &m->next;
}

/* An error (code > 0 or silent) or a warning (code 0) on its way out: each
 * scope from the innermost counts it while the errors are still counted,
 * and the first one that holds messages stops it; what gets past every
 * scope reaches the routine.  msg NULL: counted only. */
static void deliver(int code, int is_warning, const char *msg)
{
	int counting = !is_warning;
	for (struct error_capture *c = innermost; c; c = c->outer) {
		if (counting) {
			c->errors++;
			c->last = code;
			if (code > c->worst)
				c->worst = code;
		}
		if (c->mode != ERRCAP_WATCH)
			counting = 0;
		if (c->mode == ERRCAP_KEEP) {
			if (msg)
				keep(c, code, is_warning, msg);
			return;
		}
		if (c->mode == ERRCAP_DROP)
			return;
	}
	if (counting)
		last_code = code;
	if (msg)
		routine(code, is_warning, msg, routine_ctx);
}

/* formats into buf, or into memory of the size needed when it is too small
 * (then *heap is set and the caller frees); never fails: out of memory, the
 * message is cut */
static char *vformat(char *buf, size_t size, char **heap, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static char *vformat(char *buf, size_t size, char **heap, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(buf, size, fmt, aq);
	va_end(aq);
	*heap = NULL;
	if (n < 0) {
		buf[0] = 0;
		return buf;
	}
	if ((size_t)n < size)
		return buf;
	char *p = malloc((size_t)n + 1);
	if (!p)
		return buf;
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	*heap = p;
	return p;
}

static void vreport(int code, int is_warning, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
static void vreport(int code, int is_warning, const char *fmt, va_list ap)
{
	char buf[1024], *heap;
	const char *msg = vformat(buf, sizeof(buf), &heap, fmt, ap);
	deliver(code, is_warning, msg);
	free(heap);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(EXIT_FAIL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int error_code(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(code, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int error_code_silent(int code)
{
	deliver(code, 0, NULL);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(0, 1, fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	char buf[1024], *heap;
	va_list ap;
	va_start(ap, fmt);
	const char *msg = vformat(buf, sizeof(buf), &heap, fmt, ap);
	va_end(ap);
	routine(code, 0, msg, routine_ctx);
	free(heap);
	exit(code);
}

int last_error_code(void)
{
	return last_code;
}

/* ---- capture scopes ----------------------------------------------------------- */

void error_capture_begin(struct error_capture *cap, enum error_capture_mode mode)
{
	memset(cap, 0, sizeof(*cap));
	cap->mode = mode;
	cap->tail = &cap->msgs;
	cap->outer = innermost;
	innermost = cap;
}

int error_capture_end(struct error_capture *cap)
{
	/* scopes close in order; one left open by mistake inside is closed too
	 * rather than left pointing at a dead stack frame */
	for (struct error_capture *c = innermost; c; c = c->outer)
		if (c == cap) {
			innermost = cap->outer;
			break;
		}
	cap->outer = NULL;
	return cap->errors ? cap->last : EXIT_OK;
}

void error_capture_release(struct error_capture *cap)
{
	for (struct error_msg *m = cap->msgs, *next; m; m = next) {
		next = m->next;
		free(m);
	}
	cap->msgs = NULL;
	cap->tail = &cap->msgs;
}

int error_dropping(void)
{
	for (struct error_capture *c = innermost; c; c = c->outer)
		if (c->mode == ERRCAP_KEEP || c->mode == ERRCAP_DROP)
			return c->mode == ERRCAP_DROP;
	return 0;
}
