// Instants (whole seconds since the epoch, UTC) into protobuf Timestamps.
#ifndef STANDING_SRC_PROTO_TIME_H_
#define STANDING_SRC_PROTO_TIME_H_

#include <cstdint>

#include "google/protobuf/timestamp.pb.h"

namespace standing {

// Sets `ts` to the instant `t` (whole seconds); returns it.
inline google::protobuf::Timestamp* Stamp(int64_t t,
                                          google::protobuf::Timestamp* ts) {
  ts->set_seconds(t);
  ts->set_nanos(0);
  return ts;
}

}  // namespace standing

#endif  // STANDING_SRC_PROTO_TIME_H_
