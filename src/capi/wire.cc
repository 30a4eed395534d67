#include "capi/wire.h"

#include <climits>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"

namespace standing::capi {
namespace {

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && p < end; shift += 7) {
    uint8_t b = *p++;
    v |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

// Reusing an Event: Clear() deletes the oneof member and `at`, so parsing
// the next event allocates them again. When the next event has the same
// kind and an `at`, clearing their contents instead keeps the memory. This
// is only done while Event has exactly the fields known here (customer_id,
// at, event_id and the oneof `kind` with the members ClearKind knows);
// otherwise every event is Clear()ed. A new field in event.proto therefore
// only costs speed until it is added here (and EventShape checks the count).
struct EventShape {
  bool known = false;
  const google::protobuf::FieldDescriptor* kind[64] = {};
  EventShape() {
    const google::protobuf::Descriptor* d = v1::Event::descriptor();
    if (d->oneof_decl_count() != 1) return;
    const google::protobuf::OneofDescriptor* o = d->oneof_decl(0);
    if (d->field_count() != 3 + o->field_count() || o->field_count() != 12) {
      return;
    }
    for (int i = 0; i < o->field_count(); ++i) {
      const int n = o->field(i)->number();
      if (n <= 3 || n >= 64) return;
      kind[n] = o->field(i);
    }
    known = d->FindFieldByNumber(1) != nullptr &&
            d->FindFieldByNumber(2) != nullptr &&
            d->FindFieldByNumber(3) != nullptr;
  }
};

const EventShape& Shape() {
  static const EventShape shape;
  return shape;
}

// The last oneof field number among the top-level fields of the Event in
// p[0..n) and whether `at` (2) is there; false when the bytes do not scan
// (the full parse then reports the error).
bool ScanEvent(const uint8_t* p, const uint8_t* end, int* kind, bool* at) {
  *kind = 0;
  *at = false;
  while (p < end) {
    uint64_t tag, v;
    if (!ReadVarint(p, end, &tag)) return false;
    const uint64_t field = tag >> 3;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(p, end, &v)) return false;
        break;
      case 1:
        if (end - p < 8) return false;
        p += 8;
        break;
      case 5:
        if (end - p < 4) return false;
        p += 4;
        break;
      case 2:
        if (!ReadVarint(p, end, &v) || v > static_cast<uint64_t>(end - p)) {
          return false;
        }
        p += v;
        if (field == 2) *at = true;
        if (field > 3 && field < 64) *kind = static_cast<int>(field);
        break;
      default:
        return false;
    }
  }
  return true;
}

// Clears the contents of the set oneof member, keeping its memory; false
// for a kind this code does not know.
bool ClearKind(v1::Event* e) {
  switch (e->kind_case()) {
    case v1::Event::kEnrolled:
      e->mutable_enrolled()->Clear();
      return true;
    case v1::Event::kPurchase:
      e->mutable_purchase()->Clear();
      return true;
    case v1::Event::kInvoice:
      e->mutable_invoice()->Clear();
      return true;
    case v1::Event::kPayment:
      e->mutable_payment()->Clear();
      return true;
    case v1::Event::kObligation:
      e->mutable_obligation()->Clear();
      return true;
    case v1::Event::kContact:
      e->mutable_contact()->Clear();
      return true;
    case v1::Event::kComplaint:
      e->mutable_complaint()->Clear();
      return true;
    case v1::Event::kServiceRequest:
      e->mutable_service_request()->Clear();
      return true;
    case v1::Event::kAttributeChange:
      e->mutable_attribute_change()->Clear();
      return true;
    case v1::Event::kTierGrant:
      e->mutable_tier_grant()->Clear();
      return true;
    case v1::Event::kTierRevoke:
      e->mutable_tier_revoke()->Clear();
      return true;
    case v1::Event::kBalance:
      e->mutable_balance()->Clear();
      return true;
    default:
      return false;
  }
}

// Parses p[0..n) into `e`, reusing its memory where that is safe.
bool ParseEvent(const uint8_t* p, size_t n, v1::Event* e) {
  const EventShape& shape = Shape();
  int kind;
  bool at;
  if (shape.known && e->has_at() && e->kind_case() != 0 &&
      ScanEvent(p, p + n, &kind, &at) && at && kind == e->kind_case() &&
      shape.kind[kind] != nullptr) {
    const google::protobuf::Reflection* r = e->GetReflection();
    if (!r->GetUnknownFields(*e).empty()) r->MutableUnknownFields(e)->Clear();
    e->clear_customer_id();
    e->clear_event_id();
    e->mutable_at()->Clear();
    if (!ClearKind(e)) return e->ParseFromArray(p, static_cast<int>(n));
    google::protobuf::io::CodedInputStream in(p, static_cast<int>(n));
    return e->MergeFromCodedStream(&in) && in.ConsumedEntireMessage();
  }
  return e->ParseFromArray(p, static_cast<int>(n));
}

}  // namespace

bool ParseEventBatch(const uint8_t* data, size_t len,
                     std::vector<v1::Event>* events, size_t* count,
                     std::string* error) {
  const uint8_t* p = data;
  const uint8_t* end = data + len;
  size_t n = 0;
  auto fail = [&](const char* what) {
    *error =
        absl::StrCat("event batch (", len,
                     " bytes) is not a valid standing.v1.EventBatch: ", what,
                     " at byte ", p - data);
    *count = 0;
    return false;
  };
  while (p < end) {
    uint64_t tag;
    if (!ReadVarint(p, end, &tag)) return fail("truncated tag");
    uint64_t field = tag >> 3;
    if (field == 0 || field > 0x1FFFFFFF) return fail("bad field number");
    uint64_t v;
    switch (tag & 7) {
      case 0:
        if (!ReadVarint(p, end, &v)) return fail("truncated varint");
        break;
      case 1:
        if (end - p < 8) return fail("truncated fixed64");
        p += 8;
        break;
      case 5:
        if (end - p < 4) return fail("truncated fixed32");
        p += 4;
        break;
      case 2: {
        if (!ReadVarint(p, end, &v)) return fail("truncated length");
        if (v > static_cast<uint64_t>(end - p) || v > INT_MAX) {
          return fail("length beyond the end");
        }
        if (field == 1) {
          if (n == events->size()) events->emplace_back();
          if (!ParseEvent(p, static_cast<size_t>(v), &(*events)[n])) {
            *error =
                absl::StrCat("events[", n, "]: not a valid standing.v1.Event");
            *count = 0;
            return false;
          }
          ++n;
        }
        p += v;
        break;
      }
      default:
        return fail("unsupported wire type");
    }
  }
  *count = n;
  return true;
}

}  // namespace standing::capi
