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

}  // namespace standing::capi

#endif  // STANDING_CAPI_WIRE_H_
