// Parsing a standing.v1.EventBatch straight into a vector of events.
#ifndef STANDING_CAPI_WIRE_H_
#define STANDING_CAPI_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "standing/v1/event.pb.h"

namespace standing::capi {

// Parses the serialized EventBatch `data[0..len)` into `(*events)[0..*count)`.
// Elements of `*events` are reused (their memory is kept between calls) and
// the vector only grows. Unknown fields of the batch are skipped. Returns
// false with a message in `*error` when the bytes are not a valid batch.
bool ParseEventBatch(const uint8_t* data, size_t len,
                     std::vector<v1::Event>* events, size_t* count,
                     std::string* error);

// The hand-written decoding ParseEventBatch tries first: purchases,
// invoices and payments, with customer_id, at (seconds, nanos) and optional
// event_id, each field at most once, into `e`, reusing its strings and
// sub-messages. `e` must hold no unknown fields (ParseEventBatch drops them
// after a libprotobuf parse). Returns false (with `e` in an unspecified
// state) for anything else, which ParseEventBatch then parses with
// libprotobuf; so what this accepts it decodes exactly as libprotobuf
// would, proto3 strings valid UTF-8 (tests/wire_test.cc compares them).
bool ParseEventFast(const uint8_t* p, const uint8_t* end, v1::Event* e);

}  // namespace standing::capi

#endif  // STANDING_CAPI_WIRE_H_
