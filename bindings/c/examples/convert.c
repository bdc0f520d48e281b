/*
 * A complete small libhsm program: convert a synthetic raw frame to degrees
 * Celsius and compute guard staffing. Built against an installed tree by
 * scripts/check-dist.sh with pkg-config and with CMake, statically and
 * dynamically. Exit code 0 when every result is as expected.
 */
#include <hsm.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W = 640, H = 512 };

static int fail(const char *what, hsm_status s) {
  char msg[256];
  hsm_last_error_message(msg, sizeof msg);
  fprintf(stderr, "%s failed: status %u: %s\n", what, (unsigned)s, msg);
  return 1;
}

int main(void) {
  if (hsm_version_number() != HSM_VERSION_NUMBER) {
    fprintf(stderr, "header %s but library %s\n", HSM_VERSION_STRING, hsm_version());
    return 1;
  }
  hsm_planck planck = {21106.77, 0.012545258, 1501.0, 1.0, -7340.0};
  hsm_scene scene;
  hsm_scene_default(&scene);
  scene.emissivity = 0.95;
  hsm_radiometry *r = NULL;
  hsm_status s = hsm_radiometry_new_planck(&planck, NULL, &scene, &r);
  if (s != HSM_STATUS_OK) return fail("hsm_radiometry_new_planck", s);

  uint16_t *raw = malloc(sizeof *raw * W * H);
  float *celsius = malloc(sizeof *celsius * W * H);
  if (raw == NULL || celsius == NULL) return 1;
  for (size_t i = 0; i < (size_t)W * H; i++) raw[i] = (uint16_t)(i % 2 ? 17917 : 20218);
  hsm_conversion_stats stats;
  s = hsm_radiometry_convert_frame(r, raw, (size_t)W * H, W, H, W, celsius, (size_t)W * H, W,
                                   &stats);
  if (s != HSM_STATUS_OK) return fail("hsm_radiometry_convert_frame", s);
  int ok = stats.invalid == 0 && fabs(celsius[0] - 35.2505) < 1e-3 &&
           fabs(celsius[1] - 22.7359) < 1e-3;

  hsm_staffing need;
  s = hsm_guard_staffing(2000, 1500, 8000, &need);
  if (s != HSM_STATUS_OK) return fail("hsm_guard_staffing", s);
  ok = ok && need.required == 75 && need.binding == HSM_STAFFING_BASIS_BEDS;

  printf("libhsm %s: %zu pixels, %.4f / %.4f C; %u guards required\n", hsm_version(),
         stats.pixels, (double)celsius[0], (double)celsius[1], need.required);
  hsm_radiometry_free(r);
  free(raw);
  free(celsius);
  return ok ? 0 : 1;
}
