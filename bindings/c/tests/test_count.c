/*
 * C test program for libhsm's people-counting ABI: the beam-pair decoder and
 * the line counter.
 *
 * Built with -std=c11 -Wall -Wextra -Werror and run under AddressSanitizer
 * and UndefinedBehaviorSanitizer by bindings/c/Makefile.
 * Usage: test_count <dir holding counting.vectors>
 *
 * Covers: the shared golden vectors (tests/data/counting.vectors, also read
 * by tests/golden_counting.rs and pytest); polling into short and empty
 * caller arrays; every error path (NULL pointers, out-of-order time, too many
 * detections, NaN coordinates, bad settings) with out-parameters untouched;
 * _free(NULL); the flag macros.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsm.h"

#include "hsm_test.h"

/* Appends ",token" (or "token") to buf. */
static void append(char *buf, size_t cap, const char *token) {
  size_t len = strlen(buf);
  snprintf(buf + len, cap - len, "%s%s", len ? "," : "", token);
}

static void transit_token(const hsm_transit *t, int64_t unit, char *out, size_t cap) {
  snprintf(out, cap, "%c%lld%s", t->direction == HSM_DIRECTION_IN ? 'i' : 'o',
           (long long)(t->t_us / unit), t->persons == 2 ? "x2" : "");
}

static void finish_list(char *buf, size_t cap) {
  if (buf[0] == '\0') snprintf(buf, cap, "none");
}

/* ---- beams ---- */

static void run_beams(const vector *v) {
  const char *name = get(v, "case");
  hsm_beam_decoder *d = NULL;
  CHECK(hsm_beam_decoder_new(NULL, &d) == HSM_STATUS_OK && d != NULL, "%s: new", name);
  char events[1024];
  snprintf(events, sizeof events, "%s", get(v, "events"));
  int index = 0;
  long long err_status = -1, err_at = -1;
  char *save = NULL;
  for (char *tok = strtok_r(events, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
    char *end = NULL;
    long long ms = strtoll(tok, &end, 10);
    hsm_beam beam = end[0] == 'A' ? HSM_BEAM_A : HSM_BEAM_B;
    bool blocked = end[1] == '1';
    hsm_status s = hsm_beam_decoder_push(d, ms * 1000, beam, blocked);
    if (s != HSM_STATUS_OK) {
      err_status = s;
      err_at = index;
      break;
    }
    index++;
  }
  long long advance = strtoll(get(v, "advance"), NULL, 10);
  CHECK(hsm_beam_decoder_advance(d, advance * 1000) == HSM_STATUS_OK, "%s: advance", name);
  CHECK(hsm_beam_decoder_flush(d) == HSM_STATUS_OK, "%s: flush", name);

  /* Poll one at a time to exercise short caller arrays. */
  char got[512] = "";
  hsm_transit t;
  size_t n = 99;
  while (hsm_beam_decoder_poll_transits(d, &t, 1, &n) == HSM_STATUS_OK && n == 1) {
    char tok[32];
    transit_token(&t, 1000, tok, sizeof tok);
    append(got, sizeof got, tok);
    CHECK(t.source == HSM_COUNT_SOURCE_BEAMS && t.track_id == 0, "%s: source", name);
    CHECK((t.persons == 2) == ((t.flags & HSM_TRANSIT_ESTIMATED) != 0), "%s: estimate flag",
          name);
  }
  finish_list(got, sizeof got);
  CHECK(strcmp(got, get(v, "transits")) == 0, "%s: transits %s, want %s", name, got,
        get(v, "transits"));

  char faults[256] = "";
  hsm_beam_fault f[8];
  CHECK(hsm_beam_decoder_poll_faults(d, f, 8, &n) == HSM_STATUS_OK, "%s: poll faults", name);
  for (size_t i = 0; i < n; i++) {
    char tok[32];
    snprintf(tok, sizeof tok, "%c%c%lld", f[i].kind == HSM_FAULT_KIND_STUCK ? 's' : 'r',
             f[i].beam == HSM_BEAM_A ? 'A' : 'B', (long long)(f[i].t_us / 1000));
    append(faults, sizeof faults, tok);
  }
  finish_list(faults, sizeof faults);
  CHECK(strcmp(faults, get(v, "faults")) == 0, "%s: faults %s, want %s", name, faults,
        get(v, "faults"));

  uint64_t in = 77, out = 77;
  CHECK(hsm_beam_decoder_counts(d, &in, &out) == HSM_STATUS_OK, "%s: counts", name);
  CHECK(in == strtoull(get(v, "in"), NULL, 10) && out == strtoull(get(v, "out"), NULL, 10),
        "%s: counts %llu %llu", name, (unsigned long long)in, (unsigned long long)out);
  if (get(v, "status") != NULL) {
    CHECK(err_status == strtoll(get(v, "status"), NULL, 10) &&
              err_at == strtoll(get(v, "at"), NULL, 10),
          "%s: error %lld at %lld", name, err_status, err_at);
  } else {
    CHECK(err_status == -1, "%s: unexpected error %lld", name, err_status);
  }
  hsm_beam_decoder_free(d);
}

/* ---- tracks ---- */

#define FRAME_US 66667
#define MAX_DETS 16

static void run_tracks(const vector *v) {
  const char *name = get(v, "case");
  float l[4];
  sscanf(get(v, "line"), "%f,%f,%f,%f", &l[0], &l[1], &l[2], &l[3]);
  float bw = 0, bh = 0;
  sscanf(get(v, "box"), "%fx%f", &bw, &bh);
  hsm_line_config cfg;
  CHECK(hsm_line_config_default(l[0], l[1], l[2], l[3], &cfg) == HSM_STATUS_OK, "%s", name);
  hsm_line_counter *c = NULL;
  long long err_status = -1, err_at = -1;
  hsm_status s = hsm_line_counter_new(&cfg, &c);
  char got[512] = "";
  if (s != HSM_STATUS_OK) {
    CHECK(c == NULL, "%s: handle written on error", name);
    err_status = s;
    err_at = -1;
  } else {
    char frames[4096];
    snprintf(frames, sizeof frames, "%s", get(v, "frames"));
    long long k = 0;
    char *save = NULL;
    for (char *fr = strtok_r(frames, ";", &save); fr != NULL; fr = strtok_r(NULL, ";", &save)) {
      hsm_detection dets[MAX_DETS];
      size_t nd = 0;
      if (strcmp(fr, "-") != 0) {
        char *p = fr;
        while (*p != '\0' && nd < MAX_DETS) {
          char *end = NULL;
          float x = strtof(p, &end);
          float y = strtof(end + 1, &end);
          dets[nd++] = (hsm_detection){x - bw / 2, y - bh / 2, bw, bh, 1.0f};
          p = (*end == '/') ? end + 1 : end;
        }
      }
      s = hsm_line_counter_push_frame(c, k * FRAME_US, nd ? dets : NULL, nd);
      if (s != HSM_STATUS_OK) {
        err_status = s;
        err_at = k;
        break;
      }
      k++;
    }
    for (long long e = k; err_status == -1 && e < k + 15; e++)
      CHECK(hsm_line_counter_push_frame(c, e * FRAME_US, NULL, 0) == HSM_STATUS_OK, "%s: age",
            name);
    hsm_transit t[4];
    size_t n = 0;
    while (hsm_line_counter_poll(c, t, 4, &n) == HSM_STATUS_OK && n > 0) {
      for (size_t i = 0; i < n; i++) {
        char tok[32];
        transit_token(&t[i], FRAME_US, tok, sizeof tok);
        append(got, sizeof got, tok);
        CHECK(t[i].source == HSM_COUNT_SOURCE_TRACKS && t[i].track_id != 0, "%s: source",
              name);
      }
    }
    uint64_t in = 0, out = 0;
    CHECK(hsm_line_counter_counts(c, &in, &out) == HSM_STATUS_OK, "%s: counts", name);
    CHECK(in == strtoull(get(v, "in"), NULL, 10) && out == strtoull(get(v, "out"), NULL, 10),
          "%s: counts %llu %llu", name, (unsigned long long)in, (unsigned long long)out);
  }
  finish_list(got, sizeof got);
  /* The C test polls after the whole run, the vectors list transits in order. */
  CHECK(strcmp(got, get(v, "transits")) == 0, "%s: transits %s, want %s", name, got,
        get(v, "transits"));
  if (get(v, "status") != NULL) {
    CHECK(err_status == strtoll(get(v, "status"), NULL, 10) &&
              err_at == strtoll(get(v, "at"), NULL, 10),
          "%s: error %lld at %lld", name, err_status, err_at);
  } else {
    CHECK(err_status == -1, "%s: unexpected error %lld", name, err_status);
  }
  hsm_line_counter_free(c);
}

static void test_vectors(const char *dir) {
  char path[1024];
  snprintf(path, sizeof path, "%s/counting.vectors", dir);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  vector v;
  int beams = 0, tracks = 0;
  while (next_vector(f, &v)) {
    if (strcmp(get(&v, "kind"), "beams") == 0) {
      run_beams(&v);
      beams++;
    } else {
      run_tracks(&v);
      tracks++;
    }
  }
  fclose(f);
  CHECK(beams >= 10 && tracks >= 10, "only %d beam and %d track vectors", beams, tracks);
}

/* ---- error paths ---- */

static void test_errors(void) {
  char msg[512];
  hsm_beam_config bc;
  CHECK(hsm_beam_config_default(NULL) == HSM_STATUS_NULL_POINTER, "NULL config out");
  CHECK(hsm_beam_config_default(&bc) == HSM_STATUS_OK && bc.min_dwell_us == 30000 &&
            bc.fault_after_us == 30000000 && bc.queue_capacity == 256,
        "defaults");
  hsm_beam_decoder *d = (hsm_beam_decoder *)&bc; /* sentinel: must stay untouched */
  CHECK(hsm_beam_decoder_new(&bc, NULL) == HSM_STATUS_NULL_POINTER, "NULL out");
  bc.min_dwell_us = -5;
  CHECK(hsm_beam_decoder_new(&bc, &d) == HSM_STATUS_INVALID_ARGUMENT &&
            d == (hsm_beam_decoder *)&bc,
        "negative dwell");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "min_dwell") != NULL, "message names the field: '%s'", msg);
  hsm_beam_config_default(&bc);
  bc.queue_capacity = 0;
  CHECK(hsm_beam_decoder_new(&bc, &d) == HSM_STATUS_INVALID_ARGUMENT, "zero queue");
  hsm_beam_config_default(&bc);
  bc.queue_capacity = 2;
  bc.min_dwell_us = 0;
  CHECK(hsm_beam_decoder_new(&bc, &d) == HSM_STATUS_OK, "new");
  CHECK(hsm_beam_decoder_push(NULL, 0, HSM_BEAM_A, true) == HSM_STATUS_NULL_POINTER, "NULL d");
  CHECK(hsm_beam_decoder_push(d, 0, 0xFFFFFFFFu, true) == HSM_STATUS_INVALID_ARGUMENT,
        "beam UINT32_MAX is not an hsm_beam");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "hsm_beam") != NULL, "message names hsm_beam: '%s'", msg);
  CHECK(hsm_beam_decoder_advance(NULL, 0) == HSM_STATUS_NULL_POINTER, "NULL advance");
  CHECK(hsm_beam_decoder_flush(NULL) == HSM_STATUS_NULL_POINTER, "NULL flush");
  /* Three passages into a queue of two: the oldest is dropped and flagged. */
  for (int k = 0; k < 3; k++) {
    int64_t t0 = k * 1000000;
    hsm_beam_decoder_push(d, t0, HSM_BEAM_A, true);
    hsm_beam_decoder_push(d, t0 + 100000, HSM_BEAM_B, true);
    hsm_beam_decoder_push(d, t0 + 200000, HSM_BEAM_A, false);
    hsm_beam_decoder_push(d, t0 + 300000, HSM_BEAM_B, false);
  }
  CHECK(hsm_beam_decoder_push(d, 5, HSM_BEAM_A, true) == HSM_STATUS_OUT_OF_ORDER, "backwards");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "t_us") != NULL, "message names t_us: '%s'", msg);
  size_t n = 99;
  CHECK(hsm_beam_decoder_poll_transits(d, NULL, 0, &n) == HSM_STATUS_OK && n == 0,
        "capacity 0 polls nothing");
  CHECK(hsm_beam_decoder_poll_transits(d, NULL, 4, &n) == HSM_STATUS_NULL_POINTER, "NULL out");
  hsm_transit t[4];
  CHECK(hsm_beam_decoder_poll_transits(d, t, 4, NULL) == HSM_STATUS_NULL_POINTER, "NULL n");
  CHECK(hsm_beam_decoder_poll_transits(d, t, 4, &n) == HSM_STATUS_OK && n == 2, "n %zu", n);
  CHECK((t[1].flags & HSM_TRANSIT_QUEUE_OVERFLOW) != 0, "overflow flagged");
  uint64_t in = 0, out = 0;
  CHECK(hsm_beam_decoder_counts(d, &in, NULL) == HSM_STATUS_NULL_POINTER, "NULL count");
  CHECK(hsm_beam_decoder_counts(d, &in, &out) == HSM_STATUS_OK && in == 3 && out == 0,
        "counts survive the overflow: %llu", (unsigned long long)in);
  hsm_beam_decoder_free(d);
  hsm_beam_decoder_free(NULL);

  /* Line counter. */
  hsm_line_config lc;
  CHECK(hsm_line_config_default(0, 120, 320, 120, NULL) == HSM_STATUS_NULL_POINTER, "NULL");
  CHECK(hsm_line_config_default(NAN, 120, 320, 120, &lc) == HSM_STATUS_OK, "defaults");
  hsm_line_counter *c = (hsm_line_counter *)&lc;
  CHECK(hsm_line_counter_new(&lc, &c) == HSM_STATUS_INVALID_ARGUMENT &&
            c == (hsm_line_counter *)&lc,
        "NaN line");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "line.x1") != NULL, "message names line.x1: '%s'", msg);
  CHECK(hsm_line_counter_new(NULL, &c) == HSM_STATUS_NULL_POINTER, "NULL config");
  hsm_line_config_default(0, 120, 320, 120, &lc);
  lc.band = -1;
  CHECK(hsm_line_counter_new(&lc, &c) == HSM_STATUS_INVALID_ARGUMENT, "negative band");
  hsm_line_config_default(0, 120, 320, 120, &lc);
  lc.max_detections = 4;
  CHECK(hsm_line_counter_new(&lc, &c) == HSM_STATUS_OK, "new");
  hsm_detection dets[5] = {{10, 10, 20, 20, 1}, {50, 10, 20, 20, 1}, {90, 10, 20, 20, 1},
                           {130, 10, 20, 20, 1}, {170, 10, 20, 20, 1}};
  CHECK(hsm_line_counter_push_frame(c, 0, dets, 5) == HSM_STATUS_CAPACITY_EXCEEDED, "5 > 4");
  CHECK(hsm_line_counter_push_frame(c, 0, NULL, 2) == HSM_STATUS_NULL_POINTER, "NULL dets");
  CHECK(hsm_line_counter_push_frame(NULL, 0, dets, 1) == HSM_STATUS_NULL_POINTER, "NULL c");
  dets[1].y = NAN;
  CHECK(hsm_line_counter_push_frame(c, 0, dets, 2) == HSM_STATUS_INVALID_ARGUMENT, "NaN y");
  hsm_last_error_message(msg, sizeof msg);
  CHECK(strstr(msg, "detections[1]") != NULL && strstr(msg, " y ") != NULL,
        "message names detections[1].y: '%s'", msg);
  dets[1].y = 10;
  dets[0].score = 1.5f;
  CHECK(hsm_line_counter_push_frame(c, 0, dets, 2) == HSM_STATUS_INVALID_ARGUMENT, "score");
  dets[0].score = 1;
  CHECK(hsm_line_counter_push_frame(c, 1000, dets, 2) == HSM_STATUS_OK, "frame");
  CHECK(hsm_line_counter_push_frame(c, 999, dets, 2) == HSM_STATUS_OUT_OF_ORDER, "backwards");
  CHECK(hsm_line_counter_push_frame(c, 2000, NULL, 0) == HSM_STATUS_OK, "empty frame");
  CHECK(hsm_line_counter_poll(c, t, 4, &n) == HSM_STATUS_OK && n == 0, "nothing crossed");
  CHECK(hsm_line_counter_poll(NULL, t, 4, &n) == HSM_STATUS_NULL_POINTER, "NULL poll");
  hsm_line_counter_free(c);
  hsm_line_counter_free(NULL);
  CHECK(HSM_TRANSIT_ESTIMATED == 1 && HSM_TRANSIT_QUEUE_OVERFLOW == 16, "flag values");
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_DIR\n", argv[0]);
    return 2;
  }
  test_vectors(argv[1]);
  test_errors();
  return report("test_count");
}
