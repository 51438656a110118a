/*
 * docker.h - read a docker command line the way docker's CLI (cobra and
 * pflag) reads it, far enough to find the IMAGE operand of "docker run",
 * "docker create" and "docker pull". Pure: no I/O.
 */
#ifndef SIGNET_DOCKER_H
#define SIGNET_DOCKER_H

#include <stddef.h>

/* Find IMAGE in @argv[0..argc): argv[0] is "docker" (or a path ending in
 * "/docker"), then docker's global options, then "run", "create", "pull",
 * "container run|create" or "image pull", its options, then IMAGE. Sets
 * *out to IMAGE's index. An option whose arity is not known for sure is
 * refused rather than guessed (ERR_USAGE saying to write it as
 * --opt=VALUE), because a guess that is wrong would verify one word while
 * docker runs another. ERR_USAGE, with a message, for anything else that
 * is not such a command line, and for "docker pull --all-tags". */
int docker_find_image(size_t *out, int argc, char *const *argv);

#endif
