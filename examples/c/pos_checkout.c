/*
 * pos_checkout: a point-of-sale host in C. Opens the retail policy, enrols
 * a member, applies a purchase and prints the member's tiers and why the
 * member is VIP.
 *
 *   pos_checkout [path/to/retail.json]
 *
 * Messages cross the C ABI as protobuf bytes. A real host would use a
 * protobuf library for C (protobuf-c, nanopb, upb); to stay dependency-free
 * this example encodes the two events and decodes the answers by hand.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "standing/standing.h"

/* ---- tiny protobuf writer ------------------------------------------------ */

typedef struct {
  uint8_t data[512];
  size_t len;
} pb;

static void pb_varint(pb* m, uint64_t v) {
  while (v >= 0x80) {
    m->data[m->len++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  m->data[m->len++] = (uint8_t)v;
}
static void pb_int(pb* m, unsigned field, int64_t v) {
  pb_varint(m, (uint64_t)field << 3);
  pb_varint(m, (uint64_t)v);
}
static void pb_bytes(pb* m, unsigned field, const void* p, size_t n) {
  pb_varint(m, ((uint64_t)field << 3) | 2);
  pb_varint(m, n);
  memcpy(m->data + m->len, p, n);
  m->len += n;
}
static void pb_str(pb* m, unsigned field, const char* s) {
  pb_bytes(m, field, s, strlen(s));
}
static void pb_msg(pb* m, unsigned field, const pb* sub) {
  pb_bytes(m, field, sub->data, sub->len);
}

/* standing.v1.Event: customer_id = 1, at = 2 (Timestamp), event_id = 3,
 * enrolled = 10, purchase = 11 (amount 1, currency 2, category 3,
 * quantity 5). */
static pb event(const char* customer, int64_t at, const char* event_id) {
  pb e = {{0}, 0}, ts = {{0}, 0};
  pb_str(&e, 1, customer);
  pb_int(&ts, 1, at);
  pb_msg(&e, 2, &ts);
  if (event_id) pb_str(&e, 3, event_id);
  return e;
}

/* ---- tiny protobuf reader ------------------------------------------------ */

typedef struct {
  const uint8_t* p;
  const uint8_t* end;
  unsigned field, wire;
  uint64_t varint;      /* wire type 0 */
  const uint8_t* bytes; /* wire type 1, 2, 5 */
  size_t len;
} pb_reader;

static int pb_next(pb_reader* r) {
  uint64_t tag = 0;
  int shift = 0;
  if (r->p >= r->end) return 0;
  for (;;) {
    uint8_t b;
    if (r->p >= r->end) return 0;
    b = *r->p++;
    tag |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
    shift += 7;
  }
  r->field = (unsigned)(tag >> 3);
  r->wire = (unsigned)(tag & 7);
  if (r->wire == 0 || r->wire == 2) {
    uint64_t v = 0;
    shift = 0;
    for (;;) {
      uint8_t b;
      if (r->p >= r->end) return 0;
      b = *r->p++;
      v |= (uint64_t)(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    r->varint = v;
    if (r->wire == 2) {
      if (v > (uint64_t)(r->end - r->p)) return 0;
      r->bytes = r->p;
      r->len = (size_t)v;
      r->p += v;
    }
  } else if (r->wire == 1 || r->wire == 5) {
    size_t n = r->wire == 1 ? 8 : 4;
    if ((size_t)(r->end - r->p) < n) return 0;
    r->bytes = r->p;
    r->len = n;
    r->p += n;
  } else {
    return 0;
  }
  return 1;
}

static pb_reader reader(const uint8_t* p, size_t n) {
  pb_reader r;
  memset(&r, 0, sizeof r);
  r.p = p;
  r.end = p + n;
  return r;
}

static double pb_double(const pb_reader* r) {
  uint64_t bits = 0;
  double d;
  int i;
  for (i = 7; i >= 0; --i) bits = (bits << 8) | r->bytes[i];
  memcpy(&d, &bits, sizeof d);
  return d;
}

/* ---- the host
 * ---------------------------------------------------------------- */

static int check(standing_status s, const char* what) {
  if (s == STANDING_OK) return 1;
  fprintf(stderr, "%s: %s: %s\n", what, standing_status_name(s),
          standing_last_error());
  return 0;
}

static char* read_file(const char* path, size_t* len) {
  FILE* f = fopen(path, "rb");
  char* data = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (data = (char*)malloc((size_t)n + 1))) {
    *len = fread(data, 1, (size_t)n, f);
  }
  fclose(f);
  return data;
}

/* Prints a TransitionList: program, from_tier -> to_tier. */
static void print_transitions(const standing_buffer* b) {
  pb_reader list = reader(b->data, b->len);
  while (pb_next(&list)) {
    pb_reader t;
    const uint8_t *program = NULL, *from = NULL, *to = NULL;
    size_t program_len = 0, from_len = 0, to_len = 0;
    if (list.field != 1 || list.wire != 2) continue;
    t = reader(list.bytes, list.len);
    while (pb_next(&t)) {
      if (t.wire != 2) continue;
      if (t.field == 2) program = t.bytes, program_len = t.len;
      if (t.field == 3) from = t.bytes, from_len = t.len;
      if (t.field == 4) to = t.bytes, to_len = t.len;
    }
    printf("  %.*s: %.*s -> %.*s\n", (int)program_len,
           program ? (const char*)program : "", from_len ? (int)from_len : 1,
           from_len ? (const char*)from : "-", (int)to_len,
           to ? (const char*)to : "");
  }
}

int main(int argc, char** argv) {
  const char* policy_path =
      argc > 1 ? argv[1] : "examples/policies/retail.json";
  const char* member = "member-42";
  const int64_t now = 1773484200; /* 2026-03-14T10:30:00Z */
  standing_engine* engine = NULL;
  standing_buffer out = {NULL, 0};
  pb enrol, sale, body = {{0}, 0}, empty = {{0}, 0};
  size_t policy_len = 0;
  char* policy = read_file(policy_path, &policy_len);
  int ok = 1;

  if (policy == NULL) {
    fprintf(stderr, "cannot read %s\n", policy_path);
    return 1;
  }
  printf("libstanding %s (ABI %d)\n", standing_version(),
         (int)standing_abi_version());
  if (!check(standing_engine_open((const uint8_t*)policy, policy_len,
                                  STANDING_FORMAT_JSON, NULL, &engine),
             "open")) {
    free(policy);
    return 1;
  }
  free(policy);

  /* The member enrols ... */
  enrol = event(member, now, "enrol-42");
  pb_msg(&enrol, 10, &empty);
  ok = ok && check(standing_engine_apply(engine, enrol.data, enrol.len, NULL),
                   "enrol");

  /* ... and buys a 12,800.00 CNY coat at the till. */
  sale = event(member, now + 300, "pos-0001");
  pb_int(&body, 1, 1280000); /* minor units */
  pb_str(&body, 2, "CNY");
  pb_str(&body, 3, "mid_high_end");
  pb_int(&body, 5, 1);
  pb_msg(&sale, 11, &body);
  if (ok && check(standing_engine_apply(engine, sale.data, sale.len, &out),
                  "purchase")) {
    printf("purchase pos-0001 by %s:\n", member);
    print_transitions(&out);
  } else {
    ok = 0;
  }
  standing_buffer_free(&out);

  /* Customer.standings (4): ProgramStanding program (1), tier (2). */
  if (ok &&
      check(standing_engine_get_customer(engine, member, strlen(member), &out),
            "get customer")) {
    pb_reader c = reader(out.data, out.len);
    printf("%s is now:\n", member);
    while (pb_next(&c)) {
      pb_reader s;
      if (c.field != 4 || c.wire != 2) continue;
      s = reader(c.bytes, c.len);
      printf(" ");
      while (pb_next(&s)) {
        if (s.wire == 2 && (s.field == 1 || s.field == 2)) {
          printf(" %.*s%s", (int)s.len, (const char*)s.bytes,
                 s.field == 1 ? ":" : "");
        }
      }
      printf("\n");
    }
  } else {
    ok = 0;
  }
  standing_buffer_free(&out);

  /* Explanation: tier (2), rule (4), summary (5), checks (6): label (2),
   * metric (3), value (4), op (6), threshold (7), holds (9). */
  if (ok && check(standing_engine_explain(engine, member, strlen(member), "vip",
                                          3, &out),
                  "explain")) {
    pb_reader x = reader(out.data, out.len);
    while (pb_next(&x)) {
      if (x.wire == 2 && x.field == 2) {
        printf("why %.*s:\n", (int)x.len, (const char*)x.bytes);
      } else if (x.wire == 2 && x.field == 4) {
        printf("  rule: %.*s\n", (int)x.len, (const char*)x.bytes);
      } else if (x.wire == 2 && x.field == 5) {
        printf("  %.*s\n", (int)x.len, (const char*)x.bytes);
      } else if (x.wire == 2 && x.field == 6) {
        pb_reader k = reader(x.bytes, x.len);
        const uint8_t *label = NULL, *metric = NULL, *op = NULL;
        size_t label_len = 0, metric_len = 0, op_len = 0;
        double value = 0, threshold = 0;
        int holds = 0;
        while (pb_next(&k)) {
          if (k.wire == 2 && k.field == 2) label = k.bytes, label_len = k.len;
          if (k.wire == 2 && k.field == 3) metric = k.bytes, metric_len = k.len;
          if (k.wire == 2 && k.field == 6) op = k.bytes, op_len = k.len;
          if (k.wire == 1 && k.field == 4) value = pb_double(&k);
          if (k.wire == 1 && k.field == 7) threshold = pb_double(&k);
          if (k.wire == 0 && k.field == 9) holds = k.varint != 0;
        }
        if (metric == NULL) continue;
        printf("  [%s] %.*s: %.0f %.*s %.0f\n", holds ? "x" : " ",
               (int)(label ? label_len : metric_len),
               (const char*)(label ? label : metric), value, (int)op_len,
               op ? (const char*)op : "?", threshold);
      }
    }
  } else {
    ok = 0;
  }
  standing_buffer_free(&out);

  standing_engine_close(engine);
  return ok ? 0 : 1;
}
