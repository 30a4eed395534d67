// The key-account year-end review of a .NET back office (an ERP): see ErpReview.cs.
//
//   dotnet run --project examples/csharp/ErpReview -p:StandingNativeLib=$PWD/build/libstanding.so.1
//   dotnet run --project examples/csharp/ErpReview -- path/to/key_account.json

namespace ErpReviewExample
{
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string policy = args.Length > 0 ? args[0] : ErpReview.FindPolicy();
            return ErpReview.Run(policy, System.Console.Out);
        }
    }
}
