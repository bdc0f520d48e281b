/*
 * C test program for libhsm's C ABI.
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile (`make -C bindings/c test`).
 * Usage: test_hsm <dir holding radiometry.vectors and staffing.vectors>
 *
 * Covers: version agreement between header and library; status messages and
 * truncation; the shared golden vectors; every error path (NULL pointers,
 * short buffers, bad strides, NaN parameters, absurd sizes); out-parameters
 * untouched on error; _free(NULL); one handle used from several threads.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

/* ---- version ---- */

static void test_version(void) {
  char expect[32];
  snprintf(expect, sizeof expect, "%d.%d.%d", HSM_VERSION_MAJOR, HSM_VERSION_MINOR,
           HSM_VERSION_PATCH);
  CHECK(strcmp(hsm_version(), HSM_VERSION_STRING) == 0, "library %s, header %s",
        hsm_version(), HSM_VERSION_STRING);
  CHECK(strcmp(expect, HSM_VERSION_STRING) == 0, "macros %s vs string %s", expect,
        HSM_VERSION_STRING);
  CHECK(hsm_version_number() == (uint32_t)HSM_VERSION_NUMBER, "number %u vs macro %u",
        hsm_version_number(), (unsigned)HSM_VERSION_NUMBER);
  CHECK(HSM_VERSION_NUMBER == HSM_VERSION_MAJOR * 65536 + HSM_VERSION_MINOR * 256 +
                                  HSM_VERSION_PATCH,
        "packed macro wrong: %u", (unsigned)HSM_VERSION_NUMBER);
}

/* ---- status messages ---- */

static void test_status_messages(void) {
  const uint32_t codes[] = {HSM_STATUS_OK, HSM_STATUS_INVALID_ARGUMENT, HSM_STATUS_FRAME_SHAPE,
                            HSM_STATUS_FRAME_TOO_LARGE, HSM_STATUS_SHAPE_MISMATCH,
                            HSM_STATUS_OUT_OF_ORDER, HSM_STATUS_CAPACITY_EXCEEDED,
                            HSM_STATUS_INVALID_RADIOMETRY, HSM_STATUS_INVALID_SCENE,
                            HSM_STATUS_OUT_OF_RANGE, HSM_STATUS_INVALID_METAL_PARAMETER,
                            HSM_STATUS_INVALID_PROFILE, HSM_STATUS_IO, HSM_STATUS_FORMAT,
                            HSM_STATUS_NULL_POINTER, HSM_STATUS_BUFFER_TOO_SMALL,
                            HSM_STATUS_PANIC, HSM_STATUS_INVALID_UTF8};
  char buf[256];
  for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
    size_t n = hsm_status_message(codes[i], buf, sizeof buf);
    CHECK(n > 0 && n < sizeof buf && strlen(buf) == n, "code %u: n=%zu '%s'", codes[i], n, buf);
    CHECK(strcmp(buf, "unknown status code") != 0, "code %u unknown to the library", codes[i]);
  }
  CHECK(HSM_STATUS_FRAME_SHAPE == 1002 && HSM_STATUS_PANIC == 9003, "stable numbers changed");
  /* Query the length with NULL, then truncate into a short buffer. */
  size_t full = hsm_status_message(HSM_STATUS_FRAME_SHAPE, NULL, 0);
  char small[8];
  memset(small, 'x', sizeof small);
  size_t n = hsm_status_message(HSM_STATUS_FRAME_SHAPE, small, sizeof small);
  CHECK(n == full && n >= sizeof small, "truncation reports full length: %zu vs %zu", n, full);
  CHECK(strlen(small) == sizeof small - 1, "truncated string is NUL-terminated: '%s'", small);
  hsm_status_message(42, buf, sizeof buf);
  CHECK(strcmp(buf, "unknown status code") == 0, "unknown code: '%s'", buf);
  CHECK(hsm_status_is_input_error(HSM_STATUS_FRAME_SHAPE), "frame shape is an input error");
  CHECK(!hsm_status_is_input_error(HSM_STATUS_OK), "ok is not an input error");
  CHECK(!hsm_status_is_input_error(HSM_STATUS_PANIC), "panic is not an input error");
  CHECK(!hsm_status_is_input_error(77777), "unknown code is not an input error");
}

/* ---- radiometry golden vectors ---- */

static hsm_status make_radiometry(const vector *v, hsm_radiometry **out) {
  const char *kind = get(v, "kind");
  if (strcmp(kind, "planck") == 0) {
    hsm_planck p = {num(v, "r1"), num(v, "r2"), num(v, "b"), num(v, "f"), num(v, "o")};
    hsm_atmosphere a = {num(v, "x"), num(v, "a1"), num(v, "a2"), num(v, "b1"), num(v, "b2")};
    hsm_scene s = {num(v, "e"),   num(v, "dist"),    num(v, "refl"), num(v, "atm"),
                   num(v, "win"), num(v, "win_tau"), num(v, "rh")};
    return hsm_radiometry_new_planck(&p, &a, &s, out);
  }
  if (strcmp(kind, "tlinear") == 0) return hsm_radiometry_new_tlinear(num(v, "res"), out);
  if (strcmp(kind, "linear") == 0)
    return hsm_radiometry_new_linear(num(v, "gain"), num(v, "offset"), out);
  fprintf(stderr, "unknown kind %s\n", kind);
  exit(2);
}

static void test_radiometry_vectors(const char *dir) {
  FILE *f = open_vectors(dir, "radiometry.vectors");
  vector v;
  int seen = 0;
  while (next_vector(f, &v)) {
    const char *name = get(&v, "case");
    hsm_radiometry *r = NULL;
    hsm_status s = make_radiometry(&v, &r);
    double raw = num(&v, "raw");
    if (get(&v, "celsius") != NULL) {
      double want = num(&v, "celsius"), tol = num(&v, "tol");
      CHECK(s == HSM_STATUS_OK && r != NULL, "%s: status %u", name, s);
      double c = -1000.0;
      s = hsm_radiometry_raw_to_celsius(r, raw, &c);
      CHECK(s == HSM_STATUS_OK && fabs(c - want) <= tol, "%s: %.6f vs %.6f", name, c, want);
      /* The same value through a 1x1 frame (f32 output). */
      uint16_t px = (uint16_t)raw;
      float out = 0.0f;
      hsm_conversion_stats st = {0, 99};
      s = hsm_radiometry_convert_frame(r, &px, 1, 1, 1, 1, &out, 1, 1, &st);
      CHECK(s == HSM_STATUS_OK && fabs((double)out - want) <= (tol > 1e-5 ? tol : 1e-5) &&
                st.pixels == 1 && st.invalid == 0,
            "%s: frame %.6f vs %.6f", name, (double)out, want);
    } else {
      uint32_t want = (uint32_t)num(&v, "status");
      if (s == HSM_STATUS_OK) {
        double c = 12345.0;
        s = hsm_radiometry_raw_to_celsius(r, raw, &c);
        CHECK(c == 12345.0, "%s: out-parameter written on error", name);
      } else {
        CHECK(r == NULL, "%s: handle written on error", name);
      }
      CHECK(s == want, "%s: status %u, want %u", name, s, want);
    }
    hsm_radiometry_free(r);
    seen++;
  }
  fclose(f);
  CHECK(seen >= 30, "only %d radiometry vectors", seen);
}

/* ---- staffing golden vectors ---- */

static void test_staffing_vectors(const char *dir) {
  static const char *bases[] = {"medical_staff", "beds", "outpatients"};
  FILE *f = open_vectors(dir, "staffing.vectors");
  vector v;
  int seen = 0;
  while (next_vector(f, &v)) {
    const char *name = get(&v, "case");
    hsm_staffing out;
    hsm_status s = hsm_guard_staffing((uint32_t)num(&v, "staff"), (uint32_t)num(&v, "beds"),
                                      (uint32_t)num(&v, "outpatients"), &out);
    CHECK(s == HSM_STATUS_OK, "%s: status %u", name, s);
    CHECK(out.required == (uint32_t)num(&v, "required"), "%s: required %u", name, out.required);
    CHECK(out.binding <= 2 && strcmp(bases[out.binding], get(&v, "binding")) == 0,
          "%s: binding %u", name, out.binding);
    CHECK(out.terms[0].required == (uint32_t)num(&v, "t_staff") &&
              out.terms[1].required == (uint32_t)num(&v, "t_beds") &&
              out.terms[2].required == (uint32_t)num(&v, "t_outpatients"),
          "%s: terms %u %u %u", name, out.terms[0].required, out.terms[1].required,
          out.terms[2].required);
    seen++;
  }
  fclose(f);
  CHECK(seen >= 5, "only %d staffing vectors", seen);
  CHECK(hsm_guard_staffing(1, 2, 3, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");
}

/* ---- error paths ---- */

static hsm_radiometry *ir2412(void) {
  hsm_planck p = {21106.77, 0.012545258, 1501.0, 1.0, -7340.0};
  hsm_scene s;
  CHECK(hsm_scene_default(&s) == HSM_STATUS_OK, "scene default");
  s.emissivity = 0.95;
  hsm_radiometry *r = NULL;
  CHECK(hsm_radiometry_new_planck(&p, NULL, &s, &r) == HSM_STATUS_OK && r != NULL, "new");
  return r;
}

static void test_error_paths(void) {
  char msg[512];
  hsm_planck p = {21106.77, 0.012545258, 1501.0, 1.0, -7340.0};
  hsm_scene s;
  hsm_atmosphere a;
  CHECK(hsm_scene_default(NULL) == HSM_STATUS_NULL_POINTER, "scene NULL");
  CHECK(hsm_atmosphere_default(NULL) == HSM_STATUS_NULL_POINTER, "atmosphere NULL");
  CHECK(hsm_atmosphere_default(&a) == HSM_STATUS_OK && a.x == 1.9, "atmosphere default");
  hsm_scene_default(&s);
  CHECK(s.emissivity == 0.98 && s.relative_humidity == 0.5, "scene default values");

  hsm_radiometry *r = (hsm_radiometry *)&s; /* sentinel: must stay untouched */
  CHECK(hsm_radiometry_new_planck(NULL, NULL, NULL, &r) == HSM_STATUS_NULL_POINTER &&
            r == (hsm_radiometry *)&s,
        "NULL planck");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "planck") != NULL, "message names the argument: '%s'", msg);
  CHECK(hsm_radiometry_new_planck(&p, NULL, NULL, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");

  s.emissivity = NAN;
  r = NULL;
  CHECK(hsm_radiometry_new_planck(&p, NULL, &s, &r) == HSM_STATUS_INVALID_SCENE && r == NULL,
        "NaN emissivity");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "emissivity") != NULL, "message names the field: '%s'", msg);
  s.emissivity = 0.95;
  p.b = NAN;
  CHECK(hsm_radiometry_new_planck(&p, NULL, &s, &r) == HSM_STATUS_INVALID_RADIOMETRY, "NaN B");
  CHECK(hsm_radiometry_new_tlinear(0.05, &r) == HSM_STATUS_INVALID_RADIOMETRY && r == NULL,
        "bad TLinear resolution");
  CHECK(hsm_radiometry_new_linear(NAN, 0.0, &r) == HSM_STATUS_INVALID_RADIOMETRY, "NaN gain");
  CHECK(hsm_radiometry_new_tlinear(0.01, NULL) == HSM_STATUS_NULL_POINTER, "tlinear NULL out");

  r = ir2412();
  double c = 7.0;
  CHECK(hsm_radiometry_raw_to_celsius(NULL, 18000.0, &c) == HSM_STATUS_NULL_POINTER && c == 7.0,
        "NULL handle");
  CHECK(hsm_radiometry_raw_to_celsius(r, 18000.0, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");
  CHECK(hsm_radiometry_raw_to_celsius(r, NAN, &c) == HSM_STATUS_OUT_OF_RANGE && c == 7.0,
        "NaN raw");
  CHECK(hsm_radiometry_celsius_to_raw(r, NAN, &c) == HSM_STATUS_OUT_OF_RANGE, "NaN celsius");
  CHECK(hsm_radiometry_celsius_to_raw(r, -300.0, &c) == HSM_STATUS_OUT_OF_RANGE, "below 0 K");

  /* Round trip through the C API. */
  double raw = 0.0, back = 0.0;
  CHECK(hsm_radiometry_celsius_to_raw(r, 36.6, &raw) == HSM_STATUS_OK, "to raw");
  CHECK(hsm_radiometry_raw_to_celsius(r, raw, &back) == HSM_STATUS_OK && fabs(back - 36.6) < 1e-9,
        "round trip %.9f", back);

  /* Frame errors: nothing is written to dst or stats. */
  uint16_t src[12] = {18000, 18000, 18000, 0, 18000, 18000, 18000, 0, 18000, 18000, 18000, 0};
  float dst[12];
  for (int i = 0; i < 12; i++) dst[i] = -1.0f;
  hsm_conversion_stats st = {77, 77};
  CHECK(hsm_radiometry_convert_frame(r, NULL, 12, 3, 3, 4, dst, 12, 4, &st) ==
            HSM_STATUS_NULL_POINTER,
        "NULL src");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 3, 3, 4, NULL, 12, 4, &st) ==
            HSM_STATUS_NULL_POINTER,
        "NULL dst");
  CHECK(hsm_radiometry_convert_frame(NULL, src, 12, 3, 3, 4, dst, 12, 4, &st) ==
            HSM_STATUS_NULL_POINTER,
        "NULL handle");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 3, 3, 2, dst, 12, 4, &st) ==
            HSM_STATUS_FRAME_SHAPE,
        "stride < width");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "stride 2") != NULL, "message names the stride: '%s'", msg);
  CHECK(hsm_radiometry_convert_frame(r, src, 10, 3, 3, 4, dst, 12, 4, &st) ==
            HSM_STATUS_FRAME_SHAPE,
        "src too short");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 3, 3, 4, dst, 5, 4, &st) ==
            HSM_STATUS_FRAME_SHAPE,
        "dst too short");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 0, 3, 4, dst, 12, 4, &st) ==
            HSM_STATUS_FRAME_SHAPE,
        "zero width");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 100000, 1, 100000, dst, 12, 100000, &st) ==
            HSM_STATUS_FRAME_TOO_LARGE,
        "absurd width");
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 3, 3, SIZE_MAX, dst, 12, 4, &st) ==
            HSM_STATUS_FRAME_TOO_LARGE,
        "overflowing stride");
  for (int i = 0; i < 12; i++) CHECK(dst[i] == -1.0f, "dst[%d] written on error", i);
  CHECK(st.pixels == 77 && st.invalid == 77, "stats written on error");

  /* A strided frame: padding untouched; an out-of-domain pixel is NaN and counted. */
  src[4] = 100; /* below this camera's domain */
  CHECK(hsm_radiometry_convert_frame(r, src, 11, 3, 3, 4, dst, 12, 4, &st) == HSM_STATUS_OK,
        "strided frame");
  CHECK(st.pixels == 9 && st.invalid == 1, "stats %zu %zu", st.pixels, st.invalid);
  CHECK(isnan(dst[4]) && dst[3] == -1.0f && dst[7] == -1.0f && dst[11] == -1.0f,
        "padding or NaN wrong");
  double c18000 = 0.0;
  CHECK(hsm_radiometry_raw_to_celsius(r, 18000.0, &c18000) == HSM_STATUS_OK, "18000 counts");
  CHECK(fabs((double)dst[0] - c18000) < 1e-5 && fabs(c18000 - 23.2163) < 1e-3,
        "frame and scalar paths agree: %f vs %f", (double)dst[0], c18000);
  /* Stats are optional. */
  CHECK(hsm_radiometry_convert_frame(r, src, 12, 3, 3, 4, dst, 12, 4, NULL) == HSM_STATUS_OK,
        "NULL stats allowed");

  hsm_radiometry_free(r);
  hsm_radiometry_free(NULL); /* a no-op */
}

/* ---- one handle, several threads ---- */

#define W 160
#define H 120
#define THREADS 4

typedef struct {
  const hsm_radiometry *r;
  const uint16_t *src;
  float dst[W * H];
  hsm_status status;
} job;

static void *convert_job(void *arg) {
  job *j = arg;
  for (int k = 0; k < 20; k++)
    j->status = hsm_radiometry_convert_frame(j->r, j->src, W * H, W, H, W, j->dst, W * H, W, NULL);
  return NULL;
}

static void test_threads(void) {
  static uint16_t src[W * H];
  static job jobs[THREADS];
  for (int i = 0; i < W * H; i++) src[i] = (uint16_t)(17000 + i % 4000);
  hsm_radiometry *r = ir2412();
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    jobs[i].r = r;
    jobs[i].src = src;
    CHECK(pthread_create(&t[i], NULL, convert_job, &jobs[i]) == 0, "pthread_create");
  }
  for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
  for (int i = 0; i < THREADS; i++) {
    CHECK(jobs[i].status == HSM_STATUS_OK, "thread %d status %u", i, jobs[i].status);
    CHECK(memcmp(jobs[i].dst, jobs[0].dst, sizeof jobs[0].dst) == 0, "thread %d differs", i);
  }
  hsm_radiometry_free(r);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  test_version();
  test_status_messages();
  test_radiometry_vectors(argv[1]);
  test_staffing_vectors(argv[1]);
  test_error_paths();
  test_threads();
  return report("test_hsm");
}
