using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Listing a run's requests by cursor, and lookups by id.</summary>
public sealed class MediaRequestStoreTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Replace_matches_only_the_expected_status_and_says_whether_it_did()
    {
        var (_, run) = await _h.NewRunAsync();
        var request = await _h.NewRequestAsync(run);
        var next = request with { Status = MediaRequestStatuses.Cancelled };
        var body = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(next, OdJsonContext.Default.MediaRequest));

        var (stale, current) = await _h.Writer.ExecuteAsync(ctx => (
            MediaRequestStore.TryReplace(ctx, MediaRequestStatuses.Submitted, next, body),
            MediaRequestStore.TryReplace(ctx, MediaRequestStatuses.Requested, next, body)));

        Assert.False(stale);
        Assert.True(current);
        Assert.Equal(next, _h.Requests.Get(request.Id));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(100)]
    public async Task Paging_by_cursor_returns_every_request_of_the_run_exactly_once_in_order(int pageSize)
    {
        var (project, run) = await _h.NewRunAsync();
        var other = await _h.RunService.CreateAsync(project.Id, null, null, null, new MediaExecutionPolicy(MediaExecutionModes.RequestOnly));
        var expected = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            expected.Add((await _h.NewRequestAsync(run)).Id);
            await _h.NewRequestAsync(other); // interleaved requests of another run never show up
        }
        await _h.Transitions.CancelAsync(expected[2]); // a change does not move a request in the order

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = _h.Requests.ListByRun(run.RunId, cursor, pageSize);
            Assert.InRange(page.Requests.Count, 1, pageSize);
            seen.AddRange(page.Requests.Select(r => r.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages <= 20); // a cursor that does not advance must fail, not loop forever

        Assert.Equal(expected, seen);
        Assert.Equal((int)Math.Ceiling(7.0 / pageSize), pages);
    }

    [Fact]
    public async Task The_last_full_page_has_no_next_cursor()
    {
        var (_, run) = await _h.NewRunAsync();
        for (var i = 0; i < 4; i++) await _h.NewRequestAsync(run);

        var first = _h.Requests.ListByRun(run.RunId, null, 2);
        var second = _h.Requests.ListByRun(run.RunId, first.NextCursor, 2);

        Assert.NotNull(first.NextCursor);
        Assert.Equal(2, second.Requests.Count);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task A_run_without_requests_lists_empty()
    {
        var (_, run) = await _h.NewRunAsync();
        var page = _h.Requests.ListByRun(run.RunId, null, 10);
        Assert.Empty(page.Requests);
        Assert.Null(page.NextCursor);
        Assert.Empty(_h.Requests.ListByRun("run_unknown", "0", 10).Requests);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1.5")]
    [InlineData(" 1")]
    [InlineData("")]
    [InlineData("99999999999999999999999")]
    public async Task A_bad_cursor_is_400(string cursor)
    {
        var (_, run) = await _h.NewRunAsync();
        Refusal.Expect(() => _h.Requests.ListByRun(run.RunId, cursor, 10), 400, ErrorCodes.BadRequest, "cursor must be a value returned as nextCursor");
    }

    [Theory]
    [InlineData("")]
    [InlineData("mreq_")]
    [InlineData("mreq_000000000000000000000000")]
    [InlineData("run_abc")]
    [InlineData("mreq_../../etc")]
    [InlineData("mreq_' OR 1=1 --")]
    public void Unknown_or_malformed_ids_are_404(string id)
    {
        Assert.Null(_h.Requests.Find(id));
        Refusal.Expect(() => _h.Requests.Get(id), 404, ErrorCodes.MediaRequestNotFound, "media request not found");
    }
}
