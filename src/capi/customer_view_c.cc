// The narrow customer reads of the C ABI: a customer with a chosen view
// (standing_engine_get_customer_view) and the tier index of one program
// (standing_engine_get_tier). Conventions: docs/c-abi.md.
#include <cstring>
#include <string>

#include "capi/common.h"
#include "capi/engine_handle.h"
#include "standing/standing.h"

using standing::capi::Allocate;
using standing::capi::CheckText;
using standing::capi::Fail;
using standing::capi::FromAbsl;
using standing::capi::Guard;
using standing::capi::NullEngine;
using standing::capi::NullOutput;
using standing::capi::Ok;
using standing::capi::Reset;
using standing::capi::View;

standing_status standing_engine_get_customer_view(const standing_engine* engine,
                                                  const char* id, size_t id_len,
                                                  standing_customer_view view,
                                                  standing_buffer* customer) {
  Reset(customer);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (customer == nullptr) return NullOutput("customer");
    standing::Engine::CustomerView v;
    switch (view) {
      case STANDING_VIEW_FULL:
        v = standing::Engine::CustomerView::kFull;
        break;
      case STANDING_VIEW_STANDING:
        v = standing::Engine::CustomerView::kStanding;
        break;
      default:
        return Fail(
            STANDING_INVALID_ARGUMENT,
            absl::StrCat("unknown customer view ", static_cast<int>(view)));
    }
    standing_status s =
        CheckText(id, id_len, engine->max_message_bytes, "customer id", false);
    if (s != STANDING_OK) return s;
    // The bytes are written into a per-thread string whose capacity is kept,
    // then copied into the caller's buffer (one malloc per call).
    thread_local std::string bytes;
    absl::Status st =
        engine->engine->GetCustomerBytes(View(id, id_len), v, &bytes);
    if (!st.ok()) return FromAbsl(st);
    s = Allocate(bytes.size(), customer);
    if (s != STANDING_OK) return s;
    if (!bytes.empty()) std::memcpy(customer->data, bytes.data(), bytes.size());
    return Ok();
  });
}

standing_status standing_engine_get_tier(const standing_engine* engine,
                                         const char* id, size_t id_len,
                                         const char* program,
                                         size_t program_len,
                                         int32_t* tier_index) {
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (tier_index == nullptr) return NullOutput("tier_index");
    const size_t max = engine->max_message_bytes;
    standing_status s = CheckText(id, id_len, max, "customer id", false);
    if (s != STANDING_OK) return s;
    s = CheckText(program, program_len, max, "program", false);
    if (s != STANDING_OK) return s;
    int tier = 0;
    absl::Status st = engine->engine->GetTierIndex(
        View(id, id_len), View(program, program_len), &tier);
    if (!st.ok()) return FromAbsl(st);
    *tier_index = tier;
    return Ok();
  });
}
