using System;
using System.IO;
using System.Linq;
using Xunit;

namespace Standing.Tests
{
    public class LibraryTests
    {
        [Fact]
        public void Versions()
        {
            Assert.Equal(1, StandingLibrary.AbiVersion);
            Assert.Equal(StandingLibrary.BindingAbiVersion, StandingLibrary.AbiVersion);
            Assert.Equal(2, StandingLibrary.Version.Count(c => c == '.'));
            Assert.Equal("STANDING_NOT_FOUND", StandingLibrary.StatusName(StandingStatus.NotFound));
            Assert.Equal("STANDING_UNKNOWN_STATUS", StandingLibrary.StatusName((StandingStatus)999));
        }

#if STANDING_PACKAGE
        [Fact]
        public void NativeLibraryComesFromThePackage()
        {
            _ = StandingLibrary.Version; // loads it
            string? from = StandingLibrary.LoadedFrom;
            Assert.NotNull(from);
            Assert.EndsWith(Path.Combine("runtimes", "linux-x64", "native", "libstanding.so"), from);
        }
#endif

        [Fact]
        public void ResolverOrderIsPackageThenEnvironmentThenSystem()
        {
            string dir = F.TempDir();
            string packaged = Path.Combine(dir, "libstanding.so");
            File.WriteAllBytes(packaged, new byte[] { 0 });
            var candidates = NativeResolver.Candidates(new[] { Path.Combine(dir, "missing"), dir, dir }, "/env/libstanding.so.1").ToList();
            Assert.Equal((packaged, "package"), candidates[0]);
            Assert.Equal(("/env/libstanding.so.1", NativeResolver.EnvironmentVariable), candidates[1]);
            Assert.Equal(new[] { "libstanding.so.1", "libstanding.so" }, candidates.Skip(2).Select(c => c.Path));
            Assert.All(candidates.Skip(2), c => Assert.Equal("system search path", c.Source));

            // Without a packaged library and without the variable: the system search path only.
            var bare = NativeResolver.Candidates(new[] { Path.Combine(dir, "missing") }, null).ToList();
            Assert.Equal(new[] { "libstanding.so.1", "libstanding.so" }, bare.Select(c => c.Path));
            Directory.Delete(dir, true);
        }

        [Fact]
        public void ExceptionTypesMatchStatusCodes()
        {
            var expected = new (StandingStatus, Type)[]
            {
                (StandingStatus.InvalidArgument, typeof(InvalidArgumentException)),
                (StandingStatus.NotFound, typeof(NotFoundException)),
                (StandingStatus.AlreadyExists, typeof(AlreadyExistsException)),
                (StandingStatus.OutOfRange, typeof(OutOfRangeException)),
                (StandingStatus.FailedPrecondition, typeof(FailedPreconditionException)),
                (StandingStatus.PolicyError, typeof(PolicyException)),
                (StandingStatus.MalformedMessage, typeof(MalformedMessageException)),
                (StandingStatus.TooLarge, typeof(TooLargeException)),
                (StandingStatus.IOError, typeof(StorageException)),
                (StandingStatus.Unimplemented, typeof(UnimplementedException)),
                (StandingStatus.OutOfMemory, typeof(StandingOutOfMemoryException)),
                (StandingStatus.Internal, typeof(InternalErrorException)),
            };
            foreach (var (status, type) in expected)
            {
                var e = StandingException.For(status, "m");
                Assert.IsType(type, e);
                Assert.Equal(status, e.Status);
                Assert.Equal("m", e.Message);
                Assert.StartsWith("STANDING_", e.StatusName);
            }
            var unknown = StandingException.For((StandingStatus)77, "");
            Assert.Equal(typeof(StandingException), unknown.GetType());
            Assert.Equal("STANDING_UNKNOWN_STATUS", unknown.Message);
            Assert.Equal(0, unknown.Applied);
            Assert.Empty(unknown.Transitions);
        }
    }
}
