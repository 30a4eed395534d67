// The C ABI's batch parser (src/capi/wire.cc) against libprotobuf: the
// hand-written path must decode exactly what libprotobuf decodes, into
// reused events, and leave everything else to libprotobuf.
#include "capi/wire.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace standing::capi {
namespace {

using google::protobuf::util::MessageDifferencer;

const uint8_t* Bytes(const std::string& s) {
  return reinterpret_cast<const uint8_t*>(s.data());
}

v1::Event Envelope(const std::string& customer, int64_t seconds) {
  v1::Event e;
  e.set_customer_id(customer);
  e.mutable_at()->set_seconds(seconds);
  return e;
}

// Events the hand-written path takes.
std::vector<v1::Event> FastEvents() {
  std::vector<v1::Event> out;
  v1::Event e = Envelope("c-001", 1769994000);
  e.set_event_id("ev-1");
  e.mutable_at()->set_nanos(250);
  auto* inv = e.mutable_invoice();
  inv->set_invoice_id("INV-1");
  inv->set_amount(125000);
  inv->set_currency("CNY");
  inv->mutable_due_at()->set_seconds(1772000000);
  inv->set_order_id("SO-9");
  out.push_back(e);

  e = Envelope("c-002", 1769994001);
  e.mutable_invoice()->set_amount(-5);  // refused later, decoded as sent
  out.push_back(e);

  e = Envelope("客户-三", 1769994002);
  e.mutable_invoice()->set_invoice_id("发票-7");
  e.mutable_invoice()->mutable_due_at();  // present, all zero
  out.push_back(e);

  e = Envelope("c-001", 1769994003);
  auto* pay = e.mutable_payment();
  pay->set_payment_id("P-1");
  pay->set_amount(125000);
  pay->set_currency("CNY");
  pay->set_invoice_id("INV-1");
  out.push_back(e);

  e = Envelope("c-004", 1769994004);
  e.mutable_payment()->set_amount(1);  // no invoice: oldest due first
  out.push_back(e);

  e = Envelope("c-005", 1769994005);
  e.mutable_payment();  // empty message
  out.push_back(e);

  e = Envelope("c-006", 1769994006);
  auto* buy = e.mutable_purchase();
  buy->set_amount(990);
  buy->set_currency("EUR");
  buy->set_category("food");
  buy->set_channel("pos");
  buy->set_quantity(3);
  out.push_back(e);

  e = Envelope("", 0);  // empty id and instant: the engine refuses them
  e.mutable_invoice()->set_amount(int64_t{1} << 62);
  out.push_back(e);
  return out;
}

// Events left to libprotobuf, as whole serialized events.
std::vector<std::string> SlowEvents() {
  std::vector<std::string> out;
  v1::Event e = Envelope("c-010", 1769994010);
  e.mutable_enrolled();
  out.push_back(e.SerializeAsString());

  e = Envelope("c-011", 1769994011);
  e.mutable_invoice()->set_invoice_id("INV-U");
  e.mutable_invoice()
      ->GetReflection()
      ->MutableUnknownFields(e.mutable_invoice())
      ->AddVarint(99, 7);
  out.push_back(e.SerializeAsString());

  e = Envelope("c-012", 1769994012);
  e.mutable_payment()->set_amount(3);
  e.GetReflection()->MutableUnknownFields(&e)->AddLengthDelimited(1000, "x");
  out.push_back(e.SerializeAsString());

  // The same event twice: every field repeated, the last one wins.
  e = Envelope("c-013", 1769994013);
  e.mutable_invoice()->set_invoice_id("A");
  v1::Event again = Envelope("c-013b", 1769994014);
  again.mutable_invoice()->set_amount(8);
  again.mutable_invoice()->mutable_due_at()->set_seconds(5);
  out.push_back(e.SerializeAsString() + again.SerializeAsString());

  // Two kinds of the oneof: the last one wins.
  e = Envelope("c-014", 1769994015);
  e.mutable_invoice()->set_amount(4);
  v1::Event kind = Envelope("c-014", 1769994015);
  kind.mutable_payment()->set_amount(4);
  out.push_back(e.SerializeAsString() + kind.payment().SerializeAsString());
  return out;
}

// An EventBatch of the events as given (not re-serialized), so repeated
// fields and unknown fields reach the parser.
std::string Batch(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& bytes : events) {
    out.push_back(static_cast<char>(0x0A));  // field 1, length-delimited
    uint64_t n = bytes.size();
    while (n >= 0x80) {
      out.push_back(static_cast<char>((n & 0x7F) | 0x80));
      n >>= 7;
    }
    out.push_back(static_cast<char>(n));
    out += bytes;
  }
  return out;
}

v1::Event Reference(const std::string& bytes) {
  v1::Event e;
  EXPECT_TRUE(e.ParseFromString(bytes));
  e.DiscardUnknownFields();
  return e;
}

// Equal as the engine sees them: it never reads unknown fields (the parser
// drops them where the hand-written path needs it, not everywhere).
bool SameKnownFields(const v1::Event& got, const v1::Event& want) {
  v1::Event a = got, b = want;
  a.DiscardUnknownFields();
  b.DiscardUnknownFields();
  return MessageDifferencer::Equals(a, b);
}

TEST(Wire, HandWrittenPathTakesPurchasesInvoicesAndPaymentsExactly) {
  for (const v1::Event& want : FastEvents()) {
    const std::string bytes = want.SerializeAsString();
    // Into a fresh event and into one holding another event of each kind.
    for (const v1::Event& before : FastEvents()) {
      v1::Event got = before;
      ASSERT_TRUE(
          ParseEventFast(Bytes(bytes), Bytes(bytes) + bytes.size(), &got))
          << want.ShortDebugString();
      EXPECT_TRUE(MessageDifferencer::Equals(got, want))
          << "after " << before.ShortDebugString() << "\n got "
          << got.ShortDebugString() << "\nwant " << want.ShortDebugString();
    }
  }
}

TEST(Wire, HandWrittenPathDeclinesWhatItDoesNotKnow) {
  for (const std::string& bytes : SlowEvents()) {
    v1::Event got;
    EXPECT_FALSE(
        ParseEventFast(Bytes(bytes), Bytes(bytes) + bytes.size(), &got))
        << Reference(bytes).ShortDebugString();
  }
  // Not valid UTF-8 in a string: libprotobuf refuses proto3 strings.
  v1::Event e = Envelope("c-1", 1769994000);
  e.mutable_invoice()->set_invoice_id(std::string("\xC3\x28", 2));
  const std::string bytes = e.SerializeAsString();
  v1::Event got;
  EXPECT_FALSE(ParseEventFast(Bytes(bytes), Bytes(bytes) + bytes.size(), &got));
}

// Mixed batches into one reused vector, over several rounds and orders:
// every event as libprotobuf reads it (unknown fields dropped).
TEST(Wire, BatchesIntoReusedEventsMatchLibprotobuf) {
  std::vector<std::string> all = SlowEvents();
  for (const v1::Event& e : FastEvents()) all.push_back(e.SerializeAsString());
  std::mt19937_64 rng(7);
  std::vector<v1::Event> events;
  for (int round = 0; round < 20; ++round) {
    std::shuffle(all.begin(), all.end(), rng);
    const std::string batch = Batch(all);
    size_t count = 0;
    std::string error;
    ASSERT_TRUE(
        ParseEventBatch(Bytes(batch), batch.size(), &events, &count, &error))
        << error;
    ASSERT_EQ(count, all.size());
    for (size_t i = 0; i < count; ++i) {
      const v1::Event want = Reference(all[i]);
      EXPECT_TRUE(SameKnownFields(events[i], want))
          << "round " << round << " event " << i << "\n got "
          << events[i].ShortDebugString() << "\nwant "
          << want.ShortDebugString();
    }
  }
}

// Damaged events: accepted exactly when libprotobuf accepts them, and then
// decoded the same.
TEST(Wire, DamagedEventsAgreeWithLibprotobuf) {
  std::vector<std::string> sources;
  for (const v1::Event& e : FastEvents()) {
    sources.push_back(e.SerializeAsString());
  }
  std::mt19937_64 rng(11);
  std::vector<v1::Event> events;
  // libprotobuf logs each invalid UTF-8 string it refuses.
  google::protobuf::LogSilencer quiet;
  int accepted = 0, refused = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bytes = sources[rng() % sources.size()];
    switch (rng() % 3) {
      case 0:
        bytes.resize(rng() % (bytes.size() + 1));
        break;
      case 1:
        if (!bytes.empty()) bytes[rng() % bytes.size()] ^= 1 << (rng() % 8);
        break;
      default:
        if (!bytes.empty()) bytes[rng() % bytes.size()] = char(rng() % 256);
        break;
    }
    v1::Event want;
    const bool ok = want.ParseFromString(bytes);
    const std::string batch = Batch({bytes});
    size_t count = 0;
    std::string error;
    const bool got_ok =
        ParseEventBatch(Bytes(batch), batch.size(), &events, &count, &error);
    ASSERT_EQ(got_ok, ok) << "trial " << trial << ": " << error;
    if (!ok) {
      ++refused;
      continue;
    }
    ++accepted;
    ASSERT_EQ(count, 1u);
    ASSERT_TRUE(SameKnownFields(events[0], want))
        << "trial " << trial << "\n got " << events[0].ShortDebugString()
        << "\nwant " << want.ShortDebugString();
  }
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(refused, 1000);
}

}  // namespace
}  // namespace standing::capi
