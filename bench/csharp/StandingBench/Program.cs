// Benchmarks of the C# binding (BenchmarkDotNet, in-process toolchain).
//
//   STANDING_LIBRARY=$PWD/build-csharp/libstanding.so.1 \
//     dotnet run -c Release --project bench/csharp/StandingBench -- --filter '*'
//
// Workload: examples/policies/key_account.json (2 metrics, 2 programs),
// 10,000 customers enrolled with attributes; see bench/README.md, "C#".
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Standing;
using Standing.V1;

namespace StandingBench
{
    public static class Program
    {
        public static void Main(string[] args)
        {
            var job = Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithWarmupCount(3)
                .WithIterationCount(10);
            // Reports go under bin/ (git-ignored), not into the working directory.
            var config = DefaultConfig.Instance.AddJob(job)
                .WithOptions(ConfigOptions.DisableOptimizationsValidator)
                .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        }

        internal static string FindPolicy()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                string p = Path.Combine(dir.FullName, "examples", "policies", "key_account.json");
                if (File.Exists(p))
                {
                    return p;
                }
            }
            throw new FileNotFoundException("examples/policies/key_account.json");
        }
    }

    [MemoryDiagnoser]
    public class StandingBenchmarks
    {
        private const int Customers = 10_000;
        private const int BatchSize = 10_000;
        private static readonly DateTimeOffset Start = new(2025, 1, 2, 10, 0, 0, TimeSpan.FromHours(8));

        private Engine _engine = null!;
        private string[] _ids = null!;
        private byte[][] _utf8Ids = null!;
        private List<Event> _events = null!;
        private byte[] _batch = null!;
        private Event _one = null!;
        private int _next;

        [GlobalSetup]
        public void Setup()
        {
            _engine = Engine.FromFile(Program.FindPolicy());
            _ids = Enumerable.Range(0, Customers).Select(i => $"KA-{i:D7}").ToArray();
            _utf8Ids = _ids.Select(Encoding.UTF8.GetBytes).ToArray();
            _engine.ApplyBatch(_ids.Select((id, i) =>
            {
                var e = new Enrolled();
                e.Attributes["region"] = new AttributeValue { Text = i % 2 == 0 ? "east" : "north" };
                e.Attributes["revenue_group"] = new AttributeValue { Text = (1 + i % 3).ToString() };
                return new Event { CustomerId = id, At = Timestamp.FromDateTimeOffset(Start), Enrolled = e };
            }));
            // One batch: a purchase for every customer, all at the same instant, so the
            // same batch can be applied again and again (the sums grow, no late events).
            var at = Timestamp.FromDateTimeOffset(Start.AddHours(1));
            _events = _ids.Select((id, i) => new Event
            {
                CustomerId = id,
                At = at,
                EventId = $"inv-{i}",
                Purchase = new Purchase { Amount = 1000 + i % 5000, Currency = "CNY", Category = "postal", Quantity = 1 },
            }).ToList();
            var batch = new EventBatch();
            batch.Events.AddRange(_events);
            _batch = batch.ToByteArray();
            _one = _events[0].Clone();
            _engine.ApplyBatch(_batch); // the upgrades happen here, not in the timed runs
            BindNative();
        }

        [GlobalCleanup]
        public void Cleanup() => _engine.Dispose();

        /// <summary>GetCustomer(string): UTF-8 encode the id, one C call, parse a Customer
        /// (2 standings, 2 metrics, 2 attributes).</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int GetCustomer()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                n += _engine.GetCustomer(_ids[(_next++) % Customers]).Standings.Count;
            }
            return n;
        }

        /// <summary>GetCustomer(ReadOnlySpan&lt;byte&gt;) with pre-encoded ids.</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int GetCustomerUtf8()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                n += _engine.GetCustomer(_utf8Ids[(_next++) % Customers]).Standings.Count;
            }
            return n;
        }

        /// <summary>GetCustomer(string, CustomerView.Standing): the id and the 2 standings only
        /// (standing_engine_get_customer_view), parsed.</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int GetCustomerStandingView()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                n += _engine.GetCustomer(_ids[(_next++) % Customers], CustomerView.Standing).Standings.Count;
            }
            return n;
        }

        /// <summary>GetTierIndex(string, string): the tier index of one program
        /// (standing_engine_get_tier), no message.</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int GetTierIndex()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                n += _engine.GetTierIndex(_ids[(_next++) % Customers], "key_account");
            }
            return n;
        }

        /// <summary>Where GetCustomer's time goes, part 1: the C call alone (standing_engine_get_customer
        /// + standing_buffer_free through function pointers, no parse).</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public unsafe long NativeGetCustomerOnly()
        {
            long n = 0;
            nint engine = _engine.Handle.DangerousGetHandle();
            for (int i = 0; i < 1000; i++)
            {
                byte[] id = _utf8Ids[(_next++) % Customers];
                Buf buf = default;
                fixed (byte* p = id)
                {
                    _getCustomer(engine, p, (nuint)id.Length, &buf);
                }
                n += (long)buf.Len;
                _free(&buf);
            }
            return n;
        }

        /// <summary>Where GetCustomer's time goes, part 2: parsing the Customer bytes in C#.</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int ParseCustomerOnly()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                n += Customer.Parser.ParseFrom(_customerBytes).Standings.Count;
            }
            return n;
        }

        private struct Buf
        {
            public nint Data;
            public nuint Len;
        }

        private unsafe delegate* unmanaged<nint, byte*, nuint, Buf*, int> _getCustomer;
        private unsafe delegate* unmanaged<Buf*, void> _free;
        private byte[] _customerBytes = null!;

        private unsafe void BindNative()
        {
            nint lib = System.Runtime.InteropServices.NativeLibrary.Load(StandingLibrary.LoadedFrom!);
            _getCustomer = (delegate* unmanaged<nint, byte*, nuint, Buf*, int>)
                System.Runtime.InteropServices.NativeLibrary.GetExport(lib, "standing_engine_get_customer");
            _free = (delegate* unmanaged<Buf*, void>)
                System.Runtime.InteropServices.NativeLibrary.GetExport(lib, "standing_buffer_free");
            _customerBytes = _engine.GetCustomer(_ids[1]).ToByteArray();
        }

        /// <summary>ApplyBatch of a serialized EventBatch of 10,000 purchases: per event.</summary>
        [Benchmark(OperationsPerInvoke = BatchSize)]
        public int ApplyBatchSerialized() => _engine.ApplyBatch(_batch).Count;

        /// <summary>ApplyBatch(IEnumerable&lt;Event&gt;) of 10,000 purchase messages, serialized by
        /// the binding on each call: per event.</summary>
        [Benchmark(OperationsPerInvoke = BatchSize)]
        public int ApplyBatchMessages() => _engine.ApplyBatch(_events).Count;

        /// <summary>Apply(Event): one purchase per call.</summary>
        [Benchmark(OperationsPerInvoke = 1000)]
        public int ApplyOne()
        {
            int n = 0;
            for (int i = 0; i < 1000; i++)
            {
                _one.CustomerId = _ids[(_next++) % Customers];
                n += _engine.Apply(_one).Count;
            }
            return n;
        }
    }
}
