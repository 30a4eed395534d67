// The C ABI of credit (include/standing/standing.h, "Credit";
// docs/credit.md): the credit check, the role-filtered credit record and
// the credit report.
//
// Every function is a read of the engine. Conventions as in standing_c.cc
// and service_c.cc (capi/common.h): exceptions never cross the boundary,
// inputs are checked before the engine sees them, result messages are
// per-thread scratch the engine overwrites, so a warm call allocates only
// its result buffer.
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "capi/common.h"
#include "capi/engine_handle.h"
#include "standing/engine.h"
#include "standing/standing.h"
#include "standing/v1/credit.pb.h"

namespace {

namespace v1 = standing::v1;

using standing::capi::CheckText;
using standing::capi::Fail;
using standing::capi::FromAbsl;
using standing::capi::Guard;
using standing::capi::NullEngine;
using standing::capi::NullOutput;
using standing::capi::Ok;
using standing::capi::Reset;
using standing::capi::ToBuffer;
using standing::capi::View;

// Per-thread result messages (the engine overwrites them and reuses their
// memory: a CreditDecision's findings, a record's invoices).
struct CreditScratch {
  v1::CreditDecision decision;
  v1::CreditRecord record;
  v1::CreditReport report;
};

CreditScratch& Tls() {
  thread_local CreditScratch scratch;
  return scratch;
}

// The common prologue: engine and output present.
standing_status CheckCall(const standing_engine* engine,
                          const standing_buffer* out) {
  if (engine == nullptr) return NullEngine();
  if (out == nullptr) return NullOutput("out");
  return STANDING_OK;
}

// The engine's status, then the result message into `out`.
standing_status Finish(const absl::Status& st,
                       const google::protobuf::MessageLite& result,
                       standing_buffer* out) {
  if (!st.ok()) return FromAbsl(st);
  standing_status s = ToBuffer(result, out);
  return s != STANDING_OK ? s : Ok();
}

}  // namespace

extern "C" {

standing_status standing_engine_check_credit(const standing_engine* engine,
                                             const char* id, size_t id_len,
                                             int64_t amount, int64_t at_seconds,
                                             standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out);
    if (s != STANDING_OK) return s;
    s = CheckText(id, id_len, engine->max_message_bytes, "customer id", false);
    if (s != STANDING_OK) return s;
    if (amount <= 0) {
      // The engine refuses it too, but only under a credit policy; the
      // argument is wrong whatever the policy.
      return Fail(STANDING_INVALID_ARGUMENT,
                  absl::StrCat("check credit: amount must be positive (got ",
                               amount, ")"));
    }
    v1::CreditDecision& d = Tls().decision;
    return Finish(
        engine->engine->CheckCredit(View(id, id_len), amount, at_seconds, &d),
        d, out);
  });
}

standing_status standing_engine_get_credit_record(const standing_engine* engine,
                                                  const char* id, size_t id_len,
                                                  const char* role,
                                                  size_t role_len,
                                                  standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out);
    if (s != STANDING_OK) return s;
    const size_t max = engine->max_message_bytes;
    s = CheckText(id, id_len, max, "customer id", false);
    if (s != STANDING_OK) return s;
    s = CheckText(role, role_len, max, "role", /*allow_empty=*/true);
    if (s != STANDING_OK) return s;
    v1::CreditRecord& r = Tls().record;
    return Finish(engine->engine->GetCreditRecord(View(id, id_len),
                                                  View(role, role_len), &r),
                  r, out);
  });
}

standing_status standing_engine_get_credit_report(const standing_engine* engine,
                                                  int32_t limit,
                                                  standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out);
    if (s != STANDING_OK) return s;
    if (limit < 0) {
      return Fail(STANDING_INVALID_ARGUMENT,
                  absl::StrCat("limit must not be negative, not ", limit));
    }
    v1::CreditReport& report = Tls().report;
    return Finish(engine->engine->GetCreditReport(limit, &report), report, out);
  });
}

}  // extern "C"
