// Entitlements (docs/service-levels.md, "Entitlements"): validation with
// path-named errors, inheritance, override and revoke within a program,
// the most favourable value across programs with its source, and
// resolution following the customer's tiers. Inline text policies, zone
// +08:00, currency CNY.
#include "entitlements.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/arena.h"
#include "gtest/gtest.h"
#include "scenario_util.h"
#include "standing/engine.h"
#include "standing/policy.h"

namespace standing::scenario {
namespace {

constexpr char kHeader[] = R"pb(
  name: "entitlements"
  version: "1"
  time_zone: "+08:00"
  currency: "CNY"
  attributes { name: "vip" type: FLAG }
  metrics {
    name: "spend_y"
    aggregate: SUM
    field: AMOUNT
    window { calendar { period: YEAR } }
  }
)pb";

constexpr char kDecls[] = R"pb(
  service_levels {
    entitlements { name: "discount" type: PERCENT description: "off list" }
    entitlements { name: "points" type: MULTIPLIER }
    entitlements { name: "priority" type: RANK }
    entitlements { name: "gift_cap" type: AMOUNT }
    entitlements { name: "hotline" type: FLAG }
    entitlements { name: "greeting" type: TEXT }
  }
)pb";

// Membership: normal < silver < gold < diamond by annual spend. VIP: on the
// `vip` flag, dropped at once when it is cleared.
constexpr char kPrograms[] = R"pb(
  tier_programs {
    name: "membership"
    review { yearly { month: 1 day: 1 } }
    tiers {
      name: "normal"
      entitlements {
        name: "gift_cap"
        value { amount: 10000 }
      }
      entitlements {
        name: "greeting"
        value { text: "Dear member" }
      }
    }
    tiers {
      name: "silver"
      qualify { metric { metric: "spend_y" op: GE value: 1000 } }
      entitlements {
        name: "discount"
        value { percent: 5 }
      }
    }
    tiers {
      name: "gold"
      qualify { metric { metric: "spend_y" op: GE value: 5000 } }
      entitlements {
        name: "points"
        value { multiplier: 1.5 }
      }
      entitlements {
        name: "priority"
        value { rank: 3 }
      }
      entitlements {
        name: "discount"
        value { percent: 10 }
      }
    }
    tiers {
      name: "diamond"
      qualify { metric { metric: "spend_y" op: GE value: 20000 } }
      entitlements {
        name: "points"
        value { multiplier: 2 }
      }
      entitlements {
        name: "priority"
        value { rank: 1 }
      }
      entitlements {
        name: "hotline"
        value { flag: true }
      }
      entitlements {
        name: "gift_cap"
        value { amount: 50000 }
      }
      entitlements { name: "discount" revoke: true }
    }
  }
  tier_programs {
    name: "vip"
    downgrade: IMMEDIATE
    tiers { name: "none" }
    tiers {
      name: "vip"
      qualify { attribute { attribute: "vip" } }
      entitlements {
        name: "discount"
        value { percent: 8 }
      }
      entitlements {
        name: "priority"
        value { rank: 2 }
      }
      entitlements {
        name: "gift_cap"
        value { amount: 50000 }
      }
      entitlements {
        name: "hotline"
        value { flag: false }
      }
      entitlements {
        name: "greeting"
        value { text: "Dear VIP" }
      }
    }
  }
)pb";

absl::StatusOr<std::unique_ptr<Engine>> Create(const std::string& body) {
  auto policy = ParsePolicy(absl::StrCat(kHeader, body), PolicyFormat::kText);
  if (!policy.ok()) return policy.status();
  return Engine::Create(*policy);
}

std::unique_ptr<Engine> MustCreate(const std::string& body) {
  auto engine = Create(body);
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

void Must(Engine& engine, const v1::Event& e) {
  std::vector<v1::Transition> out;
  absl::Status s = engine.Apply(e, &out);
  ASSERT_TRUE(s.ok()) << e.ShortDebugString() << ": " << s;
}

v1::EntitlementSet Resolve(const Engine& engine, const std::string& id) {
  v1::EntitlementSet set;
  absl::Status s = engine.ResolveEntitlements(id, &set);
  EXPECT_TRUE(s.ok()) << id << ": " << s;
  return set;
}

std::vector<std::string> Names(const v1::EntitlementSet& set) {
  std::vector<std::string> names;
  for (const auto& e : set.entitlements()) names.push_back(e.name());
  return names;
}

const v1::ResolvedEntitlement* Find(const v1::EntitlementSet& set,
                                    const std::string& name) {
  for (const auto& e : set.entitlements()) {
    if (e.name() == name) return &e;
  }
  return nullptr;
}

// "program/tier/defined_by_tier", to check a source in one comparison.
std::string Source(const v1::EntitlementSet& set, const std::string& name) {
  const v1::ResolvedEntitlement* e = Find(set, name);
  if (e == nullptr) return "(absent)";
  return absl::StrCat(e->program(), "/", e->tier(), "/", e->defined_by_tier());
}

// ----- validation ------------------------------------------------------------

struct BadCase {
  std::string decls;  // service_levels body
  std::string gold;   // entitlements of membership's "gold" (tiers[2])
  std::string error;
};

// A membership program whose gold tier carries `gold`, under `decls`.
std::string BadPolicy(const BadCase& c) {
  return absl::StrCat(
      "service_levels {", c.decls, "}", R"pb(
        tier_programs {
          name: "membership"
          review { yearly { month: 1 day: 1 } }
          tiers {
            name: "normal"
            entitlements {
              name: "discount"
              value { percent: 1 }
            }
          }
          tiers {
            name: "silver"
            qualify { metric { metric: "spend_y" op: GE value: 1000 } }
          }
          tiers { name: "gold"
                  qualify { metric { metric: "spend_y" op: GE value: 5000 } }
      )pb",
      c.gold, "}}");
}

constexpr char kGoodDecls[] = R"pb(
  entitlements { name: "discount" type: PERCENT }
  entitlements { name: "points" type: MULTIPLIER }
  entitlements { name: "priority" type: RANK }
  entitlements { name: "gift_cap" type: AMOUNT }
  entitlements { name: "hotline" type: FLAG }
)pb";

TEST(EntitlementValidation, EachBadPolicyFailsCreateWithItsPath) {
  const std::string g = "tier_programs[0].tiers[2].entitlements";
  const std::vector<BadCase> cases = {
      {R"pb(entitlements { name: "discount" type: PERCENT }
            entitlements { name: "discount" type: RANK })pb",
       "",
       "service_levels.entitlements[1].name: duplicate entitlement "
       "\"discount\" (also service_levels.entitlements[0])"},
      {R"pb(entitlements { name: "discount" type: PERCENT }
            entitlements { type: FLAG })pb",
       "", "service_levels.entitlements[1].name: must not be empty"},
      {R"pb(entitlements { name: "discount" type: PERCENT }
            entitlements { name: "gift cap" type: AMOUNT })pb",
       "",
       "service_levels.entitlements[1].name: \"gift cap\" is not an "
       "identifier ([A-Za-z_][A-Za-z0-9_]*)"},
      {R"pb(entitlements { name: "discount" type: PERCENT }
            entitlements { name: "hotline" })pb",
       "",
       "service_levels.entitlements[1].type: must be PERCENT, MULTIPLIER, "
       "RANK, AMOUNT, FLAG or TEXT (got TYPE_UNSPECIFIED)"},
      {R"pb(entitlements { name: "discount" type: PERCENT }
            entitlements { name: "hotline" type: 42 })pb",
       "",
       "service_levels.entitlements[1].type: must be PERCENT, MULTIPLIER, "
       "RANK, AMOUNT, FLAG or TEXT (got 42)"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          value { rank: 2 }
                        })pb",
       g + "[0].value: a PERCENT entitlement needs percent (got rank)"},
      {kGoodDecls, R"pb(entitlements { name: "hotline" })pb",
       g + "[0].value: a FLAG entitlement needs flag (got none)"},
      {kGoodDecls, R"pb(entitlements {
                          name: "points"
                          value {}
                        })pb",
       g + "[0].value: a MULTIPLIER entitlement needs multiplier (got none)"},
      {kGoodDecls, R"pb(entitlements {
                          name: "cashback"
                          value { percent: 1 }
                        })pb",
       g + "[0].name: unknown entitlement \"cashback\" (not declared in "
           "service_levels.entitlements)"},
      {kGoodDecls, R"pb(entitlements { value { percent: 1 } })pb",
       g + "[0].name: must not be empty"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          value { percent: 150 }
                        })pb",
       g + "[0].value.percent: must be within 0..100, got 150"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          value { percent: -0.5 }
                        })pb",
       g + "[0].value.percent: must be within 0..100, got -0.5"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          value { percent: nan }
                        })pb",
       g + "[0].value.percent: must be within 0..100, got nan"},
      {kGoodDecls, R"pb(entitlements {
                          name: "gift_cap"
                          value { amount: -5 }
                        })pb",
       g + "[0].value.amount: must not be negative, got -5"},
      {kGoodDecls, R"pb(entitlements {
                          name: "points"
                          value { multiplier: 0 }
                        })pb",
       g + "[0].value.multiplier: must be a finite number above 0, got 0"},
      {kGoodDecls, R"pb(entitlements {
                          name: "points"
                          value { multiplier: -1 }
                        })pb",
       g + "[0].value.multiplier: must be a finite number above 0, got -1"},
      {kGoodDecls, R"pb(entitlements {
                          name: "points"
                          value { multiplier: nan }
                        })pb",
       g + "[0].value.multiplier: must be a finite number above 0, got nan"},
      {kGoodDecls, R"pb(entitlements {
                          name: "points"
                          value { multiplier: inf }
                        })pb",
       g + "[0].value.multiplier: must be a finite number above 0, got inf"},
      {kGoodDecls, R"pb(entitlements {
                          name: "priority"
                          value { rank: 0 }
                        })pb",
       g + "[0].value.rank: must be at least 1 (1 is served first), got 0"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          revoke: true
                          value { percent: 0 }
                        })pb",
       g + "[0].value: a revoke takes no value"},
      {kGoodDecls, R"pb(entitlements { name: "hotline" revoke: true })pb",
       g + "[0].revoke: nothing to revoke: \"hotline\" is not granted by a "
           "lower tier of the program (or already revoked)"},
      {kGoodDecls, R"pb(entitlements {
                          name: "discount"
                          value { percent: 2 }
                        }
                        entitlements {
                          name: "hotline"
                          value { flag: true }
                        }
                        entitlements { name: "discount" revoke: true })pb",
       g + "[2].name: duplicate entitlement \"discount\" (also "
           "entitlements[0])"},
  };
  for (const BadCase& c : cases) {
    const std::string body = BadPolicy(c);
    // The text itself parses: the refusal comes from Engine::Create.
    ASSERT_TRUE(
        ParsePolicy(absl::StrCat(kHeader, body), PolicyFormat::kText).ok())
        << body;
    auto engine = Create(body);
    ASSERT_FALSE(engine.ok()) << body;
    EXPECT_EQ(engine.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(engine.status().message(), c.error) << body;
  }
}

TEST(EntitlementValidation, RevokeTwiceUpTheProgramIsRefused) {
  auto engine = Create(absl::StrCat("service_levels {", kGoodDecls, "}", R"pb(
    tier_programs {
      name: "card"
      review { yearly { month: 1 day: 1 } }
      tiers {
        name: "base"
        entitlements {
          name: "hotline"
          value { flag: true }
        }
      }
      tiers {
        name: "silver"
        qualify { metric { metric: "spend_y" op: GE value: 1000 } }
        entitlements { name: "hotline" revoke: true }
      }
      tiers {
        name: "gold"
        qualify { metric { metric: "spend_y" op: GE value: 5000 } }
        entitlements { name: "hotline" revoke: true }
      }
    }
  )pb"));
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().message(),
            "tier_programs[0].tiers[2].entitlements[0].revoke: nothing to "
            "revoke: \"hotline\" is not granted by a lower tier of the "
            "program (or already revoked)");
}

TEST(EntitlementValidation, BadReplacementLeavesEntitlementsAsTheyWere) {
  auto engine = MustCreate(absl::StrCat(kDecls, kPrograms));
  ASSERT_NE(engine, nullptr);
  Must(*engine, Enrol("c", Local(2026, 1, 5)));
  const v1::EntitlementSet before = Resolve(*engine, "c");

  auto bad =
      ParsePolicy(absl::StrCat(kHeader, kDecls, kPrograms,
                               R"pb(
                                 tier_programs {
                                   name: "extra"
                                   review { yearly { month: 1 day: 1 } }
                                   tiers {
                                     name: "base"
                                     entitlements {
                                       name: "discount"
                                       value { percent: 101 }
                                     }
                                   }
                                   tiers {
                                     name: "top"
                                     qualify { attribute { attribute: "vip" } }
                                   }
                                 }
                               )pb"),
                  PolicyFormat::kText);
  ASSERT_TRUE(bad.ok()) << bad.status();
  std::vector<v1::Transition> changes;
  absl::Status s = engine->ReplacePolicy(*bad, &changes);
  EXPECT_EQ(s.message(),
            "tier_programs[2].tiers[0].entitlements[0].value.percent: must be "
            "within 0..100, got 101");
  EXPECT_EQ(Resolve(*engine, "c").DebugString(), before.DebugString());
}

// ----- resolution ------------------------------------------------------------

class EntitlementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = MustCreate(absl::StrCat(kDecls, kPrograms));
    ASSERT_NE(engine_, nullptr);
  }
  Engine& engine() { return *engine_; }
  // Enrols `id` on 2026-01-05 and buys `spend` an hour later.
  void Customer(const std::string& id, int64_t spend, bool vip = false) {
    Must(*engine_, Enrol(id, Local(2026, 1, 5), {{"vip", Flag(vip)}}));
    if (spend > 0) Must(*engine_, Buy(id, Local(2026, 1, 5, 13), spend));
  }

  std::unique_ptr<Engine> engine_;
};

TEST_F(EntitlementsTest, BaseTierHasItsOwnOnly) {
  Customer("n", 0);
  const v1::EntitlementSet set = Resolve(engine(), "n");
  EXPECT_EQ(set.customer_id(), "n");
  EXPECT_EQ(Names(set), (std::vector<std::string>{"gift_cap", "greeting"}));
  const v1::ResolvedEntitlement* cap = Find(set, "gift_cap");
  ASSERT_NE(cap, nullptr);
  EXPECT_EQ(cap->type(), v1::EntitlementDecl::AMOUNT);
  EXPECT_EQ(cap->value().value_case(), v1::EntitlementValue::kAmount);
  EXPECT_EQ(cap->value().amount(), 10000);
  EXPECT_EQ(Source(set, "gift_cap"), "membership/normal/normal");
  EXPECT_EQ(Find(set, "greeting")->value().text(), "Dear member");
}

TEST_F(EntitlementsTest, HigherTiersInheritWhatTheyDoNotName) {
  Customer("s", 1000);
  const v1::EntitlementSet set = Resolve(engine(), "s");
  // Declaration order, whatever order the tiers name them in.
  EXPECT_EQ(Names(set),
            (std::vector<std::string>{"discount", "gift_cap", "greeting"}));
  EXPECT_EQ(Find(set, "discount")->value().percent(), 5);
  EXPECT_EQ(Source(set, "discount"), "membership/silver/silver");
  EXPECT_EQ(Find(set, "gift_cap")->value().amount(), 10000);
  EXPECT_EQ(Source(set, "gift_cap"), "membership/silver/normal");
  EXPECT_EQ(Source(set, "greeting"), "membership/silver/normal");
}

TEST_F(EntitlementsTest, OverrideReplacesTheInheritedValue) {
  Customer("g", 5000);
  const v1::EntitlementSet set = Resolve(engine(), "g");
  EXPECT_EQ(Names(set),
            (std::vector<std::string>{"discount", "points", "priority",
                                      "gift_cap", "greeting"}));
  EXPECT_EQ(Find(set, "discount")->value().percent(), 10);
  EXPECT_EQ(Source(set, "discount"), "membership/gold/gold");
  EXPECT_DOUBLE_EQ(Find(set, "points")->value().multiplier(), 1.5);
  EXPECT_EQ(Find(set, "priority")->value().rank(), 3);
  EXPECT_EQ(Source(set, "gift_cap"), "membership/gold/normal");
}

TEST_F(EntitlementsTest, RevokeRemovesAnInheritedEntitlement) {
  Customer("d", 20000);
  const v1::EntitlementSet set = Resolve(engine(), "d");
  EXPECT_EQ(Names(set),
            (std::vector<std::string>{"points", "priority", "gift_cap",
                                      "hotline", "greeting"}));
  EXPECT_EQ(Find(set, "discount"), nullptr);
  EXPECT_DOUBLE_EQ(Find(set, "points")->value().multiplier(), 2);
  EXPECT_EQ(Find(set, "priority")->value().rank(), 1);
  EXPECT_EQ(Find(set, "gift_cap")->value().amount(), 50000);
  EXPECT_EQ(Source(set, "gift_cap"), "membership/diamond/diamond");
  EXPECT_TRUE(Find(set, "hotline")->value().flag());
}

TEST_F(EntitlementsTest, AcrossProgramsTheMostFavourableWinsWithItsSource) {
  // Gold member and VIP.
  Customer("gv", 5000, /*vip=*/true);
  v1::EntitlementSet set = Resolve(engine(), "gv");
  EXPECT_EQ(Names(set),
            (std::vector<std::string>{"discount", "points", "priority",
                                      "gift_cap", "hotline", "greeting"}));
  // PERCENT: highest (gold 10 > vip 8).
  EXPECT_EQ(Find(set, "discount")->value().percent(), 10);
  EXPECT_EQ(Source(set, "discount"), "membership/gold/gold");
  // Only one program grants it.
  EXPECT_EQ(Source(set, "points"), "membership/gold/gold");
  // RANK: lowest (vip 2 < gold 3).
  EXPECT_EQ(Find(set, "priority")->value().rank(), 2);
  EXPECT_EQ(Source(set, "priority"), "vip/vip/vip");
  // AMOUNT: highest (vip 50000 > normal's 10000 inherited by gold).
  EXPECT_EQ(Find(set, "gift_cap")->value().amount(), 50000);
  EXPECT_EQ(Source(set, "gift_cap"), "vip/vip/vip");
  // FLAG false is still an entitlement when no program says true.
  EXPECT_EQ(Find(set, "hotline")->value().value_case(),
            v1::EntitlementValue::kFlag);
  EXPECT_FALSE(Find(set, "hotline")->value().flag());
  EXPECT_EQ(Source(set, "hotline"), "vip/vip/vip");
  // TEXT: the first program in policy order.
  EXPECT_EQ(Find(set, "greeting")->value().text(), "Dear member");
  EXPECT_EQ(Source(set, "greeting"), "membership/gold/normal");

  // Diamond member and VIP.
  Customer("dv", 20000, /*vip=*/true);
  set = Resolve(engine(), "dv");
  // Revoked in membership, still granted by vip.
  EXPECT_EQ(Find(set, "discount")->value().percent(), 8);
  EXPECT_EQ(Source(set, "discount"), "vip/vip/vip");
  EXPECT_EQ(Find(set, "priority")->value().rank(), 1);
  EXPECT_EQ(Source(set, "priority"), "membership/diamond/diamond");
  // A tie keeps the first program.
  EXPECT_EQ(Find(set, "gift_cap")->value().amount(), 50000);
  EXPECT_EQ(Source(set, "gift_cap"), "membership/diamond/diamond");
  // FLAG: true wins.
  EXPECT_TRUE(Find(set, "hotline")->value().flag());
  EXPECT_EQ(Source(set, "hotline"), "membership/diamond/diamond");
}

TEST_F(EntitlementsTest, EntitlementsFollowTierChanges) {
  Customer("c", 0);
  EXPECT_EQ(Names(Resolve(engine(), "c")),
            (std::vector<std::string>{"gift_cap", "greeting"}));

  Must(engine(), Buy("c", Local(2026, 3, 1), 5000));  // upgrade to gold
  v1::EntitlementSet set = Resolve(engine(), "c");
  EXPECT_EQ(Source(set, "discount"), "membership/gold/gold");
  EXPECT_EQ(Source(set, "priority"), "membership/gold/gold");

  Must(engine(), SetAttrs("c", Local(2026, 3, 2), {{"vip", Flag(true)}}));
  set = Resolve(engine(), "c");
  EXPECT_EQ(Source(set, "priority"), "vip/vip/vip");
  EXPECT_EQ(Source(set, "hotline"), "vip/vip/vip");

  // VIP drops at once: the vip values go with it.
  Must(engine(), SetAttrs("c", Local(2026, 3, 3), {{"vip", Flag(false)}}));
  set = Resolve(engine(), "c");
  EXPECT_EQ(Source(set, "priority"), "membership/gold/gold");
  EXPECT_EQ(Find(set, "hotline"), nullptr);
  EXPECT_EQ(Find(set, "gift_cap")->value().amount(), 10000);
}

TEST_F(EntitlementsTest, UnknownCustomerIsNotFound) {
  v1::EntitlementSet set;
  absl::Status s = engine().ResolveEntitlements("nobody", &set);
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
}

TEST_F(EntitlementsTest, AReusedSetMatchesAFreshOne) {
  Customer("n", 0);
  Customer("d", 20000);
  Customer("gv", 5000, /*vip=*/true);
  Customer("s", 1000);
  // Longer and shorter results in turn, into one set and into fresh ones:
  // nothing of an earlier customer may remain (values of another type,
  // sources, trailing elements).
  v1::EntitlementSet reused;
  for (int round = 0; round < 3; ++round) {
    for (const char* id : {"gv", "n", "d", "s", "gv", "d", "n"}) {
      ASSERT_TRUE(engine().ResolveEntitlements(id, &reused).ok());
      EXPECT_EQ(reused.DebugString(), Resolve(engine(), id).DebugString())
          << id;
    }
  }
}

TEST_F(EntitlementsTest, ChangesTheCallerMadeToAReusedSetAreUndone) {
  Customer("gv", 5000, /*vip=*/true);
  Customer("d", 20000);
  v1::EntitlementSet reused;
  for (int round = 0; round < 3; ++round) {
    for (const char* id : {"gv", "d"}) {
      ASSERT_TRUE(engine().ResolveEntitlements(id, &reused).ok());
      EXPECT_EQ(reused.DebugString(), Resolve(engine(), id).DebugString())
          << id << " round " << round;
      // Elements go back to the engine's per-thread pool on the next call,
      // edited or not: every field must be rewritten or checked.
      for (v1::ResolvedEntitlement& e : *reused.mutable_entitlements()) {
        e.set_tier("edited");
        e.set_defined_by_tier("x");
        e.mutable_value()->set_text("edited");
        e.set_type(v1::EntitlementDecl::TEXT);
      }
      if (round == 1) {
        reused.mutable_entitlements()->SwapElements(
            0, reused.entitlements_size() - 1);
        reused.mutable_entitlements()->Add()->set_name("priority");
      }
    }
  }
}

TEST_F(EntitlementsTest, ASetOnAnArenaMatchesAFreshOne) {
  Customer("n", 0);
  Customer("d", 20000);
  Customer("gv", 5000, /*vip=*/true);
  google::protobuf::Arena arena;
  auto* reused =
      google::protobuf::Arena::CreateMessage<v1::EntitlementSet>(&arena);
  for (int round = 0; round < 2; ++round) {
    for (const char* id : {"gv", "n", "d", "gv", "n"}) {
      ASSERT_TRUE(engine().ResolveEntitlements(id, reused).ok());
      EXPECT_EQ(reused->DebugString(), Resolve(engine(), id).DebugString())
          << id;
    }
  }
}

TEST_F(EntitlementsTest, AReusedSetFollowsAPolicyReplacement) {
  Customer("gv", 5000, /*vip=*/true);
  v1::EntitlementSet reused;
  ASSERT_TRUE(engine().ResolveEntitlements("gv", &reused).ok());
  // Same programs and tiers, so the same table cells, with other values.
  std::string programs = kPrograms;
  const std::string from = "value { percent: 10 }";
  programs.replace(programs.find(from), from.size(), "value { percent: 12 }");
  auto policy =
      ParsePolicy(absl::StrCat(kHeader, kDecls, programs), PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<v1::Transition> changes;
  ASSERT_TRUE(engine().ReplacePolicy(*policy, &changes).ok());
  ASSERT_TRUE(engine().ResolveEntitlements("gv", &reused).ok());
  EXPECT_EQ(Find(reused, "discount")->value().percent(), 12);
  EXPECT_EQ(reused.DebugString(), Resolve(engine(), "gv").DebugString());
}

TEST_F(EntitlementsTest, TwoEnginesOnOneThreadDoNotMixResults) {
  // Another policy with the same shape (same cell numbers), other names.
  std::string programs = kPrograms;
  for (const std::string name : {"\"membership\"", "\"gold\""}) {
    programs.replace(programs.find(name), name.size(), "\"other\"");
  }
  auto other = MustCreate(absl::StrCat(kDecls, programs));
  ASSERT_NE(other, nullptr);
  Customer("g", 5000);
  Must(*other, Enrol("g", Local(2026, 1, 5), {{"vip", Flag(false)}}));
  Must(*other, Buy("g", Local(2026, 1, 5, 13), 5000));
  v1::EntitlementSet reused;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(engine().ResolveEntitlements("g", &reused).ok());
    EXPECT_EQ(Source(reused, "discount"), "membership/gold/gold");
    ASSERT_TRUE(other->ResolveEntitlements("g", &reused).ok());
    EXPECT_EQ(Source(reused, "discount"), "other/other/other");
  }
}

// The result table (one result per combination of tiers) against the rows
// it is built from, for every combination, indexed as the engine does.
TEST(EntitlementTable, EveryCombinationMatchesTheRows) {
  auto policy = ParsePolicy(absl::StrCat(kHeader, kDecls, kPrograms),
                            PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto table = CompileEntitlements(*policy);
  auto rows = CompileEntitlements(*policy, /*max_table_entries=*/0);
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_TRUE(table->has_table());
  EXPECT_FALSE(rows->has_table());
  std::vector<ResolvedCell> want(rows->decls.size());
  int combinations = 0;
  for (int membership = 0; membership < 4; ++membership) {
    for (int vip = 0; vip < 2; ++vip) {
      const int tiers[] = {membership, vip};
      const int n = rows->Resolve(tiers, want.data());
      const uint32_t combo =
          table->stride[0] * membership + table->stride[1] * vip;
      const uint32_t begin = table->table_begin[combo];
      ASSERT_EQ(table->table_begin[combo + 1] - begin,
                static_cast<uint32_t>(n));
      for (int i = 0; i < n; ++i) {
        const ResolvedCell& got = table->table[begin + i];
        EXPECT_EQ(got.decl, want[i].decl);
        EXPECT_EQ(got.program, want[i].program);
        EXPECT_EQ(got.tier, want[i].tier);
        EXPECT_EQ(got.cell, want[i].cell);
      }
      ++combinations;
    }
  }
  EXPECT_EQ(table->table_begin.size(), static_cast<size_t>(combinations + 1));
}

// 17 two-tier programs: 2^17 combinations, too many for the result table,
// so resolution reads the rows at each call. Program k grants discount
// (k * 7) % 10 + 1 percent when flag fk is set; the highest wins, a tie
// keeps the earlier program.
TEST(Entitlements, WithoutATableResolutionIsTheSame) {
  constexpr int kCount = 17;
  std::string body = R"pb(
    service_levels {
      entitlements { name: "discount" type: PERCENT }
      entitlements { name: "hotline" type: FLAG }
    }
  )pb";
  std::string attributes;
  for (int k = 0; k < kCount; ++k) {
    absl::StrAppend(&attributes, "attributes { name: \"f", k,
                    "\" type: FLAG }\n");
    absl::StrAppendFormat(&body, R"pb(
                            tier_programs {
                              name: "p%d"
                              downgrade: IMMEDIATE
                              tiers { name: "off" }
                              tiers {
                                name: "on"
                                qualify { attribute { attribute: "f%d" } }
                                entitlements {
                                  name: "discount"
                                  value { percent: %d }
                                }
                              }
                            }
                          )pb",
                          k, k, (k * 7) % 10 + 1);
  }
  auto policy =
      ParsePolicy(absl::StrCat(kHeader, attributes, body), PolicyFormat::kText);
  ASSERT_TRUE(policy.ok()) << policy.status();
  auto compiled = CompileEntitlements(*policy);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  EXPECT_FALSE(compiled->has_table());
  auto engine = Engine::Create(*policy);
  ASSERT_TRUE(engine.ok()) << engine.status();

  v1::EntitlementSet reused;
  for (uint32_t flags : {0u, 1u, 2u, 6u, 0x1ffffu, 0x10400u, 0x0a0a0u}) {
    const std::string id = absl::StrCat("c", flags);
    Attrs attrs;
    int best = -1;
    for (int k = 0; k < kCount; ++k) {
      const bool on = (flags >> k) & 1;
      attrs.emplace_back(absl::StrCat("f", k), Flag(on));
      if (on && (best < 0 || (k * 7) % 10 > (best * 7) % 10)) best = k;
    }
    Must(**engine, Enrol(id, Local(2026, 1, 5), attrs));
    ASSERT_TRUE((*engine)->ResolveEntitlements(id, &reused).ok());
    EXPECT_EQ(reused.DebugString(), Resolve(**engine, id).DebugString());
    if (best < 0) {
      EXPECT_EQ(reused.entitlements_size(), 0) << flags;
      continue;
    }
    ASSERT_EQ(reused.entitlements_size(), 1) << flags;
    EXPECT_EQ(reused.entitlements(0).value().percent(), (best * 7) % 10 + 1);
    EXPECT_EQ(Source(reused, "discount"), absl::StrCat("p", best, "/on/on"))
        << flags;
  }
}

TEST(Entitlements, PolicyWithoutEntitlementsResolvesToNone) {
  auto engine = MustCreate(R"pb(
    tier_programs {
      name: "card"
      review { yearly { month: 1 day: 1 } }
      tiers { name: "base" }
      tiers {
        name: "gold"
        qualify { metric { metric: "spend_y" op: GE value: 1000 } }
      }
    }
  )pb");
  ASSERT_NE(engine, nullptr);
  Must(*engine, Enrol("c", Local(2026, 1, 5)));
  const v1::EntitlementSet set = Resolve(*engine, "c");
  EXPECT_EQ(set.customer_id(), "c");
  EXPECT_EQ(set.entitlements_size(), 0);
}

}  // namespace
}  // namespace standing::scenario
