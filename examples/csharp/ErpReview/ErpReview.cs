using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf.WellKnownTypes;
using Standing;
using Standing.V1;

namespace ErpReviewExample
{
    /// <summary>
    /// Loads the key-account policy (examples/policies/key_account.json), applies a year
    /// (2025) of revenue events from the ERP's invoicing for a handful of accounts, runs
    /// the year-end review of 2026-01-01 (local midnight, +08:00) and prints the result.
    /// </summary>
    public static class ErpReview
    {
        private static readonly TimeSpan China = TimeSpan.FromHours(8);

        /// <summary>The key-account policy of the repository, searched upwards from the program.</summary>
        public static string FindPolicy()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "examples", "policies", "key_account.json");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw new FileNotFoundException("examples/policies/key_account.json not found; pass its path");
        }

        /// <summary>Runs the review and writes the report to <paramref name="output"/>.</summary>
        public static int Run(string policyPath, TextWriter output)
        {
            using var engine = Engine.FromFile(policyPath);
            output.WriteLine($"standing {StandingLibrary.Version}, policy {engine.Policy.Name} v{engine.Policy.Version}");

            // Accounts from the ERP's customer master: (id, region, revenue group, upstream flag).
            var accounts = new (string Id, string Region, string Group, bool Upstream)[]
            {
                ("KA-1001 华东物流", "east", "1", false),
                ("KA-1002 西南电商", "southwest", "2", false),
                ("KA-1003 华北制造", "north", "3", false),
                ("KA-1004 省公司直管", "south", "1", true),
                ("KA-1005 中部零售", "central", "1", false),
                ("KA-0999 老客户", "east", "1", false),
            };
            // Monthly invoiced revenue in 2025, in CNY (the policy counts fen).
            var monthly = new Dictionary<string, long>
            {
                ["KA-1001 华东物流"] = 30_000,      // 360,000 a year: 黄金
                ["KA-1002 西南电商"] = 15_000,      // 180,000: VIP, 黄金 from 170,000 with group 2 (×0.85)
                ["KA-1003 华北制造"] = 180_000,     // 2,160,000: 白金
                ["KA-1004 省公司直管"] = 500,       // small, but an upstream key account: 钻石
                ["KA-1005 中部零售"] = 600,         // 7,200: not a key account
                ["KA-0999 老客户"] = 25_000,        // 300,000 in 2025 after 2,500,000 in 2024
            };

            var transitions = new List<Transition>();
            var batch = new List<Event>();

            // The long-standing account: enrolled in 2024 with 2.5 M of revenue that year (白金).
            var legacy = accounts.Single(a => a.Id.StartsWith("KA-0999", StringComparison.Ordinal));
            batch.Add(Enrol(legacy, Local(2024, 1, 2)));
            batch.Add(Revenue(legacy.Id, Local(2024, 6, 30), 2_500_000, "2024-H1"));
            transitions.AddRange(engine.ApplyBatch(batch));
            batch.Clear();

            // 2025: enrolments on January 2, then every month's invoices, in time order.
            foreach (var a in accounts.Where(a => a != legacy))
            {
                batch.Add(Enrol(a, Local(2025, 1, 2)));
            }
            for (int month = 1; month <= 12; month++)
            {
                foreach (var a in accounts)
                {
                    batch.Add(Revenue(a.Id, Local(2025, month, 28), monthly[a.Id], $"2025-{month:D2}"));
                }
            }
            transitions.AddRange(engine.ApplyBatch(batch));
            output.WriteLine($"applied {batch.Count + 2} events; {transitions.Count} tier changes during the year:");
            foreach (var t in transitions)
            {
                output.WriteLine($"  {Date(t.At)}  {t.CustomerId,-14} {t.Program,-20} {Tier(t.FromTier)} -> {t.ToTier} ({t.Cause})");
            }

            // The year-end review: January 1, 2026, local midnight.
            var reviewAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, China);
            var review = engine.Review(reviewAt);
            output.WriteLine();
            output.WriteLine($"review {reviewAt:yyyy-MM-dd HH:mm zzz}: {review.Count} tier changes");
            foreach (var t in review)
            {
                output.WriteLine($"  {t.CustomerId,-14} {t.Program,-20} {t.FromTier} -> {t.ToTier} ({t.Kind}, {t.Cause})");
                output.WriteLine($"      {t.Explanation?.Summary}");
            }

            output.WriteLine();
            output.WriteLine("key accounts after the review:");
            foreach (var a in accounts)
            {
                Customer c = engine.GetCustomer(a.Id);
                var ka = c.Standings.Single(s => s.Program == "key_account");
                var mgmt = c.Standings.Single(s => s.Program == "management_standard");
                double lastYear = c.Metrics.Single(m => m.Name == "revenue_last_year").Value / 100.0;
                output.WriteLine($"  {a.Id,-14} {ka.Tier,-5} {mgmt.Tier,-14} revenue 2025 {lastYear,14:N2} CNY  next review {Date(ka.NextReview)}");
            }

            output.WriteLine();
            foreach (var tier in new[] { "钻石", "白金", "黄金", "VIP" })
            {
                output.WriteLine($"{tier}: {string.Join(", ", engine.CustomersInTier("key_account", tier))}");
            }

            var why = engine.Explain("KA-1002 西南电商", "key_account");
            output.WriteLine();
            output.WriteLine($"why is KA-1002 {why.Tier}? {why.Summary}");
            foreach (var check in why.Checks.Where(c => c.Metric.Length > 0))
            {
                output.WriteLine($"  {(check.Holds ? "yes" : "no "),-3} {check.Label}: {check.Value / 100.0:N2} {check.Op} {check.Threshold / 100.0:N2} (×{check.Multiplier})");
            }
            return 0;
        }

        private static Event Enrol((string Id, string Region, string Group, bool Upstream) a, DateTimeOffset at)
        {
            var enrolled = new Enrolled();
            enrolled.Attributes["region"] = new AttributeValue { Text = a.Region };
            enrolled.Attributes["revenue_group"] = new AttributeValue { Text = a.Group };
            if (a.Upstream)
            {
                enrolled.Attributes["upstream_key_account"] = new AttributeValue { Flag = true };
            }
            return new Event { CustomerId = a.Id, At = Timestamp.FromDateTimeOffset(at), EventId = $"enrol-{a.Id}", Enrolled = enrolled };
        }

        private static Event Revenue(string id, DateTimeOffset at, long yuan, string period) => new()
        {
            CustomerId = id,
            At = Timestamp.FromDateTimeOffset(at),
            EventId = $"inv-{period}-{id}",
            Purchase = new Purchase { Amount = yuan * 100, Currency = "CNY", Category = "postal_services" },
        };

        private static DateTimeOffset Local(int year, int month, int day) => new(year, month, day, 10, 0, 0, China);

        private static string Date(Timestamp? t) =>
            t is null ? "-" : t.ToDateTimeOffset().ToOffset(China).ToString("yyyy-MM-dd");

        private static string Tier(string tier) => tier.Length == 0 ? "-" : tier;
    }
}
