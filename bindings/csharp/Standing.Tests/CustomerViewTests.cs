using System;
using System.Linq;
using System.Text;
using Standing.V1;
using Xunit;
using static Standing.Tests.F;

namespace Standing.Tests
{
    public class CustomerViewTests
    {
        [Fact]
        public void StandingViewIsIdAndStandings()
        {
            using var e = Open();
            e.Apply(Enrolled("alice"));
            e.Apply(Purchase("alice", 12345));
            Customer full = e.GetCustomer("alice");
            Customer lean = e.GetCustomer("alice", CustomerView.Standing);
            Assert.Equal("alice", lean.Id);
            Assert.Equal(full.Standings, lean.Standings);
            Assert.Empty(lean.Attributes);
            Assert.Empty(lean.Metrics);
            Assert.Null(lean.EnrolledAt);
            Assert.Equal(full, e.GetCustomer("alice", CustomerView.Full));
            Assert.Equal(lean, e.GetCustomer(Encoding.UTF8.GetBytes("alice"), CustomerView.Standing));
            Assert.Throws<NotFoundException>(() => e.GetCustomer("nobody", CustomerView.Standing));
            Assert.Throws<InvalidArgumentException>(() => e.GetCustomer("alice", (CustomerView)7));
            Assert.Throws<InvalidArgumentException>(() => e.GetCustomer("", CustomerView.Standing));
        }

        [Fact]
        public void TierIndex()
        {
            using var e = Open();
            e.Apply(Enrolled("alice"));
            Assert.Equal(0, e.GetTierIndex("alice", "loyalty"));
            e.Apply(Purchase("alice", 60000));
            Assert.Equal(2, e.GetTierIndex("alice", "loyalty"));
            Assert.Equal(e.GetCustomer("alice").Standings.Single().TierIndex, e.GetTierIndex("alice", "loyalty"));
            Assert.Equal(2, e.GetTierIndex(Encoding.UTF8.GetBytes("alice"), Encoding.UTF8.GetBytes("loyalty")));
            string longId = new string('x', 300); // past the stack buffer
            Assert.Throws<NotFoundException>(() => e.GetTierIndex(longId, "loyalty"));
            Assert.Throws<NotFoundException>(() => e.GetTierIndex("nobody", "loyalty"));
            Assert.Throws<NotFoundException>(() => e.GetTierIndex("alice", "nothing"));
            Assert.Throws<InvalidArgumentException>(() => e.GetTierIndex("", "loyalty"));
            Assert.Throws<InvalidArgumentException>(() => e.GetTierIndex("alice", "\ud800"));
            Assert.Throws<ArgumentNullException>(() => e.GetTierIndex(null!, "loyalty"));
        }

        [Fact]
        public void DisposedEngineThrows()
        {
            var e = Open();
            e.Dispose();
            Assert.Throws<ObjectDisposedException>(() => e.GetTierIndex("alice", "loyalty"));
            Assert.Throws<ObjectDisposedException>(() => e.GetCustomer("alice", CustomerView.Standing));
        }
    }
}
