/*
 * C test program for libhsm's metal-detection ABI: the detector handle
 * (streaming push + finish, whole-passage process), the result struct and
 * the simulator.
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile.
 * Usage: test_metal <dir> (unused: no golden vectors yet)
 *
 * Covers: a simulated pistol alarms with a height band and side, streamed
 * frame by frame and as a whole passage (same result); an empty passage
 * passes with NONE fields; every error path (NULL pointers, odd and wrong
 * sizes, NaN samples, too-short passages, unknown program/object/location,
 * a corrupt model, a too-small simulate buffer) with out-parameters
 * untouched; _free(NULL).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  hsm_metal_detector *d = NULL;
  CHECK(hsm_metal_detector_new(NULL, NULL, 0, &d) == HSM_STATUS_OK && d != NULL, "new");
  size_t zones = 0, freqs = 0;
  double fs = 0;
  CHECK(hsm_metal_detector_geometry(d, &zones, &freqs, &fs) == HSM_STATUS_OK, "geometry");
  CHECK(zones == 18 && freqs == 4 && fs == 200.0, "%zu %zu %g", zones, freqs, fs);
  CHECK(hsm_metal_detector_geometry(d, NULL, NULL, NULL) == HSM_STATUS_OK, "geometry NULLs");

  const size_t frame = 2 * zones * freqs;
  const size_t cap = 400 * frame;
  double *samples = calloc(cap, sizeof *samples);
  size_t written = 0;
  CHECK(hsm_metal_simulate("pistol_steel", 3 /* waist front */, 7, samples, cap, &written) ==
            HSM_STATUS_OK,
        "simulate");
  CHECK(written == cap, "%zu", written);

  /* Whole passage. */
  hsm_metal_result whole;
  memset(&whole, 0, sizeof whole);
  CHECK(hsm_metal_detector_process(d, samples, written, &whole) == HSM_STATUS_OK, "process");
  CHECK(whole.detected && whole.alarm && whole.decision == HSM_METAL_DECISION_ALARM, "alarm %d",
        (int)whole.decision);
  CHECK(whole.class_ >= HSM_METAL_CLASS_KNIFE && whole.class_ <= HSM_METAL_CLASS_HAMMER,
        "threat class %d", (int)whole.class_);
  CHECK(whole.threat > 0.5 && whole.threat <= 1.0, "%g", whole.threat);
  CHECK(whole.confidence > 0.0 && whole.confidence <= 1.0, "%g", whole.confidence);
  CHECK(whole.height_band == HSM_HEIGHT_BAND_WAIST, "band %d", (int)whole.height_band);
  CHECK(whole.side != HSM_SIDE_NONE, "side");

  /* Streaming: the same frames pushed one by one give the same result. */
  for (size_t t = 0; t < 400; t++)
    CHECK(hsm_metal_detector_push(d, samples + t * frame, frame) == HSM_STATUS_OK, "push %zu", t);
  size_t frames = 0;
  CHECK(hsm_metal_detector_frames(d, &frames) == HSM_STATUS_OK && frames == 400, "%zu", frames);
  hsm_metal_result streamed;
  CHECK(hsm_metal_detector_finish(d, &streamed) == HSM_STATUS_OK, "finish");
  CHECK(streamed.decision == whole.decision && streamed.class_ == whole.class_ &&
            streamed.threat == whole.threat && streamed.height_band == whole.height_band &&
            streamed.side == whole.side,
        "streamed == whole");
  CHECK(hsm_metal_detector_frames(d, &frames) == HSM_STATUS_OK && frames == 0, "emptied");

  /* Nothing carried: pass, NONE fields. */
  CHECK(hsm_metal_simulate(NULL, -1, 8, samples, cap, &written) == HSM_STATUS_OK, "empty sim");
  hsm_metal_result empty;
  CHECK(hsm_metal_detector_process(d, samples, written, &empty) == HSM_STATUS_OK, "process");
  CHECK(!empty.detected && !empty.alarm && empty.decision == HSM_METAL_DECISION_PASS &&
            empty.class_ == HSM_METAL_CLASS_NONE && empty.height_band == HSM_HEIGHT_BAND_NONE &&
            empty.side == HSM_SIDE_NONE,
        "empty passes");

  /* Errors; out-parameters untouched. */
  hsm_metal_result r;
  memset(&r, 0x5a, sizeof r);
  hsm_metal_result r0 = r;
  CHECK(hsm_metal_detector_process(NULL, samples, written, &r) == HSM_STATUS_NULL_POINTER, "null d");
  CHECK(hsm_metal_detector_process(d, NULL, written, &r) == HSM_STATUS_NULL_POINTER, "null s");
  CHECK(hsm_metal_detector_process(d, samples, written, NULL) == HSM_STATUS_NULL_POINTER, "null o");
  CHECK(hsm_metal_detector_process(d, samples, written - 1, &r) == HSM_STATUS_SHAPE_MISMATCH,
        "odd length");
  CHECK(hsm_metal_detector_process(d, samples, written - 2, &r) == HSM_STATUS_SHAPE_MISMATCH,
        "partial frame");
  CHECK(hsm_metal_detector_process(d, samples, 10 * frame, &r) == HSM_STATUS_SHAPE_MISMATCH,
        "too short");
  samples[5] = NAN;
  CHECK(hsm_metal_detector_process(d, samples, written, &r) == HSM_STATUS_INVALID_METAL_PARAMETER,
        "NaN");
  CHECK(hsm_metal_detector_push(d, samples, frame) == HSM_STATUS_INVALID_METAL_PARAMETER, "NaN push");
  samples[5] = 0.0;
  CHECK(memcmp(&r, &r0, sizeof r) == 0, "out untouched");
  CHECK(hsm_metal_detector_push(d, samples, frame - 2) == HSM_STATUS_SHAPE_MISMATCH, "short frame");
  CHECK(hsm_metal_detector_push(d, samples, frame + 1) == HSM_STATUS_SHAPE_MISMATCH, "odd frame");
  CHECK(hsm_metal_detector_push(d, NULL, frame) == HSM_STATUS_NULL_POINTER, "null frame");
  CHECK(hsm_metal_detector_push(NULL, samples, frame) == HSM_STATUS_NULL_POINTER, "null d push");
  CHECK(hsm_metal_detector_frames(d, &frames) == HSM_STATUS_OK && frames == 0, "nothing appended");
  CHECK(hsm_metal_detector_finish(d, &r) == HSM_STATUS_SHAPE_MISMATCH, "finish with no frames");
  CHECK(hsm_metal_detector_finish(d, NULL) == HSM_STATUS_NULL_POINTER, "finish null");
  CHECK(hsm_metal_detector_frames(NULL, &frames) == HSM_STATUS_NULL_POINTER, "frames null");
  CHECK(hsm_metal_detector_geometry(NULL, &zones, NULL, NULL) == HSM_STATUS_NULL_POINTER, "geo");
  CHECK(memcmp(&r, &r0, sizeof r) == 0, "out untouched");
  char msg[256];
  CHECK(hsm_last_error_message(msg, sizeof msg) > 0, "last error message");

  hsm_metal_detector *bad = (hsm_metal_detector *)0x1;
  CHECK(hsm_metal_detector_new("lenient", NULL, 0, &bad) == HSM_STATUS_INVALID_METAL_PARAMETER,
        "unknown program");
  CHECK(bad == (hsm_metal_detector *)0x1, "out untouched");
  const char *junk = "{\"format\": \"nope\"}";
  CHECK(hsm_metal_detector_new("strict", junk, strlen(junk), &bad) == HSM_STATUS_FORMAT,
        "corrupt model");
  CHECK(hsm_metal_detector_new("strict", NULL, 0, NULL) == HSM_STATUS_NULL_POINTER, "null out");
  hsm_metal_detector *strict = NULL;
  CHECK(hsm_metal_detector_new("strict", NULL, 0, &strict) == HSM_STATUS_OK, "strict");

  written = 12345;
  CHECK(hsm_metal_simulate("banana", -1, 1, samples, cap, &written) ==
            HSM_STATUS_INVALID_METAL_PARAMETER,
        "unknown object");
  CHECK(hsm_metal_simulate("keys", 15, 1, samples, cap, &written) ==
            HSM_STATUS_INVALID_METAL_PARAMETER,
        "bad location");
  CHECK(hsm_metal_simulate("keys", -2, 1, samples, cap, &written) ==
            HSM_STATUS_INVALID_METAL_PARAMETER,
        "bad location");
  CHECK(hsm_metal_simulate("keys", 0, 1, samples, cap - 1, &written) == HSM_STATUS_SHAPE_MISMATCH,
        "small buffer");
  CHECK(hsm_metal_simulate("keys", 0, 1, NULL, cap, &written) == HSM_STATUS_NULL_POINTER, "null");
  CHECK(hsm_metal_simulate("keys", 0, 1, samples, cap, NULL) == HSM_STATUS_NULL_POINTER, "null");
  CHECK(written == 12345, "written untouched");

  /* Strict: every detection alarms. */
  CHECK(hsm_metal_simulate("knife", 7, 3, samples, cap, &written) == HSM_STATUS_OK, "knife");
  CHECK(hsm_metal_detector_process(strict, samples, written, &r) == HSM_STATUS_OK, "strict");
  CHECK(!r.detected || (r.alarm && r.class_ == HSM_METAL_CLASS_NONE && r.threat == 1.0),
        "strict alarms");

  hsm_metal_detector_free(strict);
  hsm_metal_detector_free(d);
  hsm_metal_detector_free(NULL);
  free(samples);
  return report("test_metal");
}
