#include "capi/wire.h"

#include <climits>
#include <cstring>
#include <initializer_list>
#include <string>

#include "absl/strings/str_cat.h"
#include "capi/utf8.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/unknown_field_set.h"

namespace standing::capi {
namespace {

inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out) {
  // Tags, lengths and small values are one byte.
  if (p < end && *p < 0x80) {
    *out = *p++;
    return true;
  }
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
// at, event_id and the oneof `kind`; members ClearKind does not know are
// Clear()ed); otherwise every event is Clear()ed. A new field outside the
// oneof in event.proto therefore only costs speed until it is added here.
struct EventShape {
  bool known = false;
  const google::protobuf::FieldDescriptor* kind[64] = {};
  EventShape() {
    const google::protobuf::Descriptor* d = v1::Event::descriptor();
    if (d->oneof_decl_count() != 1) return;
    const google::protobuf::OneofDescriptor* o = d->oneof_decl(0);
    if (d->field_count() != 3 + o->field_count()) return;
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
    case v1::Event::kOrderPlaced:
      e->mutable_order_placed()->Clear();
      return true;
    case v1::Event::kOrderCancelled:
      e->mutable_order_cancelled()->Clear();
      return true;
    case v1::Event::kCreditApproval:
      e->mutable_credit_approval()->Clear();
      return true;
    case v1::Event::kLimitIncrease:
      e->mutable_limit_increase()->Clear();
      return true;
    default:
      return false;
  }
}

// Fields of the messages the fast path decodes (event.proto, timestamp.proto).
constexpr uint32_t kEventCustomerId = 1, kEventAt = 2, kEventEventId = 3,
                   kEventPurchase = 11, kEventInvoice = 12, kEventPayment = 13;
constexpr uint32_t kTimestampSeconds = 1, kTimestampNanos = 2;
constexpr uint32_t kPurchaseAmount = 1, kPurchaseCurrency = 2,
                   kPurchaseCategory = 3, kPurchaseChannel = 4,
                   kPurchaseQuantity = 5;
constexpr uint32_t kInvoiceId = 1, kInvoiceAmount = 2, kInvoiceCurrency = 3,
                   kInvoiceDueAt = 4, kInvoiceOrderId = 5;
constexpr uint32_t kPaymentId = 1, kPaymentAmount = 2, kPaymentCurrency = 3,
                   kPaymentInvoiceId = 4;

// One length-delimited or varint field read by the fast path.
struct Field {
  uint32_t number = 0;
  uint32_t wire = 0;
  uint64_t varint = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Reads the next field of p[..end); false on anything but a varint or a
// length-delimited field, or bytes that do not scan.
inline bool NextField(const uint8_t*& p, const uint8_t* end, Field* f) {
  uint64_t tag;
  if (!ReadVarint(p, end, &tag) || (tag >> 3) == 0 || (tag >> 3) > 63) {
    return false;
  }
  f->number = static_cast<uint32_t>(tag >> 3);
  f->wire = static_cast<uint32_t>(tag & 7);
  if (f->wire == 0) return ReadVarint(p, end, &f->varint);
  if (f->wire != 2) return false;
  uint64_t n;
  if (!ReadVarint(p, end, &n) || n > static_cast<uint64_t>(end - p)) {
    return false;
  }
  f->data = p;
  f->size = static_cast<size_t>(n);
  p += n;
  return true;
}

inline bool Utf8(const Field& f) {
  // Short ASCII strings (ids, codes) are the common case: OR the bytes and
  // test the high bit before the full check.
  uint64_t any = 0;
  size_t i = 0;
  for (uint64_t w; i + 8 <= f.size; i += 8) {
    std::memcpy(&w, f.data + i, 8);
    any |= w;
  }
  for (; i < f.size; ++i) any |= f.data[i];
  if ((any & 0x8080808080808080ull) == 0) return true;
  return capi::FirstInvalidUtf8(reinterpret_cast<const char*>(f.data),
                                f.size) == f.size;
}

// Drops unknown fields a previous (libprotobuf) parse left in `m`.
inline void ClearUnknown(google::protobuf::Message* m) {
  const google::protobuf::Reflection* r = m->GetReflection();
  if (!r->GetUnknownFields(*m).empty()) r->MutableUnknownFields(m)->Clear();
}

inline const char* Chars(const Field& f) {
  return reinterpret_cast<const char*>(f.data);
}

// Copies the field into a reused string. Through mutable_*() rather than
// set_*(const char*, size_t), which in protobuf 3.21 builds a temporary
// std::string and assigns that (two copies and a library call per field).
inline void Assign(std::string* s, const Field& f) {
  s->assign(Chars(f), f.size);
}

// Assign for fields with few distinct values (currency, category, channel):
// the reused event mostly holds the same value already, and comparing a
// few bytes costs less than the library call that copies them.
inline void AssignIfChanged(std::string* s, const Field& f) {
  if (s->size() == f.size) {
    size_t i = 0;
    while (i < f.size && (*s)[i] == Chars(f)[i]) ++i;
    if (i == f.size) return;
  }
  s->assign(Chars(f), f.size);
}

// True while the messages have exactly the fields ParseEventFast sets or
// clears: a field added to Event (outside the oneof), Timestamp, Purchase,
// Invoice or Payment would otherwise keep a stale value in a reused event,
// so the hand-written path turns itself off until it is taught the new
// field.
bool FastPathFieldsKnown() {
  static const bool known = [] {
    namespace pb = google::protobuf;
    const pb::Descriptor* event = v1::Event::descriptor();
    const pb::Descriptor* ts = pb::Timestamp::descriptor();
    const auto has = [](const pb::Descriptor* d, int count,
                        std::initializer_list<uint32_t> numbers) {
      if (d->field_count() != count) return false;
      for (uint32_t n : numbers) {
        if (d->FindFieldByNumber(static_cast<int>(n)) == nullptr) return false;
      }
      return true;
    };
    const auto kind = [event](uint32_t number, const pb::Descriptor* type) {
      const pb::FieldDescriptor* f =
          event->FindFieldByNumber(static_cast<int>(number));
      return f != nullptr && f->message_type() == type;
    };
    const pb::FieldDescriptor* due =
        v1::Invoice::descriptor()->FindFieldByNumber(kInvoiceDueAt);
    return event->oneof_decl_count() == 1 &&
           has(event, 3 + event->oneof_decl(0)->field_count(),
               {kEventCustomerId, kEventAt, kEventEventId}) &&
           has(ts, 2, {kTimestampSeconds, kTimestampNanos}) &&
           kind(kEventPurchase, v1::Purchase::descriptor()) &&
           kind(kEventInvoice, v1::Invoice::descriptor()) &&
           kind(kEventPayment, v1::Payment::descriptor()) &&
           has(v1::Purchase::descriptor(), 5,
               {kPurchaseAmount, kPurchaseCurrency, kPurchaseCategory,
                kPurchaseChannel, kPurchaseQuantity}) &&
           has(v1::Invoice::descriptor(), 5,
               {kInvoiceId, kInvoiceAmount, kInvoiceCurrency, kInvoiceDueAt,
                kInvoiceOrderId}) &&
           due != nullptr && due->message_type() == ts &&
           has(v1::Payment::descriptor(), 4,
               {kPaymentId, kPaymentAmount, kPaymentCurrency,
                kPaymentInvoiceId});
  }();
  return known;
}

// Field numbers seen in one message, each allowed once: a repeated
// singular field (legal protobuf, last one wins) is left to libprotobuf.
class Seen {
 public:
  bool First(uint32_t number) {
    const uint64_t bit = uint64_t{1} << number;
    if (bits_ & bit) return false;
    bits_ |= bit;
    return true;
  }
  bool Has(uint32_t number) const { return (bits_ >> number) & 1; }

 private:
  uint64_t bits_ = 0;
};

// Calls `field(f)` for each field of the message `m` (a length-delimited
// field's bytes); false when the bytes do not scan, a field number
// repeats or `field` returns false. `seen` tells the caller which came.
template <class Handler>
bool ForEachField(const Field& m, Seen* seen, Handler&& field) {
  Field f;
  for (const uint8_t *q = m.data, *qe = m.data + m.size; q < qe;) {
    if (!NextField(q, qe, &f) || !seen->First(f.number) || !field(f)) {
      return false;
    }
  }
  return true;
}

// An int64 field (proto3 varint; negative values take ten bytes).
bool Int64(const Field& f, int64_t* out) {
  *out = static_cast<int64_t>(f.varint);
  return f.wire == 0;
}

// A string field: valid UTF-8 (proto3), assigned by `assign`.
template <void (*assign)(std::string*, const Field&)>
bool String(const Field& f, std::string* s) {
  if (f.wire != 2 || !Utf8(f)) return false;
  assign(s, f);
  return true;
}

bool ParseTimestamp(const Field& m, google::protobuf::Timestamp* ts) {
  int64_t seconds = 0, nanos = 0;
  Seen seen;
  const bool ok = ForEachField(m, &seen, [&](const Field& f) {
    switch (f.number) {
      case kTimestampSeconds:
        return Int64(f, &seconds);
      case kTimestampNanos:
        return Int64(f, &nanos);
      default:
        return false;
    }
  });
  if (!ok) return false;
  ts->set_seconds(seconds);
  // int32 on the wire: libprotobuf keeps the low 32 bits.
  ts->set_nanos(static_cast<int32_t>(static_cast<uint32_t>(nanos)));
  return true;
}

bool ParsePurchase(const Field& m, v1::Purchase* pu) {
  int64_t amount = 0, quantity = 0;
  Seen seen;
  const bool ok = ForEachField(m, &seen, [&](const Field& f) {
    switch (f.number) {
      case kPurchaseAmount:
        return Int64(f, &amount);
      case kPurchaseQuantity:
        return Int64(f, &quantity);
      case kPurchaseCurrency:
        return String<AssignIfChanged>(f, pu->mutable_currency());
      case kPurchaseCategory:
        return String<AssignIfChanged>(f, pu->mutable_category());
      case kPurchaseChannel:
        return String<AssignIfChanged>(f, pu->mutable_channel());
      default:
        return false;
    }
  });
  if (!ok) return false;
  pu->set_amount(amount);
  pu->set_quantity(quantity);
  if (!seen.Has(kPurchaseCurrency)) pu->clear_currency();
  if (!seen.Has(kPurchaseCategory)) pu->clear_category();
  if (!seen.Has(kPurchaseChannel)) pu->clear_channel();
  return true;
}

bool ParseInvoice(const Field& m, v1::Invoice* inv) {
  int64_t amount = 0;
  Seen seen;
  const bool ok = ForEachField(m, &seen, [&](const Field& f) {
    switch (f.number) {
      case kInvoiceAmount:
        return Int64(f, &amount);
      case kInvoiceId:
        return String<Assign>(f, inv->mutable_invoice_id());
      case kInvoiceCurrency:
        return String<AssignIfChanged>(f, inv->mutable_currency());
      case kInvoiceOrderId:
        return String<Assign>(f, inv->mutable_order_id());
      case kInvoiceDueAt:
        return f.wire == 2 && ParseTimestamp(f, inv->mutable_due_at());
      default:
        return false;
    }
  });
  if (!ok) return false;
  inv->set_amount(amount);
  if (!seen.Has(kInvoiceId)) inv->clear_invoice_id();
  if (!seen.Has(kInvoiceCurrency)) inv->clear_currency();
  if (!seen.Has(kInvoiceOrderId)) inv->clear_order_id();
  if (!seen.Has(kInvoiceDueAt) && inv->has_due_at()) inv->clear_due_at();
  return true;
}

bool ParsePayment(const Field& m, v1::Payment* pay) {
  int64_t amount = 0;
  Seen seen;
  const bool ok = ForEachField(m, &seen, [&](const Field& f) {
    switch (f.number) {
      case kPaymentAmount:
        return Int64(f, &amount);
      case kPaymentId:
        return String<Assign>(f, pay->mutable_payment_id());
      case kPaymentCurrency:
        return String<AssignIfChanged>(f, pay->mutable_currency());
      case kPaymentInvoiceId:
        return String<Assign>(f, pay->mutable_invoice_id());
      default:
        return false;
    }
  });
  if (!ok) return false;
  pay->set_amount(amount);
  if (!seen.Has(kPaymentId)) pay->clear_payment_id();
  if (!seen.Has(kPaymentCurrency)) pay->clear_currency();
  if (!seen.Has(kPaymentInvoiceId)) pay->clear_invoice_id();
  return true;
}

// Parses p[0..n) into `e`, reusing its memory where that is safe.
bool ParseEventSlow(const uint8_t* p, size_t n, v1::Event* e) {
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

// Parses p[0..n) into `e`: purchases, invoices and payments by hand,
// anything else with libprotobuf. Unknown fields are dropped after a
// libprotobuf parse (the engine never reads them), so that the hand-written
// path, which reuses the event, need not look for them (a reflection call per
// event).
bool ParseEvent(const uint8_t* p, size_t n, v1::Event* e) {
  if (ParseEventFast(p, p + n, e)) return true;
  if (!ParseEventSlow(p, n, e)) return false;
  ClearUnknown(e);
  if (e->has_at()) ClearUnknown(e->mutable_at());
  if (e->has_purchase()) ClearUnknown(e->mutable_purchase());
  if (e->has_invoice()) {
    ClearUnknown(e->mutable_invoice());
    if (e->invoice().has_due_at()) {
      ClearUnknown(e->mutable_invoice()->mutable_due_at());
    }
  }
  if (e->has_payment()) ClearUnknown(e->mutable_payment());
  return true;
}

}  // namespace

bool ParseEventFast(const uint8_t* p, const uint8_t* end, v1::Event* e) {
  if (!FastPathFieldsKnown()) return false;
  Field event, at, kind;
  int kinds = 0;
  event.data = p;
  event.size = static_cast<size_t>(end - p);
  Seen seen;
  const bool ok = ForEachField(event, &seen, [&](const Field& f) {
    switch (f.number) {
      case kEventCustomerId:
        return String<Assign>(f, e->mutable_customer_id());
      case kEventEventId:
        return String<Assign>(f, e->mutable_event_id());
      case kEventAt:
        at = f;
        return f.wire == 2;
      case kEventPurchase:
      case kEventInvoice:
      case kEventPayment:
        kind = f;
        // Two kinds of the oneof (the last wins): left to libprotobuf.
        return f.wire == 2 && ++kinds == 1;
      default:
        return false;
    }
  });
  if (!ok || !seen.Has(kEventAt) || kind.number == 0) return false;
  if (!seen.Has(kEventCustomerId)) e->clear_customer_id();
  if (!seen.Has(kEventEventId)) e->clear_event_id();
  if (!ParseTimestamp(at, e->mutable_at())) return false;
  switch (kind.number) {
    case kEventPurchase:
      return ParsePurchase(kind, e->mutable_purchase());
    case kEventInvoice:
      return ParseInvoice(kind, e->mutable_invoice());
    default:
      return ParsePayment(kind, e->mutable_payment());
  }
}

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
