/*
 * Tests of the C ABI (include/standing/standing.h), in strict C99: every
 * function's success path and its error paths (NULL pointers, zero
 * lengths, garbage and truncated protobuf, oversized input, invalid UTF-8,
 * engine errors). Messages are encoded by hand; no protobuf library.
 *
 *   capi_test <dir with test_policy.json> <scratch dir>
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "standing/standing.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* Runs `call`, expects `want`, and checks the thread's last error: empty
 * after success, a message after failure. */
#define EXPECT_STATUS(want, call)                                              \
  do {                                                                         \
    standing_status got_ = (call);                                             \
    const char* err_ = standing_last_error();                                  \
    ++checks;                                                                  \
    if (got_ != (want)) {                                                      \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: %s\n  returned %s, expected %s: %s\n", __FILE__, \
              __LINE__, #call, standing_status_name(got_),                     \
              standing_status_name(want), err_);                               \
    } else if ((want) == STANDING_OK ? err_[0] != '\0' : err_[0] == '\0') {    \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: %s\n  last error is wrong: \"%s\"\n", __FILE__,  \
              __LINE__, #call, err_);                                          \
    }                                                                          \
  } while (0)

/* ---- a minimal protobuf encoder ----------------------------------------- */

typedef struct {
  uint8_t data[4096];
  size_t len;
} msg;

static void put_varint(msg* m, uint64_t v) {
  while (v >= 0x80) {
    m->data[m->len++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  m->data[m->len++] = (uint8_t)v;
}

static void put_tag(msg* m, unsigned field, unsigned wire) {
  put_varint(m, ((uint64_t)field << 3) | wire);
}

static void put_bytes(msg* m, unsigned field, const void* p, size_t n) {
  put_tag(m, field, 2);
  put_varint(m, n);
  memcpy(m->data + m->len, p, n);
  m->len += n;
}

static void put_string(msg* m, unsigned field, const char* s) {
  put_bytes(m, field, s, strlen(s));
}

static void put_int(msg* m, unsigned field, int64_t v) {
  put_tag(m, field, 0);
  put_varint(m, (uint64_t)v);
}

static void put_msg(msg* m, unsigned field, const msg* sub) {
  put_bytes(m, field, sub->data, sub->len);
}

/* 2026-01-15T00:00:00Z */
#define T0 ((int64_t)1768435200)
#define DAY ((int64_t)86400)

static void event_head(msg* e, const char* customer, int64_t at) {
  msg ts;
  e->len = 0;
  ts.len = 0;
  put_string(e, 1, customer);
  put_int(&ts, 1, at);
  put_msg(e, 2, &ts);
}

static msg enrolled(const char* customer, int64_t at) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_msg(&e, 10, &body);
  return e;
}

static msg purchase(const char* customer, int64_t at, int64_t amount,
                    const char* currency) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_string(&e, 3, "evt");
  put_int(&body, 1, amount);
  put_string(&body, 2, currency);
  put_string(&body, 3, "shoes");
  put_int(&body, 5, 1);
  put_msg(&e, 11, &body);
  return e;
}

/* ---- a minimal protobuf decoder ----------------------------------------- */

static int get_varint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  int shift = 0;
  *v = 0;
  while (*p < end && shift < 64) {
    uint8_t b = *(*p)++;
    *v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) return 1;
    shift += 7;
  }
  return 0;
}

/* Counts the top-level length-delimited fields `field` of a message; the
 * last one's bytes go to (*out, *out_len) when out is not NULL. Returns -1
 * when the bytes do not parse. */
static int count_field(const standing_buffer* b, unsigned field,
                       const uint8_t** out, size_t* out_len) {
  const uint8_t* p = b->data;
  const uint8_t* end = b->data + b->len;
  int n = 0;
  if (b->len == 0) return 0;
  while (p < end) {
    uint64_t tag, v;
    if (!get_varint(&p, end, &tag)) return -1;
    switch (tag & 7) {
      case 0:
        if (!get_varint(&p, end, &v)) return -1;
        break;
      case 1:
        p += 8;
        break;
      case 5:
        p += 4;
        break;
      case 2:
        if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) return -1;
        if ((tag >> 3) == field) {
          ++n;
          if (out) {
            *out = p;
            *out_len = (size_t)v;
          }
        }
        p += v;
        break;
      default:
        return -1;
    }
  }
  return p == end ? n : -1;
}

static int contains(const standing_buffer* b, const char* s) {
  size_t n = strlen(s), i;
  for (i = 0; b->len >= n && i + n <= b->len; ++i) {
    if (memcmp(b->data + i, s, n) == 0) return 1;
  }
  return 0;
}

/* ---- helpers --------------------------------------------------------------
 */

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  char* data;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = (char*)malloc((size_t)n + 1);
  if (fread(data, 1, (size_t)n, f) != (size_t)n) {
    free(data);
    fclose(f);
    return NULL;
  }
  data[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return data;
}

static const uint8_t* u8(const char* s) { return (const uint8_t*)s; }

static const char* policy_json;
static size_t policy_len;
static char scratch_dir[1024];
static char test_dir[1024];

static standing_engine* open_engine(void) {
  standing_engine* e = NULL;
  EXPECT_STATUS(STANDING_OK,
                standing_engine_open(u8(policy_json), policy_len,
                                     STANDING_FORMAT_JSON, NULL, &e));
  CHECK(e != NULL);
  return e;
}

static void apply_ok(standing_engine* e, msg m) {
  EXPECT_STATUS(STANDING_OK, standing_engine_apply(e, m.data, m.len, NULL));
}

/* ---- tests ----------------------------------------------------------------
 */

static void test_versions_and_names(void) {
  CHECK(standing_version() != NULL && standing_version()[0] != '\0');
  CHECK(standing_abi_version() == STANDING_ABI_VERSION);
  CHECK(strcmp(standing_status_name(STANDING_OK), "STANDING_OK") == 0);
  CHECK(strcmp(standing_status_name(STANDING_NOT_FOUND),
               "STANDING_NOT_FOUND") == 0);
  CHECK(strcmp(standing_status_name(STANDING_INTERNAL), "STANDING_INTERNAL") ==
        0);
  CHECK(strcmp(standing_status_name((standing_status)99),
               "STANDING_UNKNOWN_STATUS") == 0);
  CHECK(standing_last_error() != NULL);
}

static void test_buffers(void) {
  standing_buffer b = {NULL, 0};
  standing_buffer_free(NULL);
  standing_buffer_free(&b);
  b.data = (uint8_t*)malloc(4); /* the library frees with free() */
  b.len = 4;
  standing_buffer_free(&b);
  CHECK(b.data == NULL && b.len == 0);
  standing_buffer_free(&b); /* twice is fine */
}

static void test_options(void) {
  standing_options* o = NULL;
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_options_create(NULL));
  EXPECT_STATUS(STANDING_OK, standing_options_create(&o));
  CHECK(o != NULL);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_options_set_max_message_bytes(NULL, 100));
  EXPECT_STATUS(STANDING_OUT_OF_RANGE,
                standing_options_set_max_message_bytes(o, 0));
  if (sizeof(size_t) > 4) {
    EXPECT_STATUS(STANDING_OUT_OF_RANGE, standing_options_set_max_message_bytes(
                                             o, (size_t)INT_MAX + 1));
  }
  EXPECT_STATUS(STANDING_OK, standing_options_set_max_message_bytes(o, 100));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_options_set_review_threads(NULL, 1));
  EXPECT_STATUS(STANDING_OUT_OF_RANGE,
                standing_options_set_review_threads(o, -1));
  EXPECT_STATUS(STANDING_OK, standing_options_set_review_threads(o, 2));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_options_set_allow_policy_change(NULL, 1));
  EXPECT_STATUS(STANDING_OK, standing_options_set_allow_policy_change(o, 1));
  standing_options_destroy(o);
  standing_options_destroy(NULL);
}

static void test_open_close(void) {
  standing_engine* e = NULL;
  standing_options* small = NULL;
  standing_buffer bin = {NULL, 0};
  static const char text_policy[] =
      "name: \"t\" currency: \"EUR\"\n"
      "metrics { name: \"spend\" aggregate: SUM field: AMOUNT\n"
      "  window { since_enrolment: true } filter { kinds: PURCHASE } }\n"
      "tier_programs { name: \"loyalty\" tiers { name: \"base\" }\n"
      "  tiers { name: \"silver\" qualify { metric { metric: \"spend\"\n"
      "    op: GE value: 100 } } }\n"
      "  review { yearly { month: 1 day: 1 } } }\n";
  static const char bad_policy[] = /* a second tier without a condition */
      "{\"tierPrograms\": [{\"name\": \"p\", \"tiers\": [{\"name\": \"a\"}, "
      "{\"name\": \"b\"}]}]}";

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_open(u8(policy_json), policy_len,
                                     STANDING_FORMAT_JSON, NULL, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_open(NULL, 10, STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_open(u8(""), 0, STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_open(NULL, 0, STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_open(u8(policy_json), policy_len,
                                     (standing_policy_format)7, NULL, &e));
  EXPECT_STATUS(
      STANDING_POLICY_ERROR,
      standing_engine_open(u8("{not json"), 9, STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(u8(policy_json), policy_len / 2,
                                     STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(u8("{\"name\": \"\xff\xfe\"}"), 14,
                                     STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(u8(bad_policy), strlen(bad_policy),
                                     STANDING_FORMAT_JSON, NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(u8("tier_programs {"), 15,
                                     STANDING_FORMAT_TEXT, NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(u8("\xff\xff\xff\xff"), 4,
                                     STANDING_FORMAT_BINARY, NULL, &e));
  EXPECT_STATUS(STANDING_OK, standing_options_create(&small));
  EXPECT_STATUS(STANDING_OK, standing_options_set_max_message_bytes(small, 64));
  EXPECT_STATUS(STANDING_TOO_LARGE,
                standing_engine_open(u8(policy_json), policy_len,
                                     STANDING_FORMAT_JSON, small, &e));
  standing_options_destroy(small);
  CHECK(e == NULL); /* untouched by every failure */

  EXPECT_STATUS(STANDING_OK,
                standing_engine_open(u8(text_policy), strlen(text_policy),
                                     STANDING_FORMAT_TEXT, NULL, &e));
  CHECK(e != NULL);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));

  e = open_engine();
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_policy(NULL, &bin));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_policy(e, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_policy(e, &bin));
  CHECK(bin.len > 0 && contains(&bin, "loyalty"));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
  e = NULL;
  EXPECT_STATUS(STANDING_OK,
                standing_engine_open(bin.data, bin.len, STANDING_FORMAT_BINARY,
                                     NULL, &e));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_open(bin.data, bin.len - 3,
                                     STANDING_FORMAT_BINARY, NULL, &e));
  standing_buffer_free(&bin);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(NULL));
}

static void test_apply(void) {
  standing_engine* e = open_engine();
  standing_engine* small_engine = NULL;
  standing_options* small = NULL;
  standing_buffer t = {NULL, 0};
  msg m;
  static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0x01};

  m = enrolled("alice", T0);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply(NULL, m.data, m.len, &t));
  CHECK(t.data == NULL && t.len == 0);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply(e, NULL, 5, &t));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply(e, NULL, 0, &t));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply(e, m.data, 0, &t));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_apply(e, garbage, sizeof garbage, &t));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_apply(e, m.data, m.len - 1, &t));
  CHECK(t.data == NULL && t.len == 0);

  /* Enrolment into the base tier: no transition (a TransitionList). */
  EXPECT_STATUS(STANDING_OK, standing_engine_apply(e, m.data, m.len, &t));
  CHECK(count_field(&t, 1, NULL, NULL) >= 0);
  standing_buffer_free(&t);
  EXPECT_STATUS(STANDING_ALREADY_EXISTS,
                standing_engine_apply(e, m.data, m.len, &t));

  m = purchase("bob", T0, 100, "EUR");
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_apply(e, m.data, m.len, &t));
  m = purchase("alice", T0 + 60, 100, "USD");
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply(e, m.data, m.len, &t));
  /* Invalid UTF-8 inside the message: the parser refuses it. */
  m = purchase("al\xc3\x28ice", T0 + 60, 100, "EUR");
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_apply(e, m.data, m.len, &t));
  /* No transitions wanted. */
  m = purchase("alice", T0 + 60, 100, "EUR");
  EXPECT_STATUS(STANDING_OK, standing_engine_apply(e, m.data, m.len, NULL));
  /* An upgrade: silver at 10000. */
  m = purchase("alice", T0 + 120, 20000, "EUR");
  EXPECT_STATUS(STANDING_OK, standing_engine_apply(e, m.data, m.len, &t));
  CHECK(count_field(&t, 1, NULL, NULL) == 1);
  CHECK(contains(&t, "alice") && contains(&t, "loyalty"));
  CHECK(contains(&t, "silver"));
  standing_buffer_free(&t);
  /* Older than the late-event horizon (7 days). */
  apply_ok(e, purchase("alice", T0 + 30 * DAY, 1, "EUR"));
  m = purchase("alice", T0 + 10 * DAY, 1, "EUR");
  EXPECT_STATUS(STANDING_OUT_OF_RANGE,
                standing_engine_apply(e, m.data, m.len, &t));

  /* Oversized. */
  EXPECT_STATUS(STANDING_OK, standing_options_create(&small));
  EXPECT_STATUS(STANDING_OK,
                standing_options_set_max_message_bytes(small, 4096));
  EXPECT_STATUS(STANDING_OK, standing_engine_open(u8(policy_json), policy_len,
                                                  STANDING_FORMAT_JSON, small,
                                                  &small_engine));
  standing_options_destroy(small);
  {
    static uint8_t huge[8192];
    memcpy(huge, m.data, m.len);
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_apply(small_engine, huge, sizeof huge, &t));
    m = enrolled("carol", T0);
    EXPECT_STATUS(STANDING_OK,
                  standing_engine_apply(small_engine, m.data, m.len, &t));
    standing_buffer_free(&t);
  }
  EXPECT_STATUS(STANDING_OK, standing_engine_close(small_engine));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_apply_batch(void) {
  standing_engine* e = open_engine();
  standing_buffer t = {NULL, 0};
  size_t applied = 99;
  msg batch, ev;
  static const uint8_t garbage[] = {0x0a, 0x7f, 0x01};

  batch.len = 0;
  ev = enrolled("a1", T0);
  put_msg(&batch, 1, &ev);
  ev = purchase("a1", T0 + 1, 50000, "EUR");
  put_msg(&batch, 1, &ev);
  ev = enrolled("a2", T0 + 2);
  put_msg(&batch, 1, &ev);

  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_apply_batch(NULL, batch.data, batch.len, &t, &applied));
  CHECK(applied == 0);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_apply_batch(e, NULL, 3, &t, &applied));
  applied = 99;
  EXPECT_STATUS(
      STANDING_MALFORMED_MESSAGE,
      standing_engine_apply_batch(e, garbage, sizeof garbage, &t, &applied));
  CHECK(applied == 0);
  EXPECT_STATUS(
      STANDING_MALFORMED_MESSAGE,
      standing_engine_apply_batch(e, batch.data, batch.len - 1, &t, &applied));
  {
    /* A batch whose second event is not an Event (a bad wire type inside). */
    msg bad;
    static const uint8_t not_event[] = {0x0f, 0x01};
    bad.len = 0;
    ev = enrolled("zz", T0);
    put_msg(&bad, 1, &ev);
    put_bytes(&bad, 1, not_event, sizeof not_event);
    EXPECT_STATUS(
        STANDING_MALFORMED_MESSAGE,
        standing_engine_apply_batch(e, bad.data, bad.len, &t, &applied));
    CHECK(applied == 0);
    CHECK(strncmp(standing_last_error(), "events[1]", 9) == 0);
  }

  /* Empty batch: zero bytes, nothing applied. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_apply_batch(e, NULL, 0, &t, &applied));
  CHECK(applied == 0 && t.len == 0);

  EXPECT_STATUS(STANDING_OK, standing_engine_apply_batch(
                                 e, batch.data, batch.len, &t, &applied));
  CHECK(applied == 3);
  CHECK(count_field(&t, 1, NULL, NULL) == 1); /* a1 to gold */
  CHECK(contains(&t, "a1") && contains(&t, "gold"));
  standing_buffer_free(&t);

  /* Stops at the first bad event; the ones before stay applied. */
  batch.len = 0;
  ev = enrolled("b1", T0 + 3);
  put_msg(&batch, 1, &ev);
  ev = purchase("b1", T0 + 3, 20000, "EUR");
  put_msg(&batch, 1, &ev);
  ev = enrolled("a1", T0 + 3); /* again */
  put_msg(&batch, 1, &ev);
  ev = enrolled("b3", T0 + 3);
  put_msg(&batch, 1, &ev);
  EXPECT_STATUS(
      STANDING_ALREADY_EXISTS,
      standing_engine_apply_batch(e, batch.data, batch.len, &t, &applied));
  CHECK(applied == 2);
  CHECK(strncmp(standing_last_error(), "events[2]: ", 11) == 0);
  CHECK(count_field(&t, 1, NULL, NULL) == 1); /* b1 to silver */
  CHECK(contains(&t, "b1") && contains(&t, "silver"));
  standing_buffer_free(&t);
  {
    uint64_t n = 0;
    EXPECT_STATUS(STANDING_OK, standing_engine_customer_count(e, &n));
    CHECK(n == 3);
  }
  /* No outputs wanted. */
  batch.len = 0;
  ev = purchase("b1", T0 + 4, 5, "EUR");
  put_msg(&batch, 1, &ev);
  EXPECT_STATUS(STANDING_OK, standing_engine_apply_batch(
                                 e, batch.data, batch.len, NULL, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_review_clock_count(void) {
  standing_engine* e = open_engine();
  standing_buffer t = {NULL, 0};
  int64_t clock = -1;
  uint64_t n = 99;

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_review(NULL, T0, &t));
  apply_ok(e, enrolled("r1", T0));
  EXPECT_STATUS(STANDING_OK, standing_engine_review(e, T0 + 400 * DAY, &t));
  CHECK(count_field(&t, 1, NULL, NULL) >= 0);
  standing_buffer_free(&t);
  EXPECT_STATUS(STANDING_OK, standing_engine_review(e, T0 + 401 * DAY, NULL));

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_clock(NULL, &clock));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_clock(e, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_clock(e, &clock));
  CHECK(clock == T0 + 401 * DAY);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_customer_count(NULL, &n));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_customer_count(e, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_customer_count(e, &n));
  CHECK(n == 1);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_get_customer_and_explain(void) {
  standing_engine* e = open_engine();
  standing_engine* small_engine = NULL;
  standing_options* small = NULL;
  standing_buffer b = {NULL, 0};
  static const char* bad_utf8[] = {
      "\xff",             /* never valid */
      "a\xc0\x80",        /* overlong NUL */
      "\xed\xa0\x80",     /* surrogate */
      "\xe2\x82",         /* truncated */
      "\xf4\x90\x80\x80", /* above U+10FFFF */
      "x\x80y",           /* stray continuation */
  };
  size_t i;

  apply_ok(e, enrolled("alice", T0));
  apply_ok(e, enrolled("\xe5\xbc\xa0\xe4\xb8\x89", T0)); /* 张三 */
  apply_ok(e, purchase("alice", T0 + 5, 12345, "EUR"));

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer(NULL, "alice", 5, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer(e, "alice", 5, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer(e, NULL, 5, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer(e, "alice", 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer(e, NULL, 0, &b));
  for (i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; ++i) {
    EXPECT_STATUS(
        STANDING_INVALID_ARGUMENT,
        standing_engine_get_customer(e, bad_utf8[i], strlen(bad_utf8[i]), &b));
    CHECK(strstr(standing_last_error(), "UTF-8") != NULL);
    EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                  standing_engine_explain(e, bad_utf8[i], strlen(bad_utf8[i]),
                                          "loyalty", 7, &b));
  }
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_customer(e, "nobody", 6, &b));
  CHECK(b.data == NULL && b.len == 0);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_customer(e, "alice", 5, &b));
  CHECK(b.len > 0 && contains(&b, "alice") && contains(&b, "silver"));
  standing_buffer_free(&b);
  /* Not NUL-terminated: only the length counts. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_customer(e, "alice-and-more", 5, &b));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_customer(
                                 e, "\xe5\xbc\xa0\xe4\xb8\x89", 6, &b));
  standing_buffer_free(&b);

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(NULL, "alice", 5, "loyalty", 7, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(e, "alice", 5, "loyalty", 7, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(e, "alice", 5, NULL, 7, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(e, "alice", 5, "loyalty", 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(e, "alice", 0, "loyalty", 7, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_explain(e, "alice", 5, "loy\xffty", 7, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_explain(e, "nobody", 6, "loyalty", 7, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_explain(e, "alice", 5, "nothing", 7, &b));
  EXPECT_STATUS(STANDING_OK,
                standing_engine_explain(e, "alice", 5, "loyalty", 7, &b));
  CHECK(b.len > 0 && contains(&b, "silver"));
  standing_buffer_free(&b);

  /* Oversized identifiers. */
  EXPECT_STATUS(STANDING_OK, standing_options_create(&small));
  EXPECT_STATUS(STANDING_OK,
                standing_options_set_max_message_bytes(small, 1000));
  EXPECT_STATUS(STANDING_OK, standing_engine_open(u8(policy_json), policy_len,
                                                  STANDING_FORMAT_JSON, small,
                                                  &small_engine));
  standing_options_destroy(small);
  {
    static char long_id[2000];
    memset(long_id, 'a', sizeof long_id);
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_get_customer(small_engine, long_id,
                                               sizeof long_id, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_explain(small_engine, long_id, sizeof long_id,
                                          "loyalty", 7, &b));
  }
  EXPECT_STATUS(STANDING_OK, standing_engine_close(small_engine));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

/* standing_engine_get_customer_view and standing_engine_get_tier: the
 * same argument checks as get_customer, plus the view and the program. */
static void test_narrow_reads(void) {
  standing_engine* e = open_engine();
  standing_buffer full = {NULL, 0};
  standing_buffer b = {(uint8_t*)"stale", 5};
  int32_t tier = -1;

  apply_ok(e, enrolled("alice", T0));
  apply_ok(e, purchase("alice", T0 + 5, 12345, "EUR"));

  /* Views: FULL is get_customer's bytes, STANDING a strict subset. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_customer(e, "alice", 5, &full));
  EXPECT_STATUS(STANDING_OK, standing_engine_get_customer_view(
                                 e, "alice", 5, STANDING_VIEW_FULL, &b));
  CHECK(b.len == full.len && memcmp(b.data, full.data, b.len) == 0);
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_customer_view(
                                 e, "alice", 5, STANDING_VIEW_STANDING, &b));
  CHECK(b.len > 0 && b.len < full.len && contains(&b, "alice") &&
        contains(&b, "silver") && !contains(&b, "spend"));
  standing_buffer_free(&b);
  standing_buffer_free(&full);

  b.data = (uint8_t*)"stale";
  b.len = 5;
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer_view(NULL, "alice", 5,
                                                  STANDING_VIEW_FULL, &b));
  CHECK(b.data == NULL && b.len == 0); /* reset even on failure */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer_view(e, "alice", 5,
                                                  STANDING_VIEW_FULL, NULL));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_customer_view(e, NULL, 5, STANDING_VIEW_FULL, &b));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_customer_view(e, "alice", 0, STANDING_VIEW_FULL, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer_view(e, "\xff", 1,
                                                  STANDING_VIEW_STANDING, &b));
  CHECK(strstr(standing_last_error(), "UTF-8") != NULL);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_customer_view(
                    e, "alice", 5, (standing_customer_view)7, &b));
  CHECK(strstr(standing_last_error(), "view") != NULL);
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_customer_view(e, "nobody", 6,
                                                  STANDING_VIEW_STANDING, &b));
  CHECK(b.data == NULL && b.len == 0);

  /* Tier index. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_tier(e, "alice", 5, "loyalty", 7, &tier));
  CHECK(tier == 1); /* silver */
  CHECK(standing_last_error()[0] == '\0');
  tier = -1;
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_tier(NULL, "alice", 5, "loyalty", 7, &tier));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, "alice", 5, "loyalty", 7, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, NULL, 5, "loyalty", 7, &tier));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, "alice", 0, "loyalty", 7, &tier));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, "alice", 5, NULL, 7, &tier));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, "alice", 5, "loyalty", 0, &tier));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_tier(e, "alice", 5, "loy\xffty", 7, &tier));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_tier(e, "nobody", 6, "loyalty", 7, &tier));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_tier(e, "alice", 5, "nothing", 7, &tier));
  CHECK(tier == -1); /* outputs are written only on success */
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_list_by_tier(void) {
  standing_engine* e = open_engine();
  standing_buffer page = {NULL, 0};
  char id[16];
  char token[256];
  size_t token_len = 0;
  int i, total = 0, pages = 0;

  for (i = 0; i < 5; ++i) {
    sprintf(id, "c%d", i);
    apply_ok(e, enrolled(id, T0));
  }
  apply_ok(e, enrolled("rich", T0));
  apply_ok(e, purchase("rich", T0 + 1, 60000, "EUR"));

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(NULL, "loyalty", 7, "base", 4,
                                             NULL, 0, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4, NULL,
                                             0, 2, NULL));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_list_by_tier(e, NULL, 7, "base", 4, NULL, 0, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 0, "base", 4, NULL,
                                             0, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, NULL, 4, NULL, 0,
                                             2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 0, NULL,
                                             0, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "ba\xffse", 5,
                                             NULL, 0, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4, NULL,
                                             3, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4, "\xc3",
                                             1, 2, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4, NULL,
                                             0, 0, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4, NULL,
                                             0, -5, &page));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_by_tier(e, "loyalty", 7, "base", 4,
                                             "not-a-token", 11, 2, &page));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_list_by_tier(e, "nothing", 7, "base", 4, NULL,
                                             0, 2, &page));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_list_by_tier(e, "loyalty", 7, "nothing", 7,
                                             NULL, 0, 2, &page));

  /* Page through base: c0..c4, two at a time. */
  do {
    const uint8_t* tok = NULL;
    size_t tok_len = 0;
    int n;
    EXPECT_STATUS(STANDING_OK,
                  standing_engine_list_by_tier(e, "loyalty", 7, "base", 4,
                                               token_len ? token : NULL,
                                               token_len, 2, &page));
    n = count_field(&page, 1, NULL, NULL);
    CHECK(n >= 0 && n <= 2);
    total += n > 0 ? n : 0;
    token_len = 0;
    if (count_field(&page, 2, &tok, &tok_len) == 1 && tok_len > 0 &&
        tok_len < sizeof token) {
      memcpy(token, tok, tok_len);
      token_len = tok_len;
    }
    standing_buffer_free(&page);
  } while (token_len > 0 && ++pages < 10);
  CHECK(total == 5);

  EXPECT_STATUS(STANDING_OK,
                standing_engine_list_by_tier(e, "loyalty", 7, "gold", 4, NULL,
                                             0, 100, &page));
  CHECK(count_field(&page, 1, NULL, NULL) == 1 && contains(&page, "rich"));
  standing_buffer_free(&page);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_replace_policy(void) {
  standing_engine* e = open_engine();
  standing_buffer t = {NULL, 0};
  static const char* bad = "{\"tierPrograms\": []}";

  apply_ok(e, enrolled("p1", T0));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_replace_policy(NULL, u8(policy_json), policy_len,
                                     STANDING_FORMAT_JSON, &t));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_replace_policy(e, NULL, 4, STANDING_FORMAT_JSON, &t));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_replace_policy(e, u8(policy_json), 0,
                                               STANDING_FORMAT_JSON, &t));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_replace_policy(e, u8(policy_json), policy_len,
                                               (standing_policy_format)-1, &t));
  EXPECT_STATUS(
      STANDING_POLICY_ERROR,
      standing_engine_replace_policy(e, u8("]]"), 2, STANDING_FORMAT_JSON, &t));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_replace_policy(e, u8(bad), strlen(bad),
                                               STANDING_FORMAT_JSON, &t));
  CHECK(t.data == NULL);
  EXPECT_STATUS(STANDING_OK,
                standing_engine_replace_policy(e, u8(policy_json), policy_len,
                                               STANDING_FORMAT_JSON, &t));
  standing_buffer_free(&t);
  EXPECT_STATUS(STANDING_OK,
                standing_engine_replace_policy(e, u8(policy_json), policy_len,
                                               STANDING_FORMAT_JSON, NULL));
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_customer(e, "p1", 2, &t)); /* still there */
  standing_buffer_free(&t);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

static void test_snapshots(void) {
  standing_engine* e = open_engine();
  standing_engine* loaded = NULL;
  standing_options* allow = NULL;
  standing_buffer snap = {NULL, 0}, b = {NULL, 0};
  uint64_t n = 0;
  char path[1200], bad_path[1200];
  static const char other[] =
      "{\"name\": \"other\", \"currency\": \"EUR\", \"metrics\": [{\"name\": "
      "\"spend\", \"aggregate\": \"SUM\", \"field\": \"AMOUNT\", \"window\": "
      "{\"sinceEnrolment\": true}, \"filter\": {\"kinds\": [\"PURCHASE\"]}}], "
      "\"tierPrograms\": [{\"name\": \"loyalty\", \"tiers\": [{\"name\": "
      "\"base\"}, {\"name\": \"silver\", \"qualify\": {\"metric\": "
      "{\"metric\": \"spend\", \"op\": \"GE\", \"value\": 1}}}], "
      "\"review\": {\"yearly\": {\"month\": 1, \"day\": 1}}}]}";
  static const uint8_t garbage[] = "this is not a snapshot at all";

  sprintf(path, "%s/capi_test.snapshot", scratch_dir);
  sprintf(bad_path, "%s/no/such/dir/capi_test.snapshot", scratch_dir);
  apply_ok(e, enrolled("s1", T0));
  apply_ok(e, enrolled("s2", T0));
  apply_ok(e, purchase("s2", T0 + 1, 20000, "EUR"));

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_snapshot(NULL, &snap));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_snapshot(e, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_snapshot(e, &snap));
  CHECK(snap.len > 4);

  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_save(NULL, path));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_save(e, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_save(e, ""));
  EXPECT_STATUS(STANDING_IO_ERROR, standing_engine_save(e, bad_path));
  EXPECT_STATUS(STANDING_OK, standing_engine_save(e, path));

  /* load from memory */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load(snap.data, snap.len, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load(NULL, 10, NULL, 0, STANDING_FORMAT_JSON,
                                     NULL, &loaded));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load(snap.data, 0, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load(snap.data, snap.len, NULL, 5,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_load(garbage, sizeof garbage, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_load(snap.data, snap.len / 2, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_load(snap.data, 6, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_load(snap.data, snap.len, u8("{"), 1,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_load(snap.data, snap.len, u8(policy_json), policy_len,
                           (standing_policy_format)3, NULL, &loaded));
  EXPECT_STATUS(
      STANDING_FAILED_PRECONDITION,
      standing_engine_load(snap.data, snap.len, u8(other), strlen(other),
                           STANDING_FORMAT_JSON, NULL, &loaded));
  CHECK(loaded == NULL);

  EXPECT_STATUS(STANDING_OK,
                standing_engine_load(snap.data, snap.len, NULL, 0,
                                     STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_OK, standing_engine_customer_count(loaded, &n));
  CHECK(n == 2);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_customer(loaded, "s2", 2, &b));
  CHECK(contains(&b, "silver"));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(loaded));
  loaded = NULL;

  EXPECT_STATUS(
      STANDING_OK,
      standing_engine_load(snap.data, snap.len, u8(policy_json), policy_len,
                           STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(loaded));
  loaded = NULL;

  EXPECT_STATUS(STANDING_OK, standing_options_create(&allow));
  EXPECT_STATUS(STANDING_OK,
                standing_options_set_allow_policy_change(allow, 1));
  EXPECT_STATUS(STANDING_OK, standing_engine_load(
                                 snap.data, snap.len, u8(other), strlen(other),
                                 STANDING_FORMAT_JSON, allow, &loaded));
  EXPECT_STATUS(STANDING_OK, standing_engine_customer_count(loaded, &n));
  CHECK(n == 2);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(loaded));
  loaded = NULL;

  /* load from a file */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load_file(path, NULL, 0, STANDING_FORMAT_JSON,
                                          NULL, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load_file(NULL, NULL, 0, STANDING_FORMAT_JSON,
                                          NULL, &loaded));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_load_file("", NULL, 0, STANDING_FORMAT_JSON,
                                          NULL, &loaded));
  EXPECT_STATUS(STANDING_IO_ERROR,
                standing_engine_load_file(bad_path, NULL, 0,
                                          STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_POLICY_ERROR,
                standing_engine_load_file(path, u8("{"), 1,
                                          STANDING_FORMAT_JSON, NULL, &loaded));
  EXPECT_STATUS(STANDING_FAILED_PRECONDITION,
                standing_engine_load_file(path, u8(other), strlen(other),
                                          STANDING_FORMAT_JSON, NULL, &loaded));
  {
    /* A truncated file. */
    char cut[1300];
    FILE* f;
    sprintf(cut, "%s.cut", path);
    f = fopen(cut, "wb");
    CHECK(f != NULL);
    if (f) {
      fwrite(snap.data, 1, snap.len / 2, f);
      fclose(f);
    }
    EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                  standing_engine_load_file(cut, NULL, 0, STANDING_FORMAT_JSON,
                                            NULL, &loaded));
    remove(cut);
  }
  CHECK(loaded == NULL);
  EXPECT_STATUS(STANDING_OK, standing_engine_load_file(
                                 path, u8(policy_json), policy_len,
                                 STANDING_FORMAT_JSON, allow, &loaded));
  EXPECT_STATUS(STANDING_OK, standing_engine_customer_count(loaded, &n));
  CHECK(n == 2);
  /* The loaded engine keeps working. */
  apply_ok(loaded, purchase("s1", T0 + 2, 1, "EUR"));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(loaded));

  standing_options_destroy(allow);
  standing_buffer_free(&snap);
  remove(path);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

/* ---- hostile bytes: nothing crashes ----------------------------------------
 */

static uint32_t rng_state = 12345u;
static uint32_t rng(void) {
  rng_state = rng_state * 1664525u + 1013904223u;
  return rng_state >> 8;
}

/* Every call returns a known status, with a message unless it succeeded. */
static void expect_sane(standing_status s) {
  ++checks;
  if ((int)s < 0 || s > STANDING_INTERNAL ||
      (s != STANDING_OK && standing_last_error()[0] == '\0')) {
    ++failures;
    fprintf(stderr, "insane status %d: \"%s\"\n", (int)s,
            standing_last_error());
  }
}

static void mutate(uint8_t* dst, const uint8_t* src, size_t len) {
  int flips = 1 + (int)(rng() % 4), k;
  memcpy(dst, src, len);
  for (k = 0; k < flips && len > 0; ++k) {
    size_t at = rng() % len;
    switch (rng() % 3) {
      case 0:
        dst[at] ^= (uint8_t)(1u << (rng() % 8));
        break;
      case 1:
        dst[at] = (uint8_t)rng();
        break;
      default:
        dst[at] = 0xff;
        break;
    }
  }
}

static void test_hostile_bytes(void) {
  standing_engine* e = open_engine();
  standing_engine* loaded = NULL;
  standing_buffer t = {NULL, 0}, snap = {NULL, 0}, pol = {NULL, 0};
  static uint8_t scratch[1 << 16];
  msg ev, batch;
  size_t i, applied;
  int round;

  apply_ok(e, enrolled("h1", T0));
  apply_ok(e, purchase("h1", T0 + 1, 20000, "EUR"));
  EXPECT_STATUS(STANDING_OK, standing_engine_snapshot(e, &snap));
  EXPECT_STATUS(STANDING_OK, standing_engine_policy(e, &pol));
  CHECK(snap.len < sizeof scratch && pol.len < sizeof scratch);
  ev = purchase("h1", T0 + 2, 5, "EUR");
  batch.len = 0;
  put_msg(&batch, 1, &ev);
  {
    msg ev2 = enrolled("h2", T0 + 2);
    put_msg(&batch, 1, &ev2);
  }

  /* Every truncation. */
  for (i = 0; i < ev.len; ++i) {
    expect_sane(standing_engine_apply(e, ev.data, i, &t));
    standing_buffer_free(&t);
  }
  for (i = 0; i < batch.len; ++i) {
    expect_sane(standing_engine_apply_batch(e, batch.data, i, &t, &applied));
    standing_buffer_free(&t);
  }
  for (i = 1; i < snap.len; i += 1 + snap.len / 200) {
    standing_status s = standing_engine_load(
        snap.data, i, NULL, 0, STANDING_FORMAT_JSON, NULL, &loaded);
    expect_sane(s);
    if (s == STANDING_OK) standing_engine_close(loaded);
    loaded = NULL;
  }
  /* Random corruption. */
  for (round = 0; round < 1500; ++round) {
    standing_status s;
    mutate(scratch, ev.data, ev.len);
    expect_sane(standing_engine_apply(e, scratch, ev.len, &t));
    standing_buffer_free(&t);
    mutate(scratch, batch.data, batch.len);
    expect_sane(
        standing_engine_apply_batch(e, scratch, batch.len, &t, &applied));
    standing_buffer_free(&t);
    mutate(scratch, pol.data, pol.len);
    s = standing_engine_open(scratch, pol.len, STANDING_FORMAT_BINARY, NULL,
                             &loaded);
    expect_sane(s);
    if (s == STANDING_OK) standing_engine_close(loaded);
    loaded = NULL;
    if (round % 5 == 0) {
      mutate(scratch, snap.data, snap.len);
      s = standing_engine_load(scratch, snap.len, NULL, 0, STANDING_FORMAT_JSON,
                               NULL, &loaded);
      expect_sane(s);
      if (s == STANDING_OK) standing_engine_close(loaded);
      loaded = NULL;
    }
    mutate(scratch, (const uint8_t*)policy_json, policy_len);
    s = standing_engine_open(scratch, policy_len, STANDING_FORMAT_JSON, NULL,
                             &loaded);
    expect_sane(s);
    if (s == STANDING_OK) standing_engine_close(loaded);
    loaded = NULL;
  }
  standing_buffer_free(&snap);
  standing_buffer_free(&pol);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));
}

/* ---- service levels --------------------------------------------------------
 */

#define HOUR ((int64_t)3600)

static msg service_request(const char* customer, int64_t at, const char* id,
                           int stage, const char* type) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_string(&body, 1, id);
  put_int(&body, 2, stage);
  if (type != NULL) put_string(&body, 3, type);
  put_msg(&e, 17, &body);
  return e;
}

static msg assign_manager(const char* customer, int64_t at,
                          const char* manager) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_string(&body, 1, manager);
  put_msg(&e, 22, &body);
  return e;
}

static msg duration_spec(int64_t amount, int unit) {
  msg d;
  d.len = 0;
  if (amount != 0) put_int(&d, 1, amount);
  put_int(&d, 2, unit);
  return d;
}

/* Finds the int64 varint field `field` at the top level of `b`: 1 when
 * found (value in *v), 0 when absent, -1 when the bytes do not parse. */
static int get_int_field(const uint8_t* p, size_t len, unsigned field,
                         int64_t* v) {
  const uint8_t* end = p + len;
  int found = 0;
  while (p < end) {
    uint64_t key, n;
    if (!get_varint(&p, end, &key)) return -1;
    switch (key & 7) {
      case 0:
        if (!get_varint(&p, end, &n)) return -1;
        if ((key >> 3) == field) {
          *v = (int64_t)n;
          found = 1;
        }
        break;
      case 1:
        if (end - p < 8) return -1;
        p += 8;
        break;
      case 2:
        if (!get_varint(&p, end, &n) || (uint64_t)(end - p) < n) return -1;
        p += n;
        break;
      case 5:
        if (end - p < 4) return -1;
        p += 4;
        break;
      default:
        return -1;
    }
  }
  return found;
}

static void test_service(void) {
  static const char* bad_utf8 = "a\xed\xa0\x80"; /* surrogate */
  static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
  const char* service_json;
  size_t service_len = 0;
  char path[1100];
  standing_engine* e = open_engine(); /* a policy without service levels */
  standing_engine* s = NULL;
  standing_engine* small_engine = NULL;
  standing_options* small = NULL;
  standing_buffer b = {NULL, 0};
  int64_t at = 0;
  msg q, d;
  int round;

  sprintf(path, "%s/service_policy.json", test_dir);
  service_json = read_file(path, &service_len);
  CHECK(service_json != NULL);
  if (service_json == NULL) {
    standing_engine_close(e);
    return;
  }
  apply_ok(e, enrolled("alice", T0));

  /* -- resolve_entitlements */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_resolve_entitlements(NULL, "alice", 5, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_resolve_entitlements(e, "alice", 5, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_resolve_entitlements(e, NULL, 5, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_resolve_entitlements(e, "alice", 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_resolve_entitlements(e, bad_utf8, 4, &b));
  CHECK(strstr(standing_last_error(), "UTF-8") != NULL);
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_resolve_entitlements(e, "nobody", 6, &b));
  CHECK(b.data == NULL && b.len == 0);
  /* No entitlements declared: an EntitlementSet with only the id. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_resolve_entitlements(e, "alice", 5, &b));
  CHECK(contains(&b, "alice"));
  standing_buffer_free(&b);

  /* -- get_request */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(NULL, "alice", 5, "r1", 2, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, "alice", 5, "r1", 2, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, NULL, 5, "r1", 2, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, "alice", 5, NULL, 2, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, "alice", 5, "r1", 0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, bad_utf8, 4, "r1", 2, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_request(e, "alice", 5, bad_utf8, 4, 0, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_request(e, "nobody", 6, "r1", 2, 0, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_request(e, "alice", 5, "r1", 2, 0, &b));
  CHECK(b.data == NULL && b.len == 0);

  /* -- preview_request */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(NULL, "alice", 5, "call", 4,
                                                NULL, 0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(e, "alice", 5, "call", 4, NULL,
                                                0, 0, NULL));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_preview_request(e, NULL, 5, "call", 4, NULL, 0, 0, &b));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_preview_request(e, "alice", 5, NULL, 4, NULL, 0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(e, "alice", 5, "call", 4, NULL,
                                                3, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(e, bad_utf8, 4, "call", 4, NULL,
                                                0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(e, "alice", 5, bad_utf8, 4,
                                                NULL, 0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_preview_request(e, "alice", 5, "call", 4,
                                                bad_utf8, 4, 0, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_preview_request(e, "nobody", 6, "call", 4, NULL,
                                                0, 0, &b));
  CHECK(b.data == NULL && b.len == 0);

  /* -- list_breaches */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_breaches(NULL, 0, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_breaches(e, 0, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_breaches(e, 0, -1, &b));
  EXPECT_STATUS(STANDING_OK, standing_engine_list_breaches(e, 0, 0, &b));
  CHECK(count_field(&b, 1, NULL, NULL) == 0);
  standing_buffer_free(&b);

  /* -- list_overdue */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_overdue(NULL, NULL, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_overdue(e, NULL, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_overdue(e, NULL, 3, &b));
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_list_overdue(e, garbage, sizeof garbage, &b));
  CHECK(b.data == NULL && b.len == 0);
  q.len = 0;
  put_string(&q, 1, bad_utf8); /* manager: a string field, not UTF-8 */
  EXPECT_STATUS(STANDING_MALFORMED_MESSAGE,
                standing_engine_list_overdue(e, q.data, q.len, &b));
  q.len = 0;
  put_int(&q, 3, 7); /* kind: no such value */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_overdue(e, q.data, q.len, &b));
  q.len = 0;
  put_int(&q, 8, -5); /* limit */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_list_overdue(e, q.data, q.len, &b));
  q.len = 0;
  put_string(&q, 4, "loyalty");
  put_string(&q, 5, "platinum"); /* no such tier */
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_list_overdue(e, q.data, q.len, &b));
  /* The default query (zero bytes): everyone, nothing overdue. */
  EXPECT_STATUS(STANDING_OK, standing_engine_list_overdue(e, NULL, 0, &b));
  CHECK(count_field(&b, 1, NULL, NULL) == 0);
  standing_buffer_free(&b);

  /* -- capacity_report and compliance */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_capacity_report(NULL, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_capacity_report(e, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_capacity_report(e, -1, &b));
  EXPECT_STATUS(STANDING_OK, standing_engine_capacity_report(e, 0, &b));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_compliance(NULL, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT, standing_engine_compliance(e, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_compliance(e, &b));
  CHECK(b.len == 0); /* no targets */
  standing_buffer_free(&b);

  /* -- add_duration */
  d = duration_spec(2, 4); /* 2 DAYS */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_add_duration(NULL, T0, d.data, d.len, &at));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_add_duration(e, T0, d.data, d.len, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_add_duration(e, T0, NULL, d.len, &at));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_add_duration(e, T0, d.data, 0, &at));
  EXPECT_STATUS(
      STANDING_MALFORMED_MESSAGE,
      standing_engine_add_duration(e, T0, garbage, sizeof garbage, &at));
  {
    msg bad = duration_spec(1, 99); /* no such unit */
    EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                  standing_engine_add_duration(e, T0, bad.data, bad.len, &at));
    bad = duration_spec(-1, 4); /* negative amount */
    EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                  standing_engine_add_duration(e, T0, bad.data, bad.len, &at));
    bad = duration_spec(1, 9); /* WORKING_DAYS without any calendar */
    EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                  standing_engine_add_duration(e, T0, bad.data, bad.len, &at));
  }
  CHECK(at == 0); /* written only on success */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_add_duration(e, T0, d.data, d.len, &at));
  CHECK(at == T0 + 2 * DAY);

  /* -- oversized inputs */
  EXPECT_STATUS(STANDING_OK, standing_options_create(&small));
  EXPECT_STATUS(STANDING_OK,
                standing_options_set_max_message_bytes(small, 1000));
  EXPECT_STATUS(STANDING_OK, standing_engine_open(u8(policy_json), policy_len,
                                                  STANDING_FORMAT_JSON, small,
                                                  &small_engine));
  standing_options_destroy(small);
  {
    static char long_id[2000];
    memset(long_id, 'a', sizeof long_id);
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_resolve_entitlements(small_engine, long_id,
                                                       sizeof long_id, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_get_request(small_engine, "a", 1, long_id,
                                              sizeof long_id, 0, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE, standing_engine_preview_request(
                                          small_engine, "a", 1, long_id,
                                          sizeof long_id, NULL, 0, 0, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_list_overdue(small_engine, u8(long_id),
                                               sizeof long_id, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_add_duration(small_engine, T0, u8(long_id),
                                               sizeof long_id, &at));
  }
  EXPECT_STATUS(STANDING_OK, standing_engine_close(small_engine));

  /* -- hostile queries and durations: a known status, never a crash */
  q.len = 0;
  put_string(&q, 1, "m1");
  put_int(&q, 3, 2);
  put_int(&q, 8, 10);
  d = duration_spec(3, 9);
  for (round = 0; round < 300; ++round) {
    static uint8_t scratch[64];
    int64_t out = 0;
    mutate(scratch, q.data, q.len);
    expect_sane(standing_engine_list_overdue(e, scratch, q.len, &b));
    standing_buffer_free(&b);
    mutate(scratch, d.data, d.len);
    expect_sane(standing_engine_add_duration(e, T0, scratch, d.len, &out));
  }
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));

  /* -- happy paths under a policy with service levels */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_open(u8(service_json), service_len,
                                     STANDING_FORMAT_JSON, NULL, &s));
  if (s == NULL) {
    free((void*)service_json);
    return;
  }
  apply_ok(s, enrolled("c1", T0));
  apply_ok(s, enrolled("c2", T0));
  apply_ok(s, purchase("c1", T0 + 9 * HOUR, 60000, "EUR")); /* to gold */
  apply_ok(s, assign_manager("c1", T0 + 10 * HOUR, "m1"));
  apply_ok(s, service_request("c1", T0 + 10 * HOUR, "r1", 1, "complaint"));

  EXPECT_STATUS(STANDING_OK,
                standing_engine_resolve_entitlements(s, "c1", 2, &b));
  CHECK(contains(&b, "discount") && contains(&b, "hotline") &&
        contains(&b, "gold"));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_request(s, "c1", 2, "r1", 2,
                                                         T0 + 15 * HOUR, &b));
  CHECK(contains(&b, "r1") && contains(&b, "standard"));
  {
    int64_t breached = 0;
    CHECK(get_int_field(b.data, b.len, 15, &breached) == 1 && breached == 1);
  }
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_get_request(s, "c1", 2, "r2", 2, 0, &b));
  EXPECT_STATUS(STANDING_OK,
                standing_engine_preview_request(s, "c2", 2, "call", 4, "high",
                                                4, T0 + 10 * HOUR, &b));
  CHECK(contains(&b, "standard"));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK,
                standing_engine_list_breaches(s, T0 + 15 * HOUR, 10, &b));
  CHECK(count_field(&b, 1, NULL, NULL) == 1 && contains(&b, "c1"));
  standing_buffer_free(&b);
  q.len = 0;
  put_string(&q, 1, "m1");
  put_int(&q, 3, 2); /* TASK */
  {
    msg ts;
    ts.len = 0;
    put_int(&ts, 1, T0 + 10 * DAY);
    put_msg(&q, 6, &ts); /* as_of */
  }
  EXPECT_STATUS(STANDING_OK,
                standing_engine_list_overdue(s, q.data, q.len, &b));
  CHECK(count_field(&b, 1, NULL, NULL) == 1 && contains(&b, "welcome_call"));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_capacity_report(s, 0, &b));
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK, standing_engine_compliance(s, &b));
  standing_buffer_free(&b);
  d = duration_spec(4, 8); /* 4 WORKING_HOURS */
  /* Friday 16:00 + 4 working hours: one on Friday, Monday is a holiday,
   * three on Tuesday: Tuesday 12:00. */
  EXPECT_STATUS(STANDING_OK, standing_engine_add_duration(
                                 s, T0 + DAY + 16 * HOUR, d.data, d.len, &at));
  CHECK(at == T0 + 5 * DAY + 12 * HOUR);
  EXPECT_STATUS(STANDING_OK, standing_engine_close(s));
  free((void*)service_json);
}

/* ---- credit ----------------------------------------------------------------
 */

static msg order_placed(const char* customer, int64_t at, const char* id,
                        int64_t amount) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_string(&body, 1, id);
  put_int(&body, 2, amount);
  put_string(&body, 3, "EUR");
  put_msg(&e, 24, &body);
  return e;
}

static msg invoice(const char* customer, int64_t at, const char* id,
                   int64_t amount, const char* order) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_string(&body, 1, id);
  put_int(&body, 2, amount);
  put_string(&body, 3, "EUR");
  if (order != NULL) put_string(&body, 5, order);
  put_msg(&e, 12, &body);
  return e;
}

static msg credit_approval(const char* customer, int64_t at, int decision,
                           const char* role) {
  msg e, body;
  body.len = 0;
  event_head(&e, customer, at);
  put_int(&body, 1, decision);
  put_string(&body, 2, role);
  put_string(&body, 3, "someone");
  put_msg(&e, 26, &body);
  return e;
}

static msg limit_increase(const char* customer, int64_t at, int64_t amount,
                          int64_t expires, const char* role) {
  msg e, body, ts;
  body.len = 0;
  ts.len = 0;
  event_head(&e, customer, at);
  put_int(&body, 1, amount);
  put_string(&body, 2, "EUR");
  put_int(&ts, 1, expires);
  put_msg(&body, 3, &ts);
  put_string(&body, 4, "approver");
  put_string(&body, 5, role);
  put_msg(&e, 27, &body);
  return e;
}

/* The `index`-th (0-based) length-delimited field `field` of `b`, or
 * {NULL, 0} when there is none. */
static standing_buffer nth_field(const standing_buffer* b, unsigned field,
                                 int index) {
  standing_buffer out = {NULL, 0};
  const uint8_t* p = b->data;
  const uint8_t* end = b->data + b->len;
  int n = 0;
  while (p != NULL && p < end) {
    uint64_t tag, v;
    if (!get_varint(&p, end, &tag)) break;
    if ((tag & 7) == 0) {
      if (!get_varint(&p, end, &v)) break;
    } else if ((tag & 7) == 2) {
      if (!get_varint(&p, end, &v) || v > (uint64_t)(end - p)) break;
      if ((tag >> 3) == field && n++ == index) {
        out.data = (uint8_t*)p;
        out.len = (size_t)v;
        return out;
      }
      p += v;
    } else if ((tag & 7) == 1 && end - p >= 8) {
      p += 8;
    } else if ((tag & 7) == 5 && end - p >= 4) {
      p += 4;
    } else {
      break;
    }
  }
  return out;
}

static int64_t int_field(const standing_buffer* b, unsigned field) {
  int64_t v = 0;
  if (b->len == 0 || get_int_field(b->data, b->len, field, &v) != 1) return 0;
  return v;
}

static void test_credit(void) {
  static const char* bad_utf8 = "a\xed\xa0\x80"; /* surrogate */
  const char* credit_json;
  size_t credit_len = 0;
  char path[1100];
  standing_engine* e = open_engine(); /* a policy without credit */
  standing_engine* c = NULL;
  standing_engine* small_engine = NULL;
  standing_options* small = NULL;
  standing_buffer b = {NULL, 0};
  standing_buffer f;
  msg m;

  sprintf(path, "%s/credit_policy.json", test_dir);
  credit_json = read_file(path, &credit_len);
  CHECK(credit_json != NULL);
  if (credit_json == NULL) {
    standing_engine_close(e);
    return;
  }
  CHECK(strcmp(standing_status_name(STANDING_PERMISSION_DENIED),
               "STANDING_PERMISSION_DENIED") == 0);

  /* -- a policy without credit: FAILED_PRECONDITION, arguments first */
  apply_ok(e, enrolled("alice", T0));
  EXPECT_STATUS(STANDING_FAILED_PRECONDITION,
                standing_engine_check_credit(e, "alice", 5, 100, 0, &b));
  CHECK(strstr(standing_last_error(), "credit") != NULL);
  EXPECT_STATUS(
      STANDING_FAILED_PRECONDITION,
      standing_engine_get_credit_record(e, "alice", 5, "supervisor", 10, &b));
  EXPECT_STATUS(STANDING_FAILED_PRECONDITION,
                standing_engine_get_credit_report(e, 0, &b));
  CHECK(b.data == NULL && b.len == 0);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(e, "alice", 5, 0, 0, &b));
  m = order_placed("alice", T0 + 60, "o1", 100);
  EXPECT_STATUS(STANDING_FAILED_PRECONDITION,
                standing_engine_apply(e, m.data, m.len, NULL));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(e));

  EXPECT_STATUS(STANDING_OK,
                standing_engine_open(u8(credit_json), credit_len,
                                     STANDING_FORMAT_JSON, NULL, &c));
  free((void*)credit_json);
  if (c == NULL) return;
  apply_ok(c, enrolled("c1", T0));

  /* -- check_credit: bad arguments */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(NULL, "c1", 2, 100, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, "c1", 2, 100, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, NULL, 2, 100, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, "c1", 0, 100, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, bad_utf8, 4, 100, 0, &b));
  CHECK(strstr(standing_last_error(), "UTF-8") != NULL);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, "c1", 2, 0, 0, &b));
  CHECK(strstr(standing_last_error(), "amount") != NULL);
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, "c1", 2, -5, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_check_credit(c, "c1", 2, INT64_MIN, 0, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_check_credit(c, "nobody", 6, 100, 0, &b));
  CHECK(b.data == NULL && b.len == 0);

  /* -- check_credit: within the limit (100000), then over it */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_check_credit(c, "c1", 2, 60000, 0, &b));
  CHECK(int_field(&b, 1) == 1);      /* APPROVE */
  CHECK(int_field(&b, 3) == 100000); /* available */
  CHECK(int_field(&b, 4) == 60000);  /* order_amount */
  CHECK(count_field(&b, 2, NULL, NULL) == 0);
  CHECK(contains(&b, "EUR"));
  standing_buffer_free(&b);
  apply_ok(c, order_placed("c1", T0 + 60, "o1", 60000));
  EXPECT_STATUS(STANDING_OK,
                standing_engine_check_credit(c, "c1", 2, 60000, 0, &b));
  CHECK(int_field(&b, 1) == 3);     /* BLOCK */
  CHECK(int_field(&b, 3) == 40000); /* available */
  CHECK(count_field(&b, 2, NULL, NULL) == 1);
  f = nth_field(&b, 2, 0);
  CHECK(int_field(&f, 1) == 1);     /* OVER_LIMIT */
  CHECK(int_field(&f, 2) == 20000); /* by how much */
  standing_buffer_free(&b);

  /* -- get_credit_record */
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_credit_record(NULL, "c1", 2, "supervisor", 10, &b));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_credit_record(c, "c1", 2, "supervisor", 10, NULL));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_credit_record(c, NULL, 2, "supervisor", 10, &b));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_credit_record(c, "c1", 0, "supervisor", 10, &b));
  EXPECT_STATUS(
      STANDING_INVALID_ARGUMENT,
      standing_engine_get_credit_record(c, bad_utf8, 4, "supervisor", 10, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_credit_record(c, "c1", 2, NULL, 3, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_credit_record(c, "c1", 2, bad_utf8, 4, &b));
  EXPECT_STATUS(STANDING_NOT_FOUND, standing_engine_get_credit_record(
                                        c, "nobody", 6, "supervisor", 10, &b));
  CHECK(b.data == NULL && b.len == 0);
  /* A reader sees the grade and the limit. */
  EXPECT_STATUS(STANDING_OK, standing_engine_get_credit_record(
                                 c, "c1", 2, "supervisor", 10, &b));
  CHECK(int_field(&b, 2) == 0); /* not redacted */
  CHECK(contains(&b, "red"));
  CHECK(int_field(&b, 6) == 100000); /* limit */
  f = nth_field(&b, 12, 0);          /* receivables */
  CHECK(int_field(&f, 2) == 60000);  /* open_orders */
  CHECK(int_field(&f, 3) == 60000);  /* exposure */
  standing_buffer_free(&b);
  /* Anyone else (an empty role too) gets receivables only; counted. */
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_credit_record(c, "c1", 2, "clerk", 5, &b));
  CHECK(int_field(&b, 2) == 1); /* redacted */
  CHECK(!contains(&b, "red"));
  CHECK(int_field(&b, 6) == 0);
  f = nth_field(&b, 12, 0);
  CHECK(int_field(&f, 3) == 60000);
  standing_buffer_free(&b);
  EXPECT_STATUS(STANDING_OK,
                standing_engine_get_credit_record(c, "c1", 2, NULL, 0, &b));
  CHECK(int_field(&b, 2) == 1);
  standing_buffer_free(&b);

  /* -- get_credit_report */
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_credit_report(NULL, 0, &b));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_credit_report(c, 0, NULL));
  EXPECT_STATUS(STANDING_INVALID_ARGUMENT,
                standing_engine_get_credit_report(c, -1, &b));
  CHECK(b.data == NULL && b.len == 0);
  EXPECT_STATUS(STANDING_OK, standing_engine_get_credit_report(c, 0, &b));
  CHECK(count_field(&b, 1, NULL, NULL) == 2); /* black, red */
  f = nth_field(&b, 1, 1);
  CHECK(contains(&f, "red") && int_field(&f, 2) == 1);
  CHECK(int_field(&b, 4) == 2); /* refused reads: clerk and no role */
  standing_buffer_free(&b);

  /* -- credit events: roles and preconditions through apply */
  m = limit_increase("c1", T0 + 120, 50000, T0 + 30 * DAY, "clerk");
  EXPECT_STATUS(STANDING_PERMISSION_DENIED,
                standing_engine_apply(c, m.data, m.len, NULL));
  CHECK(strstr(standing_last_error(), "clerk") != NULL);
  m = credit_approval("c1", T0 + 120, 1, "supervisor");
  EXPECT_STATUS(STANDING_FAILED_PRECONDITION,
                standing_engine_apply(c, m.data, m.len, NULL));
  m = invoice("c1", T0 + 120, "i1", 1000, "no-such-order");
  EXPECT_STATUS(STANDING_NOT_FOUND,
                standing_engine_apply(c, m.data, m.len, NULL));
  m = order_placed("c1", T0 + 120, "o1", 10);
  EXPECT_STATUS(STANDING_ALREADY_EXISTS,
                standing_engine_apply(c, m.data, m.len, NULL));
  apply_ok(c, limit_increase("c1", T0 + 120, 50000, T0 + 30 * DAY, "manager"));
  EXPECT_STATUS(STANDING_OK,
                standing_engine_check_credit(c, "c1", 2, 60000, 0, &b));
  CHECK(int_field(&b, 1) == 1); /* APPROVE: 90000 available */
  CHECK(int_field(&b, 3) == 90000);
  standing_buffer_free(&b);
  /* At an instant after the increase expired. */
  EXPECT_STATUS(STANDING_OK, standing_engine_check_credit(c, "c1", 2, 60000,
                                                          T0 + 31 * DAY, &b));
  CHECK(int_field(&b, 1) == 3);
  standing_buffer_free(&b);
  apply_ok(c, invoice("c1", T0 + 180, "i1", 60000, "o1"));
  EXPECT_STATUS(STANDING_OK, standing_engine_get_credit_record(
                                 c, "c1", 2, "supervisor", 10, &b));
  f = nth_field(&b, 12, 0);
  CHECK(int_field(&f, 1) == 60000); /* open_receivables */
  CHECK(int_field(&f, 2) == 0);     /* open_orders */
  standing_buffer_free(&b);

  /* -- oversized identifiers: refused before the engine is asked (the
   * small engine has no credit policy, which would be FAILED_PRECONDITION) */
  EXPECT_STATUS(STANDING_OK, standing_options_create(&small));
  EXPECT_STATUS(STANDING_OK,
                standing_options_set_max_message_bytes(small, 1000));
  EXPECT_STATUS(STANDING_OK, standing_engine_open(u8(policy_json), policy_len,
                                                  STANDING_FORMAT_JSON, small,
                                                  &small_engine));
  standing_options_destroy(small);
  {
    static char long_id[2000];
    memset(long_id, 'a', sizeof long_id);
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_check_credit(small_engine, long_id,
                                               sizeof long_id, 100, 0, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_get_credit_record(
                      small_engine, long_id, sizeof long_id, "x", 1, &b));
    EXPECT_STATUS(STANDING_TOO_LARGE,
                  standing_engine_get_credit_record(
                      small_engine, "a", 1, long_id, sizeof long_id, &b));
  }
  EXPECT_STATUS(STANDING_OK, standing_engine_close(small_engine));
  EXPECT_STATUS(STANDING_OK, standing_engine_close(c));
}

int main(int argc, char** argv) {
  char path[1100];
  if (argc < 3) {
    fprintf(stderr, "usage: %s <tests/c dir> <scratch dir>\n", argv[0]);
    return 2;
  }
  sprintf(path, "%s/test_policy.json", argv[1]);
  sprintf(scratch_dir, "%.1000s", argv[2]);
  sprintf(test_dir, "%.1000s", argv[1]);
  policy_json = read_file(path, &policy_len);
  if (policy_json == NULL) {
    fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }

  test_versions_and_names();
  test_buffers();
  test_options();
  test_open_close();
  test_apply();
  test_apply_batch();
  test_review_clock_count();
  test_get_customer_and_explain();
  test_narrow_reads();
  test_list_by_tier();
  test_replace_policy();
  test_snapshots();
  test_hostile_bytes();
  test_service();
  test_credit();

  free((void*)policy_json);
  printf("%d checks, %d failures (libstanding %s, ABI %d)\n", checks, failures,
         standing_version(), (int)standing_abi_version());
  return failures == 0 ? 0 : 1;
}
