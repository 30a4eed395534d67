// standing demo: a year of a retail chain's member base under the retail
// example policy, then a year of service levels (service_demo.h).
//
//   standing_demo [--customers N] [--seed S] [--chunk N] [--policy FILE]
//                 [--service-customers N] [--managers N]
//                 [--service-policy FILE] [--service-only]
//                 [--credit-customers N] [--credit-policy FILE]
//                 [--credit-only]
//
// Generates a reproducible synthetic population (see
// synthetic_population.h), replays its enrolments and purchases through
// Engine::ApplyBatch in time order (running the scheduled reviews at each
// local month start, as a host's scheduler would), runs the year-end review
// of 2027-01-01 00:00 +08:00, prints the tier distributions, the
// transitions, three explained transitions, and a manager's VIP
// nomination. The second phase (skipped with --service-customers 0) runs
// 2026 for a population under examples/policies/service_levels.json with
// account managers, contacts and service requests and prints overdue
// contacts per manager, capacity, breaches and entitlements. The third
// (skipped with --credit-customers 0; credit_demo.h) replays a B2B
// customer base under examples/policies/credit.json: orders checked with
// CheckCredit, invoices, payments, quarterly reviews with approvals, and
// prints grades, approvals, redacted reads and credit checks. Everything
// printed is deterministic except the lines marked "(timing)".
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "credit_demo.h"
#include "demo_util.h"
#include "service_demo.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "synthetic_population.h"

namespace {

using standing_demo::CivilDate;
using standing_demo::Fail;
using standing_demo::Grouped;
using standing_demo::LocalDate;
using standing_demo::LocalMidnight;
using standing_demo::Pad;
using standing_demo::ParseUtcOffset;
using standing_demo::Percent;
using standing_demo::Population;
using standing_demo::SyntheticEvent;
using standing_demo::Yuan;
namespace v1 = standing::v1;

struct Options {
  size_t customers = 100000;
  uint64_t seed = 20260101;
  size_t chunk = 4096;
  std::string policy_path =
      std::string(STANDING_SOURCE_DIR) + "/examples/policies/retail.json";
  // The service-levels phase (0 customers: skipped).
  size_t service_customers = 30000;
  size_t managers = 0;
  bool service_only = false;
  std::string service_policy_path = std::string(STANDING_SOURCE_DIR) +
                                    "/examples/policies/service_levels.json";
  // The credit phase (0 customers: skipped).
  size_t credit_customers = 20000;
  bool credit_only = false;
  std::string credit_policy_path =
      std::string(STANDING_SOURCE_DIR) + "/examples/policies/credit.json";
};

[[noreturn]] void Usage(const char* message) {
  std::fprintf(stderr,
               "%s\nusage: standing_demo [--customers N] [--seed S] "
               "[--chunk N] [--policy FILE]\n"
               "                     [--service-customers N] [--managers N] "
               "[--service-policy FILE] [--service-only]\n"
               "                     [--credit-customers N] "
               "[--credit-policy FILE] [--credit-only]\n",
               message);
  std::exit(2);
}

Options ParseArgs(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    auto number = [&]() -> uint64_t {
      const std::string text = value();
      char* end = nullptr;
      const unsigned long long n = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0') Usage("not a number");
      return n;
    };
    if (arg == "--customers") {
      options.customers = number();
      if (options.customers == 0 || options.customers > 9999999) {
        Usage("--customers must be between 1 and 9999999");
      }
    } else if (arg == "--seed") {
      options.seed = number();
    } else if (arg == "--chunk") {
      options.chunk = std::max<uint64_t>(1, number());
    } else if (arg == "--policy") {
      options.policy_path = value();
    } else if (arg == "--service-customers") {
      options.service_customers = number();
      if (options.service_customers > 9999999) {
        Usage("--service-customers must be at most 9999999");
      }
    } else if (arg == "--managers") {
      options.managers = number();
    } else if (arg == "--service-policy") {
      options.service_policy_path = value();
    } else if (arg == "--service-only") {
      options.service_only = true;
    } else if (arg == "--credit-customers") {
      options.credit_customers = number();
      if (options.credit_customers > 9999999) {
        Usage("--credit-customers must be at most 9999999");
      }
    } else if (arg == "--credit-policy") {
      options.credit_policy_path = value();
    } else if (arg == "--credit-only") {
      options.credit_only = true;
    } else if (arg == "--help" || arg == "-h") {
      Usage("standing demo");
    } else {
      Usage("unknown argument");
    }
  }
  return options;
}

class Clock {
 public:
  explicit Clock(int offset) : offset_(offset) {}
  // "2026-03-14 15:02:11 +08:00".
  std::string Format(int64_t utc) const {
    const CivilDate date = LocalDate(utc, offset_);
    const int64_t local = utc + offset_;
    const int64_t second_of_day = ((local % 86400) + 86400) % 86400;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d %c%02d:%02d",
                  date.year, date.month, date.day,
                  static_cast<int>(second_of_day / 3600),
                  static_cast<int>(second_of_day / 60 % 60),
                  static_cast<int>(second_of_day % 60), offset_ < 0 ? '-' : '+',
                  std::abs(offset_) / 3600, std::abs(offset_) / 60 % 60);
    return buf;
  }
  int offset() const { return offset_; }

 private:
  int offset_;
};

// --- policy inspection ---------------------------------------------------

const v1::TierProgram* FindProgram(const v1::Policy& policy,
                                   std::string_view name) {
  for (const auto& program : policy.tier_programs()) {
    if (program.name() == name) return &program;
  }
  return nullptr;
}

int TierIndex(const v1::Policy& policy, std::string_view program,
              std::string_view tier) {
  const v1::TierProgram* p = FindProgram(policy, program);
  if (p == nullptr) return -1;
  for (int i = 0; i < p->tiers_size(); ++i) {
    if (p->tiers(i).name() == tier) return i;
  }
  return -1;
}

bool DeclaresAttribute(const v1::Policy& policy, std::string_view name,
                       v1::AttributeDecl::Type type) {
  for (const auto& attribute : policy.attributes()) {
    if (attribute.name() == name && attribute.type() == type) return true;
  }
  return false;
}

// --- events ------------------------------------------------------------------

class EventWriter {
 public:
  EventWriter(const v1::Policy& policy, const Population& population)
      : population_(population),
        currency_(policy.currency()),
        birthday_(
            DeclaresAttribute(policy, "birthday", v1::AttributeDecl::DATE)),
        region_(DeclaresAttribute(policy, "region", v1::AttributeDecl::TEXT)) {}

  void Write(const SyntheticEvent& e, v1::Event* out) const {
    out->Clear();
    const standing_demo::SyntheticCustomer& customer =
        population_.customers[e.customer];
    out->set_customer_id(customer.id);
    out->mutable_at()->set_seconds(e.at);
    char id[24];
    std::snprintf(id, sizeof id, "E%08" PRIu32, e.serial);
    out->set_event_id(id);
    if (e.enrolment) {
      auto* attributes = out->mutable_enrolled()->mutable_attributes();
      if (birthday_) {
        v1::Date* date = (*attributes)["birthday"].mutable_date();
        date->set_year(customer.birthday.year);
        date->set_month(customer.birthday.month);
        date->set_day(customer.birthday.day);
      }
      if (region_) {
        (*attributes)["region"].set_text(std::string(customer.region));
      }
      return;
    }
    v1::Purchase* purchase = out->mutable_purchase();
    purchase->set_amount(e.amount);
    purchase->set_currency(currency_);
    purchase->set_category(std::string(CategoryName(e.category)));
    purchase->set_channel(e.serial % 5 == 0 ? "online" : "store");
    purchase->set_quantity(1);
  }

 private:
  const Population& population_;
  std::string currency_;
  bool birthday_;
  bool region_;
};

// --- transitions -------------------------------------------------------------

std::string_view KindName(v1::TransitionKind kind) {
  switch (kind) {
    case v1::UPGRADE:
      return "upgrade";
    case v1::DOWNGRADE:
      return "downgrade";
    case v1::RETAINED:
      return "retained";
    case v1::ENTERED:
      return "entered";
    default:
      return "?";
  }
}

std::string CauseName(v1::Cause cause) {
  std::string name = v1::Cause_Name(cause);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

// Counts of transitions by (program order, program, from, to, kind, cause).
class TransitionTally {
 public:
  explicit TransitionTally(const v1::Policy& policy) : policy_(policy) {}

  void Add(const v1::Transition& t) {
    int program_index = 0;
    for (int i = 0; i < policy_.tier_programs_size(); ++i) {
      if (policy_.tier_programs(i).name() == t.program()) program_index = i;
    }
    ++counts_[Key{program_index, TierIndex(policy_, t.program(), t.from_tier()),
                  TierIndex(policy_, t.program(), t.to_tier()), t.program(),
                  t.from_tier(), t.to_tier(), static_cast<int>(t.kind()),
                  static_cast<int>(t.cause())}];
    ++total_;
  }

  uint64_t total() const { return total_; }

  void Print() const {
    if (counts_.empty()) {
      std::printf("    (none)\n");
      return;
    }
    std::string program;
    uint64_t program_total = 0;
    auto flush = [&] {
      if (!program.empty()) {
        std::printf("    %s %s %10s\n", Pad("", 12).c_str(),
                    Pad("total", 26).c_str(), Grouped(program_total).c_str());
      }
    };
    for (const auto& [key, count] : counts_) {
      if (key.program != program) {
        flush();
        program = key.program;
        program_total = 0;
      }
      program_total += count;
      const std::string from = key.from.empty() ? "(none)" : key.from;
      std::string move = from;
      move.append(" -> ").append(key.to);
      std::printf(
          "    %s %s %10s   %s, cause %s\n", Pad(key.program, 12).c_str(),
          Pad(move, 26).c_str(), Grouped(count).c_str(),
          std::string(KindName(static_cast<v1::TransitionKind>(key.kind)))
              .c_str(),
          CauseName(static_cast<v1::Cause>(key.cause)).c_str());
    }
    flush();
  }

 private:
  struct Key {
    int program_index;
    int from_index;
    int to_index;
    std::string program;
    std::string from;
    std::string to;
    int kind;
    int cause;
    bool operator<(const Key& o) const {
      return std::tie(program_index, from_index, to_index, kind, cause) <
             std::tie(o.program_index, o.from_index, o.to_index, o.kind,
                      o.cause);
    }
  };
  const v1::Policy& policy_;
  std::map<Key, uint64_t> counts_;
  uint64_t total_ = 0;
};

std::string Number(double value) {
  char buf[64];
  if (std::fabs(value - std::round(value)) < 1e-9 && std::fabs(value) < 1e15) {
    return Grouped(static_cast<int64_t>(std::llround(value)));
  }
  std::snprintf(buf, sizeof buf, "%.4g", value);
  return buf;
}

std::string OpSymbol(std::string_view op) {
  if (op == "GE") return ">=";
  if (op == "GT") return ">";
  if (op == "LE") return "<=";
  if (op == "LT") return "<";
  if (op == "EQ") return "==";
  if (op == "NE") return "!=";
  return std::string(op);
}

void PrintExplanation(const v1::Explanation& e) {
  std::printf("    summary: %s\n", e.summary().c_str());
  std::printf("    rule:    %s\n",
              e.rule().empty() ? "(none)" : e.rule().c_str());
  if (!e.qualified_tier().empty()) {
    std::printf("    qualified tier: %s\n", e.qualified_tier().c_str());
  }
  if (!e.event_id().empty()) {
    std::printf("    event:   %s\n", e.event_id().c_str());
  }
  if (e.checks().empty()) {
    std::printf("    checks:  (none)\n");
    return;
  }
  std::printf("    checks:\n");
  for (const v1::Check& c : e.checks()) {
    std::string line = c.holds() ? "      [holds] " : "      [fails] ";
    if (!c.metric().empty()) {
      line.append(c.metric()).append(" = ");
      line.append(c.missing() ? std::string("missing") : Number(c.value()));
      line.append(" ").append(OpSymbol(c.op())).append(" ");
      line.append(Number(c.threshold()));
      if (c.multiplier() != 0 && c.multiplier() != 1) {
        line.append(" (threshold x").append(Number(c.multiplier())).append(")");
      } else {
        line += " (x1)";
      }
    }
    if (!c.detail().empty()) {
      if (!c.metric().empty()) line += "; ";
      line += c.detail();
    }
    std::printf("%s\n", line.c_str());
    if (!c.label().empty() || !c.path().empty()) {
      std::printf("              %s%s%s\n", c.label().c_str(),
                  !c.label().empty() && !c.path().empty() ? "  @ " : "",
                  c.path().c_str());
    }
  }
}

void PrintTransition(const char* title, const v1::Transition& t,
                     const Clock& clock) {
  std::printf("\n  %s\n", title);
  std::printf("    %s  %s: %s -> %s  (%s, cause %s, at %s)\n",
              t.customer_id().c_str(), t.program().c_str(),
              t.from_tier().empty() ? "(none)" : t.from_tier().c_str(),
              t.to_tier().c_str(), std::string(KindName(t.kind())).c_str(),
              CauseName(t.cause()).c_str(),
              clock.Format(t.at().seconds()).c_str());
  PrintExplanation(t.explanation());
}

bool HoldingCheckOn(const v1::Explanation& e, std::string_view metric) {
  for (const v1::Check& c : e.checks()) {
    if (c.holds() && c.metric() == metric) return true;
  }
  return false;
}

void PrintDistribution(const standing::Engine& engine) {
  const v1::Policy& policy = engine.policy();
  for (const auto& program : policy.tier_programs()) {
    std::vector<uint64_t> counts;
    const absl::Status status = engine.CountByTier(program.name(), &counts);
    if (!status.ok()) Fail("CountByTier", status);
    const uint64_t total =
        std::accumulate(counts.begin(), counts.end(), static_cast<uint64_t>(0));
    std::printf("    %s:\n", program.name().c_str());
    for (int i = 0; i < program.tiers_size(); ++i) {
      const uint64_t n = i < static_cast<int>(counts.size()) ? counts[i] : 0;
      std::printf("      %s %10s  %s\n",
                  Pad(program.tiers(i).name(), 10).c_str(), Grouped(n).c_str(),
                  Percent(n, total).c_str());
    }
  }
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

// The retail phase: a year of purchases under the retail policy.
static int RetailDemo(const Options& options) {
  // --- policy ---
  std::ifstream file(options.policy_path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "error: cannot read %s\n",
                 options.policy_path.c_str());
    return 1;
  }
  std::stringstream bytes;
  bytes << file.rdbuf();
  const std::string policy_text = bytes.str();
  const bool text_format = options.policy_path.ends_with(".textproto") ||
                           options.policy_path.ends_with(".txtpb");
  absl::StatusOr<v1::Policy> policy = standing::ParsePolicy(
      policy_text, text_format ? standing::PolicyFormat::kText
                               : standing::PolicyFormat::kJson);
  if (!policy.ok()) Fail(options.policy_path, policy.status());
  absl::StatusOr<std::unique_ptr<standing::Engine>> created =
      standing::Engine::Create(*policy);
  if (!created.ok()) Fail("Engine::Create", created.status());
  standing::Engine& engine = **created;
  const Clock clock(ParseUtcOffset(policy->time_zone()));

  std::printf("standing demo\n");
  std::printf("  policy:    %s (version %s, time zone %s, currency %s)\n",
              policy->name().c_str(), policy->version().c_str(),
              policy->time_zone().c_str(), policy->currency().c_str());
  std::printf("  programs: ");
  for (const auto& program : policy->tier_programs()) {
    std::printf(" %s (", program.name().c_str());
    for (int i = 0; i < program.tiers_size(); ++i) {
      std::printf("%s%s", i ? " < " : "", program.tiers(i).name().c_str());
    }
    std::printf(")");
  }
  std::printf("\n");

  // --- population ---
  const auto generate_start = std::chrono::steady_clock::now();
  standing_demo::PopulationOptions population_options;
  population_options.customers = options.customers;
  population_options.seed = options.seed;
  population_options.utc_offset_seconds = clock.offset();
  const Population population =
      standing_demo::GeneratePopulation(population_options);
  const double generate_seconds =
      Seconds(std::chrono::steady_clock::now() - generate_start);

  {
    const int64_t start_2026 = LocalMidnight({2026, 1, 1}, clock.offset());
    uint64_t enrolled_2025 = 0, purchases = 0, excluded = 0;
    int64_t sales = 0, excluded_sales = 0;
    std::vector<int64_t> spend(population.customers.size());
    for (const SyntheticEvent& e : population.events) {
      if (e.enrolment) {
        enrolled_2025 += e.at < start_2026;
        continue;
      }
      ++purchases;
      if (standing_demo::IsExcludedCategory(e.category)) {
        ++excluded;
        excluded_sales += e.amount;
      } else {
        sales += e.amount;
        spend[e.customer] += e.amount;
      }
    }
    std::sort(spend.begin(), spend.end(), std::greater<>());
    const size_t top = spend.size() / 5;
    const int64_t top_sales =
        std::accumulate(spend.begin(), spend.begin() + top, int64_t{0});
    std::printf("\nsynthetic population (seed %" PRIu64 ")\n", options.seed);
    std::printf(
        "  customers:        %s (%s enrolled in 2025, %s in January "
        "2026)\n",
        Grouped(population.customers.size()).c_str(),
        Grouped(enrolled_2025).c_str(),
        Grouped(population.customers.size() - enrolled_2025).c_str());
    std::printf("  purchases (2026): %s, sales %s CNY\n",
                Grouped(purchases).c_str(), Yuan(sales).c_str());
    std::printf("  excluded (house/car/renovation): %s purchases, %s CNY\n",
                Grouped(excluded).c_str(), Yuan(excluded_sales).c_str());
    std::printf("  top 20%% of customers make %s of sales\n",
                Percent(top_sales, sales).c_str());
    std::printf("  generated in %.2f s (timing)\n", generate_seconds);
  }

  // --- replay ---
  // Events go in chunks; at every local month start the host's scheduler
  // runs the reviews due by then, before the first event of the month.
  const EventWriter writer(*policy, population);
  std::vector<v1::Event> chunk(options.chunk);
  std::vector<v1::Transition> transitions;
  TransitionTally replay_tally(*policy);
  v1::Transition upgrade_by_event, vip_example;
  bool have_upgrade = false, have_vip = false;
  const int membership_gold = TierIndex(*policy, "membership", "金卡");
  const auto collect = [&](const std::vector<v1::Transition>& list) {
    for (const v1::Transition& t : list) {
      replay_tally.Add(t);
      if (!have_upgrade && t.program() == "membership" &&
          t.kind() == v1::UPGRADE && t.cause() == v1::EVENT &&
          TierIndex(*policy, t.program(), t.to_tier()) >=
              std::max(membership_gold, 1)) {
        upgrade_by_event = t;
        have_upgrade = true;
      }
      if (!have_vip && t.program() == "vip" && t.kind() == v1::UPGRADE &&
          t.cause() == v1::EVENT &&
          HoldingCheckOn(t.explanation(), "big_purchase_this_year")) {
        vip_example = t;
        have_vip = true;
      }
    }
  };

  CivilDate next_month =
      LocalDate(population.events.empty() ? 0 : population.events.front().at,
                clock.offset());
  next_month.day = 1;
  const auto advance = [](CivilDate& d) {
    if (++d.month > 12) {
      d.month = 1;
      ++d.year;
    }
  };
  advance(next_month);
  int64_t next_review = LocalMidnight(next_month, clock.offset());

  std::chrono::steady_clock::duration apply_time{}, review_time{};
  uint64_t applied_total = 0, in_year_reviews = 0;
  size_t i = 0;
  const size_t n = population.events.size();
  while (i < n) {
    while (population.events[i].at >= next_review) {
      transitions.clear();
      const auto start = std::chrono::steady_clock::now();
      const absl::Status status = engine.Review(next_review, &transitions);
      review_time += std::chrono::steady_clock::now() - start;
      if (!status.ok()) Fail("Review", status);
      ++in_year_reviews;
      collect(transitions);
      advance(next_month);
      next_review = LocalMidnight(next_month, clock.offset());
    }
    size_t count = 0;
    while (i + count < n && count < chunk.size() &&
           population.events[i + count].at < next_review) {
      writer.Write(population.events[i + count], &chunk[count]);
      ++count;
    }
    transitions.clear();
    size_t applied = 0;
    const auto start = std::chrono::steady_clock::now();
    const absl::Status status =
        engine.ApplyBatch(chunk.data(), count, &transitions, &applied);
    apply_time += std::chrono::steady_clock::now() - start;
    applied_total += applied;
    collect(transitions);
    if (!status.ok()) Fail("ApplyBatch", status);
    i += count;
  }
  const int64_t year_end = LocalMidnight({2027, 1, 1}, clock.offset());
  // Reviews due before the year end that have not run yet (the months after
  // the last event).
  while (next_review < year_end) {
    transitions.clear();
    const auto start = std::chrono::steady_clock::now();
    const absl::Status status = engine.Review(next_review, &transitions);
    review_time += std::chrono::steady_clock::now() - start;
    if (!status.ok()) Fail("Review", status);
    ++in_year_reviews;
    collect(transitions);
    advance(next_month);
    next_review = LocalMidnight(next_month, clock.offset());
  }

  if (n > 0) {
    const CivilDate first =
        LocalDate(population.events.front().at, clock.offset());
    const CivilDate last =
        LocalDate(population.events.back().at, clock.offset());
    std::printf("\nreplay: %04d-%02d-%02d .. %04d-%02d-%02d\n", first.year,
                first.month, first.day, last.year, last.month, last.day);
  }
  std::printf("  events applied:   %s (ApplyBatch, chunks of %zu)\n",
              Grouped(applied_total).c_str(), options.chunk);
  std::printf("  month-start reviews run: %s\n",
              Grouped(in_year_reviews).c_str());
  std::printf("  apply: %.3f s, %s events/s (timing)\n", Seconds(apply_time),
              Grouped(static_cast<int64_t>(applied_total /
                                           std::max(Seconds(apply_time), 1e-9)))
                  .c_str());
  std::printf("  month-start reviews: %.3f s (timing)\n", Seconds(review_time));
  std::printf("\n  tier distribution after the replay:\n");
  PrintDistribution(engine);
  std::printf("\n  transitions during the replay (%s):\n",
              Grouped(replay_tally.total()).c_str());
  replay_tally.Print();

  // --- year-end review ---
  transitions.clear();
  const auto review_start = std::chrono::steady_clock::now();
  const absl::Status review_status = engine.Review(year_end, &transitions);
  const double year_end_seconds =
      Seconds(std::chrono::steady_clock::now() - review_start);
  if (!review_status.ok()) Fail("Review", review_status);
  TransitionTally review_tally(*policy);
  const v1::Transition* downgrade_at_review = nullptr;
  for (const v1::Transition& t : transitions) {
    review_tally.Add(t);
    if (t.kind() == v1::DOWNGRADE && t.cause() == v1::REVIEW) {
      // Prefer a membership downgrade; else the first one.
      if (downgrade_at_review == nullptr ||
          (downgrade_at_review->program() != "membership" &&
           t.program() == "membership")) {
        downgrade_at_review = &t;
      }
    }
  }
  std::printf("\nyear-end review as of %s\n", clock.Format(year_end).c_str());
  std::printf("  %.3f s for %s customers (timing)\n", year_end_seconds,
              Grouped(engine.customer_count()).c_str());
  std::printf("\n  tier distribution after the review:\n");
  PrintDistribution(engine);
  std::printf("\n  transitions at the review (%s):\n",
              Grouped(review_tally.total()).c_str());
  review_tally.Print();

  // --- explained transitions ---
  std::printf(
      "\nexplained transitions (amounts in fen, 1 CNY = 100 fen; x1: the "
      "threshold is not scaled by a group multiplier)\n");
  if (have_upgrade) {
    PrintTransition("1. an upgrade by a purchase", upgrade_by_event, clock);
  } else {
    std::printf("\n  1. (no membership upgrade by an event)\n");
  }
  if (downgrade_at_review != nullptr) {
    PrintTransition("2. a downgrade at the year-end review",
                    *downgrade_at_review, clock);
  } else {
    std::printf("\n  2. (no downgrade at the year-end review)\n");
  }
  if (have_vip) {
    PrintTransition("3. VIP by one big mid/high-end purchase", vip_example,
                    clock);
  } else {
    std::printf("\n  3. (no VIP entry by a single purchase)\n");
  }

  // --- a manager nominates a VIP ---
  // The biggest spender of 2026 who is not VIP by the rules.
  const v1::TierProgram* vip = FindProgram(*policy, "vip");
  if (vip != nullptr && vip->tiers_size() > 1) {
    std::vector<std::pair<int64_t, uint32_t>> by_spend(
        population.customers.size());
    for (uint32_t c = 0; c < by_spend.size(); ++c) by_spend[c] = {0, c};
    for (const SyntheticEvent& e : population.events) {
      if (!e.enrolment && !standing_demo::IsExcludedCategory(e.category)) {
        by_spend[e.customer].first += e.amount;
      }
    }
    std::sort(
        by_spend.begin(), by_spend.end(), [](const auto& a, const auto& b) {
          return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
    const std::string& top_tier = vip->tiers(vip->tiers_size() - 1).name();
    v1::Customer customer;
    const standing_demo::SyntheticCustomer* nominee = nullptr;
    int64_t nominee_spend = 0;
    for (const auto& [spend, index] : by_spend) {
      const auto& candidate = population.customers[index];
      const absl::Status status = engine.GetCustomer(candidate.id, &customer);
      if (!status.ok()) Fail("GetCustomer", status);
      for (const auto& standing : customer.standings()) {
        if (standing.program() == "vip" && standing.tier_index() == 0) {
          nominee = &candidate;
          nominee_spend = spend;
        }
      }
      if (nominee != nullptr) break;
    }
    if (nominee != nullptr) {
      v1::Event grant;
      grant.set_customer_id(nominee->id);
      const int64_t granted_at =
          LocalMidnight({2027, 1, 5}, clock.offset()) + 10 * 3600;
      const int64_t expires_at = LocalMidnight({2028, 1, 1}, clock.offset());
      grant.mutable_at()->set_seconds(granted_at);
      grant.set_event_id("NOMINATION-2027-001");
      v1::ManualTierGrant* g = grant.mutable_tier_grant();
      g->set_program("vip");
      g->set_tier(top_tier);
      g->set_approver("店长 王芳 (store manager Wang Fang)");
      g->set_reason(
          "2026 spend of " + Yuan(nominee_spend) +
          " CNY, the highest of customers without a VIP-qualifying purchase");
      g->mutable_expires_at()->set_seconds(expires_at);

      transitions.clear();
      const absl::Status status = engine.Apply(grant, &transitions);
      if (!status.ok()) Fail("Apply(tier_grant)", status);
      std::printf("\nmanual VIP nomination\n");
      std::printf("  %s nominated by %s, valid until %s\n", nominee->id.c_str(),
                  g->approver().c_str(), clock.Format(expires_at).c_str());
      std::printf("  reason: %s\n", g->reason().c_str());
      for (const v1::Transition& t : transitions) {
        PrintTransition("transition", t, clock);
      }
      const absl::Status got = engine.GetCustomer(nominee->id, &customer);
      if (!got.ok()) Fail("GetCustomer", got);
      for (const auto& standing : customer.standings()) {
        if (standing.program() != "vip") continue;
        std::printf("\n  standing in vip: %s (qualified by rules: %s)",
                    standing.tier().c_str(), standing.qualified_tier().c_str());
        if (standing.has_grant()) {
          std::printf("; grant of %s by %s", standing.grant().tier().c_str(),
                      standing.grant().approver().c_str());
          if (standing.grant().has_expires_at()) {
            std::printf(
                " until %s",
                clock.Format(standing.grant().expires_at().seconds()).c_str());
          }
        }
        std::printf("\n");
      }
      v1::Explanation explanation;
      const absl::Status explained =
          engine.Explain(nominee->id, "vip", &explanation);
      if (!explained.ok()) Fail("Explain", explained);
      std::printf("  Explain(%s, vip):\n", nominee->id.c_str());
      PrintExplanation(explanation);
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  const Options options = ParseArgs(argc, argv);
  if (!options.service_only && !options.credit_only) {
    const int rc = RetailDemo(options);
    if (rc != 0) return rc;
  }
  if (options.service_customers != 0 && !options.credit_only) {
    standing_demo::ServiceDemoOptions service;
    service.customers = options.service_customers;
    service.managers = options.managers;
    service.seed = options.seed;
    service.chunk = options.chunk;
    service.policy_path = options.service_policy_path;
    const int rc = standing_demo::RunServiceDemo(service);
    if (rc != 0) return rc;
  }
  if (options.credit_customers == 0 || options.service_only) return 0;
  standing_demo::CreditDemoOptions credit;
  credit.customers = options.credit_customers;
  credit.seed = options.seed;
  credit.chunk = options.chunk;
  credit.policy_path = options.credit_policy_path;
  return standing_demo::RunCreditDemo(credit);
}
