/* test-error: the error sink: the default routine's output, a routine
 * installed and removed, capture scopes (nesting, the codes they keep,
 * warnings not counted, messages kept or dropped), silent errors, and die()
 * reaching the routine through a scope that drops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "base/error.h"

/* ---- a routine that records what it is given ---------------------------------- */

struct seen {
	int n;
	int code[8], warn[8];
	char msg[8][64];
};

static void record(int code, int is_warning, const char *msg, void *ctx)
{
	struct seen *s = ctx;
	if (s->n < 8) {
		s->code[s->n] = code;
		s->warn[s->n] = is_warning;
		snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s", msg);
	}
	s->n++;
}

static int recording(void **state)
{
	static struct seen s;
	memset(&s, 0, sizeof(s));
	set_error_routine(record, &s);
	*state = &s;
	return 0;
}

/* The tests' scopes live here, not on their stacks: an assertion that
 * fails jumps out of a test with its scopes open, and the teardown must
 * close them (inner first) before the next test opens its own. */
static struct error_capture S1, S2;

static int back_to_default(void **state)
{
	(void)state;
	error_capture_end(&S2);
	error_capture_end(&S1);
	set_error_routine(NULL, NULL);
	return 0;
}

/* ---- the default routine -------------------------------------------------------- */

/* runs fn with stdout and stderr both going to one temp file; its text */
static char *both_to_file(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	fflush(stdout);
	fflush(stderr);
	int o = dup(1), e = dup(2);
	assert_true(o >= 0 && e >= 0);
	dup2(fileno(tmp), 1);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stdout);
	fflush(stderr);
	dup2(o, 1);
	dup2(e, 2);
	close(o);
	close(e);
	static char buf[8192];
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = 0;
	fclose(tmp);
	return buf;
}

static void say_things(void)
{
	char big[2000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	printf("out:");
	assert_int_equal(error("'%s': not a model", "a.mlmodel"), -1);
	assert_int_equal(error_code(EXIT_NOTFOUND, "no key '%s'", "k"), -1);
	warning("an unknown field %d", 7);
	error("%s", big);
}

static void default_output_unchanged(void **state)
{
	(void)state;
	assert_true(get_error_routine(NULL) == error_default_routine);
	char *got = both_to_file(say_things);
	/* standard output flushed first, then one line each, prefixed */
	const char *want = "out:mlpkg: 'a.mlmodel': not a model\n"
			   "mlpkg: no key 'k'\n"
			   "mlpkg: warning: an unknown field 7\n"
			   "mlpkg: ";
	assert_memory_equal(got, want, strlen(want));
	/* a message longer than the formatting buffer arrives whole */
	char *x = got + strlen(want);
	assert_int_equal(strspn(x, "x"), 1999);
	assert_string_equal(x + 1999, "\n");
	assert_int_equal(last_error_code(), EXIT_FAIL);
}

/* ---- installing a routine -------------------------------------------------------- */

static void routine_installed_and_removed(void **state)
{
	struct seen *s = *state;
	void *ctx = NULL;
	assert_true(get_error_routine(&ctx) == record);
	assert_ptr_equal(ctx, s);
	error_code(EXIT_INVALID, "bad %s", "spec");
	warning("odd");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->code[0], EXIT_INVALID);
	assert_int_equal(s->warn[0], 0);
	assert_string_equal(s->msg[0], "bad spec");
	assert_int_equal(s->code[1], 0);
	assert_int_equal(s->warn[1], 1);
	assert_string_equal(s->msg[1], "odd");
	assert_int_equal(last_error_code(), EXIT_INVALID);
	/* removed: the default again, nothing more recorded */
	set_error_routine(NULL, s);
	assert_true(get_error_routine(&ctx) == error_default_routine);
	assert_null(ctx);
	char *got = both_to_file(say_things);
	assert_non_null(strstr(got, "mlpkg: no key 'k'\n"));
	assert_int_equal(s->n, 2);
}

/* ---- capture scopes ----------------------------------------------------------------- */

static void scopes_nest(void **state)
{
	struct seen *s = *state;
	struct error_capture *outer = &S1, *inner = &S2;
	error_capture_begin(outer, ERRCAP_WATCH);
	/* a probe inside: its errors and messages stay in it */
	error_capture_begin(inner, ERRCAP_DROP);
	assert_int_equal(error_dropping(), 1);
	error_code(EXIT_NOTFOUND, "probe");
	assert_int_equal(error_capture_end(inner), EXIT_NOTFOUND);
	assert_int_equal(inner->errors, 1);
	assert_int_equal(error_dropping(), 0);
	assert_int_equal(s->n, 0);
	assert_int_equal(outer->errors, 0);
	/* watching inside watching: both count, the user is told once */
	error_capture_begin(inner, ERRCAP_WATCH);
	error_code(EXIT_WRITE, "disk full");
	assert_int_equal(error_capture_end(inner), EXIT_WRITE);
	assert_int_equal(outer->errors, 1);
	assert_int_equal(s->n, 1);
	assert_string_equal(s->msg[0], "disk full");
	/* handled inside: said, but not counted outside nor as the last error */
	int before = last_error_code();
	error_capture_begin(inner, ERRCAP_HANDLE);
	error_code(EXIT_NOTFOUND, "weights missing");
	assert_int_equal(error_capture_end(inner), EXIT_NOTFOUND);
	assert_int_equal(s->n, 2);
	assert_int_equal(outer->errors, 1);
	assert_int_equal(last_error_code(), before);
	assert_int_equal(error_capture_end(outer), EXIT_WRITE);
	/* a drop far out still drops what an inner watch lets through */
	error_capture_begin(outer, ERRCAP_DROP);
	error_capture_begin(inner, ERRCAP_WATCH);
	assert_int_equal(error_dropping(), 1);
	error("lost");
	error_capture_end(inner);
	error_capture_end(outer);
	assert_int_equal(inner->errors, 1);
	assert_int_equal(outer->errors, 1);
	assert_int_equal(s->n, 2);
	assert_int_equal(error_dropping(), 0);
}

static void kept_messages(void **state)
{
	struct seen *s = *state;
	struct error_capture *drop = &S1, *cap = &S2;
	error_capture_begin(drop, ERRCAP_DROP);
	error_capture_begin(cap, ERRCAP_KEEP);
	/* kept messages are the caller's to show: not dropped */
	assert_int_equal(error_dropping(), 0);
	error_code(EXIT_USAGE, "first %d", 1);
	warning("second");
	error("third");
	error_capture_end(cap);
	error_capture_end(drop);
	assert_int_equal(drop->errors, 0);
	assert_int_equal(s->n, 0);
	assert_int_equal(cap->errors, 2);
	struct error_msg *m = cap->msgs;
	assert_non_null(m);
	assert_string_equal(m->text, "first 1");
	assert_int_equal(m->code, EXIT_USAGE);
	m = m->next;
	assert_string_equal(m->text, "second");
	assert_int_equal(m->is_warning, 1);
	m = m->next;
	assert_string_equal(m->text, "third");
	assert_null(m->next);
	error_capture_release(cap);
	assert_null(cap->msgs);
}

static void worst_code_kept(void **state)
{
	(void)state;
	struct error_capture *cap = &S1;
	error_capture_begin(cap, ERRCAP_DROP);
	assert_int_equal(cap->errors, 0);
	assert_int_equal(cap->worst, EXIT_OK);
	error_code(EXIT_NOTFOUND, "a");
	error_code(EXIT_WRITE, "b");
	error("c");
	assert_int_equal(error_capture_end(cap), EXIT_FAIL); /* the last, as the command would have returned */
	assert_int_equal(cap->errors, 3);
	assert_int_equal(cap->worst, EXIT_WRITE);
	assert_int_equal(cap->last, EXIT_FAIL);
}

static void warnings_are_not_errors(void **state)
{
	struct seen *s = *state;
	struct error_capture *cap = &S1;
	error("before");
	error_capture_begin(cap, ERRCAP_WATCH);
	warning("just so you know");
	assert_int_equal(error_capture_end(cap), EXIT_OK);
	assert_int_equal(cap->errors, 0);
	assert_int_equal(cap->worst, EXIT_OK);
	assert_int_equal(s->n, 2);
	assert_int_equal(s->warn[1], 1);
	assert_int_equal(last_error_code(), EXIT_FAIL);
}

static void silent_errors_count(void **state)
{
	struct seen *s = *state;
	struct error_capture *cap = &S1;
	error_capture_begin(cap, ERRCAP_WATCH);
	assert_int_equal(error_code_silent(EXIT_INVALID), -1);
	assert_int_equal(error_capture_end(cap), EXIT_INVALID);
	assert_int_equal(cap->errors, 1);
	assert_int_equal(s->n, 0);
	assert_int_equal(last_error_code(), EXIT_INVALID);
}

static void die_is_never_dropped(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* the default routine, stderr into the pipe, inside a dropping scope */
		close(fds[0]);
		dup2(fds[1], 2);
		struct error_capture cap;
		error_capture_begin(&cap, ERRCAP_DROP);
		die(EXIT_WRITE, "fatal %s", "thing");
	}
	close(fds[1]);
	char buf[128] = { 0 };
	size_t got = 0;
	ssize_t r;
	while (got < sizeof(buf) - 1 && (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), EXIT_WRITE);
	assert_string_equal(buf, "mlpkg: fatal thing\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_output_unchanged),
		cmocka_unit_test_setup_teardown(routine_installed_and_removed, recording, back_to_default),
		cmocka_unit_test_setup_teardown(scopes_nest, recording, back_to_default),
		cmocka_unit_test_setup_teardown(kept_messages, recording, back_to_default),
		cmocka_unit_test_teardown(worst_code_kept, back_to_default),
		cmocka_unit_test_setup_teardown(warnings_are_not_errors, recording, back_to_default),
		cmocka_unit_test_setup_teardown(silent_errors_count, recording, back_to_default),
		cmocka_unit_test(die_is_never_dropped),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
