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
}
