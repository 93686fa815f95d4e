/* error: one-line messages on stderr, "mlpkg: " prefix, no full stop. */
#include "base/error.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int last_code = EXIT_FAIL;
int error_quiet;

static void vreport(const char *prefix, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	if (error_quiet)
		return;
	fflush(stdout);
	fprintf(stderr, "mlpkg: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	last_code = EXIT_FAIL;
	return -1;
}

int error_code(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	last_code = code;
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(code);
}

int last_error_code(void)
{
	return last_code;
}

void set_error_code(int code)
{
	last_code = code;
}
