using System.IO;
using Xunit;

namespace Standing.Tests
{
    public class ExampleTests
    {
        /// <summary>examples/csharp/ErpReview (compiled into this assembly) runs and reports the
        /// year-end review of the key-account policy.</summary>
        [Fact]
        public void ErpReviewRuns()
        {
            var output = new StringWriter();
            Assert.Equal(0, global::ErpReviewExample.ErpReview.Run(F.KeyAccountPath, output));
            string text = output.ToString();
            Assert.Contains("policy key_account", text);
            Assert.Contains("review 2026-01-01 00:00 +08:00: 2 tier changes", text);
            Assert.Contains("KA-0999 老客户", text);
            Assert.Contains("白金 -> 黄金 (Downgrade, Review)", text);
            Assert.Contains("钻石: KA-1004 省公司直管", text);
            Assert.Contains("(×0.85)", text);
        }
    }
}
