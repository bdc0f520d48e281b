/*
 * Shared helpers of the C test programs (one translation unit each):
 * the CHECK macro and its counters, the golden-vector reader for
 * tests/data/<name>.vectors (lines of whitespace-separated key=value tokens,
 * '#' comments), and the closing "N passed, N failed" line.
 */
#ifndef HSM_TEST_H
#define HSM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                     \
  do {                                                                       \
    checks++;                                                                \
    if (!(cond)) {                                                           \
      failures++;                                                            \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);        \
      fprintf(stderr, __VA_ARGS__);                                          \
      fprintf(stderr, "\n");                                                 \
    }                                                                        \
  } while (0)

/* ---- the golden-vector format: lines of key=value tokens ---- */

#define MAX_TOKENS 40
typedef struct {
  char line[4096];
  const char *keys[MAX_TOKENS];
  const char *values[MAX_TOKENS];
  int n;
} vector;

/* The value of `key`, or NULL when the vector has no such key. */
static inline const char *get(const vector *v, const char *key) {
  for (int i = 0; i < v->n; i++)
    if (strcmp(v->keys[i], key) == 0) return v->values[i];
  return NULL;
}

/* The value of `key`; a vector without it is a broken data file: exit 2. */
static inline const char *need(const vector *v, const char *key) {
  const char *s = get(v, key);
  if (s == NULL) {
    const char *name = get(v, "case");
    fprintf(stderr, "vector %s: missing key %s\n", name ? name : "?", key);
    exit(2);
  }
  return s;
}

/* `key` as a number (strtod: also "nan"); exits 2 when missing. */
static inline double num(const vector *v, const char *key) { return strtod(need(v, key), NULL); }

/* Reads the next vector; returns 0 at end of file. */
static inline int next_vector(FILE *f, vector *v) {
  while (fgets(v->line, sizeof v->line, f) != NULL) {
    char *p = v->line;
    while (*p == ' ' || *p == '\t') p++;
    if (*p == '#' || *p == '\n' || *p == '\0') continue;
    v->n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(p, " \t\r\n", &save); tok != NULL && v->n < MAX_TOKENS;
         tok = strtok_r(NULL, " \t\r\n", &save)) {
      char *eq = strchr(tok, '=');
      if (eq == NULL) continue;
      *eq = '\0';
      v->keys[v->n] = tok;
      v->values[v->n] = eq + 1;
      v->n++;
    }
    return 1;
  }
  return 0;
}

/* Opens DIR/NAME or exits 2 naming the path. */
static inline FILE *open_vectors(const char *dir, const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  return f;
}

/* Prints the closing line test runners read ("NAME: N passed, N failed")
 * and returns the exit status. */
static inline int report(const char *name) {
  printf("%s: %d passed, %d failed\n", name, checks - failures, failures);
  return failures == 0 ? 0 : 1;
}

#endif /* HSM_TEST_H */
