/*
 * test_buf.c - the byte buffer (src/buf.h): what it holds after each call,
 * and, under AddressSanitizer, that a read of its spare capacity past the
 * NUL is reported (the over-read a parser's test must catch even though
 * the bytes are inside the block).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(TB_ASAN)
#define TB_ASAN 1
#endif

static void
test_append_consume(void)
{
	struct buf b;
	buf_init(&b);
	CU_ASSERT_PTR_NULL(b.data);
	buf_append(&b, "EHLO x\r\n", 8);
	buf_puts(&b, "NOOP\r\n");
	buf_printf(&b, "%s %d\r\n", "RCPT", 25);
	CU_ASSERT_EQUAL(b.len, 23);
	CU_ASSERT_STRING_EQUAL(b.data, "EHLO x\r\nNOOP\r\nRCPT 25\r\n");
	buf_consume(&b, 8);
	CU_ASSERT_EQUAL(b.len, 15);
	CU_ASSERT_STRING_EQUAL(b.data, "NOOP\r\nRCPT 25\r\n");
	buf_truncate(&b, 4);
	CU_ASSERT_EQUAL(b.len, 4);
	CU_ASSERT_STRING_EQUAL(b.data, "NOOP");
	buf_truncate(&b, 10);	/* longer than it is: nothing changes */
	CU_ASSERT_EQUAL(b.len, 4);
	buf_consume(&b, 99);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	/* NULs inside are kept. */
	buf_append(&b, "a\0b", 3);
	CU_ASSERT_EQUAL(b.len, 3);
	CU_ASSERT_EQUAL(memcmp(b.data, "a\0b", 4), 0);
	buf_free(&b);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(b.len, 0);
}

static void
test_grow_steal(void)
{
	struct buf b;
	char chunk[1000];
	buf_init(&b);
	memset(chunk, 'x', sizeof(chunk));
	for (int i = 0; i < 70; i++)
		buf_append(&b, chunk, sizeof(chunk));
	CU_ASSERT_EQUAL(b.len, 70000);
	CU_ASSERT(b.cap > b.len);
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	CU_ASSERT_EQUAL(b.data[69999], 'x');
	size_t len = 0;
	char *p = buf_steal(&b, &len);
	CU_ASSERT_EQUAL(len, 70000);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(p[69999], 'x');
	CU_ASSERT_EQUAL(p[70000], '\0');
	free(p);
	/* A buffer never written to is stolen as "", NUL-terminated as
	 * promised (it was a fresh block of garbage). */
	p = buf_steal(&b, &len);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_STRING_EQUAL(p, "");
	free(p);
}

/* In a child: fill b as the step says, then read data[at]; the exit
 * status tells whether the read was let through (0) or reported. */
enum tb_step { TB_APPENDED, TB_CONSUMED, TB_TRUNCATED, TB_RESET };

static int
read_in_child(enum tb_step step, size_t at)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct buf b;
		/* ASan's report is the expected outcome, not the test's output. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		buf_init(&b);
		buf_append(&b, "0123456789012345678901234567890123456789", 40);
		if (step == TB_CONSUMED)
			buf_consume(&b, 30);
		else if (step == TB_TRUNCATED)
			buf_truncate(&b, 10);
		else if (step == TB_RESET)
			buf_reset(&b);
		volatile char c = b.data[at];
		(void)c;
		_exit(0);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static void
test_spare_capacity(void)
{
	/* The NUL at len is readable in every build. */
	CU_ASSERT_EQUAL(read_in_child(TB_APPENDED, 40), 0);
	CU_ASSERT_EQUAL(read_in_child(TB_CONSUMED, 10), 0);
	CU_ASSERT_EQUAL(read_in_child(TB_TRUNCATED, 9), 0);
	CU_ASSERT_EQUAL(read_in_child(TB_RESET, 0), 0);
#ifdef TB_ASAN
	/* Past it, inside the 256-byte block: reported, also where bytes
	 * were once held. */
	CU_ASSERT_EQUAL(read_in_child(TB_APPENDED, 41), 1);
	CU_ASSERT_EQUAL(read_in_child(TB_APPENDED, 200), 1);
	CU_ASSERT_EQUAL(read_in_child(TB_CONSUMED, 11), 1);
	CU_ASSERT_EQUAL(read_in_child(TB_TRUNCATED, 12), 1);
	CU_ASSERT_EQUAL(read_in_child(TB_RESET, 5), 1);
#else
	/* Without ASan the stale bytes are simply there. */
	CU_ASSERT_EQUAL(read_in_child(TB_APPENDED, 41), 0);
	CU_ASSERT_EQUAL(read_in_child(TB_TRUNCATED, 12), 0);
#endif
}

int
main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("buf", NULL, NULL);
	if (s == NULL ||
	    CU_add_test(s, "append_consume", test_append_consume) == NULL ||
	    CU_add_test(s, "grow_steal", test_grow_steal) == NULL ||
	    CU_add_test(s, "spare_capacity", test_spare_capacity) == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	return tu_run();
}
