// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "gbjson.h"
#include "util.h"

static int is_json(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 5 && !strcmp(de->d_name + n - 5, ".json");
}

int gbjson_merge(const char *dir, const char *out, char *err, size_t len)
{
	struct dirent **list;
	json_t *all = NULL, *benches = json_array();
	size_t off = 0;
	int n, bad = 0, ret = 0;

	err[0] = '\0';
	n = scandir(dir, &list, is_json, alphasort);
	if (n < 0) {
		fmt(err, len, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		char path[4352];
		json_error_t je;
		json_t *doc, *b;

		fmt(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		doc = json_load_file(path, 0, &je);
		b = doc ? json_object_get(doc, "benchmarks") : NULL;
		if (!json_is_array(b)) {
			/* a worker that crashed never finished its file */
			off += snprintf(err + off, off < len ? len - off : 0, "%s%s", bad ? ", " : "left out: ",
					list[i]->d_name);
			bad++;
			json_decref(doc);
		} else {
			json_array_extend(benches, b);
			if (!all)
				all = doc;
			else
				json_decref(doc);
		}
		free(list[i]);
	}
	free(list);
	if (!all) {
		json_decref(benches);
		return bad ? 1 : 0;
	}
	json_object_set_new(all, "benchmarks", benches);
	if (json_dump_file(all, out, JSON_INDENT(2))) {
		fmt(err, len, "%s: cannot write", out);
		ret = -EIO;
	}
	json_decref(all);
	return ret ? ret : bad ? 1 : 0;
}
