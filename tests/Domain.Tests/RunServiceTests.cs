using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>Creating and ending runs: the effective policy stored, and the run end as one unit (status, revocation, cancellations, end event).</summary>
public sealed class RunServiceTests : IAsyncLifetime
{
    private readonly DomainHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task Create_stores_a_running_run_with_its_effective_policy()
    {
        // External runs need an engine that is up (the run is refused otherwise).
        await using var h = new DomainHarness(dispatcher: new RecordingDispatcher());
        var project = await h.NewProjectAsync("Posters");
        var policy = new MediaExecutionPolicy(MediaExecutionModes.External, ["image"], ["flux"],
            new ExternalExecutorRef("http", "https://exec.example/submit", "gpu-1", null, new ExecutorAuth("bearer-env", "EXEC_TOKEN")));

        var created = await h.RunService.CreateAsync(project.Id, "claude", "make a poster", "conv-1", policy);

        Assert.StartsWith("run_", created.RunId, StringComparison.Ordinal);
        Assert.Equal((RunStatuses.Running, project.Id, policy), (created.Status, created.ProjectId, created.MediaExecution));
        var stored = h.Runs.Get(created.RunId);
        Assert.Equal(RunStatuses.Running, stored.Status);
        Assert.Equal(project.Id, stored.ProjectId);
        Assert.Equal(("claude", "make a poster", "conv-1"), (stored.AgentId, stored.Message, stored.ConversationId));
        Assert.Equal(JsonSerializer.Serialize(policy, OdJsonContext.Default.MediaExecutionPolicy),
            JsonSerializer.Serialize(stored.MediaExecution, OdJsonContext.Default.MediaExecutionPolicy));
        Assert.Equal(ManualClock.Start, stored.CreatedAt);
        Assert.Null(stored.EndedAt);
    }

    [Fact]
    public async Task Create_external_without_the_workflow_engine_is_503_and_stores_nothing()
    {
        // The harness's default engine is down: every request of this run would be a workflow no one could start.
        var project = await _h.NewProjectAsync("Posters");
        var policy = new MediaExecutionPolicy(MediaExecutionModes.External,
            ExternalExecutor: new ExternalExecutorRef("http", "https://exec.example/submit"));

        await Refusal.ExpectAsync(() => _h.RunService.CreateAsync(project.Id, null, null, null, policy),
            503, ErrorCodes.TemporalUnavailable,
            "external media mode needs the workflow engine (Temporal), which is not available; see GET /health/ready");
        Assert.Empty(_h.Runs.List(null, null, 100));
        // The other modes never need it to start.
        foreach (var mode in new[] { MediaExecutionModes.RequestOnly, MediaExecutionModes.Disabled, MediaExecutionModes.Enabled })
        {
            await _h.RunService.CreateAsync(project.Id, null, null, null, new MediaExecutionPolicy(mode));
        }
        Assert.Equal(3, _h.Runs.List(null, null, 100).Count);
    }

    [Fact]
    public async Task Create_for_an_unknown_project_is_404_and_stores_nothing()
    {
        await Refusal.ExpectAsync(() => _h.RunService.CreateAsync("proj_missing", null, null, null, MediaExecutionPolicy.Default),
            404, ErrorCodes.ProjectNotFound, "project not found");
        Assert.Empty(_h.Runs.List(null, null, 100));
    }

    [Fact]
    public async Task Ending_cancels_unfinished_requests_with_events_then_appends_end()
    {
        var (_, run) = await _h.NewRunAsync();
        var waiting = await _h.NewRequestAsync(run);
        var submitted = await _h.NewRequestAsync(run, "video");
        await _h.Transitions.MarkSubmittedAsync(submitted.Id, _ => new ExternalRef(ExecutorId: "gpu-1"));
        var done = await _h.NewRequestAsync(run, "audio");
        await _h.Transitions.FailAsync(done.Id, new MediaRequestError("provider said no"));
        _h.Clock.Advance(TimeSpan.FromMinutes(3));

        var ended = await _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled);

        Assert.Equal(RunStatuses.Canceled, ended.Run.Status);
        Assert.Equal(ManualClock.Start + TimeSpan.FromMinutes(3), ended.Run.EndedAt);
        Assert.Equal([waiting.Id, submitted.Id], ended.CancelledRequests.Select(r => r.Id));
        foreach (var id in new[] { waiting.Id, submitted.Id })
        {
            var r = _h.Requests.Get(id);
            Assert.Equal(MediaRequestStatuses.Cancelled, r.Status);
            Assert.Equal(new MediaRequestError("the run ended (canceled) before the request finished", "RUN_ENDED"), r.Error);
        }
        Assert.Equal(MediaRequestStatuses.Failed, _h.Requests.Get(done.Id).Status);

        var events = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(
            ["created", "created", "submitted", "created", "failed", "cancelled", "cancelled", "end"],
            events.Select(e => e.Name == EventNames.End ? "end" : Action(e)));
        var end = events[^1];
        Assert.Equal(EventNames.End, end.Name);
        Assert.Equal(new RunEndPayload(run.RunId, RunStatuses.Canceled), JsonSerializer.Deserialize(end.Data, OdJsonContext.Default.RunEndPayload));
    }

    [Theory]
    [InlineData(RunStatuses.Succeeded)]
    [InlineData(RunStatuses.Failed)]
    public async Task Finishing_records_the_status(string status)
    {
        var (_, run) = await _h.NewRunAsync();
        var ended = await _h.RunService.EndAsync(run.RunId, status);

        Assert.Equal(status, ended.Run.Status);
        Assert.Equal(status, _h.Runs.Get(run.RunId).Status);
        Assert.Equal("end", Assert.Single(_h.Events.ReadRun(run.RunId, 0)).Name);
    }

    [Theory]
    [InlineData(RunStatuses.Succeeded)]
    [InlineData(RunStatuses.Canceled)]
    public async Task Cancelling_an_ended_run_is_a_no_op(string first)
    {
        var (_, run) = await _h.NewRunAsync();
        await _h.RunService.EndAsync(run.RunId, first);
        var eventsBefore = _h.Events.ReadRun(run.RunId, 0).Count;
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled);

        Assert.Equal(first, again.Run.Status);
        Assert.Empty(again.CancelledRequests);
        Assert.Equal(ManualClock.Start, again.Run.EndedAt);
        Assert.Equal(eventsBefore, _h.Events.ReadRun(run.RunId, 0).Count);
    }

    [Theory]
    [InlineData(RunStatuses.Canceled, RunStatuses.Succeeded)]
    [InlineData(RunStatuses.Succeeded, RunStatuses.Failed)]
    [InlineData(RunStatuses.Failed, RunStatuses.Failed)]
    public async Task Finishing_an_ended_run_is_409(string first, string second)
    {
        var (_, run) = await _h.NewRunAsync();
        await _h.RunService.EndAsync(run.RunId, first);

        var e = await Refusal.ExpectAsync(() => _h.RunService.EndAsync(run.RunId, second), 409, ErrorCodes.RunTerminal, $"run already ended as {first}");

        Assert.Equal(first, e.Details!["status"]);
        Assert.Equal(first, _h.Runs.Get(run.RunId).Status);
        Assert.Single(_h.Events.ReadRun(run.RunId, 0));
    }

    [Fact]
    public async Task Ending_an_unknown_run_is_404() =>
        await Refusal.ExpectAsync(() => _h.RunService.EndAsync("run_000000000000000000000000", RunStatuses.Canceled), 404, ErrorCodes.RunNotFound, "run not found");

    [Fact]
    public async Task Racing_ends_of_one_run_end_it_once()
    {
        var (_, run) = await _h.NewRunAsync();
        await _h.NewRequestAsync(run);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(async () =>
            {
                try
                {
                    return (await _h.RunService.EndAsync(run.RunId, i % 2 == 0 ? RunStatuses.Canceled : RunStatuses.Succeeded)).CancelledRequests.Count;
                }
                catch (DomainException e) when (e.Code == ErrorCodes.RunTerminal)
                {
                    return -1;
                }
            })));

        Assert.Equal(1, results.Count(c => c == 1));
        var events = _h.Events.ReadRun(run.RunId, 0);
        Assert.Equal(["media_request", "media_request", "end"], events.Select(e => e.Name));
    }

    [Fact]
    public async Task List_filters_by_project_and_status_with_active_meaning_running()
    {
        var (project, a) = await _h.NewRunAsync();
        var b = await _h.RunService.CreateAsync(project.Id, null, null, null, MediaExecutionPolicy.Default);
        var (_, other) = await _h.NewRunAsync();
        await _h.RunService.EndAsync(a.RunId, RunStatuses.Succeeded);

        Assert.Equal(new[] { a.RunId, b.RunId }.Order(StringComparer.Ordinal), _h.Runs.List(project.Id, null, 10).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal([b.RunId], _h.Runs.List(project.Id, "active", 10).Select(r => r.Id));
        Assert.Equal([a.RunId], _h.Runs.List(null, RunStatuses.Succeeded, 10).Select(r => r.Id));
        Assert.Equal(2, _h.Runs.List(null, "active", 10).Count);
        Assert.Contains(other.RunId, _h.Runs.List(null, RunStatuses.Running, 10).Select(r => r.Id));
        Assert.Empty(_h.Runs.List(null, "Running", 10));
    }

    private static string Action(StoredEvent e) =>
        JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Action;
}
