/*
 * C test program for libhsm's gate ABI: the gate session (push beams,
 * frames, metal samples, detections, tokens; advance; finish; poll) and the
 * passage log (open, count, get, contacts, purge, export).
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile.
 * Usage: test_gate <golden-vector dir> (unused: the gate has no vectors yet)
 *
 * Covers: the demo defaults; beam-only passages into a log in a temporary
 * directory (direction, persons, METAL_NO_DATA without samples, ids);
 * polling into a too-small array keeps the rest queued; a failed append
 * (read-only log) loses nothing; tokens hashed under the site key, the
 * watch list, a dropped token without a key; get / contacts (with
 * BUFFER_TOO_SMALL) / purge / the three exports; every NULL pointer, bad
 * size and bad setting with the out-parameters untouched; _free(NULL).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hsm.h"

#include "hsm_test.h"

/* 2026-11-23 08:00 UTC, µs since the Unix epoch. */
#define T0 INT64_C(1795420800000000)
#define MS INT64_C(1000)
#define SEC INT64_C(1000000)

static char dir[256];

static void path_in(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", dir, name);
}

/* Beam A (street side) then B: "in"; B then A: "out". Edges at 0/200/500/700 ms. */
static void walk(hsm_gate *g, int64_t t, int in, const char *what) {
  hsm_beam first = in ? HSM_BEAM_A : HSM_BEAM_B;
  hsm_beam second = in ? HSM_BEAM_B : HSM_BEAM_A;
  CHECK(hsm_gate_push_beam(g, t, first, true) == HSM_STATUS_OK, "%s: first blocked", what);
  CHECK(hsm_gate_push_beam(g, t + 200 * MS, second, true) == HSM_STATUS_OK, "%s: second", what);
  CHECK(hsm_gate_push_beam(g, t + 500 * MS, first, false) == HSM_STATUS_OK, "%s: first clr", what);
  CHECK(hsm_gate_push_beam(g, t + 700 * MS, second, false) == HSM_STATUS_OK, "%s: second clr",
        what);
}

static long file_lines(const char *path) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return -1;
  long n = 0;
  int c;
  while ((c = fgetc(f)) != EOF)
    if (c == '\n') n++;
  fclose(f);
  return n;
}

static long file_size(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fclose(f);
  return n;
}

/* The whole file at `path` into `buf` (NUL-terminated, at most cap - 1
 * bytes); its length, or -1. */
static long slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  fclose(f);
  return (long)n;
}

static void test_constants_and_defaults(void) {
  CHECK(HSM_ALARM_FEVER == 1 && HSM_ALARM_THREAT == 2 && HSM_ALARM_RECHECK == 4 &&
            HSM_ALARM_SENSOR_FAULT == 8 && HSM_ALARM_WATCHLIST == 16,
        "alarm bits");
  CHECK(HSM_PASSAGE_FLAG_MULTIPLE_PERSONS == 1 && HSM_PASSAGE_FLAG_MULTIPLE_FACES == 2 &&
            HSM_PASSAGE_FLAG_NO_FACE == 4 && HSM_PASSAGE_FLAG_METAL_OVERLAP == 8 &&
            HSM_PASSAGE_FLAG_METAL_NO_DATA == 16 && HSM_PASSAGE_FLAG_METAL_WITHOUT_PASSAGE == 32 &&
            HSM_PASSAGE_FLAG_LATE_STREAM == 64 && HSM_PASSAGE_FLAG_TOKEN_DROPPED == 128,
        "flag bits");
  CHECK(HSM_GATE_MIN_KEY_BYTES == 32, "key bytes");

  CHECK(hsm_gate_config_default(NULL) == HSM_STATUS_NULL_POINTER, "NULL default out");
  hsm_gate_config c;
  CHECK(hsm_gate_config_default(&c) == HSM_STATUS_OK, "defaults");
  CHECK(strcmp(c.gate_id, "gate-1") == 0 && strcmp(c.entrance_id, "outpatient-main") == 0,
        "ids %s %s", c.gate_id, c.entrance_id);
  CHECK(c.thermal && c.radiometry == HSM_GATE_RADIOMETRY_TLINEAR_CENTI_KELVIN, "camera");
  CHECK(c.has_blackbody && c.blackbody_width > 0 && c.blackbody_height > 0 &&
            c.blackbody_x + c.blackbody_width <= 160 && c.blackbody_set_point_c == 35.0,
        "blackbody %u,%u %ux%u", c.blackbody_x, c.blackbody_y, c.blackbody_width,
        c.blackbody_height);
  CHECK(fabs(c.fever_threshold_c - 37.3) < 1e-9 && c.approach_us == 3 * SEC, "screening");
  CHECK(c.metal && c.metal_before_us == 1250 * MS && c.metal_after_us == 750 * MS &&
            c.metal_min_coverage == 0.8,
        "metal");
  CHECK(c.line && c.line_x1 == 0 && c.line_y1 == 120 && c.line_x2 == 320 && c.line_y2 == 120,
        "line");
  CHECK(c.reorder_us == SEC && c.beams.min_dwell_us == 30000, "reorder, beams");

  hsm_gate *g = NULL;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_OK && g != NULL, "new with the defaults");
  size_t zones = 0, freqs = 0;
  CHECK(hsm_gate_metal_shape(g, &zones, &freqs) == HSM_STATUS_OK && zones == 18 && freqs == 4,
        "metal shape %zu x %zu", zones, freqs);
  CHECK(hsm_gate_metal_shape(g, NULL, &freqs) == HSM_STATUS_NULL_POINTER, "NULL zones");
  CHECK(hsm_gate_metal_shape(NULL, &zones, &freqs) == HSM_STATUS_NULL_POINTER, "NULL gate");

  /* With the camera and counting line: an inbound passage without a face. */
  enum { W = 160, H = 120, STRIDE = 168 };
  static uint16_t frame[STRIDE * H];
  for (size_t i = 0; i < sizeof frame / sizeof frame[0]; i++) frame[i] = 29315; /* 20 °C */
  for (int k = 0; k < 10; k++) {
    int64_t t = T0 - 2 * SEC + k * 200 * MS;
    CHECK(hsm_gate_push_frame(g, t, frame, STRIDE * H, W, H, STRIDE) == HSM_STATUS_OK, "frame %d",
          k);
    CHECK(hsm_gate_push_detections(g, t, NULL, 0) == HSM_STATUS_OK, "empty detections %d", k);
  }
  CHECK(hsm_gate_push_frame(g, T0, frame, STRIDE * H, W, H, W - 1) == HSM_STATUS_FRAME_SHAPE,
        "stride < width");
  CHECK(hsm_gate_push_frame(g, T0, frame, 100, W, H, STRIDE) == HSM_STATUS_FRAME_SHAPE,
        "buffer too short");
  CHECK(hsm_gate_push_frame(g, T0 - 10 * SEC, frame, STRIDE * H, W, H, STRIDE) ==
            HSM_STATUS_OUT_OF_ORDER,
        "frame back in time");
  hsm_detection bad = {10, 10, -5, 20, 1};
  CHECK(hsm_gate_push_detections(g, T0, &bad, 1) == HSM_STATUS_INVALID_ARGUMENT,
        "negative width");
  walk(g, T0, 1, "camera gate");
  CHECK(hsm_gate_advance(g, T0 + 10 * SEC) == HSM_STATUS_OK, "advance");
  CHECK(hsm_gate_finish(g) == HSM_STATUS_OK, "finish");
  hsm_passage p[2];
  size_t n = 99;
  CHECK(hsm_gate_poll(g, NULL, p, 2, &n) == HSM_STATUS_OK && n == 1, "one passage: %zu", n);
  if (n == 1) {
    CHECK(p[0].id == 0, "no log, no id");
    CHECK(p[0].direction == HSM_GATE_DIRECTION_IN && p[0].persons == 1, "in, one person");
    CHECK((p[0].flags & HSM_PASSAGE_FLAG_NO_FACE) && (p[0].alarms & HSM_ALARM_RECHECK),
          "no face: flags %u alarms %u", p[0].flags, p[0].alarms);
    CHECK(!p[0].has_thermal && isnan(p[0].body_c) &&
              p[0].thermal_outcome == HSM_GATE_THERMAL_OUTCOME_NONE,
          "no thermal finding");
    CHECK(p[0].flags & HSM_PASSAGE_FLAG_METAL_NO_DATA, "no metal samples");
    CHECK(strcmp(p[0].entrance_id, "outpatient-main") == 0, "entrance %s", p[0].entrance_id);
  }
  hsm_gate_free(g);
}

static void test_new_errors(void) {
  char msg[512];
  hsm_gate_config c;
  hsm_gate_config_default(&c);
  hsm_gate *g = (hsm_gate *)&c; /* sentinel: must stay untouched */
  CHECK(hsm_gate_new(NULL, &g) == HSM_STATUS_NULL_POINTER, "NULL config");
  CHECK(hsm_gate_new(&c, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");
  c.gate_id = NULL;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_NULL_POINTER && g == (hsm_gate *)&c, "NULL gate_id");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "gate_id") != NULL, "message names gate_id: '%s'", msg);
  c.gate_id = "";
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT && g == (hsm_gate *)&c, "empty id");
  c.gate_id = "\xff\xfe";
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_UTF8, "bad UTF-8 id");
  hsm_gate_config_default(&c);
  c.reorder_us = -1;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "negative reorder");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "reorder") != NULL, "message names reorder: '%s'", msg);
  hsm_gate_config_default(&c);
  c.metal_min_coverage = 0;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "zero coverage");
  hsm_gate_config_default(&c);
  c.approach_us = 61 * SEC;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "approach too long");
  hsm_gate_config_default(&c);
  c.fever_threshold_c = 50;
  CHECK(hsm_gate_new(&c, &g) != HSM_STATUS_OK && g == (hsm_gate *)&c, "fever line 50 °C");
  CHECK(hsm_status_is_input_error(hsm_gate_new(&c, &g)), "an input error");
  hsm_gate_config_default(&c);
  c.radiometry = HSM_GATE_RADIOMETRY_LINEAR;
  c.linear_gain = 0;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_RADIOMETRY, "zero gain");
  hsm_gate_config_default(&c);
  c.radiometry = 99; /* not an hsm_gate_radiometry: checked, not UB */
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "radiometry 99");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "radiometry") != NULL, "names the radiometry: '%s'", msg);
  hsm_gate_config_default(&c);
  c.line_x2 = NAN;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "NaN line");
  hsm_gate_config_default(&c);
  c.beams.queue_capacity = 0;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_INVALID_ARGUMENT, "zero beam queue");
  CHECK(g == (hsm_gate *)&c, "handle untouched on every error");
  hsm_gate_free(NULL);
  hsm_gate_log_close(NULL);
}

static void test_push_errors(void) {
  hsm_gate_config c;
  hsm_gate_config_default(&c);
  c.thermal = false;
  c.line = false;
  hsm_gate *g = NULL;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_OK, "new");
  uint16_t px[4] = {0};
  CHECK(hsm_gate_push_frame(g, T0, px, 4, 2, 2, 2) == HSM_STATUS_INVALID_ARGUMENT,
        "frame without a camera");
  CHECK(hsm_gate_push_frame(g, T0, NULL, 4, 2, 2, 2) == HSM_STATUS_NULL_POINTER, "NULL data");
  CHECK(hsm_gate_push_frame(NULL, T0, px, 4, 2, 2, 2) == HSM_STATUS_NULL_POINTER, "NULL gate");
  hsm_detection d = {10, 10, 20, 20, 1};
  CHECK(hsm_gate_push_detections(g, T0, &d, 1) == HSM_STATUS_INVALID_ARGUMENT,
        "detections without a line");
  CHECK(hsm_gate_push_detections(g, T0, NULL, 1) == HSM_STATUS_NULL_POINTER, "NULL dets");
  CHECK(hsm_gate_push_detections(NULL, T0, &d, 1) == HSM_STATUS_NULL_POINTER, "NULL gate");

  static double metal[2 * 18 * 4];
  CHECK(hsm_gate_push_metal(g, T0, metal, 2 * 18 * 4) == HSM_STATUS_OK, "one sample frame");
  CHECK(hsm_gate_push_metal(g, T0, metal, 2 * 18 * 4) == HSM_STATUS_OUT_OF_ORDER,
        "same timestamp");
  CHECK(hsm_gate_push_metal(g, T0 + 5 * MS, metal, 2 * 18 * 4 - 1) ==
            HSM_STATUS_INVALID_ARGUMENT,
        "odd length");
  CHECK(hsm_gate_push_metal(g, T0 + 5 * MS, metal, 2 * 18 * 3) == HSM_STATUS_SHAPE_MISMATCH,
        "wrong count");
  metal[7] = NAN;
  CHECK(hsm_gate_push_metal(g, T0 + 5 * MS, metal, 2 * 18 * 4) == HSM_STATUS_INVALID_ARGUMENT,
        "NaN sample");
  metal[7] = 0;
  CHECK(hsm_gate_push_metal(g, T0 + 5 * MS, NULL, 2) == HSM_STATUS_NULL_POINTER, "NULL samples");
  CHECK(hsm_gate_push_metal(NULL, T0 + 5 * MS, metal, 2) == HSM_STATUS_NULL_POINTER, "NULL gate");

  CHECK(hsm_gate_push_beam(g, T0, HSM_BEAM_A, true) == HSM_STATUS_OK, "edge");
  CHECK(hsm_gate_push_beam(g, T0 - 1, HSM_BEAM_B, true) == HSM_STATUS_OUT_OF_ORDER, "backwards");
  CHECK(hsm_gate_push_beam(NULL, T0, HSM_BEAM_A, true) == HSM_STATUS_NULL_POINTER, "NULL gate");
  CHECK(hsm_gate_push_beam(g, T0, 2, true) == HSM_STATUS_INVALID_ARGUMENT,
        "beam 2 is not an hsm_beam");
  CHECK(hsm_gate_advance(g, T0 - SEC) == HSM_STATUS_OUT_OF_ORDER, "advance backwards");
  CHECK(hsm_gate_advance(NULL, T0) == HSM_STATUS_NULL_POINTER, "NULL advance");
  CHECK(hsm_gate_finish(NULL) == HSM_STATUS_NULL_POINTER, "NULL finish");

  const uint8_t tok[] = "badge-0001";
  uint8_t h[32] = {0};
  CHECK(hsm_gate_push_token(g, T0, tok, 0) == HSM_STATUS_INVALID_ARGUMENT, "empty token");
  static uint8_t big[4097];
  CHECK(hsm_gate_push_token(g, T0, big, sizeof big) == HSM_STATUS_INVALID_ARGUMENT, "4097 bytes");
  CHECK(hsm_gate_push_token(g, T0, NULL, 4) == HSM_STATUS_NULL_POINTER, "NULL token");
  CHECK(hsm_gate_push_token(NULL, T0, tok, 4) == HSM_STATUS_NULL_POINTER, "NULL gate");
  CHECK(hsm_gate_hash_token(g, tok, 4, h) == HSM_STATUS_INVALID_ARGUMENT, "hash without a key");
  uint8_t key[32];
  memset(key, 0x5a, sizeof key);
  CHECK(hsm_gate_set_site_key(g, key, 31) == HSM_STATUS_INVALID_ARGUMENT, "31-byte key");
  CHECK(hsm_gate_set_site_key(g, NULL, 32) == HSM_STATUS_NULL_POINTER, "NULL key");
  CHECK(hsm_gate_set_site_key(NULL, key, 32) == HSM_STATUS_NULL_POINTER, "NULL gate");
  CHECK(hsm_gate_set_site_key(g, key, 32) == HSM_STATUS_OK, "key");
  CHECK(hsm_gate_hash_token(g, tok, 4, NULL) == HSM_STATUS_NULL_POINTER, "NULL hash out");
  CHECK(hsm_gate_hash_token(g, NULL, 4, h) == HSM_STATUS_NULL_POINTER, "NULL hash token");
  CHECK(hsm_gate_hash_token(NULL, tok, 4, h) == HSM_STATUS_NULL_POINTER, "NULL hash gate");
  CHECK(hsm_gate_set_watch_list(g, NULL, 2) == HSM_STATUS_NULL_POINTER, "NULL watch list");
  CHECK(hsm_gate_set_watch_list(g, NULL, SIZE_MAX) == HSM_STATUS_INVALID_ARGUMENT,
        "watch list size overflows");
  CHECK(hsm_gate_set_watch_list(g, NULL, 0) == HSM_STATUS_OK, "clear the watch list");
  CHECK(hsm_gate_set_watch_list(NULL, h, 1) == HSM_STATUS_NULL_POINTER, "NULL gate");

  size_t n = 7;
  CHECK(hsm_gate_pending(g, NULL) == HSM_STATUS_NULL_POINTER, "NULL pending out");
  CHECK(hsm_gate_pending(NULL, &n) == HSM_STATUS_NULL_POINTER && n == 7, "NULL pending gate");
  hsm_passage p[2];
  CHECK(hsm_gate_poll(g, NULL, NULL, 0, &n) == HSM_STATUS_OK && n == 0, "capacity 0");
  CHECK(hsm_gate_poll(g, NULL, NULL, 2, &n) == HSM_STATUS_NULL_POINTER, "NULL out");
  CHECK(hsm_gate_poll(g, NULL, p, 2, NULL) == HSM_STATUS_NULL_POINTER, "NULL written");
  CHECK(hsm_gate_poll(NULL, NULL, p, 2, &n) == HSM_STATUS_NULL_POINTER, "NULL gate");
  hsm_gate_free(g);

  /* A token without a site key is dropped and the passage says so. */
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_OK, "new");
  CHECK(hsm_gate_push_token(g, T0 - SEC, tok, 10) == HSM_STATUS_OK, "token without key");
  walk(g, T0, 1, "keyless");
  CHECK(hsm_gate_advance(g, T0 + 10 * SEC) == HSM_STATUS_OK, "advance");
  CHECK(hsm_gate_poll(g, NULL, p, 2, &n) == HSM_STATUS_OK && n == 1, "one passage");
  CHECK(n == 1 && !p[0].has_token && (p[0].flags & HSM_PASSAGE_FLAG_TOKEN_DROPPED),
        "token dropped");
  hsm_gate_free(g);
}

static void test_log_round_trip(void) {
  char msg[512];
  char db[300], csv[300], jsonl[300], parquet[300], nodir[300];
  path_in(db, sizeof db, "passages.db");
  path_in(csv, sizeof csv, "passages.csv");
  path_in(jsonl, sizeof jsonl, "passages.jsonl");
  path_in(parquet, sizeof parquet, "passages.parquet");
  path_in(nodir, sizeof nodir, "missing/passages.csv");

  hsm_gate_config c;
  hsm_gate_config_default(&c);
  c.thermal = false; /* no camera */
  c.line = false;
  c.gate_id = "gate-3";
  c.entrance_id = "east";
  hsm_gate *g = NULL;
  CHECK(hsm_gate_new(&c, &g) == HSM_STATUS_OK, "new");
  uint8_t key[40];
  for (size_t i = 0; i < sizeof key; i++) key[i] = (uint8_t)(i * 7 + 1);
  CHECK(hsm_gate_set_site_key(g, key, sizeof key) == HSM_STATUS_OK, "key");
  const uint8_t tok[] = "badge-0042";
  uint8_t h[32];
  CHECK(hsm_gate_hash_token(g, tok, 10, h) == HSM_STATUS_OK, "hash");
  CHECK(hsm_gate_set_watch_list(g, h, 1) == HSM_STATUS_OK, "watch list");
  CHECK(hsm_gate_push_token(g, T0 - SEC, tok, 10) == HSM_STATUS_OK, "token");

  walk(g, T0, 1, "p1");
  walk(g, T0 + 5 * SEC, 1, "p2");
  walk(g, T0 + 10 * SEC, 0, "p3");
  CHECK(hsm_gate_advance(g, T0 + 20 * SEC) == HSM_STATUS_OK, "advance");
  CHECK(hsm_gate_finish(g) == HSM_STATUS_OK, "finish");
  size_t n = 0;
  CHECK(hsm_gate_pending(g, &n) == HSM_STATUS_OK && n == 3, "3 pending: %zu", n);

  hsm_gate_log *log = (hsm_gate_log *)&c, *ro = NULL;
  CHECK(hsm_gate_log_open(NULL, &log) == HSM_STATUS_NULL_POINTER, "NULL path");
  CHECK(hsm_gate_log_open(db, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");
  CHECK(hsm_gate_log_open("\xff.db", &log) == HSM_STATUS_INVALID_UTF8, "bad UTF-8 path");
  CHECK(hsm_gate_log_open(nodir, &log) == HSM_STATUS_STORAGE && log == (hsm_gate_log *)&c,
        "no such directory");
  CHECK(hsm_gate_log_open_read_only(db, &ro) == HSM_STATUS_STORAGE && ro == NULL,
        "read-only needs an existing log");
  CHECK(hsm_gate_log_open(db, &log) == HSM_STATUS_OK && log != (hsm_gate_log *)&c, "open");
  CHECK(hsm_gate_log_open_read_only(db, &ro) == HSM_STATUS_OK && ro != NULL, "open read-only");
  CHECK(hsm_gate_log_open_read_only(NULL, &ro) == HSM_STATUS_NULL_POINTER, "NULL ro path");

  /* A failed append loses nothing. */
  hsm_passage p[8];
  n = 99;
  CHECK(hsm_gate_poll(g, ro, p, 8, &n) == HSM_STATUS_STORAGE && n == 99,
        "append to a read-only log fails");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strlen(msg) > 0, "storage message: '%s'", msg);
  CHECK(hsm_gate_pending(g, &n) == HSM_STATUS_OK && n == 3, "still 3 pending: %zu", n);

  /* Too small an array: the rest stays queued. */
  hsm_passage all[3];
  CHECK(hsm_gate_poll(g, log, p, 2, &n) == HSM_STATUS_OK && n == 2, "2 of 3: %zu", n);
  memcpy(all, p, 2 * sizeof p[0]);
  uint64_t count = 0;
  CHECK(hsm_gate_log_count(log, &count) == HSM_STATUS_OK && count == 2, "count 2: %llu",
        (unsigned long long)count);
  CHECK(hsm_gate_pending(g, &n) == HSM_STATUS_OK && n == 1, "1 pending");
  CHECK(hsm_gate_poll(g, log, p, 8, &n) == HSM_STATUS_OK && n == 1, "the last one");
  all[2] = p[0];
  CHECK(hsm_gate_poll(g, log, p, 8, &n) == HSM_STATUS_OK && n == 0, "nothing left");
  CHECK(hsm_gate_log_count(ro, &count) == HSM_STATUS_OK && count == 3, "count 3 (read-only)");
  CHECK(hsm_gate_log_count(NULL, &count) == HSM_STATUS_NULL_POINTER, "NULL count log");
  CHECK(hsm_gate_log_count(log, NULL) == HSM_STATUS_NULL_POINTER, "NULL count out");
  hsm_gate_free(g);

  const hsm_gate_direction want[3] = {HSM_GATE_DIRECTION_IN, HSM_GATE_DIRECTION_IN,
                                      HSM_GATE_DIRECTION_OUT};
  for (int i = 0; i < 3; i++) {
    const hsm_passage *q = &all[i];
    CHECK(q->id > 0 && (i == 0 || q->id > all[i - 1].id), "p%d id %lld", i + 1,
          (long long)q->id);
    CHECK(q->direction == want[i] && q->persons == 1, "p%d direction %u persons %u", i + 1,
          q->direction, q->persons);
    int64_t t = T0 + i * 5 * SEC;
    CHECK(q->exit_us >= t + 500 * MS && q->exit_us <= t + 800 * MS && q->entry_us <= q->exit_us,
          "p%d times %lld %lld", i + 1, (long long)(q->entry_us - t),
          (long long)(q->exit_us - t));
    CHECK((q->flags & HSM_PASSAGE_FLAG_METAL_NO_DATA) && (q->alarms & HSM_ALARM_SENSOR_FAULT),
          "p%d no metal data: flags %u alarms %u", i + 1, q->flags, q->alarms);
    CHECK(!(q->flags & (HSM_PASSAGE_FLAG_NO_FACE | HSM_PASSAGE_FLAG_MULTIPLE_PERSONS)),
          "p%d flags %u", i + 1, q->flags);
    /* The silent metal stream lags p1 and p2 by more than reorder_us once
     * p3's edges arrive; p3 closes on the advance, when every stream is in. */
    CHECK(((q->flags & HSM_PASSAGE_FLAG_LATE_STREAM) != 0) == (i < 2), "p%d late: flags %u",
          i + 1, q->flags);
    CHECK(!q->has_thermal && isnan(q->site_c) && isnan(q->corrected_c) && isnan(q->body_c) &&
              q->thermal_outcome == HSM_GATE_THERMAL_OUTCOME_NONE && q->readings == 0,
          "p%d no thermal", i + 1);
    CHECK(!q->has_metal && !q->metal_detected &&
              q->metal_decision == HSM_GATE_METAL_DECISION_NONE && q->metal_class[0] == '\0' &&
              q->metal_side[0] == '\0' && isnan(q->metal_confidence),
          "p%d no metal", i + 1);
    CHECK(strcmp(q->gate_id, "gate-3") == 0 && strcmp(q->entrance_id, "east") == 0,
          "p%d ids %s %s", i + 1, q->gate_id, q->entrance_id);
  }
  CHECK(all[0].has_token && memcmp(all[0].token, h, 32) == 0, "token hash bound to p1");
  CHECK(all[0].alarms & HSM_ALARM_WATCHLIST, "watch list alarm");
  CHECK(!all[1].has_token && !(all[1].alarms & HSM_ALARM_WATCHLIST), "p2 no token");

  /* get */
  hsm_passage one;
  CHECK(hsm_gate_log_get(ro, all[0].id, &one) == HSM_STATUS_OK, "get");
  CHECK(one.id == all[0].id && one.entry_us == all[0].entry_us &&
            one.exit_us == all[0].exit_us && one.direction == all[0].direction &&
            one.flags == all[0].flags && one.alarms == all[0].alarms && one.has_token &&
            memcmp(one.token, h, 32) == 0 && strcmp(one.gate_id, "gate-3") == 0,
        "get round trip");
  CHECK(hsm_gate_log_get(log, 9999, &one) == HSM_STATUS_NOT_FOUND, "unknown id");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "9999") != NULL, "message names the id: '%s'", msg);
  CHECK(hsm_gate_log_get(log, all[0].id, NULL) == HSM_STATUS_NULL_POINTER, "NULL get out");
  CHECK(hsm_gate_log_get(NULL, all[0].id, &one) == HSM_STATUS_NULL_POINTER, "NULL get log");

  /* contacts: p2 is 5 s after p1, p3 10 s after. */
  hsm_passage ct[4];
  n = 0;
  CHECK(hsm_gate_log_contacts(log, all[0].id, 6 * SEC, false, ct, 4, &n) == HSM_STATUS_OK &&
            n == 1 && ct[0].id == all[1].id,
        "±6 s: p2 only (%zu)", n);
  CHECK(hsm_gate_log_contacts(log, all[0].id, 20 * SEC, true, ct, 4, &n) == HSM_STATUS_OK &&
            n == 2 && ct[0].id == all[1].id && ct[1].id == all[2].id,
        "±20 s same gate: p2, p3 (%zu)", n);
  ct[0].id = -7;
  CHECK(hsm_gate_log_contacts(log, all[0].id, 20 * SEC, false, ct, 1, &n) ==
                HSM_STATUS_BUFFER_TOO_SMALL &&
            n == 2 && ct[0].id == -7,
        "capacity 1: BUFFER_TOO_SMALL, 2 needed, out untouched (%zu)", n);
  n = 0;
  CHECK(hsm_gate_log_contacts(log, all[0].id, 20 * SEC, false, NULL, 0, &n) ==
                HSM_STATUS_BUFFER_TOO_SMALL &&
            n == 2,
        "count query");
  CHECK(hsm_gate_log_contacts(log, all[0].id, 100 * MS, false, NULL, 0, &n) == HSM_STATUS_OK &&
            n == 0,
        "no contacts fit in capacity 0");
  CHECK(hsm_gate_log_contacts(log, all[0].id, -1, false, ct, 4, &n) ==
            HSM_STATUS_INVALID_ARGUMENT,
        "negative window");
  CHECK(hsm_gate_log_contacts(log, 9999, SEC, false, ct, 4, &n) == HSM_STATUS_NOT_FOUND,
        "contacts of an unknown id");
  CHECK(hsm_gate_log_contacts(log, all[0].id, SEC, false, NULL, 4, &n) ==
            HSM_STATUS_NULL_POINTER,
        "NULL contacts out");
  CHECK(hsm_gate_log_contacts(log, all[0].id, SEC, false, ct, 4, NULL) ==
            HSM_STATUS_NULL_POINTER,
        "NULL contacts written");
  CHECK(hsm_gate_log_contacts(NULL, all[0].id, SEC, false, ct, 4, &n) ==
            HSM_STATUS_NULL_POINTER,
        "NULL contacts log");

  /* exports */
  uint64_t rows = 0;
  CHECK(hsm_gate_log_export(ro, csv, 7, &rows) == HSM_STATUS_INVALID_ARGUMENT && rows == 0,
        "format 7 is not an hsm_gate_export_format");
  CHECK(hsm_gate_log_export(ro, csv, HSM_GATE_EXPORT_FORMAT_CSV, &rows) == HSM_STATUS_OK &&
            rows == 3,
        "csv rows %llu", (unsigned long long)rows);
  CHECK(file_lines(csv) == 4, "csv: header + 3 lines, got %ld", file_lines(csv));
  rows = 0;
  CHECK(hsm_gate_log_export(log, jsonl, HSM_GATE_EXPORT_FORMAT_JSONL, &rows) == HSM_STATUS_OK &&
            rows == 3 && file_lines(jsonl) == 3,
        "jsonl");
  rows = 0;
  CHECK(hsm_gate_log_export(log, parquet, HSM_GATE_EXPORT_FORMAT_PARQUET, &rows) ==
                HSM_STATUS_OK &&
            rows == 3 && file_size(parquet) > 8,
        "parquet");
  FILE *f = fopen(parquet, "rb");
  char magic[4] = {0};
  if (f != NULL) {
    CHECK(fread(magic, 1, 4, f) == 4 && memcmp(magic, "PAR1", 4) == 0, "parquet magic");
    fclose(f);
  }
  /* Token columns: the stored hash, or pseudonyms under an export key. */
  {
    char hex[65];
    for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
    static char plain[8192], hashed[8192], pa[8192], pa2[8192], pb[8192];
    uint8_t ka[32], kb[32];
    for (int i = 0; i < 32; i++) {
      ka[i] = (uint8_t)(200 - i);
      kb[i] = (uint8_t)(i + 3);
    }
    char out[300];
    snprintf(out, sizeof out, "%s/tok.csv", dir);
    rows = 0;
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_DROP, NULL, 0, &rows) == HSM_STATUS_OK &&
              rows == 3 && slurp(out, plain, sizeof plain) > 0,
          "tokens dropped");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_HASH, NULL, 0, &rows) == HSM_STATUS_OK &&
              slurp(out, hashed, sizeof hashed) > 0,
          "tokens hashed");
    CHECK(strstr(plain, hex) == NULL && strstr(hashed, hex) != NULL,
          "the stored hash appears with HASH only");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_PSEUDONYM, ka, 32, &rows) ==
                  HSM_STATUS_OK &&
              slurp(out, pa, sizeof pa) > 0,
          "pseudonyms under key a");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_PSEUDONYM, ka, 32, &rows) ==
                  HSM_STATUS_OK &&
              slurp(out, pa2, sizeof pa2) > 0,
          "again under key a");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_PSEUDONYM, kb, 32, &rows) ==
                  HSM_STATUS_OK &&
              slurp(out, pb, sizeof pb) > 0,
          "pseudonyms under key b");
    CHECK(strstr(pa, hex) == NULL, "a pseudonym is not the stored hash");
    CHECK(strcmp(pa, pa2) == 0, "pseudonyms are deterministic under one key");
    CHECK(strcmp(pa, pb) != 0 && strcmp(pa, plain) != 0, "another key, other pseudonyms");
    rows = 5;
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV, 3, NULL, 0, &rows) ==
                  HSM_STATUS_INVALID_ARGUMENT &&
              rows == 5,
          "tokens 3 is not an hsm_gate_token_export");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_PSEUDONYM, NULL, 32, &rows) ==
              HSM_STATUS_NULL_POINTER,
          "PSEUDONYM needs a key");
    CHECK(hsm_gate_log_export_tokens(ro, out, HSM_GATE_EXPORT_FORMAT_CSV,
                                     HSM_GATE_TOKEN_EXPORT_PSEUDONYM, ka, 31, &rows) ==
              HSM_STATUS_INVALID_ARGUMENT,
          "a 31-byte export key");
  }
  rows = 77;
  CHECK(hsm_gate_log_export(log, nodir, HSM_GATE_EXPORT_FORMAT_CSV, &rows) == HSM_STATUS_IO &&
            rows == 77,
        "export into a missing directory");
  CHECK(hsm_gate_log_export(log, NULL, HSM_GATE_EXPORT_FORMAT_CSV, &rows) ==
            HSM_STATUS_NULL_POINTER,
        "NULL export path");
  CHECK(hsm_gate_log_export(log, csv, HSM_GATE_EXPORT_FORMAT_CSV, NULL) ==
            HSM_STATUS_NULL_POINTER,
        "NULL rows");
  CHECK(hsm_gate_log_export(NULL, csv, HSM_GATE_EXPORT_FORMAT_CSV, &rows) ==
            HSM_STATUS_NULL_POINTER,
        "NULL export log");

  /* purge */
  uint64_t deleted = 99;
  CHECK(hsm_gate_log_purge_before(ro, T0 + 3 * SEC, &deleted) == HSM_STATUS_STORAGE &&
            deleted == 99,
        "purge on a read-only log");
  CHECK(hsm_gate_log_purge_before(log, T0 + 3 * SEC, NULL) == HSM_STATUS_NULL_POINTER,
        "NULL deleted");
  CHECK(hsm_gate_log_purge_before(NULL, T0 + 3 * SEC, &deleted) == HSM_STATUS_NULL_POINTER,
        "NULL purge log");
  CHECK(hsm_gate_log_purge_before(log, T0 + 3 * SEC, &deleted) == HSM_STATUS_OK && deleted == 1,
        "purged p1: %llu", (unsigned long long)deleted);
  CHECK(hsm_gate_log_count(log, &count) == HSM_STATUS_OK && count == 2, "2 left");
  CHECK(hsm_gate_log_get(log, all[0].id, &one) == HSM_STATUS_NOT_FOUND, "p1 gone");
  CHECK(hsm_gate_log_get(ro, all[1].id, &one) == HSM_STATUS_OK && one.id == all[1].id,
        "p2 kept");
  hsm_gate_log_close(ro);
  hsm_gate_log_close(log);

  /* Reopened: the log kept its passages. */
  log = NULL;
  CHECK(hsm_gate_log_open(db, &log) == HSM_STATUS_OK, "reopen");
  CHECK(hsm_gate_log_count(log, &count) == HSM_STATUS_OK && count == 2, "still 2");
  hsm_gate_log_close(log);

  const char *names[] = {"passages.db", "passages.db-wal", "passages.db-shm", "passages.csv",
                         "passages.jsonl", "passages.parquet"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char p2[300];
    path_in(p2, sizeof p2, names[i]);
    unlink(p2);
  }
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/hsm-gate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  test_constants_and_defaults();
  test_new_errors();
  test_push_errors();
  test_log_round_trip();
  rmdir(dir);
  return report("test_gate");
}
