using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Google.Protobuf;
using Standing.V1;
using Xunit;
using static Standing.Tests.F;

namespace Standing.Tests
{
    public class OpenTests
    {
        [Fact]
        public void OpenEveryWay()
        {
            Policy policy;
            using (var e = Open())
            {
                policy = e.Policy;
            }
            Assert.Equal("capi-test", policy.Name);
            byte[] binary = policy.ToByteArray();
            string dir = TempDir();
            File.WriteAllText(Path.Combine(dir, "p.txtpb"), PolicyText);
            File.WriteAllBytes(Path.Combine(dir, "p.binpb"), binary);
            File.WriteAllText(Path.Combine(dir, "p.policy"), PolicyText); // unknown suffix: sniffed

            var engines = new List<Func<Engine>>
            {
                () => new Engine(PolicyJson),
                () => new Engine(PolicyJson, PolicyFormat.Json),
                () => new Engine(policy),
                () => new Engine(PolicyText),
                () => new Engine(PolicyText, PolicyFormat.Text),
                () => new Engine(Encoding.UTF8.GetBytes(PolicyJson)),
                () => new Engine(Encoding.UTF8.GetBytes(PolicyText)),
                () => new Engine(binary),
                () => new Engine(binary, PolicyFormat.Binary),
                () => Engine.FromFile(PolicyPath),
                () => Engine.FromFile(Path.Combine(dir, "p.txtpb")),
                () => Engine.FromFile(Path.Combine(dir, "p.binpb")),
                () => Engine.FromFile(Path.Combine(dir, "p.policy")),
                () => new Engine(PolicyJson, options: new EngineOptions { MaxMessageBytes = 1 << 20, ReviewThreads = 1 }),
            };
            foreach (var open in engines)
            {
                using var e = open();
                Assert.Equal(policy, e.Policy);
                Assert.Equal(0, e.CustomerCount);
            }
            Directory.Delete(dir, true);
        }

        [Fact]
        public void OpenErrors()
        {
            Assert.Throws<PolicyException>(() => new Engine("{not json"));
            var invalid = Assert.Throws<PolicyException>(() => new Engine(@"{""tierPrograms"": [{""name"": ""p"", ""tiers"": [{""name"": ""a""}, {""name"": ""b""}]}]}"));
            Assert.Equal(StandingStatus.PolicyError, invalid.Status);
            Assert.NotEmpty(invalid.Message);
            Assert.Throws<PolicyException>(() => new Engine(new byte[] { 0xff, 0xff, 0xff }, PolicyFormat.Binary));
            Assert.Throws<PolicyException>(() => new Engine("tier_programs {", PolicyFormat.Text));
            Assert.Throws<InvalidArgumentException>(() => new Engine(Array.Empty<byte>()));
            Assert.Throws<InvalidArgumentException>(() => new Engine(""));
            Assert.Throws<ArgumentException>(() => new Engine(PolicyJson, PolicyFormat.Binary));
            Assert.Throws<ArgumentNullException>(() => new Engine((string)null!));
            Assert.Throws<ArgumentNullException>(() => new Engine((Policy)null!));
            Assert.ThrowsAny<IOException>(() => Engine.FromFile("/nonexistent/policy.json"));
            Assert.Throws<TooLargeException>(() => Open(new EngineOptions { MaxMessageBytes = 100 }));
            Assert.Throws<OutOfRangeException>(() => Open(new EngineOptions { MaxMessageBytes = 0 }));
            Assert.Throws<OutOfRangeException>(() => Open(new EngineOptions { MaxMessageBytes = -1 }));
            Assert.Throws<OutOfRangeException>(() => Open(new EngineOptions { ReviewThreads = -1 }));
        }

        [Fact]
        public void DisposeAndUseAfterDispose()
        {
            Engine e;
            using (e = Open())
            {
                Assert.False(e.IsDisposed);
                e.Apply(Enrolled("x"));
            }
            Assert.True(e.IsDisposed);
            e.Dispose(); // double dispose is a no-op
            e.Dispose();
            Assert.Contains("disposed", e.ToString());
            Assert.True(e.Handle.IsClosed);
            Assert.Throws<ObjectDisposedException>(() => e.Apply(Enrolled("y")));
            Assert.Throws<ObjectDisposedException>(() => e.Apply(new byte[] { 1 }));
            Assert.Throws<ObjectDisposedException>(() => e.ApplyBatch(new[] { Enrolled("y") }));
            Assert.Throws<ObjectDisposedException>(() => e.Review(T0));
            Assert.Throws<ObjectDisposedException>(() => e.ReplacePolicy(PolicyJson));
            Assert.Throws<ObjectDisposedException>(() => e.GetCustomer("x"));
            Assert.Throws<ObjectDisposedException>(() => e.TryGetCustomer("x", out _));
            Assert.Throws<ObjectDisposedException>(() => e.Explain("x", "loyalty"));
            Assert.Throws<ObjectDisposedException>(() => e.CustomersInTier("loyalty", "base").ToList());
            Assert.Throws<ObjectDisposedException>(() => e.Policy);
            Assert.Throws<ObjectDisposedException>(() => e.Clock);
            Assert.Throws<ObjectDisposedException>(() => e.CustomerCount);
            Assert.Throws<ObjectDisposedException>(() => e.Snapshot());
            Assert.Throws<ObjectDisposedException>(() => e.Save("/tmp/x"));
        }

        [Fact]
        public void UndisposedEnginesAreFinalized()
        {
            for (int i = 0; i < 20; i++)
            {
                var e = Open();
                e.Apply(Enrolled("leak"));
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var again = Open();
            Assert.Equal(0, again.CustomerCount);
        }
    }

    public class EventTests : IDisposable
    {
        private readonly Engine _engine = Open();

        public void Dispose() => _engine.Dispose();

        [Fact]
        public void ApplyReturnsTransitions()
        {
            var engine = _engine;
            Assert.Empty(engine.Apply(Enrolled("alice"))); // base tier: no change
            Assert.Empty(engine.Apply(Purchase("alice", 100)));
            var ts = engine.Apply(Purchase("alice", 20000, at: T0 + 120));
            var t = Assert.Single(ts);
            Assert.Equal("alice", t.CustomerId);
            Assert.Equal("loyalty", t.Program);
            Assert.Equal(Cause.Event, t.Cause);
            Assert.Equal(("base", "silver", TransitionKind.Upgrade), (t.FromTier, t.ToTier, t.Kind));
            Assert.NotNull(t.Explanation);
            Assert.Equal(T0 + 120, engine.Clock);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(T0 + 120), engine.ClockTime);
        }

        [Fact]
        public void ApplySerializedBytes()
        {
            _engine.Apply(Enrolled("d1").ToByteArray());
            _engine.Apply(Purchase("d1", 60000).ToByteArray().AsSpan());
            Assert.Equal("gold", _engine.GetCustomer("d1").Standings[0].Tier);
            Assert.Throws<ArgumentNullException>(() => _engine.Apply((Event)null!));
        }

        [Fact]
        public void ApplyErrors()
        {
            var engine = _engine;
            engine.Apply(Enrolled("alice"));
            Assert.Throws<AlreadyExistsException>(() => engine.Apply(Enrolled("alice")));
            var nf = Assert.Throws<NotFoundException>(() => engine.Apply(Purchase("bob", 1)));
            Assert.Equal(StandingStatus.NotFound, nf.Status);
            Assert.NotEmpty(nf.Message);
            Assert.Throws<InvalidArgumentException>(() => engine.Apply(Purchase("alice", 1, currency: "USD")));
            engine.Apply(Purchase("alice", 1, at: T0 + 30 * Day));
            Assert.Throws<OutOfRangeException>(() => engine.Apply(Purchase("alice", 1, at: T0 + 10 * Day)));
            Assert.Throws<MalformedMessageException>(() => engine.Apply(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }));
            byte[] whole = Enrolled("carol").ToByteArray();
            Assert.Throws<MalformedMessageException>(() => engine.Apply(whole.AsSpan(0, whole.Length - 1)));
            Assert.Throws<InvalidArgumentException>(() => engine.Apply(ReadOnlySpan<byte>.Empty));
            Assert.Equal(1, engine.CustomerCount);
        }

        [Fact]
        public void ApplyTooLarge()
        {
            using var e = Open(new EngineOptions { MaxMessageBytes = 4096 });
            e.Apply(Enrolled("a"));
            var big = Purchase("a", 1);
            big.EventId = new string('x', 5000);
            Assert.Throws<TooLargeException>(() => e.Apply(big));
            Assert.Throws<TooLargeException>(() => e.ApplyBatch(new[] { big }));
        }

        private static IEnumerable<Event> Lazy()
        {
            for (int i = 0; i < 3; i++)
            {
                yield return Enrolled($"g{i}", T0 + 64);
            }
        }

        [Fact]
        public void ApplyBatchForms()
        {
            var engine = _engine;
            var ts = engine.ApplyBatch(new[] { Enrolled("b1"), Purchase("b1", 60000), Enrolled("b2", T0 + 61) });
            Assert.Equal(new[] { ("b1", "gold") }, ts.Select(t => (t.CustomerId, t.ToTier)));
            Assert.Equal("gold", engine.GetCustomer("b1").Standings[0].Tier);
            Assert.Empty(engine.ApplyBatch(new List<Event>()));
            Assert.Empty(engine.ApplyBatch(new EventBatch()));
            Assert.Empty(engine.ApplyBatch(ReadOnlySpan<byte>.Empty));
            Assert.Empty(engine.ApplyBatch(new EventBatch { Events = { Enrolled("b3", T0 + 62) } }));
            Assert.Empty(engine.ApplyBatch(new EventBatch { Events = { Enrolled("b4", T0 + 63) } }.ToByteArray()));
            Assert.Empty(engine.ApplyBatch(Lazy()));
            Assert.Equal(7, engine.CustomerCount);
            Assert.Throws<ArgumentException>(() => engine.ApplyBatch(new Event[] { null! }));
            Assert.Throws<ArgumentNullException>(() => engine.ApplyBatch((IEnumerable<Event>)null!));
        }

        [Fact]
        public void ApplyBatchLargerThanTheScratchBuffer()
        {
            var events = Enumerable.Range(0, 5000).Select(i => Enrolled($"customer-with-a-long-id-{i:D6}")).ToList();
            Assert.Empty(_engine.ApplyBatch(events));
            Assert.Equal(5000, _engine.CustomerCount);
        }

        [Fact]
        public void ApplyBatchStopsAtFirstError()
        {
            var engine = _engine;
            var events = new[] { Enrolled("c1"), Purchase("c1", 20000), Enrolled("c1"), Enrolled("c3") };
            var e = Assert.Throws<AlreadyExistsException>(() => engine.ApplyBatch(events));
            Assert.Equal(2, e.Applied);
            Assert.StartsWith("events[2]: ", e.Message);
            Assert.Equal(new[] { ("c1", "silver") }, e.Transitions.Select(t => (t.CustomerId, t.ToTier)));
            Assert.Equal(1, engine.CustomerCount);
            var m = Assert.Throws<MalformedMessageException>(() => engine.ApplyBatch(new byte[] { 0x0a, 0x7f, 0x01 }));
            Assert.Equal(0, m.Applied);
        }

        [Fact]
        public void Review()
        {
            var engine = _engine;
            engine.Apply(Enrolled("r1"));
            Assert.NotNull(engine.Review(T0 + 400 * Day));
            var at = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);
            engine.Review(at);
            Assert.Equal(at.ToUnixTimeSeconds(), engine.Clock);
            engine.Review(new DateTime(2027, 3, 2)); // unspecified kind: UTC
            Assert.Equal(new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero), engine.ClockTime);
            engine.Review(new DateTimeOffset(2027, 3, 3, 8, 0, 0, TimeSpan.FromHours(8)));
            Assert.Equal(new DateTimeOffset(2027, 3, 3, 0, 0, 0, TimeSpan.Zero), engine.ClockTime);
        }

        [Fact]
        public void ReviewDowngradesAtTheYearlyReview()
        {
            var engine = _engine;
            engine.ApplyBatch(new[] { Enrolled("y1"), Purchase("y1", 20000) });
            Assert.Equal("silver", engine.GetCustomer("y1").Standings[0].Tier);
            // since_enrolment spend never shrinks: the review keeps silver.
            var ts = engine.Review(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
            Assert.DoesNotContain(ts, t => t.CustomerId == "y1" && t.Kind == TransitionKind.Downgrade);
            Assert.Equal("silver", engine.GetCustomer("y1").Standings[0].Tier);
        }
    }

    public class QueryTests : IDisposable
    {
        private readonly Engine _engine = Open();

        public void Dispose() => _engine.Dispose();

        [Fact]
        public void Customer()
        {
            var engine = _engine;
            engine.Apply(Enrolled("alice"));
            engine.Apply(Purchase("alice", 12345));
            var c = engine.GetCustomer("alice");
            Assert.Equal("alice", c.Id);
            Assert.Equal(("loyalty", "silver"), (c.Standings[0].Program, c.Standings[0].Tier));
            Assert.Equal(12345, c.Metrics.Single(m => m.Name == "spend").Value);
            Assert.False(engine.TryGetCustomer("nobody", out var none));
            Assert.Null(none);
            Assert.True(engine.TryGetCustomer("alice", out var found));
            Assert.Equal(c, found);
            Assert.True(engine.Contains("alice"));
            Assert.False(engine.Contains("nobody"));
            Assert.Throws<NotFoundException>(() => engine.GetCustomer("nobody"));
            engine.Apply(Enrolled("张三"));
            Assert.Equal("张三", engine.GetCustomer("张三").Id);
            Assert.Equal("张三", engine.GetCustomer(Encoding.UTF8.GetBytes("张三")).Id);
            string longId = new string('a', 200); // beyond the stack buffer of 128 chars
            engine.Apply(Enrolled(longId));
            Assert.Throws<InvalidArgumentException>(() => engine.Apply(Enrolled(new string('长', 100)))); // > 256 bytes
            Assert.Equal(longId, engine.GetCustomer(longId).Id);
            Assert.Contains("3 customers", engine.ToString());
        }

        [Fact]
        public void IdentifiersMustBeUtf8()
        {
            var engine = _engine;
            var e = Assert.Throws<InvalidArgumentException>(() => engine.GetCustomer("\ud800"));
            Assert.Contains("UTF-8", e.Message);
            Assert.Throws<InvalidArgumentException>(() => engine.GetCustomer(new string('a', 200) + "\udc00"));
            Assert.Throws<InvalidArgumentException>(() => engine.TryGetCustomer("\ud800", out _));
            Assert.Throws<InvalidArgumentException>(() => engine.Explain("\ud800", "loyalty"));
            Assert.Throws<InvalidArgumentException>(() => engine.CustomersInTier("loyalty", "\ud800"));
            foreach (var raw in new[] { new byte[] { 0xff }, new byte[] { 0x61, 0xc0, 0x80 }, new byte[] { 0xed, 0xa0, 0x80 }, new byte[] { 0xe2, 0x82 } })
            {
                var x = Assert.Throws<InvalidArgumentException>(() => engine.GetCustomer(raw));
                Assert.Contains("UTF-8", x.Message);
                Assert.Throws<InvalidArgumentException>(() => engine.Explain(raw, "loyalty"u8));
            }
            Assert.Throws<InvalidArgumentException>(() => engine.GetCustomer(""));
            Assert.Throws<ArgumentNullException>(() => engine.GetCustomer((string)null!));
        }

        [Fact]
        public void Explain()
        {
            var engine = _engine;
            engine.Apply(Enrolled("alice"));
            engine.Apply(Purchase("alice", 12345));
            var x = engine.Explain("alice", "loyalty");
            Assert.Equal(("loyalty", "silver"), (x.Program, x.Tier));
            Assert.NotEmpty(x.Summary);
            Assert.Contains(x.Checks, c => c.Metric == "spend" && c.Holds && c.Value == 12345);
            Assert.Throws<NotFoundException>(() => engine.Explain("alice", "nothing"));
            Assert.Throws<NotFoundException>(() => engine.Explain("nobody", "loyalty"));
        }

        [Fact]
        public void CustomersInTierPages()
        {
            var engine = _engine;
            var ids = Enumerable.Range(0, 7).Select(i => $"c{i:D2}").ToList();
            engine.ApplyBatch(ids.Select(i => Enrolled(i)).Append(Enrolled("rich")).Append(Purchase("rich", 60000)));
            Assert.Equal(ids, engine.CustomersInTier("loyalty", "base", pageSize: 2));
            Assert.Equal(new[] { "rich" }, engine.CustomersInTier("loyalty", "gold"));
            Assert.Empty(engine.CustomersInTier("loyalty", "silver"));
            var page = engine.ListByTier("loyalty", "base", pageSize: 3);
            Assert.Equal(ids.Take(3), page.CustomerIds);
            Assert.NotEmpty(page.NextPageToken);
            var next = engine.ListByTier("loyalty", "base", page.NextPageToken, 3);
            Assert.Equal(ids.Skip(3).Take(3), next.CustomerIds);

            var lazy = engine.CustomersInTier("nothing", "base"); // nothing is fetched yet
            Assert.Throws<NotFoundException>(() => lazy.ToList());
            Assert.Throws<NotFoundException>(() => engine.CustomersInTier("loyalty", "platinum").First());
            Assert.Throws<InvalidArgumentException>(() => engine.ListByTier("loyalty", "base", pageSize: 0));
            Assert.Throws<InvalidArgumentException>(() => engine.ListByTier("loyalty", "base", "not-a-token", 2));
        }

        [Fact]
        public void ReplacePolicy()
        {
            var engine = _engine;
            engine.Apply(Enrolled("p1"));
            Assert.NotNull(engine.ReplacePolicy(PolicyJson));
            Assert.Throws<PolicyException>(() => engine.ReplacePolicy(@"{""tierPrograms"": []}"));
            Assert.Throws<PolicyException>(() => engine.ReplacePolicy(new byte[] { 0xff, 0xff }, PolicyFormat.Binary));
            Assert.Equal("p1", engine.GetCustomer("p1").Id);

            // A policy with a higher silver threshold: alice drops to base at once.
            engine.Apply(Purchase("p1", 20000));
            var stricter = Policy.Parser.ParseFrom(engine.Policy.ToByteArray());
            stricter.Name = "stricter";
            stricter.TierPrograms[0].Tiers[1].Qualify.Metric.Value = 30000;
            stricter.TierPrograms[0].Downgrade = TierProgram.Types.Timing.Immediate;
            var ts = engine.ReplacePolicy(stricter);
            var t = Assert.Single(ts);
            Assert.Equal((Cause.PolicyChange, "silver", "base"), (t.Cause, t.FromTier, t.ToTier));
            Assert.Equal("stricter", engine.Policy.Name);
        }
    }

    public class SnapshotTests : IDisposable
    {
        private readonly Engine _engine = Open();
        private readonly string _dir = TempDir();

        public void Dispose()
        {
            _engine.Dispose();
            Directory.Delete(_dir, true);
        }

        [Fact]
        public void RoundTrip()
        {
            var engine = _engine;
            engine.ApplyBatch(new[] { Enrolled("s1"), Enrolled("s2"), Purchase("s2", 20000) });
            byte[] data = engine.Snapshot();
            Assert.True(data.Length > 4);
            using (var e = Engine.Load(data))
            {
                Assert.Equal(2, e.CustomerCount);
                Assert.Equal("silver", e.GetCustomer("s2").Standings[0].Tier);
                Assert.Equal(engine.Clock, e.Clock);
            }
            using (var e = Engine.Load(data, PolicyJson))
            {
                Assert.Equal(2, e.CustomerCount);
            }
            using (var e = Engine.Load(data, engine.Policy))
            {
                Assert.Equal(2, e.CustomerCount);
            }
            string path = Path.Combine(_dir, "state.snapshot");
            engine.Save(path);
            using (var e = Engine.LoadFile(path))
            {
                Assert.Equal(engine.GetCustomer("s2"), e.GetCustomer("s2"));
            }
            using (var e = Engine.LoadFile(path, engine.Policy))
            {
                e.Apply(Purchase("s1", 1, at: T0 + 61));
            }
            using (var e = Engine.LoadFile(path, PolicyJson, PolicyFormat.Json))
            {
                Assert.Equal(2, e.CustomerCount);
            }
        }

        [Fact]
        public void Errors()
        {
            var engine = _engine;
            engine.Apply(Enrolled("s1"));
            byte[] data = engine.Snapshot();
            var other = engine.Policy;
            other.Name = "other";
            Assert.Throws<FailedPreconditionException>(() => Engine.Load(data, other));
            using (var e = Engine.Load(data, other, new EngineOptions { AllowPolicyChange = true }))
            {
                Assert.Equal("other", e.Policy.Name);
                Assert.Equal(1, e.CustomerCount);
            }
            Assert.Throws<MalformedMessageException>(() => Engine.Load(Encoding.UTF8.GetBytes("this is not a snapshot")));
            Assert.Throws<MalformedMessageException>(() => Engine.Load(data.AsSpan(0, data.Length / 2)));
            Assert.Throws<InvalidArgumentException>(() => Engine.Load(ReadOnlySpan<byte>.Empty));
            Assert.Throws<PolicyException>(() => Engine.Load(data, "{"));
            Assert.Throws<StorageException>(() => Engine.LoadFile(Path.Combine(_dir, "missing.snapshot")));
            var io = Assert.Throws<StorageException>(() => engine.Save(Path.Combine(_dir, "no", "such", "dir", "x.snapshot")));
            Assert.Equal(StandingStatus.IOError, io.Status);
            Assert.Throws<InvalidArgumentException>(() => engine.Save(""));
            Assert.Throws<ArgumentException>(() => engine.Save("a\0b"));
            Assert.Throws<ArgumentNullException>(() => Engine.LoadFile(null!));
        }
    }
}
