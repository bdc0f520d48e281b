/*
 * C test program for libhsm's thermal-screening ABI: the frame processor.
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile.
 * Usage: test_thermal_screen <dir holding extract.vectors and thermal/>
 *
 * Covers: the shared golden vectors (tests/data/extract.vectors over
 * tests/data/thermal/extract_160x120.npy, also read by tests/golden.rs and
 * pytest) through a strided copy of each frame; float °C frames; a caller
 * array too short (count and dropped faces); every error path (NULL
 * pointers, zero sides, stride < width, a buffer too short, time going
 * back, a blackbody outside the frame, a bad configuration) with
 * out-parameters untouched; _free(NULL).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

enum { W = 160, H = 120, N = 6, STRIDE = 176 };

/* Reads the (6, 120, 160) uint16 stack; exits 2 when it is not that. */
static uint16_t *load_stack(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/thermal/extract_160x120.npy", dir);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  unsigned char pre[10];
  if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY\x01", 7) != 0) {
    fprintf(stderr, "%s: not a v1 .npy\n", path);
    exit(2);
  }
  size_t hlen = (size_t)pre[8] | ((size_t)pre[9] << 8);
  char header[1024];
  if (hlen >= sizeof header || fread(header, 1, hlen, f) != hlen) exit(2);
  header[hlen] = '\0';
  if (strstr(header, "'<u2'") == NULL || strstr(header, "(6, 120, 160)") == NULL) {
    fprintf(stderr, "%s: unexpected header %s\n", path, header);
    exit(2);
  }
  uint16_t *px = malloc(sizeof *px * N * H * W);
  if (px == NULL || fread(px, sizeof *px, N * H * W, f) != (size_t)(N * H * W)) exit(2);
  fclose(f); /* little-endian host assumed, as by every CI target */
  return px;
}

/* The calling thread's last error message. */
static const char *last_error(void) {
  static char buf[512];
  hsm_last_error_message(buf, sizeof buf);
  return buf;
}

static hsm_radiometry *tlinear(void) {
  hsm_radiometry *r = NULL;
  if (hsm_radiometry_new_tlinear(0.01, &r) != HSM_STATUS_OK) exit(2);
  return r;
}

static hsm_frame_processor *processor(const hsm_radiometry *r) {
  hsm_frame_processor_config c;
  CHECK(hsm_frame_processor_config_default(&c) == HSM_STATUS_OK, "defaults");
  c.has_blackbody = 1;
  c.bb_x = 147;
  c.bb_y = 7;
  c.bb_w = 6;
  c.bb_h = 6;
  c.bb_set_point_c = 35.0;
  hsm_frame_processor *p = NULL;
  CHECK(hsm_frame_processor_new(r, &c, &p) == HSM_STATUS_OK && p != NULL, "new");
  return p;
}

static int close_to(double got, double want, double tol) {
  return (isnan(got) && isnan(want)) || fabs(got - want) <= tol;
}

static void test_vectors(const char *dir, const uint16_t *stack) {
  hsm_radiometry *r = tlinear();
  hsm_frame_processor *p = processor(r);
  hsm_frame_processor *pf = processor(r); /* the same frames as float °C */
  hsm_face_reading faces[N][8], ffaces[8];
  size_t count[N];
  /* A strided copy: rows STRIDE elements apart. */
  uint16_t *strided = malloc(sizeof *strided * STRIDE * H);
  float *celsius = malloc(sizeof *celsius * W * H);
  if (strided == NULL || celsius == NULL) exit(2);
  for (int i = 0; i < N; i++) {
    const uint16_t *frame = stack + (size_t)i * W * H;
    for (int y = 0; y < H; y++) {
      memcpy(strided + (size_t)y * STRIDE, frame + (size_t)y * W, sizeof *frame * W);
      for (int x = 0; x < W; x++) {
        uint16_t c = frame[y * W + x];
        celsius[y * W + x] = c == 0 ? NAN : (float)(c * 0.01 - 273.15);
      }
    }
    hsm_frame_info info;
    CHECK(hsm_frame_processor_process(p, strided, (size_t)STRIDE * (H - 1) + W, W, H, STRIDE,
                                      33333LL * i, faces[i], 8, &count[i],
                                      &info) == HSM_STATUS_OK,
          "frame %d: %s", i, last_error());
    CHECK(info.dropped_faces == 0 && info.dead_rows == 0, "frame %d info", i);
    size_t fc = 0;
    CHECK(hsm_frame_processor_process_f32(pf, celsius, W * H, W, H, W, 33333LL * i, ffaces, 8,
                                          &fc, NULL) == HSM_STATUS_OK,
          "f32 frame %d: %s", i, last_error());
    CHECK(fc == count[i], "f32 frame %d: %zu vs %zu faces", i, fc, count[i]);
    for (size_t k = 0; k < fc && k < count[i]; k++) {
      CHECK(ffaces[k].x == faces[i][k].x && ffaces[k].site_x == faces[i][k].site_x &&
                ffaces[k].site_y == faces[i][k].site_y,
            "f32 frame %d face %zu", i, k);
      CHECK(fabs(ffaces[k].site_c - faces[i][k].site_c) < 0.011, "f32 frame %d face %zu temp",
            i, k);
    }
  }
  FILE *f = open_vectors(dir, "extract.vectors");
  vector v;
  int seen = 0;
  while (next_vector(f, &v)) {
    const char *name = need(&v, "case");
    int i = (int)num(&v, "frame");
    if (i < 0 || i >= N) exit(2);
    if (strcmp(need(&v, "kind"), "frame") == 0) {
      CHECK(count[i] == (size_t)num(&v, "faces"), "%s: %zu faces", name, count[i]);
      continue;
    }
    size_t k = (size_t)num(&v, "index");
    if (k >= count[i]) {
      CHECK(0, "%s: face %zu missing", name, k);
      continue;
    }
    const hsm_face_reading *r0 = &faces[i][k];
    CHECK(r0->x == (uint32_t)num(&v, "x") && r0->y == (uint32_t)num(&v, "y") &&
              r0->w == (uint32_t)num(&v, "w") && r0->h == (uint32_t)num(&v, "h"),
          "%s: bbox %u,%u,%u,%u", name, r0->x, r0->y, r0->w, r0->h);
    CHECK(r0->site_x == (uint32_t)num(&v, "sx") && r0->site_y == (uint32_t)num(&v, "sy"),
          "%s: site %u,%u", name, r0->site_x, r0->site_y);
    CHECK(r0->flags == (uint32_t)num(&v, "flags"), "%s: flags %u", name, r0->flags);
    double tol = num(&v, "tol");
    CHECK(close_to(r0->site_c, num(&v, "site_c"), tol), "%s: site_c %f", name, r0->site_c);
    CHECK(close_to(r0->corrected_c, num(&v, "corrected_c"), tol), "%s: corrected_c %f", name,
          r0->corrected_c);
    seen++;
  }
  fclose(f);
  CHECK(seen >= 6, "only %d face vectors", seen);
  free(strided);
  free(celsius);
  hsm_frame_processor_free(p);
  hsm_frame_processor_free(pf);
  hsm_radiometry_free(r);
}

static void test_short_array_and_errors(const uint16_t *stack) {
  hsm_radiometry *r = tlinear();
  hsm_frame_processor *p = processor(r);
  hsm_face_reading one[1];
  hsm_frame_info info;
  size_t n = 99;
  /* Frame 0 has three faces; room for one. */
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W, 0, one, 1, &n, &info) ==
            HSM_STATUS_OK,
        "short array");
  CHECK(n == 1 && info.dropped_faces == 2, "n=%zu dropped=%u", n, info.dropped_faces);
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W, 1, NULL, 0, &n, NULL) ==
            HSM_STATUS_OK && n == 0,
        "no array");
  /* Errors leave the count untouched. */
  n = 77;
  CHECK(hsm_frame_processor_process(NULL, stack, W * H, W, H, W, 2, one, 1, &n, NULL) ==
            HSM_STATUS_NULL_POINTER && n == 77,
        "NULL processor");
  CHECK(hsm_frame_processor_process(p, NULL, W * H, W, H, W, 2, one, 1, &n, NULL) ==
            HSM_STATUS_NULL_POINTER && n == 77,
        "NULL frame");
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W, 2, NULL, 1, &n, NULL) ==
            HSM_STATUS_NULL_POINTER && n == 77,
        "NULL out with capacity");
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W, 2, one, 1, NULL, NULL) ==
            HSM_STATUS_NULL_POINTER,
        "NULL out_count");
  CHECK(hsm_frame_processor_process(p, stack, W * H, 0, H, W, 2, one, 1, &n, NULL) ==
            HSM_STATUS_FRAME_SHAPE && n == 77,
        "zero width");
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W - 1, 2, one, 1, &n, NULL) ==
            HSM_STATUS_FRAME_SHAPE && n == 77,
        "stride < width");
  CHECK(hsm_frame_processor_process(p, stack, W * H - 1, W, H, W, 2, one, 1, &n, NULL) ==
            HSM_STATUS_FRAME_SHAPE && n == 77,
        "buffer too short");
  CHECK(hsm_frame_processor_process(p, stack, W * H, W, H, W, -5, one, 1, &n, NULL) ==
            HSM_STATUS_OUT_OF_ORDER && n == 77,
        "time goes back");
  /* The blackbody must lie inside the frame: a 100 x 100 frame is too small. */
  CHECK(hsm_frame_processor_process(p, stack, W * H, 100, 100, W, 10, one, 1, &n, NULL) ==
            HSM_STATUS_INVALID_ARGUMENT && n == 77,
        "blackbody outside");
  CHECK(hsm_frame_processor_reset(p) == HSM_STATUS_OK, "reset");
  CHECK(hsm_frame_processor_reset(NULL) == HSM_STATUS_NULL_POINTER, "reset NULL");
  /* Bad configurations. */
  hsm_frame_processor_config c;
  hsm_frame_processor_config_default(&c);
  hsm_frame_processor *q = NULL;
  c.band_lo_c = 50.0;
  CHECK(hsm_frame_processor_new(r, &c, &q) == HSM_STATUS_INVALID_ARGUMENT && q == NULL,
        "band reversed");
  hsm_frame_processor_config_default(&c);
  c.candidates = 0;
  CHECK(hsm_frame_processor_new(r, &c, &q) == HSM_STATUS_INVALID_ARGUMENT && q == NULL,
        "zero candidates");
  CHECK(hsm_frame_processor_new(NULL, &c, &q) == HSM_STATUS_NULL_POINTER, "NULL radiometry");
  CHECK(hsm_frame_processor_new(r, NULL, &q) == HSM_STATUS_NULL_POINTER, "NULL config");
  CHECK(hsm_frame_processor_config_default(NULL) == HSM_STATUS_NULL_POINTER, "NULL default");
  CHECK(HSM_QUALITY_TOO_FEW_PIXELS == 1 && HSM_QUALITY_NO_BLACKBODY == 128, "flag values");
  hsm_frame_processor_free(p);
  hsm_frame_processor_free(NULL);
  hsm_radiometry_free(r);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  uint16_t *stack = load_stack(argv[1]);
  test_vectors(argv[1], stack);
  test_short_array_and_errors(stack);
  free(stack);
  return report("test_thermal_screen");
}
