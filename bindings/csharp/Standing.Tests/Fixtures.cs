using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Google.Protobuf.WellKnownTypes;
using Standing.V1;

namespace Standing.Tests
{
    /// <summary>Shared data: the C ABI test policy (tests/c/test_policy.json) and event builders,
    /// as in bindings/python/tests.</summary>
    internal static class F
    {
        public const long T0 = 1768435200; // 2026-01-15T00:00:00Z
        public const long Day = 86400;

        public static readonly string Repo = typeof(F).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "RepoRoot").Value!;

        public static readonly string PolicyPath = Path.Combine(Repo, "tests", "c", "test_policy.json");
        public static readonly string PolicyJson = File.ReadAllText(PolicyPath);
        public static readonly string KeyAccountPath = Path.Combine(Repo, "examples", "policies", "key_account.json");

        /// <summary>The same policy in the protobuf text format (Google.Protobuf for C# has no
        /// text-format printer).</summary>
        public const string PolicyText = @"
# capi-test in the text format
name: ""capi-test""
version: ""1""
time_zone: ""+00:00""
currency: ""EUR""
late_event_horizon_days: 7
attributes { name: ""region"" type: TEXT }
metrics {
  name: ""spend"" aggregate: SUM field: AMOUNT
  window { since_enrolment: true }
  filter { kinds: PURCHASE }
}
tier_programs {
  name: ""loyalty""
  tiers { name: ""base"" }
  tiers { name: ""silver"" qualify { label: ""spend ≥ 100.00"" metric { metric: ""spend"" op: GE value: 10000 } } }
  tiers { name: ""gold"" qualify { label: ""spend ≥ 500.00"" metric { metric: ""spend"" op: GE value: 50000 } } }
  upgrade: IMMEDIATE
  downgrade: AT_REVIEW
  review { yearly { month: 1 day: 1 } }
}
";

        public static Engine Open(EngineOptions? options = null) => new(PolicyJson, options: options);

        public static Event Enrolled(string id, long at = T0) => new()
        {
            CustomerId = id,
            At = new Timestamp { Seconds = at },
            Enrolled = new V1.Enrolled(),
        };

        public static Event Purchase(string id, long amount, long at = T0 + 60, string currency = "EUR") => new()
        {
            CustomerId = id,
            EventId = $"p-{id}-{at}",
            At = new Timestamp { Seconds = at },
            Purchase = new V1.Purchase { Amount = amount, Currency = currency, Category = "shoes", Quantity = 1 },
        };

        public static string TempDir()
        {
            string dir = Path.Combine(Path.GetTempPath(), "standing-cs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
