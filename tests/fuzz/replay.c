/*
 * replay.c - runs a fuzz target's LLVMFuzzerTestOneInput over files, so
 * that `make check` replays the checked-in corpora without clang:
 *
 *   replay_<name> FILE|DIR...
 *
 * A directory stands for every regular file in it (not recursive), taken
 * in name order. Exit status 0 when every input ran (a crash ends the
 * process), 2 when an argument cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path, size_t *count)
{
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
			strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *p;

			cap = cap ? cap * 2 : 4096;
			if (!(p = realloc(data, cap))) {
				fprintf(stderr, "replay: out of memory\n");
				free(data);
				fclose(f);
				return -1;
			}
			data = p;
		}
		n = fread(data + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	/* an exact-size copy, so that ASan sees reads past the end */
	{
		unsigned char *exact = malloc(len ? len : 1);

		if (!exact) {
			free(data);
			return -1;
		}
		if (len)
			memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	(*count)++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, size_t *count)
{
	char **names = NULL, path[4096];
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir,
			strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p;

			cap = cap ? cap * 2 : 64;
			if (!(p = realloc(names, cap * sizeof(*names)))) {
				rc = -1;
				break;
			}
			names = p;
		}
		if (!(names[n] = strdup(e->d_name))) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	for (i = 0; rc == 0 && i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			fprintf(stderr, "replay: path too long in '%s'\n", dir);
			rc = -1;
		} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = run_file(path, count);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	struct stat st;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		int rc;

		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: cannot read '%s': %s\n",
				argv[i], strerror(errno));
			return 2;
		}
		rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) :
			run_file(argv[i], &count);
		if (rc < 0)
			return 2;
	}
	printf("%s: %zu inputs replayed\n", argv[0], count);
	return 0;
}
