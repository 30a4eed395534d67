#include "service_demo.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "demo_util.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "synthetic_population.h"

namespace standing_demo {
namespace {

namespace v1 = standing::v1;

constexpr int64_t kDay = 86400;
constexpr int64_t kHour = 3600;

// "2026-02-13 Fri 15:00".
std::string When(int64_t utc, int offset) {
  static constexpr const char* kWeekdays[] = {"Thu", "Fri", "Sat", "Sun",
                                              "Mon", "Tue", "Wed"};
  const CivilDate d = LocalDate(utc, offset);
  const int64_t local = utc + offset;
  const int64_t day = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  const int64_t second = local - day * kDay;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %s %02d:%02d", d.year, d.month,
                d.day, kWeekdays[((day % 7) + 7) % 7],
                static_cast<int>(second / 3600),
                static_cast<int>(second / 60 % 60));
  return buf;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// --- the simulated year ------------------------------------------------------

enum class Kind : uint8_t {
  kPopulation,  // an enrolment or purchase of the synthetic population
  kManager,     // a primary account manager assigned
  kContact,     // a phone call, visit or SMS
  kOpen,        // a service request opened
  kRespond,
  kResolve,
};

constexpr std::string_view kChannels[] = {"phone", "visit", "sms"};
constexpr std::string_view kRequestTypes[] = {
    "branch_queue", "service", "hotline_call", "feedback", "customer_info"};
constexpr double kRequestWeights[] = {52, 20, 14, 8, 6};

struct Pending {
  int64_t at = 0;
  uint64_t serial = 0;
  Kind kind = Kind::kPopulation;
  uint8_t sub = 0;        // channel or request type
  uint32_t customer = 0;  // index into the population
  uint32_t arg = 0;       // population event, manager or request number
};

std::string RequestId(uint32_t n) {
  char id[16];
  std::snprintf(id, sizeof id, "R%07" PRIu32, n);
  return id;
}

class Simulation {
 public:
  Simulation(const ServiceDemoOptions& options, standing::Engine& engine,
             const Population& population, int offset)
      : options_(options),
        engine_(engine),
        population_(population),
        offset_(offset),
        rng_(options.seed ^ 0x5e41ce1e7e15ULL),
        manager_of_(population.customers.size(), -1),
        decided_(population.customers.size(), 0),
        is_vip_(population.customers.size(), false) {
    managers_ = options.managers != 0
                    ? options.managers
                    : std::max<size_t>(1, population.customers.size() / 100);
    for (size_t m = 0; m < managers_; ++m) {
      char name[32];
      std::snprintf(name, sizeof name, "AM%04zu", m + 1);
      manager_names_.push_back(name);
      diligence_.push_back(0.3 + 0.7 * rng_.Uniform());
    }
    customers_of_.resize(managers_);
    const v1::Policy& policy = engine.policy();
    for (const auto& program : policy.tier_programs()) {
      if (program.name() == "card") {
        for (int i = 0; i < program.tiers_size(); ++i) {
          card_tiers_.push_back(program.tiers(i).name());
        }
      }
    }
  }

  void Run() {
    const int64_t start = LocalMidnight({2026, 1, 5}, offset_);  // Monday
    const int64_t end = LocalMidnight({2027, 1, 1}, offset_);
    std::vector<Pending> batch;
    // Enrolments of 2025 and the first days of 2026.
    while (next_ < population_.events.size() &&
           population_.events[next_].at < start) {
      AddPopulationEvent(batch);
    }
    Apply(batch);
    for (int64_t week = start; week < end; week += 7 * kDay) {
      const int64_t week_end = std::min(week + 7 * kDay, end);
      Review(week);
      batch.clear();
      AssignManagers(week, batch);
      while (next_ < population_.events.size() &&
             population_.events[next_].at < week_end) {
        AddPopulationEvent(batch);
      }
      Contacts(week, week_end, batch);
      Requests(week, week_end, end, batch);
      // Responses and resolutions that fall in this week.
      auto due =
          std::partition(future_.begin(), future_.end(),
                         [&](const Pending& p) { return p.at >= week_end; });
      batch.insert(batch.end(), due, future_.end());
      future_.erase(due, future_.end());
      Apply(batch);
      enrolled_.insert(enrolled_.end(), enrolled_this_week_.begin(),
                       enrolled_this_week_.end());
      enrolled_this_week_.clear();
    }
  }

  size_t managers() const { return managers_; }
  const std::vector<std::string>& manager_names() const {
    return manager_names_;
  }
  const std::vector<std::vector<uint32_t>>& customers_of() const {
    return customers_of_;
  }
  const std::vector<uint64_t>& counts() const { return counts_; }
  uint64_t applied() const { return applied_; }
  uint64_t refused() const { return refused_; }
  double apply_seconds() const { return Seconds(apply_time_); }
  // Requests still open at the end with no response (sample candidates).
  const std::vector<std::pair<uint32_t, uint32_t>>& unanswered() const {
    return unanswered_;
  }
  size_t never_assigned() const { return never_; }

 private:
  void AddPopulationEvent(std::vector<Pending>& batch) {
    const SyntheticEvent& e = population_.events[next_];
    batch.push_back(Pending{e.at, serial_++, Kind::kPopulation, 0, e.customer,
                            static_cast<uint32_t>(next_)});
    if (e.enrolment) enrolled_this_week_.push_back(e.customer);
    ++next_;
  }

  // Managers skewed towards the first ones (a few big books), so some are
  // over capacity.
  uint32_t PickManager() {
    const double u = rng_.Uniform();
    return static_cast<uint32_t>(std::min<double>(
        managers_ - 1, std::floor(managers_ * std::pow(u, 2.5))));
  }

  // Customers who entered a tier that wants a manager last week get one on
  // Monday morning; a few are forgotten (and show up as unmanaged).
  void AssignManagers(int64_t week, std::vector<Pending>& batch) {
    int64_t at = week + 9 * kHour;
    for (uint32_t c : waiting_) {
      const uint32_t m = PickManager();
      manager_of_[c] = static_cast<int32_t>(m);
      customers_of_[m].push_back(c);
      managed_.push_back(c);
      batch.push_back(Pending{at++, serial_++, Kind::kManager, 0, c, m});
    }
    waiting_.clear();
  }

  // A random instant in working hours (09:00-18:00) on a weekday of the
  // week starting at `week` (local Monday midnight), before `week_end`.
  int64_t WorkingMoment(int64_t week, int64_t week_end) {
    const int64_t days = std::clamp<int64_t>((week_end - week) / kDay, 1, 5);
    return week + rng_.Between(0, days - 1) * kDay + 9 * kHour +
           rng_.Between(0, 9 * kHour - 1);
  }

  void Contacts(int64_t week, int64_t week_end, std::vector<Pending>& batch) {
    for (uint32_t c : managed_) {
      const double d = diligence_[manager_of_[c]];
      if (rng_.Chance(0.85 * d)) {
        batch.push_back(Pending{WorkingMoment(week, week_end), serial_++,
                                Kind::kContact, 0, c, 0});
      }
      if (rng_.Chance(0.12 * d)) {
        batch.push_back(Pending{WorkingMoment(week, week_end), serial_++,
                                Kind::kContact, 1, c, 0});
      }
    }
    // The monthly SMS campaign, on the week containing the 10th.
    const CivilDate first = LocalDate(week, offset_);
    const CivilDate last = LocalDate(week_end - 1, offset_);
    const bool tenth = first.month == last.month
                           ? first.day <= 10 && last.day >= 10
                           : first.day <= 10 || last.day >= 10;
    if (tenth) {
      CivilDate day = last.day >= 10 ? last : first;
      day.day = 10;
      const int64_t at = LocalMidnight(day, offset_) + 10 * kHour;
      int64_t k = 0;
      for (uint32_t c : enrolled_) {
        if (rng_.Chance(0.93)) {
          batch.push_back(Pending{at + (k++ % (8 * kHour)), serial_++,
                                  Kind::kContact, 2, c, 0});
        }
      }
    }
  }

  void Requests(int64_t week, int64_t week_end, int64_t end,
                std::vector<Pending>& batch) {
    if (enrolled_.empty()) return;
    const size_t n = enrolled_.size() / 80;  // about 1.25% a week
    for (size_t i = 0; i < n; ++i) {
      double total = 0;
      for (double w : kRequestWeights) total += w;
      double x = rng_.Uniform() * total;
      uint8_t type = 0;
      while (type + 1u < std::size(kRequestWeights) &&
             x >= kRequestWeights[type]) {
        x -= kRequestWeights[type];
        ++type;
      }
      uint32_t c = enrolled_[rng_.Between(0, enrolled_.size() - 1)];
      if (type == 2 && !vips_.empty()) {
        c = vips_[rng_.Between(0, vips_.size() - 1)];  // the VIP hotline
      }
      const uint32_t id = requests_++;
      const int64_t opened = WorkingMoment(week, week_end);
      batch.push_back(Pending{opened, serial_++, Kind::kOpen, type, c, id});
      int64_t respond = 0, resolve = 0;
      switch (type) {
        case 0:  // branch queue: minutes
          respond = opened + std::llround(rng_.LogNormal(9 * 60, 0.55));
          resolve = respond + std::llround(rng_.LogNormal(15 * 60, 0.5));
          break;
        case 1:  // service request: hours to days
          if (!rng_.Chance(0.04)) {
            respond = opened + std::llround(rng_.LogNormal(20 * kHour, 0.9));
            resolve = respond + std::llround(rng_.LogNormal(kDay, 0.8));
          }
          break;
        case 2:  // hotline: seconds
          respond = opened + 1 + std::llround(rng_.LogNormal(8, 0.6));
          resolve = respond + std::llround(rng_.LogNormal(240, 0.5));
          break;
        case 3:  // feedback: the callback
          if (!rng_.Chance(0.05)) {
            respond = opened + std::llround(rng_.LogNormal(1.6 * kDay, 0.8));
            resolve = respond + kHour;
          }
          break;
        default:  // new customer information: entered (resolved)
          if (!rng_.Chance(0.03)) {
            resolve = opened + std::llround(rng_.LogNormal(0.9 * kDay, 0.9));
          }
          break;
      }
      for (const auto& [at, kind] : {std::pair{respond, Kind::kRespond},
                                     std::pair{resolve, Kind::kResolve}}) {
        if (at == 0 || at >= end) continue;  // never, or after the year
        const Pending p{at, serial_++, kind, type, c, id};
        if (at < week_end) {
          batch.push_back(p);
        } else {
          future_.push_back(p);
        }
      }
      if ((respond == 0 || respond >= end) && type != 0 && type != 2 &&
          (resolve == 0 || resolve >= end)) {
        unanswered_.emplace_back(c, id);
      }
    }
  }

  void Write(const Pending& p, v1::Event* out) const {
    out->Clear();
    out->set_customer_id(population_.customers[p.customer].id);
    out->mutable_at()->set_seconds(p.at);
    switch (p.kind) {
      case Kind::kPopulation: {
        const SyntheticEvent& e = population_.events[p.arg];
        if (e.enrolment) {
          (*out->mutable_enrolled()->mutable_attributes())["region"].set_text(
              std::string(population_.customers[p.customer].region));
        } else {
          v1::Purchase* purchase = out->mutable_purchase();
          purchase->set_amount(e.amount);
          purchase->set_currency("CNY");
          purchase->set_category(std::string(CategoryName(e.category)));
          purchase->set_quantity(1);
        }
        break;
      }
      case Kind::kManager: {
        v1::ManagerAssignment* m = out->mutable_manager();
        m->set_manager(manager_names_[p.arg]);
        m->set_role(v1::ManagerAssignment::PRIMARY);
        m->set_actor("branch head");
        m->set_reason("new VIP / key customer");
        break;
      }
      case Kind::kContact: {
        v1::Contact* c = out->mutable_contact();
        c->set_channel(std::string(kChannels[p.sub]));
        const int32_t m = manager_of_[p.customer];
        c->set_actor(p.sub == 2 || m < 0 ? "campaign" : manager_names_[m]);
        break;
      }
      case Kind::kOpen:
      case Kind::kRespond:
      case Kind::kResolve: {
        v1::ServiceRequest* r = out->mutable_service_request();
        r->set_request_id(RequestId(p.arg));
        r->set_stage(p.kind == Kind::kOpen      ? v1::ServiceRequest::OPENED
                     : p.kind == Kind::kRespond ? v1::ServiceRequest::RESPONDED
                                                : v1::ServiceRequest::RESOLVED);
        if (p.kind == Kind::kOpen) {
          r->set_request_type(std::string(kRequestTypes[p.sub]));
        }
        break;
      }
    }
  }

  void Apply(std::vector<Pending>& batch) {
    std::sort(batch.begin(), batch.end(),
              [](const Pending& a, const Pending& b) {
                return a.at != b.at ? a.at < b.at : a.serial < b.serial;
              });
    counts_.resize(6);
    for (const Pending& p : batch) ++counts_[static_cast<int>(p.kind)];
    std::vector<v1::Event> chunk(std::max<size_t>(1, options_.chunk));
    size_t i = 0;
    while (i < batch.size()) {
      const size_t count = std::min(chunk.size(), batch.size() - i);
      for (size_t k = 0; k < count; ++k) Write(batch[i + k], &chunk[k]);
      transitions_.clear();
      size_t applied = 0;
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status status =
          engine_.ApplyBatch(chunk.data(), count, &transitions_, &applied);
      apply_time_ += std::chrono::steady_clock::now() - t0;
      applied_ += applied;
      Collect();
      i += applied;
      if (!status.ok()) {
        // Report and skip the refused event; the rest still goes in.
        if (refused_++ < 3) {
          std::fprintf(stderr, "  refused: %s\n", status.ToString().c_str());
        }
        ++i;
      }
    }
    batch.clear();
  }

  void Review(int64_t at) {
    transitions_.clear();
    const auto t0 = std::chrono::steady_clock::now();
    const absl::Status status = engine_.Review(at, &transitions_);
    apply_time_ += std::chrono::steady_clock::now() - t0;
    if (!status.ok()) Fail("Review", status);
    Collect();
  }

  // Customers entering 银卡 or better, or class B or A, want a manager.
  void Collect() {
    for (const v1::Transition& t : transitions_) {
      bool wants = false;
      bool vip = false;
      if (t.program() == "card") {
        const auto it =
            std::find(card_tiers_.begin(), card_tiers_.end(), t.to_tier());
        const bool found = it != card_tiers_.end();
        const auto index = it - card_tiers_.begin();
        wants = found && index >= 1;
        vip = found && index >= 2;
      } else if (t.program() == "customer_class") {
        wants = t.to_tier() == "A" || t.to_tier() == "B";
      }
      if (!wants) continue;
      const uint32_t c = Index(t.customer_id());
      if (vip && !is_vip_[c]) {
        is_vip_[c] = true;
        vips_.push_back(c);
      }
      if (manager_of_[c] >= 0 || decided_[c]) continue;
      decided_[c] = 1;
      if (rng_.Chance(0.94)) {
        waiting_.push_back(c);
      } else {
        ++never_;
      }
    }
  }

  // "C0000123" -> 122.
  static uint32_t Index(const std::string& id) {
    return static_cast<uint32_t>(std::strtoul(id.c_str() + 1, nullptr, 10) - 1);
  }

  const ServiceDemoOptions& options_;
  standing::Engine& engine_;
  const Population& population_;
  const int offset_;
  Random rng_;
  size_t managers_ = 0;
  std::vector<std::string> manager_names_;
  std::vector<double> diligence_;
  std::vector<std::string> card_tiers_;
  std::vector<int32_t> manager_of_;
  std::vector<uint8_t> decided_;
  std::vector<bool> is_vip_;
  std::vector<uint32_t> vips_;
  std::vector<uint32_t> waiting_;
  std::vector<uint32_t> managed_;
  std::vector<std::vector<uint32_t>> customers_of_;
  std::vector<uint32_t> enrolled_;
  std::vector<uint32_t> enrolled_this_week_;
  std::vector<Pending> future_;
  std::vector<std::pair<uint32_t, uint32_t>> unanswered_;
  std::vector<v1::Transition> transitions_;
  std::vector<uint64_t> counts_;
  size_t next_ = 0;
  uint64_t serial_ = 0;
  uint32_t requests_ = 1;
  uint64_t applied_ = 0;
  uint64_t refused_ = 0;
  size_t never_ = 0;
  std::chrono::steady_clock::duration apply_time_{};
};

// --- the report
// ----------------------------------------------------------------

void PrintDistribution(const standing::Engine& engine) {
  for (const auto& program : engine.policy().tier_programs()) {
    std::vector<uint64_t> counts;
    const absl::Status status = engine.CountByTier(program.name(), &counts);
    if (!status.ok()) Fail("CountByTier", status);
    std::printf("    %s:", Pad(program.name(), 15).c_str());
    for (int i = 0;
         i < program.tiers_size() && i < static_cast<int>(counts.size()); ++i) {
      std::printf("  %s %s", program.tiers(i).name().c_str(),
                  Grouped(counts[i]).c_str());
    }
    std::printf("\n");
  }
}

std::string ValueText(const v1::ResolvedEntitlement& e) {
  char buf[64];
  switch (e.value().value_case()) {
    case v1::EntitlementValue::kPercent:
      std::snprintf(buf, sizeof buf, "%g%%", e.value().percent());
      return buf;
    case v1::EntitlementValue::kMultiplier:
      std::snprintf(buf, sizeof buf, "x%g", e.value().multiplier());
      return buf;
    case v1::EntitlementValue::kRank:
      return "rank " + std::to_string(e.value().rank());
    case v1::EntitlementValue::kAmount:
      return Grouped(e.value().amount() / 100) + " CNY";
    case v1::EntitlementValue::kFlag:
      return e.value().flag() ? "yes" : "no";
    case v1::EntitlementValue::kText:
      return e.value().text();
    default:
      return "?";
  }
}

void PrintRequest(const v1::RequestStatus& r, int offset,
                  std::string_view customer) {
  std::string state;
  if (r.response_breached()) state += " RESPONSE BREACHED";
  if (r.resolution_breached()) state += " RESOLUTION BREACHED";
  if (state.empty()) state = r.warning() ? " warning" : " on time";
  std::printf("    %-9s %s %-13s opened %s  rule %s\n",
              std::string(customer).c_str(), r.request_id().c_str(),
              r.request_type().c_str(),
              When(r.opened_at().seconds(), offset).c_str(),
              r.rule().empty() ? "(none)" : r.rule().c_str());
  if (r.has_respond_by()) {
    std::printf(
        "%36s respond by %s%s\n", "",
        When(r.respond_by().seconds(), offset).c_str(),
        r.has_responded_at()
            ? (", responded " + When(r.responded_at().seconds(), offset))
                  .c_str()
            : "");
  }
  if (r.has_warn_at()) {
    std::printf("%36s warn at    %s\n", "",
                When(r.warn_at().seconds(), offset).c_str());
  }
  if (r.has_resolve_by()) {
    std::printf("%36s resolve by %s\n", "",
                When(r.resolve_by().seconds(), offset).c_str());
  }
  std::printf("%36s as of %s:%s\n", "",
              When(r.as_of().seconds(), offset).c_str(), state.c_str());
}

}  // namespace

int RunServiceDemo(const ServiceDemoOptions& options) {
  std::ifstream file(options.policy_path, std::ios::binary);
  if (!file) {
    std::fprintf(stderr, "error: cannot read %s\n",
                 options.policy_path.c_str());
    return 1;
  }
  std::stringstream bytes;
  bytes << file.rdbuf();
  absl::StatusOr<v1::Policy> policy =
      standing::ParsePolicy(bytes.str(), standing::PolicyFormat::kJson);
  if (!policy.ok()) Fail(options.policy_path, policy.status());
  absl::StatusOr<std::unique_ptr<standing::Engine>> created =
      standing::Engine::Create(*policy);
  if (!created.ok()) Fail("Engine::Create", created.status());
  standing::Engine& engine = **created;
  const int offset = ParseUtcOffset(policy->time_zone());

  std::printf("\n\n=== service levels (rule set 4) ===\n");
  std::printf(
      "  policy:   %s (version %s), calendar %s, %d deadline rules, "
      "%d targets, %d entitlements\n",
      policy->name().c_str(), policy->version().c_str(),
      policy->service_levels().calendar().c_str(),
      policy->service_levels().deadlines_size(),
      policy->service_levels().targets_size(),
      policy->service_levels().entitlements_size());

  PopulationOptions population_options;
  population_options.customers = options.customers;
  population_options.seed = options.seed;
  population_options.utc_offset_seconds = offset;
  const Population population = GeneratePopulation(population_options);

  Simulation sim(options, engine, population, offset);
  sim.Run();
  const int64_t as_of = engine.clock();
  const std::vector<uint64_t>& counts = sim.counts();
  std::printf(
      "  %s customers, %zu account managers; 2026 replayed week by week\n",
      Grouped(population.customers.size()).c_str(), sim.managers());
  std::printf(
      "  events: %s enrolments and purchases, %s manager assignments, %s "
      "contacts,\n          %s requests opened, %s responses, %s "
      "resolutions; %s applied, %s refused\n",
      Grouped(counts[0]).c_str(), Grouped(counts[1]).c_str(),
      Grouped(counts[2]).c_str(), Grouped(counts[3]).c_str(),
      Grouped(counts[4]).c_str(), Grouped(counts[5]).c_str(),
      Grouped(sim.applied()).c_str(), Grouped(sim.refused()).c_str());
  std::printf("  apply and review: %.2f s (timing)\n", sim.apply_seconds());
  std::printf("  as of %s (the engine clock)\n", When(as_of, offset).c_str());
  std::printf("\n  tiers:\n");
  PrintDistribution(engine);

  // --- deadlines on the calendar ---
  std::printf(
      "\n\"by when must we answer?\" (PreviewRequest) for %s opening on the "
      "Friday before the Spring Festival\n",
      population.customers[0].id.c_str());
  const int64_t friday = LocalMidnight({2026, 2, 13}, offset) + 15 * kHour;
  for (std::string_view type : kRequestTypes) {
    v1::RequestStatus r;
    const absl::Status s =
        engine.PreviewRequest(population.customers[0].id, type, "", friday, &r);
    if (!s.ok()) Fail("PreviewRequest", s);
    std::printf("    %-14s %-20s", std::string(type).c_str(),
                r.rule().empty() ? "(no rule)" : r.rule().c_str());
    if (r.rule().empty()) {
      std::printf(" no deadline (counted by the percentage targets)");
    }
    if (r.has_respond_by()) {
      std::printf(" respond by %s",
                  When(r.respond_by().seconds(), offset).c_str());
    }
    if (r.has_warn_at()) {
      std::printf(" warn %s", When(r.warn_at().seconds(), offset).c_str());
    }
    if (r.has_resolve_by()) {
      std::printf(" resolve by %s",
                  When(r.resolve_by().seconds(), offset).c_str());
    }
    std::printf("\n");
  }

  // --- overdue calls and visits per manager ---
  struct Tally {
    std::string manager;
    size_t customers = 0;
    uint64_t calls = 0, visits = 0, call_or_visit = 0, sms = 0, tasks = 0;
    bool truncated = false;
    uint64_t contact() const { return calls + visits + call_or_visit; }
  };
  auto tally = [](const v1::OverdueList& list, Tally& t) {
    for (const v1::OverdueItem& item : list.items()) {
      if (item.kind() == v1::OverdueQuery::TASK) {
        ++t.tasks;
      } else if (item.name() == "phone") {
        ++t.calls;
      } else if (item.name() == "visit") {
        ++t.visits;
      } else if (item.name() == "call_or_visit") {
        ++t.call_or_visit;
      } else {
        ++t.sms;
      }
    }
    t.truncated = list.truncated();
  };
  std::vector<Tally> tallies;
  const auto overdue_start = std::chrono::steady_clock::now();
  v1::OverdueList list;
  for (size_t m = 0; m < sim.managers(); ++m) {
    v1::OverdueQuery q;
    q.set_manager(sim.manager_names()[m]);
    q.mutable_as_of()->set_seconds(as_of);
    q.set_limit(100000);
    const absl::Status s = engine.ListOverdue(q, &list);
    if (!s.ok()) Fail("ListOverdue", s);
    Tally t;
    t.manager = sim.manager_names()[m];
    t.customers = sim.customers_of()[m].size();
    tally(list, t);
    tallies.push_back(t);
  }
  Tally unowned;
  unowned.manager = "(no manager)";
  {
    v1::OverdueQuery q;
    q.set_unowned(true);
    q.mutable_as_of()->set_seconds(as_of);
    q.set_limit(100000);
    const absl::Status s = engine.ListOverdue(q, &list);
    if (!s.ok()) Fail("ListOverdue", s);
    tally(list, unowned);
  }
  const double overdue_seconds =
      Seconds(std::chrono::steady_clock::now() - overdue_start);
  std::stable_sort(tallies.begin(), tallies.end(),
                   [](const Tally& a, const Tally& b) {
                     return a.contact() + a.tasks > b.contact() + b.tasks;
                   });
  std::printf(
      "\noverdue contacts and obligations per account manager as of %s "
      "(ListOverdue; top %zu of %zu)\n",
      When(as_of, offset).c_str(), std::min(options.top, tallies.size()),
      tallies.size());
  std::printf("    %-12s %9s %8s %8s %13s %8s %8s\n", "manager", "customers",
              "calls", "visits", "call-or-visit", "sms", "tasks");
  auto row = [](const Tally& t) {
    std::printf("    %-12s %9s %8s %8s %13s %8s %8s%s\n", t.manager.c_str(),
                t.customers ? Grouped(t.customers).c_str() : "-",
                Grouped(t.calls).c_str(), Grouped(t.visits).c_str(),
                Grouped(t.call_or_visit).c_str(), Grouped(t.sms).c_str(),
                Grouped(t.tasks).c_str(), t.truncated ? " (truncated)" : "");
  };
  for (size_t i = 0; i < tallies.size() && i < options.top; ++i) {
    row(tallies[i]);
  }
  row(unowned);
  std::printf("  %zu queries in %.3f s (timing)\n", sim.managers() + 1,
              overdue_seconds);

  // --- capacity and coverage ---
  v1::CapacityReport capacity;
  {
    const absl::Status s = engine.GetCapacityReport(10, &capacity);
    if (!s.ok()) Fail("GetCapacityReport", s);
  }
  std::printf(
      "\nmanager capacity (钻卡 1:200, 金卡 1:500, 银卡 1:1000; "
      "GetCapacityReport): %s managers, %d over capacity\n",
      Grouped(capacity.manager_count()).c_str(), capacity.over_capacity_size());
  for (int i = 0; i < capacity.over_capacity_size() && i < 10; ++i) {
    const v1::ManagerLoad& load = capacity.over_capacity(i);
    std::string tiers;
    for (const auto& t : load.tiers()) {
      tiers += " " + t.tier() + " " + Grouped(t.customers()) + "/" +
               Grouped(t.capacity());
    }
    std::printf("    %-10s load %.2f:%s\n", load.manager().c_str(), load.load(),
                tiers.c_str());
  }
  std::printf("  VIP customers (金卡, 钻卡) without a manager: %s",
              Grouped(capacity.unmanaged_count()).c_str());
  if (capacity.unmanaged_customer_ids_size() > 0) std::printf(", e.g.");
  for (const std::string& id : capacity.unmanaged_customer_ids()) {
    std::printf(" %s", id.c_str());
  }
  std::printf("\n");

  // --- breaches and a sample of requests ---
  v1::BreachList breaches;
  {
    const absl::Status s = engine.ListBreaches(as_of, 100000, &breaches);
    if (!s.ok()) Fail("ListBreaches", s);
  }
  std::map<std::string, uint64_t> by_rule;
  for (const auto& b : breaches.items()) ++by_rule[b.request().rule()];
  std::printf("\nopen requests past a deadline as of %s (ListBreaches): %s%s\n",
              When(as_of, offset).c_str(), breaches.truncated() ? "over " : "",
              Grouped(breaches.items_size()).c_str());
  for (const auto& [rule, n] : by_rule) {
    std::printf("    %-20s %s\n", rule.empty() ? "(none)" : rule.c_str(),
                Grouped(n).c_str());
  }
  std::printf("  the most overdue:\n");
  for (int i = 0; i < breaches.items_size() && i < 3; ++i) {
    PrintRequest(breaches.items(i).request(), offset,
                 breaches.items(i).customer_id());
  }
  std::printf("  the latest unanswered requests (GetRequest):\n");
  const auto& unanswered = sim.unanswered();
  for (size_t i = unanswered.size() >= 3 ? unanswered.size() - 3 : 0;
       i < unanswered.size(); ++i) {
    const std::string& id = population.customers[unanswered[i].first].id;
    v1::RequestStatus r;
    const absl::Status s =
        engine.GetRequest(id, RequestId(unanswered[i].second), as_of, &r);
    if (!s.ok()) Fail("GetRequest", s);
    PrintRequest(r, offset, id);
  }

  // --- hotline target ---
  v1::ComplianceReport compliance;
  {
    const absl::Status s = engine.GetCompliance(&compliance);
    if (!s.ok()) Fail("GetCompliance", s);
  }
  std::printf(
      "\nVIP hotline: 90%% of calls answered within 20 s, per month "
      "(GetCompliance)\n");
  for (const auto& r : compliance.rows()) {
    const CivilDate d = LocalDate(r.period_start().seconds(), offset);
    std::printf("    %04d-%02d %s %6s calls %6.1f%% %s\n", d.year, d.month,
                Pad(r.tier(), 5).c_str(), Grouped(r.requests()).c_str(),
                r.percent(), r.met() ? "met" : "MISSED");
  }

  // --- entitlements ---
  std::printf("\nentitlements (ResolveEntitlements)\n");
  std::vector<std::pair<std::string, std::string>> samples;
  for (const auto& program : policy->tier_programs()) {
    for (int i = program.tiers_size() - 1; i >= 0; --i) {
      if (program.name() == "customer_class" && i != program.tiers_size() - 1) {
        continue;
      }
      v1::CustomerPage page;
      const absl::Status s = engine.ListByTier(
          program.name(), program.tiers(i).name(), "", 1, &page);
      if (!s.ok()) Fail("ListByTier", s);
      if (page.customer_ids_size() > 0) {
        samples.emplace_back(program.name() + " " + program.tiers(i).name(),
                             page.customer_ids(0));
      }
    }
  }
  v1::EntitlementSet set;
  for (const auto& [label, id] : samples) {
    const absl::Status s = engine.ResolveEntitlements(id, &set);
    if (!s.ok()) Fail("ResolveEntitlements", s);
    std::printf("  %s (%s):\n", id.c_str(), label.c_str());
    for (const auto& e : set.entitlements()) {
      std::printf("    %-18s %-10s from %s %s%s\n", e.name().c_str(),
                  ValueText(e).c_str(), e.program().c_str(), e.tier().c_str(),
                  e.defined_by_tier() != e.tier()
                      ? (" (defined by " + e.defined_by_tier() + ")").c_str()
                      : "");
    }
  }
  return 0;
}

}  // namespace standing_demo
