/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of compare share and nothing else sees:
 *   compare.c        the verdict rule and the exit status (compare.h only)
 *   compare_meta.c   which meta differences matter, what a run says of itself
 *   compare_model.c  the statistics of each point, and the words for them
 *   compare_behave.c what the kernel did, per point and item, and its verdicts
 *   compare_join.c   sources, rows to points, labels, compare_runs()
 *   compare_print.c  text and Markdown
 *   compare_data.c   CSV and JSON
 *   compare_cli.c    compare_print(), the command and the shared options
 * each using only the ones above it in this list.
 */
#ifndef GUPBENCH_COMPARE_INT_H
#define GUPBENCH_COMPARE_INT_H

#include <stddef.h>
#include <stdio.h>

#include "compare.h"
#include "meta.h"

#define TEXT_WIDTH 80

/* A side's replicates: (source, run index) pairs, numbered in order of appearance. */
struct rep_map {
	struct { size_t src; long run; } *id;
	size_t n;
};

/* compare_meta.c */
void cmp_warn_add(struct compare_result *r, const char *sec, const char *key, const char *b,
		  const char *n, int expected);
void cmp_meta_diff(struct compare_result *r, const struct meta_file *b,
		   const struct meta_file *n);
void cmp_run_paths(struct compare_run *run, const char *arg, char *meta, size_t len);
void cmp_run_info(struct compare_run *run, const struct meta_file *m);

/* compare_model.c */
extern const char *const cmp_status_names[CMP_NST];
void cmp_analyse(struct compare_result *r, const struct compare_opts *o,
		 const struct rep_map reps[2]);
const char *cmp_side_state(const struct compare_side *s);
void cmp_method_text(char *buf, size_t len, const struct compare_result *r,
		     const struct compare_opts *o);
const char *cmp_model_name(enum compare_model m);

/* compare_behave.c */
struct csv_table;
struct behave_cols {
	int item[BH_N];		/* the column each item reads, -1: absent */
	int pins_exact, acquired, released, write;
};
void cmp_behave_cols(const struct csv_table *t, struct behave_cols *bc);
void cmp_behave_row(struct compare_side *s, char **row, const struct behave_cols *bc,
		    const char *op, double pages, int threads, int thread);
void cmp_behave_analyse(struct compare_result *r, const struct compare_opts *o);
void cmp_behave_free(struct compare_side *s);
void cmp_behave_value(char *buf, size_t len, const struct compare_point *p, int item, int is_new);
void cmp_behave_timing(char *buf, size_t len, const struct compare_point *p);
const char *cmp_behave_rule_text(void);

/* compare_print.c */
void cmp_print_text(FILE *f, FILE *wf, const struct compare_result *r,
		    const struct compare_opts *o, int colour, int warnings_apart);
void cmp_print_markdown(FILE *f, const struct compare_result *r, const struct compare_opts *o);
void cmp_print_warnings_text(FILE *f, const struct compare_result *r, int expected);
void cmp_summary_text(char *buf, size_t len, const struct compare_result *r);
void cmp_wrap(FILE *f, const char *first, int indent, const char *text, int width);

/* compare_data.c */
void cmp_print_csv(FILE *f, const struct compare_result *r);
int cmp_print_json(FILE *f, const struct compare_result *r, const struct compare_opts *o);

#endif
