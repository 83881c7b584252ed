using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Tests.Support;
using OpenDesign.Workflows.Domain.Tokens;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// A new request and its run's end are ordered by the single writer, without timing: the writer is held inside a unit
/// while both calls queue in a chosen order, so a generate whose checks all passed before the end still loses to it.
/// </summary>
public sealed class RunEndOrderingTests : IAsyncLifetime
{
    private const string Body = """{"surface":"image","prompt":"a poster","output":"poster.png"}""";

    private static readonly MediaExecutionPolicy External = new(MediaExecutionModes.External, null, null,
        new ExternalExecutorRef("http", "https://exec.example/submit", "gpu-1", null, null));

    private readonly RecordingDispatcher _engine = new();
    private readonly DomainHarness _h;

    public RunEndOrderingTests() => _h = new DomainHarness(dispatcher: _engine);

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Theory]
    [InlineData(RunStatuses.Succeeded)]
    [InlineData(RunStatuses.Canceled)]
    public async Task A_generate_that_reaches_the_writer_after_the_run_end_is_409_and_stores_nothing(string endAs)
    {
        var (_, run) = await _h.NewRunAsync();
        var grant = await Grant(run);

        // Every check before the writer passes: the token was valid and the run is still running when it looks.
        var (ending, generating) = InWriterOrder(() => _h.RunService.EndAsync(run.RunId, endAs), () => _h.Generation.GenerateAsync(grant, Json.Parse(Body)));

        Assert.Empty((await ending).CancelledRequests);
        var refused = await Refusal.ExpectAsync(() => generating, 409, ErrorCodes.RunTerminal, $"run already ended as {endAs}");
        Assert.Equal(endAs, refused.Details!["status"]);
        Assert.Equal(0, _h.Count("media_requests"));
        Assert.Equal([EventNames.End], _h.Events.ReadRun(run.RunId, 0).Select(e => e.Name));
    }

    [Fact]
    public async Task A_generate_that_reaches_the_writer_before_the_run_end_is_created_and_ended_with_the_run()
    {
        var (_, run) = await _h.NewRunAsync();
        var grant = await Grant(run);

        var (generating, ending) = InWriterOrder(() => _h.Generation.GenerateAsync(grant, Json.Parse(Body)), () => _h.RunService.EndAsync(run.RunId, RunStatuses.Succeeded));

        var created = await generating;
        Assert.Equal(MediaRequestStatuses.Requested, created.Status);
        Assert.Equal([created.Id], (await ending).CancelledRequests.Select(r => r.Id));
        var stored = _h.Requests.Get(created.Id);
        Assert.Equal(MediaRequestStatuses.Cancelled, stored.Status);
        Assert.Equal(new MediaRequestError("the run ended (succeeded) before the request finished", "RUN_ENDED"), stored.Error);
        Assert.Equal(["created", "cancelled", "end"], Names(run.RunId));
    }

    [Fact]
    public async Task In_an_external_run_a_generate_after_the_end_never_reaches_the_engine_and_leaves_no_callback_token()
    {
        var (_, run) = await _h.NewRunAsync(External);
        var grant = await Grant(run);

        var (ending, generating) = InWriterOrder(() => _h.RunService.EndAsync(run.RunId, RunStatuses.Failed), () => _h.Generation.GenerateAsync(grant, Json.Parse(Body)));

        Assert.Empty((await ending).ExternalToCancel);
        await Refusal.ExpectAsync(() => generating, 409, ErrorCodes.RunTerminal, "run already ended as failed");
        Assert.Empty(_engine.Started);
        Assert.Equal(0, _h.Count("media_requests"));
        Assert.Equal(0, _h.Count("callback_tokens"));
        Assert.Equal([EventNames.End], _h.Events.ReadRun(run.RunId, 0).Select(e => e.Name));
    }

    [Fact]
    public async Task An_external_request_whose_run_ends_before_its_workflow_starts_is_cancelled_and_never_started()
    {
        var (_, run) = await _h.NewRunAsync(External);
        var grant = await Grant(run);

        // The insert and the end commit in one batch, so the generate resumes only once the run has ended.
        var (generating, ending) = InWriterOrder(() => _h.Generation.GenerateAsync(grant, Json.Parse(Body)), () => _h.RunService.EndAsync(run.RunId, RunStatuses.Canceled));

        var answered = await generating;
        // The run end counts it among the requests it must see ended before its `end` event.
        Assert.Equal([answered.Id], (await ending).ExternalToCancel.Select(r => r.Id));
        Assert.Equal(MediaRequestStatuses.Cancelled, answered.Status);
        Assert.Equal(new MediaRequestError("the run ended (canceled) before the request's workflow started", "RUN_ENDED"), answered.Error);
        Assert.Equal(answered, _h.Requests.Get(answered.Id));
        Assert.Empty(_engine.Started);
        Assert.Equal(["created", "cancelled"], Names(run.RunId));
    }

    [Fact]
    public async Task A_run_end_that_is_rolled_back_does_not_refuse_the_requests_after_it()
    {
        var (_, run) = await _h.NewRunAsync();
        var grant = await Grant(run);

        // A unit that ends the run and then fails: its end is rolled back, and the writer must forget it too.
        var (failing, generating) = InWriterOrder(
            () => _h.Writer.ExecuteAsync<bool>(ctx =>
            {
                Assert.True(_h.Runs.TryEnd(ctx, run.RunId, RunStatuses.Succeeded, _h.Clock.GetUtcNow()));
                throw new InvalidOperationException("the rest of the run end failed");
            }),
            () => _h.Generation.GenerateAsync(grant, Json.Parse(Body)));

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal(MediaRequestStatuses.Requested, (await generating).Status);
        Assert.Equal(RunStatuses.Running, _h.Runs.Get(run.RunId).Status);
        Assert.Equal(["created"], Names(run.RunId));
    }

    private Task<ToolTokenGrant> Grant(RunCreated run) =>
        _h.Tokens.ValidateAsync(run.ToolToken, ToolEndpoints.MediaGenerate, ToolOperations.MediaGenerate);

    /// <summary>
    /// Starts both calls while the writer is held inside a unit, so their units reach it in this order whatever the
    /// threads do, and releases it. Each call queues its unit before it returns its task.
    /// </summary>
    private (Task<TFirst> First, Task<TSecond> Second) InWriterOrder<TFirst, TSecond>(Func<Task<TFirst>> first, Func<Task<TSecond>> second)
    {
        using var entered = new ManualResetEventSlim();
        var release = new ManualResetEventSlim();
        _ = _h.Writer.ExecuteAsync(_ =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(10));
        });
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the writer never ran the holding unit");
        var tasks = (first(), second());
        release.Set();
        return tasks;
    }

    private List<string> Names(string runId) =>
        [.. _h.Events.ReadRun(runId, 0).Select(e => e.Name == EventNames.End ? "end" : JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Action)];
}
