using System.Security.Cryptography;
using OpenDesign.Workflows.Activities.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Workflows;
using WireMock.RequestBuilders;
using static OpenDesign.Workflows.Activities.Tests.Support.ActivityHarness;

namespace OpenDesign.Workflows.Activities.Tests;

/// <summary>Progress, commit, fail and cancel: local writes that a retried activity must never repeat.</summary>
public sealed class BookkeepingActivityTests : IAsyncLifetime
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9, 9];
    private static readonly byte[] OtherPng = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 1, 1];

    private readonly ActivityHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private async Task<(Project Project, RunCreated Run, MediaRequest Request)> SubmittedAsync()
    {
        _h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Json(202, """{"externalRequestId":"ext-1"}"""));
        var created = await _h.NewExternalRequestAsync();
        Assert.True((await _h.RunAsync(created.Request.Id, a => a.SubmitAsync(created.Request.Id))).Accepted);
        return created;
    }

    private async Task<StagedFile> StageAsync(MediaRequest request, byte[] bytes)
    {
        using var body = new MemoryStream(bytes);
        return await _h.Fulfillment.StageAsync(request, body, "image/png", null, TestContext.Current.CancellationToken);
    }

    private string[] ProjectFiles(string projectId) =>
        [.. Directory.EnumerateFiles(_h.Projects.DirOf(projectId)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public async Task The_same_progress_sequence_twice_appends_one_progress_event()
    {
        var (_, run, request) = await SubmittedAsync();

        await _h.RunAsync(request.Id, a => a.RecordProgressAsync(request.Id, 1, "rendering", 40));
        await _h.RunAsync(request.Id, a => a.RecordProgressAsync(request.Id, 1, "rendering", 40));

        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(MediaRequestStatuses.Running, stored.Status);
        Assert.Equal("rendering", stored.External!.LastProgress);
        Assert.Equal(40, stored.External.Percent);
        Assert.Equal("ext-1", stored.External.ExternalRequestId);
        Assert.Equal(["created", "submitted", "progress"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task A_new_sequence_appends_again_and_keeps_what_it_does_not_say()
    {
        var (_, run, request) = await SubmittedAsync();

        await _h.RunAsync(request.Id, a => a.RecordProgressAsync(request.Id, 1, "rendering", 40));
        await _h.RunAsync(request.Id, a => a.RecordProgressAsync(request.Id, 2, null, 80));

        var external = _h.Requests.Get(request.Id).External!;
        Assert.Equal("rendering", external.LastProgress);
        Assert.Equal(80, external.Percent);
        Assert.Equal(["created", "submitted", "progress", "progress"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Progress_for_an_ended_request_changes_nothing()
    {
        var (_, run, request) = await SubmittedAsync();
        await _h.RunAsync(request.Id, a => a.FailAsync(request.Id, new MediaRequestError("gone", "X")));

        await _h.RunAsync(request.Id, a => a.RecordProgressAsync(request.Id, 1, "late", 99));

        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(MediaRequestStatuses.Failed, stored.Status);
        Assert.Null(stored.External!.LastProgress);
        Assert.Equal(["created", "submitted", "failed"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Commit_moves_the_staged_bytes_into_the_project_and_is_idempotent()
    {
        var (project, run, request) = await SubmittedAsync();
        var staged = await StageAsync(request, Png);

        var first = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, staged));
        var second = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, staged));

        Assert.Equal(MediaRequestStatuses.Fulfilled, first);
        Assert.Equal(MediaRequestStatuses.Fulfilled, second);
        Assert.Equal(["poster.png"], ProjectFiles(project.Id));
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png"), TestContext.Current.CancellationToken));
        Assert.Empty(_h.StagingFiles());
        var stored = _h.Requests.Get(request.Id);
        Assert.Equal(new FulfilledFile("poster.png", MediaSurfaces.Image, "image/png", Png.Length, "poster.png", Convert.ToHexStringLower(SHA256.HashData(Png))), stored.FulfilledFile);
        Assert.Equal(["created", "submitted", "fulfilled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Commit_of_other_bytes_after_fulfilment_keeps_the_first_and_drops_the_second()
    {
        var (project, run, request) = await SubmittedAsync();
        await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, StageAsync(request, Png).Result));
        var other = await StageAsync(request, OtherPng);

        var status = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, other));

        Assert.Equal(MediaRequestStatuses.Fulfilled, status);
        Assert.Equal(["poster.png"], ProjectFiles(project.Id));
        Assert.Equal(Png, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png"), TestContext.Current.CancellationToken));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created", "submitted", "fulfilled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Commit_after_the_request_was_cancelled_places_nothing_and_reports_cancelled()
    {
        var (project, run, request) = await SubmittedAsync();
        var staged = await StageAsync(request, Png);
        await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, null));

        var status = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, staged));

        Assert.Equal(MediaRequestStatuses.Cancelled, status);
        Assert.Empty(ProjectFiles(project.Id));
        Assert.Empty(_h.StagingFiles());
        Assert.Equal(["created", "submitted", "cancelled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Commit_of_staged_bytes_that_are_gone_fails_the_request_once()
    {
        var (project, run, request) = await SubmittedAsync();
        var staged = await StageAsync(request, Png);
        _h.Fulfillment.Discard(staged);

        var first = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, staged));
        var second = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, staged));

        Assert.Equal(MediaRequestStatuses.Failed, first);
        Assert.Equal(MediaRequestStatuses.Failed, second);
        Assert.Equal(ErrorCodes.FileNotFound, _h.Requests.Get(request.Id).Error!.Code);
        Assert.Empty(ProjectFiles(project.Id));
        Assert.Equal(["created", "submitted", "failed"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Commit_never_touches_a_file_outside_the_staging_area()
    {
        var (project, _, request) = await SubmittedAsync();
        var victim = Path.Combine(_h.Options.DataDir, "victim.part");
        await File.WriteAllBytesAsync(victim, Png, TestContext.Current.CancellationToken);

        var status = await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, new StagedFile("../victim.part", Png.Length, "00", "image/png")));

        Assert.Equal(MediaRequestStatuses.Failed, status);
        Assert.True(File.Exists(victim));
        Assert.Empty(ProjectFiles(project.Id));
    }

    [Fact]
    public async Task Fail_ends_the_request_once_and_returns_the_final_status()
    {
        var (_, run, request) = await SubmittedAsync();

        var first = await _h.RunAsync(request.Id, a => a.FailAsync(request.Id, new MediaRequestError("too slow", ErrorCodes.ExecutorTimeout)));
        var second = await _h.RunAsync(request.Id, a => a.FailAsync(request.Id, new MediaRequestError("other", "OTHER")));
        var cancel = await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, null));

        Assert.Equal([MediaRequestStatuses.Failed, MediaRequestStatuses.Failed, MediaRequestStatuses.Failed], new[] { first, second, cancel });
        Assert.Equal(new MediaRequestError("too slow", ErrorCodes.ExecutorTimeout), _h.Requests.Get(request.Id).Error);
        Assert.Equal(["created", "submitted", "failed"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Fail_after_fulfilment_changes_nothing()
    {
        var (_, run, request) = await SubmittedAsync();
        await _h.RunAsync(request.Id, a => a.CommitAsync(request.Id, StageAsync(request, Png).Result));

        var status = await _h.RunAsync(request.Id, a => a.FailAsync(request.Id, new MediaRequestError("late", "X")));

        Assert.Equal(MediaRequestStatuses.Fulfilled, status);
        Assert.Null(_h.Requests.Get(request.Id).Error);
        Assert.Equal(["created", "submitted", "fulfilled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Mark_cancelled_ends_the_request_once_recording_a_failed_executor_cancel()
    {
        var (_, run, request) = await SubmittedAsync();
        var cancelError = new MediaRequestError("the executor could not be told to cancel: 500", ErrorCodes.ExecutorCancelFailed);

        var first = await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, cancelError));
        var second = await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, null));
        var fail = await _h.RunAsync(request.Id, a => a.FailAsync(request.Id, new MediaRequestError("late", "X")));

        Assert.Equal([MediaRequestStatuses.Cancelled, MediaRequestStatuses.Cancelled, MediaRequestStatuses.Cancelled], new[] { first, second, fail });
        var stored = _h.Requests.Get(request.Id);
        Assert.Equal("CANCELLED", stored.Error!.Code);
        Assert.Equal(cancelError, stored.External!.CancelError);
        Assert.Equal("ext-1", stored.External.ExternalRequestId);
        Assert.Equal(ExternalMediaRequestWorkflow.IdFor(request.Id), stored.External.WorkflowId);
        Assert.Equal(["created", "submitted", "cancelled"], _h.Actions(run.RunId));
    }

    [Fact]
    public async Task Mark_cancelled_without_a_cancel_error_keeps_the_external_reference_as_it_was()
    {
        var (_, run, request) = await _h.NewExternalRequestAsync();

        var status = await _h.RunAsync(request.Id, a => a.MarkCancelledAsync(request.Id, null));

        Assert.Equal(MediaRequestStatuses.Cancelled, status);
        Assert.Equal(new ExternalRef(ExecutorId), _h.Requests.Get(request.Id).External);
        Assert.Equal(["created", "cancelled"], _h.Actions(run.RunId));
    }
}
