/*
 * internal.h - what the files of verify/ share among themselves; nothing
 * outside verify/ includes it (verify.h is the public header).
 */
#ifndef SIGNET_VERIFY_INTERNAL_H
#define SIGNET_VERIFY_INTERNAL_H

#include "verify.h"

/* ---- scopes (scope.c) ---------------------------------------------------- */

/* Can some repository name match both scopes (policy_scope_match's
 * globs)? Pure. */
bool scope_overlap(const char *a, const char *b);

#endif
