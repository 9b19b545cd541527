// SPDX-License-Identifier: GPL-2.0
/* The method table, generated from methods.h. */
#include <string.h>

#include "method.h"
#include "util.h"

#define METHOD(id) extern const struct method method_##id;
#include "methods.h"
#undef METHOD

static const struct method *const methods[] = {
#define METHOD(id) &method_##id,
#include "methods.h"
#undef METHOD
};

const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(methods); i++)
		if (!strcmp(methods[i]->name, name))
			return methods[i];
	return NULL;
}

static int declares(const struct method *m, const char *key)
{
	for (size_t i = 0; m->keys && m->keys[i]; i++)
		if (!strcmp(m->keys[i], key))
			return 1;
	return 0;
}

int method_reads_key(const char *method, const char *key)
{
	const struct method *m = method_find(method);

	if (!m || declares(m, key))
		return 1;
	for (size_t i = 0; i < method_count(); i++)
		if (declares(method_at(i), key))
			return 0;
	return 1;
}

int method_refuses_file(const struct method *m, char *why, size_t len)
{
	/* writeback and long-term pins do not mix: GUP refuses them since 6.5 */
	if ((m->flags & M_LONGTERM) && (m->flags & M_WRITE) && kernel_version() >= 0x060500) {
		fmt(why, len, "this kernel refuses long-term write pins of page-cache files "
		    "(FOLL_LONGTERM|FOLL_WRITE, 6.5+)");
		return 1;
	}
	/* before that, io_uring had its own check: shmem and hugetlb only */
	if ((m->flags & M_NO_FILE_OLD) && kernel_version() < 0x060500) {
		fmt(why, len, "before 6.5 %s refuses page-cache file buffers itself (shmem and "
		    "hugetlb only: EOPNOTSUPP)", m->name);
		return 1;
	}
	return 0;
}

const struct method *method_at(size_t i)
{
	return i < ARRAY_SIZE(methods) ? methods[i] : NULL;
}

size_t method_count(void)
{
	return ARRAY_SIZE(methods);
}

const char *method_path_name(enum gup_path p)
{
	static const char *const n[] = { "fast", "slow", "remote", "none" };

	return n[p];
}

const char *method_ref_name(enum gup_ref r)
{
	static const char *const n[] = { "pin", "get", "none" };

	return n[r];
}

int method_op_count(const struct method *m)
{
	int n = 0;

	if (m->ops) {
		while (n < METHOD_MAX_OPS && m->ops[n])
			n++;
		return n;
	}
	return m->shape == SHAPE_COMBINED || m->shape == SHAPE_PIN_ONLY ? 1 : 2;
}

const char *method_op_name(const struct method *m, int i)
{
	if (i < 0 || i >= method_op_count(m))
		return NULL;
	if (m->ops)
		return m->ops[i];
	if (m->shape == SHAPE_COMBINED)
		return "pin+unpin";
	return i ? "unpin" : "pin";
}
