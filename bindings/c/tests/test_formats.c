/*
 * C test program for libhsm's thermal file readers (hsm_thermal_file_*).
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under ASan + UBSan by
 * bindings/c/Makefile. Usage: test_formats <repo>/tests/data
 *
 * Reads the permissive samples from <data>/thermal and the GPL ones
 * (IR_2412.jpg, SampleSEQ.seq, SampleCSQ.csq and Thermimage's °C
 * references) from <data>/../../../shared/data/thermal, i.e. shared/ beside
 * the checkout; fails loudly when that folder is absent.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

static char data_dir[1024];
static char shared_dir[1024];

static void path_of(char *out, size_t len, const char *dir, const char *name) {
  snprintf(out, len, "%s/%s", dir, name);
}

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc((size_t)n);
  if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static hsm_thermal_file *open_at(const char *dir, const char *name) {
  char p[2048];
  path_of(p, sizeof p, dir, name);
  hsm_thermal_file *f = NULL;
  hsm_status s = hsm_thermal_file_open(p, &f);
  CHECK(s == HSM_STATUS_OK && f != NULL, "open %s: status %u", p, (unsigned)s);
  return f;
}

/* Max |°C - reference| over every frame of `name` against a float32 LE file. */
static double max_diff(const char *name, const char *ref_name) {
  hsm_thermal_file *f = open_at(shared_dir, name);
  if (f == NULL) return INFINITY;
  hsm_thermal_file_info info;
  CHECK(hsm_thermal_file_info_get(f, &info) == HSM_STATUS_OK, "info");
  char p[2048];
  path_of(p, sizeof p, shared_dir, ref_name);
  size_t len = 0;
  float *ref = (float *)slurp(p, &len);
  size_t n = info.width * info.height;
  CHECK(ref != NULL && len == n * info.frame_count * sizeof(float), "reference %s", p);
  double worst = ref == NULL ? INFINITY : 0.0;
  float *c = malloc(n * sizeof(float));
  for (size_t i = 0; ref != NULL && i < info.frame_count; i++) {
    hsm_conversion_stats st;
    CHECK(hsm_thermal_file_read_celsius(f, i, NULL, c, n, info.width, &st) == HSM_STATUS_OK,
          "read_celsius %zu", i);
    CHECK(st.pixels == n && st.invalid == 0, "stats");
    for (size_t k = 0; k < n; k++) {
      double d = fabs((double)c[k] - (double)ref[i * n + k]);
      if (d > worst) worst = d;
    }
  }
  free(c);
  free(ref);
  hsm_thermal_file_free(f);
  return worst;
}

static void test_references(void) {
  double d = max_diff("IR_2412.jpg", "FLIRjpg_W640_H480_F1_I.raw");
  printf("IR_2412.jpg max |dT| vs Thermimage: %.3g C\n", d);
  CHECK(d <= 1e-3, "IR_2412 max diff %g", d);
  d = max_diff("SampleSEQ.seq", "SampleSEQ_W640_H480_F2_I3.97.raw");
  printf("SampleSEQ.seq max |dT| vs Thermimage: %.3g C\n", d);
  CHECK(d <= 1e-3, "SampleSEQ max diff %g", d);
}

static void test_metadata_and_raw(void) {
  hsm_thermal_file *f = open_at(shared_dir, "SampleCSQ.csq");
  if (f == NULL) return;
  hsm_thermal_file_info info;
  CHECK(hsm_thermal_file_info_get(f, &info) == HSM_STATUS_OK, "info");
  CHECK(info.format == HSM_FILE_FORMAT_CSQ && info.frame_count == 8, "csq %u %zu",
        (unsigned)info.format, info.frame_count);
  CHECK(info.width == 1024 && info.height == 768 && info.has_camera, "csq size");
  CHECK(fabs(info.planck.r1 - 21546.203) < 1e-2 && fabs(info.scene.emissivity - 0.95) < 1e-6,
        "csq planck");
  CHECK(strstr(info.camera_model, "T1030") != NULL, "model %s", info.camera_model);
  /* Raw frame 0 into a strided buffer (stride 1030) with a guard column. */
  size_t stride = 1030, len = stride * 767 + 1024;
  uint16_t *raw = malloc(len * sizeof(uint16_t));
  for (size_t i = 0; i < len; i++) raw[i] = 0xBEEF;
  CHECK(hsm_thermal_file_read_raw(f, 0, raw, len, stride) == HSM_STATUS_OK, "read_raw");
  unsigned lo = 65535, hi = 0;
  for (size_t y = 0; y < 768; y++)
    for (size_t x = 0; x < 1024; x++) {
      unsigned v = raw[y * stride + x];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  CHECK(lo == 13721 && hi == 16295, "csq frame 0 raw %u..%u", lo, hi);
  CHECK(raw[1024] == 0xBEEF, "stride padding untouched");
  /* Every frame decodes. */
  for (size_t i = 1; i < 8; i++)
    CHECK(hsm_thermal_file_read_raw(f, i, raw, len, stride) == HSM_STATUS_OK, "frame %zu", i);
  /* Error paths: index, stride, short buffer, NULLs. */
  CHECK(hsm_thermal_file_read_raw(f, 8, raw, len, stride) == HSM_STATUS_INVALID_ARGUMENT, "index");
  CHECK(hsm_thermal_file_read_raw(f, 0, raw, len, 1000) == HSM_STATUS_FRAME_SHAPE, "stride");
  CHECK(hsm_thermal_file_read_raw(f, 0, raw, 100, 1024) == HSM_STATUS_BUFFER_TOO_SMALL, "short");
  CHECK(hsm_thermal_file_read_raw(f, 0, NULL, len, stride) == HSM_STATUS_NULL_POINTER, "null dst");
  CHECK(hsm_thermal_file_read_raw(NULL, 0, raw, len, stride) == HSM_STATUS_NULL_POINTER, "null f");
  free(raw);
  hsm_thermal_file_free(f);
}

static void test_memory_overrides_and_errors(void) {
  char p[2048];
  path_of(p, sizeof p, data_dir, "thermal/zenmuse_xtr.jpg");
  size_t len = 0;
  unsigned char *bytes = slurp(p, &len);
  CHECK(bytes != NULL, "read %s", p);
  if (bytes == NULL) return;
  hsm_thermal_file *f = NULL;
  CHECK(hsm_thermal_file_open_memory(bytes, len, &f) == HSM_STATUS_OK, "open_memory");
  hsm_thermal_file_info info;
  CHECK(hsm_thermal_file_info_get(f, &info) == HSM_STATUS_OK, "info");
  CHECK(info.format == HSM_FILE_FORMAT_FLIR_JPEG && info.width == 640 && info.height == 512,
        "zenmuse");
  CHECK(fabs(info.scene.emissivity - 0.70) < 1e-6 && fabs(info.scene.distance_m - 20.0) < 1e-6,
        "zenmuse scene");
  size_t n = 640 * 512;
  float *c = malloc(n * sizeof(float));
  double sum = 0;
  CHECK(hsm_thermal_file_read_celsius(f, 0, NULL, c, n, 640, NULL) == HSM_STATUS_OK, "celsius");
  for (size_t k = 0; k < n; k++) sum += c[k];
  CHECK(fabs(sum / (double)n - 27.7041) < 1e-3, "zenmuse mean %f", sum / (double)n);
  hsm_scene_overrides ov = {NAN, NAN, NAN, NAN, NAN};
  ov.emissivity = 2.0;
  float first = c[0];
  CHECK(hsm_thermal_file_read_celsius(f, 0, &ov, c, n, 640, NULL) == HSM_STATUS_INVALID_SCENE,
        "bad override");
  CHECK(c[0] == first, "dst untouched on error");
  ov.emissivity = 0.98;
  CHECK(hsm_thermal_file_read_celsius(f, 0, &ov, c, n, 640, NULL) == HSM_STATUS_OK, "override");
  CHECK(c[0] < first, "higher emissivity reads cooler: %f vs %f", c[0], first);
  free(c);
  hsm_thermal_file_free(f);

  /* A truncated buffer: a clear status and a message naming the offset. */
  hsm_thermal_file *g = (hsm_thermal_file *)&g; /* must stay untouched */
  hsm_thermal_file *before = g;
  hsm_status s = hsm_thermal_file_open_memory(bytes, 3000, &g);
  CHECK(s == HSM_STATUS_TRUNCATED || s == HSM_STATUS_FORMAT, "truncated jpeg: %u", (unsigned)s);
  CHECK(g == before, "out untouched on error");
  char msg[512];
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "<memory>") != NULL && strstr(msg, "offset") != NULL, "message: %s", msg);
  free(bytes);

  path_of(p, sizeof p, data_dir, "thermal/frame_000000.txt");
  f = NULL;
  CHECK(hsm_thermal_file_open(p, &f) == HSM_STATUS_UNSUPPORTED_FORMAT && f == NULL, "txt");
  CHECK(hsm_thermal_file_open("/nonexistent/x.seq", &f) == HSM_STATUS_IO, "missing file");
  CHECK(hsm_thermal_file_open(NULL, &f) == HSM_STATUS_NULL_POINTER, "null path");
  CHECK(hsm_thermal_file_open_memory(NULL, 10, &f) == HSM_STATUS_NULL_POINTER, "null data");
  hsm_thermal_file_free(NULL);

  /* The embedded visible image of a FLIR One file. */
  f = open_at(data_dir, "thermal/flir_example.jpg");
  if (f != NULL) {
    CHECK(hsm_thermal_file_info_get(f, &info) == HSM_STATUS_OK, "info");
    CHECK(info.embedded_image_len > 1000, "embedded %zu", info.embedded_image_len);
    unsigned char *img = malloc(info.embedded_image_len);
    CHECK(hsm_thermal_file_embedded_image(f, img, 10) == HSM_STATUS_BUFFER_TOO_SMALL, "short");
    CHECK(hsm_thermal_file_embedded_image(f, img, info.embedded_image_len) == HSM_STATUS_OK,
          "copy");
    CHECK(img[0] == 0xFF || img[0] == 0x89, "jpeg or png magic %02x", img[0]);
    free(img);
    hsm_thermal_file_free(f);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <tests/data directory>\n", argv[0]);
    return 2;
  }
  snprintf(data_dir, sizeof data_dir, "%s", argv[1]);
  snprintf(shared_dir, sizeof shared_dir, "%s/../../../shared/data/thermal", argv[1]);
  char readme[2048];
  path_of(readme, sizeof readme, shared_dir, "README.md");
  FILE *probe = fopen(readme, "r");
  if (probe == NULL) {
    fprintf(stderr,
            "FAIL: the sample files are missing: expected %s (shared/ beside the checkout)\n",
            readme);
    return 1;
  }
  fclose(probe);
  test_references();
  test_metadata_and_raw();
  test_memory_overrides_and_errors();
  return report("test_formats");
}
