/*
 * Fuzzing harness for the grub.cfg linter: the GRUB script reader
 * (tools/lint/grub_script.c) and the linter's checks (tools/lint/lint.c,
 * which run kernel/options.c and kernel/config.c on what they find).
 * The bytes are a grub.cfg, in a heap block of exactly their size with
 * no NUL after them, as the linter reads a file.
 *
 * Invariants, checked on every input:
 *  - grub_script_next() gives commands of at least one word, argv ends
 *    with NULL, every word lies in the reader's word buffer, and the
 *    commands' line numbers never go down nor past the file's lines.  A
 *    file it cannot read has a reason and a line in the file.
 *  - grub_loader_string() is never longer than its words with two
 *    quotes, a space and an escape per special character, and for
 *    plain words it is the words joined by single spaces.
 *  - lint_text() (verbose, so that its notes are formatted too) does
 *    not run out of memory, and finds at least one problem when the
 *    script reader fails.
 */
/* fuzz-sources: tools/lint/lint.c tools/lint/grub_script.c lib/format.c */
/* fuzz-sources: kernel/config.c kernel/options.c lib/lib.c */
#include <stdbool.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/lint/grub_script.h"
#include "tools/lint/lint.h"

static bool plain(const char *w)
{
	for (; *w; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
		      (*w >= '0' && *w <= '9') || strchr("=/_.,-+:()", *w)))
			return false;
	return true;
}

static void check_loader_string(const struct grub_command *cmd)
{
	size_t bound = 1, joined = 0;
	bool all_plain = true;
	char *str;

	for (int i = 0; i < cmd->argc; i++) {
		const char *w = cmd->argv[i];
		bound += strlen(w) + 3;
		for (const char *c = w; *c; c++)
			bound += *c == '\\' || *c == '"' || *c == '\'';
		joined += strlen(w) + (i > 0);
		all_plain &= plain(w);
	}
	str = grub_loader_string(cmd->argc, cmd->argv);
	FUZZ_CHECK(str);
	FUZZ_CHECK(strlen(str) < bound);
	if (all_plain) {
		const char *p = str;
		FUZZ_CHECK(strlen(str) == joined);
		for (int i = 0; i < cmd->argc; i++) {
			size_t n = strlen(cmd->argv[i]);
			FUZZ_CHECK(!strncmp(p, cmd->argv[i], n));
			p += n;
			FUZZ_CHECK(*p == (i + 1 < cmd->argc ? ' ' : '\0'));
			p += *p == ' ';
		}
	}
	free(str);
}

/* Walk the commands; returns true when the whole text could be read. */
static bool check_script(const char *text, size_t len)
{
	struct grub_script s;
	struct grub_command cmd;
	unsigned lines = 1, last_line = 0;
	int r;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	FUZZ_CHECK(grub_script_open(&s, text, len) == 0);
	while ((r = grub_script_next(&s, &cmd)) > 0) {
		FUZZ_CHECK(cmd.argc >= 1 && cmd.argv && cmd.argv[cmd.argc] == NULL);
		FUZZ_CHECK(cmd.line >= 1 && cmd.line >= last_line && cmd.line <= lines);
		FUZZ_CHECK(cmd.last_variable >= -1 && cmd.last_variable < cmd.argc);
		last_line = cmd.line;
		for (int i = 0; i < cmd.argc; i++) {
			const char *w = cmd.argv[i];
			FUZZ_CHECK(w >= s.words && w <= s.words + len);
			FUZZ_CHECK(strlen(w) <= (size_t)(s.words + len - w));
		}
		check_loader_string(&cmd);
	}
	if (r < 0) {
		FUZZ_CHECK(s.error[0] != '\0');
		FUZZ_CHECK(s.error_line >= 1 && s.error_line <= lines);
	}
	grub_script_close(&s);
	return r == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	bool readable;
	int problems;

	FUZZ_CHECK(text);
	memcpy(text, data, size);
	readable = check_script(text, size);
	problems = lint_text("fuzz.cfg", text, size, NULL, true, NULL);
	FUZZ_CHECK(problems >= 0);
	FUZZ_CHECK(readable || problems >= 1);
	free(text);
	return 0;
}
