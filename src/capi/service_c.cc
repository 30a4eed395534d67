// The C ABI of the service-level queries (include/standing/standing.h,
// "Service levels"; docs/service-levels.md): entitlements, service
// requests and breaches, overdue cadences and tasks, manager capacity,
// compliance with percentage targets and duration arithmetic.
//
// Every function is a read of the engine. Conventions as in standing_c.cc
// (capi/common.h): exceptions never cross the boundary, inputs are checked
// before anything is parsed, result messages are per-thread scratch reused
// across calls, so a call allocates only its result buffer once warm.
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "capi/common.h"
#include "capi/engine_handle.h"
#include "standing/engine.h"
#include "standing/standing.h"
#include "standing/v1/policy.pb.h"
#include "standing/v1/service.pb.h"

namespace {

namespace v1 = standing::v1;

using standing::capi::CheckBytes;
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

// Per-thread messages: inputs are parsed into them, results written into
// them (the engine overwrites its outputs and reuses their memory).
struct ServiceScratch {
  v1::EntitlementSet entitlements;
  v1::RequestStatus request;
  v1::BreachList breaches;
  v1::OverdueQuery query;
  v1::OverdueList overdue;
  v1::CapacityReport capacity;
  v1::ComplianceReport compliance;
  v1::DurationSpec duration;
};

ServiceScratch& Tls() {
  thread_local ServiceScratch scratch;
  return scratch;
}

// The common prologue of a query: engine and output present.
standing_status CheckCall(const standing_engine* engine, const void* out,
                          const char* out_name) {
  if (engine == nullptr) return NullEngine();
  if (out == nullptr) return NullOutput(out_name);
  return STANDING_OK;
}

standing_status CheckLimit(int32_t limit) {
  if (limit < 0) {
    return Fail(STANDING_INVALID_ARGUMENT,
                absl::StrCat("limit must not be negative, not ", limit));
  }
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

// Parses `data` into the per-thread `*msg` (cleared first); an unparsable
// message is MALFORMED_MESSAGE.
standing_status Parse(const uint8_t* data, size_t len, const char* what,
                      const char* type, google::protobuf::MessageLite* msg) {
  msg->Clear();
  if (len != 0 && !msg->ParseFromArray(data, static_cast<int>(len))) {
    return Fail(STANDING_MALFORMED_MESSAGE,
                absl::StrCat(what, " (", len, " bytes) is not a valid ", type));
  }
  return STANDING_OK;
}

}  // namespace

extern "C" {

standing_status standing_engine_resolve_entitlements(
    const standing_engine* engine, const char* id, size_t id_len,
    standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    s = CheckText(id, id_len, engine->max_message_bytes, "customer id", false);
    if (s != STANDING_OK) return s;
    v1::EntitlementSet& set = Tls().entitlements;
    return Finish(engine->engine->ResolveEntitlements(View(id, id_len), &set),
                  set, out);
  });
}

standing_status standing_engine_get_request(const standing_engine* engine,
                                            const char* id, size_t id_len,
                                            const char* request_id,
                                            size_t request_id_len,
                                            int64_t as_of_seconds,
                                            standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    size_t max = engine->max_message_bytes;
    s = CheckText(id, id_len, max, "customer id", false);
    if (s != STANDING_OK) return s;
    s = CheckText(request_id, request_id_len, max, "request id", false);
    if (s != STANDING_OK) return s;
    v1::RequestStatus& r = Tls().request;
    return Finish(engine->engine->GetRequest(View(id, id_len),
                                             View(request_id, request_id_len),
                                             as_of_seconds, &r),
                  r, out);
  });
}

standing_status standing_engine_preview_request(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* request_type, size_t request_type_len, const char* priority,
    size_t priority_len, int64_t at_seconds, standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    size_t max = engine->max_message_bytes;
    s = CheckText(id, id_len, max, "customer id", false);
    if (s != STANDING_OK) return s;
    s = CheckText(request_type, request_type_len, max, "request type", true);
    if (s != STANDING_OK) return s;
    s = CheckText(priority, priority_len, max, "priority", true);
    if (s != STANDING_OK) return s;
    int64_t at = at_seconds != 0 ? at_seconds : engine->engine->clock();
    v1::RequestStatus& r = Tls().request;
    return Finish(engine->engine->PreviewRequest(
                      View(id, id_len), View(request_type, request_type_len),
                      View(priority, priority_len), at, &r),
                  r, out);
  });
}

standing_status standing_engine_list_breaches(const standing_engine* engine,
                                              int64_t as_of_seconds,
                                              int32_t limit,
                                              standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    s = CheckLimit(limit);
    if (s != STANDING_OK) return s;
    v1::BreachList& list = Tls().breaches;
    return Finish(engine->engine->ListBreaches(as_of_seconds, limit, &list),
                  list, out);
  });
}

standing_status standing_engine_list_overdue(const standing_engine* engine,
                                             const uint8_t* query,
                                             size_t query_len,
                                             standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    s = CheckBytes(query, query_len, engine->max_message_bytes, "query",
                   /*allow_empty=*/true);
    if (s != STANDING_OK) return s;
    ServiceScratch& tls = Tls();
    v1::OverdueQuery& q = tls.query;
    s = Parse(query, query_len, "query", "standing.v1.OverdueQuery", &q);
    if (s != STANDING_OK) return s;
    if (!v1::OverdueQuery::Kind_IsValid(q.kind())) {
      return Fail(STANDING_INVALID_ARGUMENT,
                  absl::StrCat("query.kind: unknown value ", q.kind()));
    }
    if (q.limit() < 0) {
      return Fail(
          STANDING_INVALID_ARGUMENT,
          absl::StrCat("query.limit must not be negative, not ", q.limit()));
    }
    return Finish(engine->engine->ListOverdue(q, &tls.overdue), tls.overdue,
                  out);
  });
}

standing_status standing_engine_capacity_report(const standing_engine* engine,
                                                int32_t limit,
                                                standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    s = CheckLimit(limit);
    if (s != STANDING_OK) return s;
    v1::CapacityReport& report = Tls().capacity;
    return Finish(engine->engine->GetCapacityReport(limit, &report), report,
                  out);
  });
}

standing_status standing_engine_compliance(const standing_engine* engine,
                                           standing_buffer* out) {
  Reset(out);
  return Guard([&] {
    standing_status s = CheckCall(engine, out, "out");
    if (s != STANDING_OK) return s;
    v1::ComplianceReport& report = Tls().compliance;
    return Finish(engine->engine->GetCompliance(&report), report, out);
  });
}

standing_status standing_engine_add_duration(const standing_engine* engine,
                                             int64_t at_seconds,
                                             const uint8_t* duration,
                                             size_t duration_len,
                                             int64_t* out_seconds) {
  return Guard([&] {
    standing_status s = CheckCall(engine, out_seconds, "out_seconds");
    if (s != STANDING_OK) return s;
    s = CheckBytes(duration, duration_len, engine->max_message_bytes,
                   "duration", /*allow_empty=*/false);
    if (s != STANDING_OK) return s;
    v1::DurationSpec& d = Tls().duration;
    s = Parse(duration, duration_len, "duration", "standing.v1.DurationSpec",
              &d);
    if (s != STANDING_OK) return s;
    if (!v1::DurationSpec::Unit_IsValid(d.unit())) {
      return Fail(STANDING_INVALID_ARGUMENT,
                  absl::StrCat("duration.unit: unknown value ", d.unit()));
    }
    absl::StatusOr<int64_t> end = engine->engine->AddDuration(at_seconds, d);
    if (!end.ok()) return FromAbsl(end.status());
    *out_seconds = *end;
    return Ok();
  });
}

}  // extern "C"
