namespace OpenDesign.Workflows.Domain.Tests;

public sealed class IdsTests
{
    [Fact]
    public void Ids_are_prefixed_hex_whose_time_part_never_goes_back()
    {
        var ids = Enumerable.Range(0, 2000).Select(_ => Ids.NewMediaRequestId()).ToList();
        Assert.All(ids, id => Assert.Matches("^mreq_[0-9a-f]{24}$", id));
        // The first 10 hex digits are milliseconds: later ids sort after earlier ones, which keeps index inserts local.
        var times = ids.Select(id => id.Substring(5, 10)).ToList();
        Assert.Equal(times.Order(StringComparer.Ordinal), times);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.StartsWith("run_", Ids.NewRunId(), StringComparison.Ordinal);
        Assert.StartsWith("proj_", Ids.NewProjectId(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_random_part_never_repeats_across_many_ids_and_threads()
    {
        // Random bytes are fetched in blocks: an id past a block's end must get fresh bytes, never a wiped or reused
        // slice. 56 random bits make a collision among 40,000 ids about 1 in 10^8.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 10_000; i++) ids.Add(Ids.NewMediaRequestId());
        });
        var randomParts = ids.Select(id => id.Substring(15)).ToList();
        Assert.Equal(40_000, randomParts.Count);
        Assert.Equal(randomParts.Count, randomParts.Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain("00000000000000", randomParts);
    }
}
