/*
 * cloison-lint: checks grub.cfg files for what cloison would refuse at
 * boot, without booting.  This file is the command line: it reads each
 * file and hands its bytes to lint_text() (tools/lint/lint.c), which
 * runs the multiboot2 and module2 lines through the hypervisor's own
 * parsers and prints one line per problem, "FILE:LINE: " and the
 * sentence the hypervisor would print after "cloison: ".
 * tests/lint/run.sh checks it against the refusals the hostile boot
 * scenario expects.
 *
 * With --root DIR, the folder an ISO is built from (tools/mkiso.sh),
 * it also says which files the lines name that are not in it.
 *
 * Exit status: 0 clean, 1 problems, 2 usage or read errors.  What
 * depends on the machine or on the image files (free RAM, a missing
 * Multiboot1 header) cannot be seen here.  The user's side of this is
 * docs/configuration.md, "Checking a grub.cfg without booting".
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/lint/lint.h"

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		char *bigger = realloc(buf, cap);
		if (!bigger)
			free(buf);
		buf = bigger;
	}
	if (buf && ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Lint one file.  Returns the number of problems, or -1 if it cannot be read. */
static int lint_file(const char *path, bool verbose, const char *root)
{
	size_t len;
	char *text;
	FILE *f;
	int problems;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cloison-lint: %s: %s\n", path, strerror(errno));
		return -1;
	}
	text = read_all(f, &len);
	if (!text) {
		fprintf(stderr, "cloison-lint: %s: %s\n", path, strerror(errno ? errno : EIO));
		fclose(f);
		return -1;
	}
	fclose(f);
	problems = lint_text(path, text, len, stdout, verbose, root);
	if (problems < 0)
		fprintf(stderr, "cloison-lint: %s: out of memory\n", path);
	free(text);
	return problems;
}

static void usage(FILE *to)
{
	fputs("usage: cloison-lint [-v] [--root DIR] GRUB_CFG...\n"
	      "Checks the multiboot2 and module2 lines of each file with cloison's own parsers.\n"
	      "Prints one line per problem, FILE:LINE: and what cloison would say at boot.\n"
	      "  -v          also say which files are clean and which lines could not be checked\n"
	      "  --root DIR  the folder the ISO is built from: each file a line names must be in "
	      "it\n"
	      "Exit status: 0 no problem, 1 problems found, 2 usage or read error.\n",
	      to);
}

int main(int argc, char **argv)
{
	int first = 1, status = 0;
	bool verbose = false;
	const char *root = NULL;
	struct stat st;

	for (; first < argc && argv[first][0] == '-'; first++) {
		if (!strcmp(argv[first], "--")) {
			first++;
			break;
		}
		if (!strcmp(argv[first], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[first], "--root")) {
			if (++first == argc) {
				fputs("cloison-lint: --root needs a folder\n", stderr);
				usage(stderr);
				return 2;
			}
			root = argv[first];
			if (stat(root, &st) < 0) {
				fprintf(stderr, "cloison-lint: --root %s: %s\n", root,
					strerror(errno));
				return 2;
			}
			if (!S_ISDIR(st.st_mode)) {
				fprintf(stderr, "cloison-lint: --root %s: not a folder\n", root);
				return 2;
			}
		} else if (!strcmp(argv[first], "-h") || !strcmp(argv[first], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "cloison-lint: unknown option '%s'\n", argv[first]);
			usage(stderr);
			return 2;
		}
	}
	if (first == argc) {
		fputs("cloison-lint: no grub.cfg file named\n", stderr);
		usage(stderr);
		return 2;
	}
	for (int i = first; i < argc; i++) {
		int problems = lint_file(argv[i], verbose, root);
		if (problems < 0)
			status = 2;
		else if (problems > 0 && status == 0)
			status = 1;
	}
	return status;
}
