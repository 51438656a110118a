/* kvlist.c - annotations: KEY=VALUE lists from the command line, matched
 * against a JSON object; see core.h. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

int kvlist_add_arg(struct kvlist *l, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct kv *items;
	char *k, *v;

	if (!eq || eq == arg)
		return err_set(ERR_USAGE,
			       "invalid annotation '%s': expected KEY=VALUE",
			       arg);
	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items)
		return err_set(ERR_NOMEM, "out of memory");
	l->items = items;
	k = strndup(arg, (size_t)(eq - arg));
	v = strdup(eq + 1);
	if (!k || !v) {
		free(k);
		free(v);
		return err_set(ERR_NOMEM, "out of memory");
	}
	l->items[l->n].key = k;
	l->items[l->n].value = v;
	l->n++;
	return 0;
}

void kvlist_release(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

bool kvlist_matched_by(const struct kvlist *want, const json_t *obj,
		       const char **missing)
{
	size_t i;

	for (i = 0; i < want->n; i++) {
		const char *v = json_is_object(obj) ?
			jx_str(obj, want->items[i].key) : NULL;

		if (!v || strcmp(v, want->items[i].value) != 0) {
			if (missing)
				*missing = want->items[i].key;
			return false;
		}
	}
	return true;
}
