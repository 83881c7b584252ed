using OpenDesign.Workflows.Domain.MediaRequests;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Status moves only forward: requested -> submitted -> running -> fulfilled | failed | cancelled.</summary>
public sealed class MediaRequestLifecycleTests
{
    private static readonly string[] Statuses = ["requested", "submitted", "running", "fulfilled", "failed", "cancelled"];

    // Rows: from; columns in the order of Statuses. 1 = allowed.
    private static readonly Dictionary<string, string> Table = new()
    {
        ["requested"] = "011111",
        ["submitted"] = "001111",
        ["running"] = "001111",
        ["fulfilled"] = "000000",
        ["failed"] = "000000",
        ["cancelled"] = "000000",
    };

    public static TheoryData<string, string, bool> Pairs()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var from in Statuses)
        {
            for (var i = 0; i < Statuses.Length; i++) data.Add(from, Statuses[i], Table[from][i] == '1');
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Every_from_to_pair_is_allowed_exactly_as_the_table_says(string from, string to, bool allowed) =>
        Assert.Equal(allowed, MediaRequestLifecycle.IsAllowed(from, to));

    [Theory]
    [InlineData("requested", "bogus")]
    [InlineData("bogus", "requested")]
    [InlineData("Requested", "Fulfilled")]
    public void Unknown_statuses_never_move(string from, string to) =>
        Assert.False(MediaRequestLifecycle.IsAllowed(from, to));
}
