/*
 * The corpus replay: a main() for a fuzzing harness built without
 * libFuzzer (any C compiler will do), so that `make test` runs every
 * checked-in input of tests/fuzz/corpus/ through its harness as a
 * regression test.
 *
 *   fuzz_NAME-replay DIR_OR_FILE...
 *
 * Each file is read into a heap block of exactly its size (so that
 * AddressSanitizer, when built in, sees a read past the end) and handed
 * to LLVMFuzzerTestOneInput() in a child process of its own: an
 * invariant that aborts, or a sanitizer report, fails that file only,
 * and the others still run.  Prints each failing file, then one line
 * "NAME: N inputs, F failed"; exit status 1 when F > 0 or nothing ran.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

/* The whole file in a block of exactly its size (NULL for an empty file is fine). */
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

/* Run one input in a child.  Returns 0 when it passed. */
static int replay_one(const char *path)
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
		size_t size = 0;
		uint8_t *data = read_file(path, &size);
		if (!data) {
			fprintf(stderr, "replay: %s: %s\n", path, strerror(errno ? errno : EIO));
			_exit(2);
		}
		/* libFuzzer hands over a fresh copy that may not be kept. */
		LLVMFuzzerTestOneInput(data, size);
		free(data);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0) {
		perror("replay: waitpid");
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		printf("FAIL  %s (signal %d)\n", path, WTERMSIG(status));
	else
		printf("FAIL  %s (exit status %d)\n", path, WEXITSTATUS(status));
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay a file, or every file of a directory in name order. */
static void replay_path(const char *path, unsigned *inputs, unsigned *failed)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	DIR *d;

	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		(*inputs)++;
		*failed += replay_one(path) < 0;
		return;
	}
	d = opendir(path);
	if (!d) {
		printf("FAIL  %s: %s\n", path, strerror(errno));
		(*failed)++;
		return;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **bigger = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*names));
			if (!bigger)
				abort();
			names = bigger;
		}
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len)))
			abort();
		snprintf(names[n++], len, "%s/%s", path, e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		(*inputs)++;
		*failed += replay_one(names[i]) < 0;
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	unsigned inputs = 0, failed = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR_OR_FILE...\n", name);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		replay_path(argv[i], &inputs, &failed);
	printf("%s: %u inputs, %u failed\n", name, inputs, failed);
	return failed || !inputs;
}
