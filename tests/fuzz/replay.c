/*
 * The corpus replay: a main() for a fuzzing harness built without
 * libFuzzer (any C compiler will do), so that `make test` runs every
 * checked-in input of tests/fuzz/corpus/ through its harness as a
 * regression test.
 *
 *   fuzz_NAME DIR_OR_FILE...
 *
 * Each file is read into a heap block of exactly its size (so that
 * AddressSanitizer, when built in, sees a read past the end) and handed
 * to LLVMFuzzerTestOneInput().  All the files run in one child process;
 * when it fails (an invariant aborts, a sanitizer reports), each file
 * runs again in a child of its own, so that every failing file is named.
 * Prints "FAIL  FILE (...)" for each, then one line
 * "NAME: N inputs, F failed"; exit status 1 when F > 0 or nothing ran.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

static char **files;
static size_t nfiles, cap;

static void add_file(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;

	if (nfiles == cap) {
		cap = cap ? 2 * cap : 64;
		files = realloc(files, cap * sizeof(*files));
		if (!files)
			abort();
	}
	if (!(files[nfiles] = malloc(len)))
		abort();
	snprintf(files[nfiles++], len, "%s%s%s", dir, *dir ? "/" : "", name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every file of a directory in name order. */
static void add_path(const char *path)
{
	size_t first = nfiles;
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !(d = opendir(path))) {
		add_file("", path); /* if it cannot be read, replaying it says so */
		return;
	}
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			add_file(path, e->d_name);
	closedir(d);
	qsort(files + first, nfiles - first, sizeof(*files), by_name);
}

/* The whole file in a heap block of exactly its size (1 byte for an empty file). */
static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? (size_t)n : 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Run files [first, first + n) in a child.  Returns its wait status, or -1. */
static int run_child(size_t first, size_t n)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("replay: fork");
		return -1;
	}
	if (pid == 0) {
		for (size_t i = first; i < first + n; i++) {
			size_t size = 0;
			uint8_t *data = read_file(files[i], &size);
			if (!data) {
				fprintf(stderr, "replay: %s: %s\n", files[i],
					strerror(errno ? errno : EIO));
				_exit(2);
			}
			LLVMFuzzerTestOneInput(data, size);
			free(data);
		}
		exit(0); /* not _exit(): a coverage build writes its profile at exit */
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("replay: waitpid");
		return -1;
	}
	return status;
}

static bool passed(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", name);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		add_path(argv[i]);
	if (nfiles && !passed(run_child(0, nfiles))) {
		for (size_t i = 0; i < nfiles; i++) {
			int status = run_child(i, 1);
			if (passed(status))
				continue;
			failed++;
			if (status != -1 && WIFSIGNALED(status))
				printf("FAIL  %s (signal %d)\n", files[i], WTERMSIG(status));
			else if (status != -1)
				printf("FAIL  %s (exit status %d)\n", files[i],
				       WEXITSTATUS(status));
			else
				printf("FAIL  %s (could not be run)\n", files[i]);
		}
		if (!failed) {
			printf("FAIL  %s: the inputs fail together, none alone\n", name);
			failed = 1;
		}
	}
	printf("%s: %zu inputs, %u failed\n", name, nfiles, failed);
	return failed || !nfiles;
}
