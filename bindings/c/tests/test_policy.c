/*
 * C tests of the policy door: 附件4 equipment (tests/data/equipment.vectors)
 * and hospital evaluation to JSON in a caller buffer.
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile.
 * Usage: test_policy <dir holding equipment.vectors>
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

static uint32_t location_of(const char *s) {
  const char *names[] = {"outpatient", "emergency", "inpatient", "admin", "garage"};
  for (uint32_t i = 0; i < 5; i++)
    if (strcmp(names[i], s) == 0) return i;
  fprintf(stderr, "bad location %s\n", s);
  exit(2);
}

static void test_equipment_vectors(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/equipment.vectors", dir);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  vector v;
  int seen = 0;
  while (next_vector(f, &v)) {
    const char *name = need(&v, "case");
    hsm_equipment e;
    hsm_status s = hsm_policy_equipment(location_of(need(&v, "location")),
                                        (uint32_t)strtoul(need(&v, "traffic"), NULL, 10),
                                        HSM_SITE_UNKNOWN, &e);
    CHECK(s == HSM_STATUS_OK, "%s: status %u", name, s);
    CHECK(e.row == (uint32_t)atoi(need(&v, "row")), "%s: row %u", name, e.row);
    const hsm_equipment_item *items[4] = {&e.xray, &e.walkthrough, &e.liquid, &e.handheld};
    const char *keys[4] = {"xray", "walkthrough", "liquid", "handheld"};
    const char *opt = need(&v, "opt"); /* "0,1,1,0" */
    for (int i = 0; i < 4; i++) {
      CHECK(items[i]->count == (uint32_t)atoi(need(&v, keys[i])), "%s: %s count %u", name,
            keys[i], items[i]->count);
      CHECK(items[i]->optional == (opt[2 * i] == '1'), "%s: %s optional", name, keys[i]);
    }
    const char *kind = need(&v, "liquid_kind");
    hsm_liquid_kind want = strcmp(kind, "desktop") == 0    ? HSM_LIQUID_KIND_DESKTOP
                           : strcmp(kind, "handheld") == 0 ? HSM_LIQUID_KIND_HANDHELD
                                                           : HSM_LIQUID_KIND_NONE;
    CHECK(e.liquid_kind == want, "%s: liquid kind %u", name, e.liquid_kind);
    CHECK(e.edge_decision == (atoi(need(&v, "edge")) == 1), "%s: edge", name);
    seen++;
  }
  fclose(f);
  CHECK(seen == 22, "only %d equipment vectors", seen);

  hsm_equipment e;
  memset(&e, 0x5a, sizeof e);
  CHECK(hsm_policy_equipment(HSM_LOCATION_ADMIN, 10, 0, NULL) == HSM_STATUS_NULL_POINTER,
        "NULL out");
  CHECK(hsm_policy_equipment(5, 10, 0, &e) == HSM_STATUS_INVALID_PROFILE, "bad location");
  CHECK(hsm_policy_equipment(HSM_LOCATION_ADMIN, 10, 9, &e) == HSM_STATUS_INVALID_PROFILE,
        "bad site");
  CHECK(e.row == 0x5a5a5a5a, "out written on error");
  char msg[256];
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "site") != NULL, "message names the field: '%s'", msg);
  CHECK(hsm_policy_equipment(HSM_LOCATION_OUTPATIENT, 30000, HSM_SITE_SMALL, &e) ==
                HSM_STATUS_OK &&
            e.row == 1 && e.dual_channel_substitution,
        "row 1 with a small site");
}

static const char *PROFILE =
    "{\"name\": \"H\", \"level\": 3, \"medical_staff_on_duty\": 2000, \"open_beds\": 1500,"
    " \"daily_outpatient_avg\": 8000, \"guards\": 70, \"patrol_teams\": [3, 2]}";

static void test_evaluate(void) {
  size_t need = 0;
  /* Size query. */
  hsm_status s = hsm_policy_evaluate_json(PROFILE, NULL, "2024-10-01", false, NULL, 0, &need);
  CHECK(s == HSM_STATUS_BUFFER_TOO_SMALL && need > 100, "size query: %u, %zu", s, need);
  char *buf = malloc(need + 1);
  size_t len = 0;
  s = hsm_policy_evaluate_json(PROFILE, "cn-henan-2024", "2024-10-01", false, buf, need + 1,
                               &len);
  CHECK(s == HSM_STATUS_OK && len == need && strlen(buf) == len, "evaluate: %u", s);
  CHECK(strstr(buf, "\"findings\":[") != NULL, "findings array");
  CHECK(strstr(buf, "\"rule\":\"henan.staffing.guards\"") != NULL, "staffing rule");
  CHECK(strstr(buf, "\"status\":\"gap\"") != NULL, "a gap");
  CHECK(strstr(buf, "\"required\":75") != NULL, "75 guards");
  /* Too small by one: buffer untouched. */
  memset(buf, 'x', need + 1);
  s = hsm_policy_evaluate_json(PROFILE, NULL, "2024-10-01", false, buf, need, &len);
  CHECK(s == HSM_STATUS_BUFFER_TOO_SMALL && buf[0] == 'x' && len == need, "short buffer");
  free(buf);

  char small[8];
  CHECK(hsm_policy_evaluate_json(NULL, NULL, "2024-10-01", false, small, sizeof small, &len) ==
            HSM_STATUS_NULL_POINTER,
        "NULL profile");
  CHECK(hsm_policy_evaluate_json(PROFILE, NULL, NULL, false, small, sizeof small, &len) ==
            HSM_STATUS_NULL_POINTER,
        "NULL date");
  CHECK(hsm_policy_evaluate_json(PROFILE, NULL, "2024-10-01", false, small, sizeof small,
                                 NULL) == HSM_STATUS_NULL_POINTER,
        "NULL len_out");
  CHECK(hsm_policy_evaluate_json(PROFILE, NULL, "2024-02-30", false, small, sizeof small, &len) ==
            HSM_STATUS_INVALID_PROFILE,
        "bad date");
  CHECK(hsm_policy_evaluate_json(PROFILE, "cn-mars", "2024-10-01", false, small, sizeof small,
                                 &len) == HSM_STATUS_INVALID_PROFILE,
        "unknown rule set");
  CHECK(hsm_policy_evaluate_json("{\"name\": 3}", NULL, "2024-10-01", false, small,
                                 sizeof small, &len) == HSM_STATUS_FORMAT,
        "malformed profile");
  const char bad_utf8[] = {'{', (char)0xff, '}', 0};
  CHECK(hsm_policy_evaluate_json(bad_utf8, NULL, "2024-10-01", false, small, sizeof small,
                                 &len) == HSM_STATUS_INVALID_UTF8,
        "bad UTF-8");
}

static void *evaluate_thread(void *arg) {
  (void)arg;
  static _Thread_local char buf[1 << 16];
  size_t len;
  for (int i = 0; i < 20; i++) {
    if (hsm_policy_evaluate_json(PROFILE, NULL, "2024-10-01", true, buf, sizeof buf, &len) !=
        HSM_STATUS_OK)
      return (void *)1;
  }
  return NULL;
}

static void test_threads(void) {
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, evaluate_thread, NULL);
  for (int i = 0; i < 4; i++) {
    void *r;
    pthread_join(t[i], &r);
    CHECK(r == NULL, "thread %d failed", i);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <tests/data>\n", argv[0]);
    return 2;
  }
  test_equipment_vectors(argv[1]);
  test_evaluate();
  test_threads();
  return report("test_policy");
}
