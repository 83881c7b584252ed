using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using OpenDesign.Workflows.Api.Tests.External;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Temporal.Testing;
using OpenDesign.Workflows.Workflows;
using Temporalio.Client;
using Temporalio.Exceptions;

namespace OpenDesign.Workflows.Api.Tests.MediaTasks;

/// <summary>
/// Enabled mode end to end: the real service and its hosted worker run <see cref="MediaTaskWorkflow"/> on the test
/// server, with <see cref="ScriptedProviders"/> as the provider. Every finished workflow's history is replayed.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class MediaTaskTests(ExternalModeFixture fixture)
{
    [Fact]
    public async Task An_image_finished_at_once_lands_in_the_project_with_its_sha256_and_file_meta()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, run) = await h.EnabledRunAsync();

        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.Finish);
        Assert.Equal(MediaTaskStatuses.Running, accepted.Status);
        Assert.Matches("^mtask_[0-9a-f]{24}$", accepted.TaskId);
        var (last, progress) = await h.WaitToEndAsync(accepted.TaskId);

        var bytes = ScriptedProviders.BytesFor(accepted.TaskId);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(MediaTaskStatuses.Done, last.Status);
        Assert.Empty(progress);
        Assert.Equal(new MediaTaskFile("poster.png", bytes.Length, last.File!.Mtime, "image", "image/png", "gpt-image-2", "image", "openai", sha), last.File);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(h.DataDir, "staging")));
        Assert.Equal(1, h.Providers.StartsOf(accepted.TaskId));

        var task = await h.GetTaskAsync(accepted.TaskId, run.ToolToken);
        Assert.Equal((run.RunId, project.Id, "done", "openai"), (task.RunId, task.ProjectId, task.Status, task.ProviderId));
        Assert.Equal(["created", "running", "done"], await h.TaskEventActionsAsync(run.RunId));
        var feed = await SseClient.ReadToEndAsync(h.Api.Http, "/api/events?after=0&follow=false");
        Assert.Equal(["created", "running", "done"],
            feed.Where(f => f.Event == "media_task").Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("action").GetString()));

        var handle = h.Workflow(accepted.TaskId);
        Assert.Equal(MediaTaskStatuses.Done, await handle.GetResultAsync<string>());
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(handle);
    }

    [Fact]
    public async Task A_429_is_retried_after_its_retry_after_and_the_second_start_succeeds()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, run) = await h.EnabledRunAsync();

        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.RateLimitedOnce);
        var (last, _) = await h.WaitToEndAsync(accepted.TaskId);

        Assert.Equal(MediaTaskStatuses.Done, last.Status);
        Assert.Equal(2, h.Providers.StartsOf(accepted.TaskId));
        Assert.Equal(ScriptedProviders.BytesFor(accepted.TaskId), await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(h.Workflow(accepted.TaskId));
    }

    [Fact]
    public async Task A_provider_failing_at_every_attempt_fails_the_task_after_the_bounded_attempts()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, run) = await h.EnabledRunAsync();

        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.TransientForever);
        var (last, _) = await h.WaitToEndAsync(accepted.TaskId);

        Assert.Equal(MediaTaskStatuses.Failed, last.Status);
        Assert.Equal(ErrorCodes.MediaProviderFailed, last.Error!.Code);
        Assert.Equal($"the provider did not succeed after {MediaTaskHarness.ProviderAttempts} attempts: the provider answered 503", last.Error.Message);
        Assert.Equal(MediaTaskHarness.ProviderAttempts, h.Providers.StartsOf(accepted.TaskId));
        Assert.False(Directory.Exists(project.Dir) && Directory.EnumerateFileSystemEntries(project.Dir).Any());
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(h.Workflow(accepted.TaskId));
    }

    [Fact]
    public async Task A_rejection_fails_the_task_at_once_with_the_providers_message()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (_, run) = await h.EnabledRunAsync();

        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.Reject);
        var (last, _) = await h.WaitToEndAsync(accepted.TaskId);

        Assert.Equal(MediaTaskStatuses.Failed, last.Status);
        Assert.Equal(new MediaTaskError(ScriptedProviders.RejectMessage, null, ErrorCodes.MediaProviderRejected), last.Error);
        Assert.Equal(1, h.Providers.StartsOf(accepted.TaskId));
        Assert.NotNull(last.EndedAt);
        Assert.Equal(["created", "running", "failed"], await h.TaskEventActionsAsync(run.RunId));
    }

    [Fact]
    public async Task A_pending_job_is_polled_to_completion_and_its_progress_reaches_the_waiter()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, run) = await h.EnabledRunAsync();

        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.PendingTwice, output: "clip.png");
        var (last, progress) = await h.WaitToEndAsync(accepted.TaskId);

        Assert.Equal(MediaTaskStatuses.Done, last.Status);
        Assert.Equal(["queued (0%)", "rendering (50%)"], progress);
        Assert.Equal(2, last.NextSince);
        Assert.Equal(2, h.Providers.PollsOf(accepted.TaskId));
        Assert.Equal(ScriptedProviders.BytesFor(accepted.TaskId), await File.ReadAllBytesAsync(Path.Combine(project.Dir, "clip.png")));
        // A wait from the start shows every line; one from the end shows none and answers at once (the task is done).
        Assert.Equal(["queued (0%)", "rendering (50%)"], (await h.WaitAsync(accepted.TaskId, 0, 25_000)).Progress);
        Assert.Empty((await h.WaitAsync(accepted.TaskId, 2, 25_000)).Progress);
        Assert.Equal(["created", "running", "progress", "progress", "done"], await h.TaskEventActionsAsync(run.RunId));
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(h.Workflow(accepted.TaskId));
    }

    [Fact]
    public async Task Cancelling_the_run_mid_job_tells_the_provider_once_and_fails_the_task_as_cancelled()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (_, run) = await h.EnabledRunAsync();
        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.Hold);
        // Pending at the provider: its first progress line is in.
        var first = await h.WaitAsync(accepted.TaskId, 0, 25_000);
        Assert.Equal(["queued"], first.Progress);
        Assert.Equal(MediaTaskStatuses.Running, first.Status);

        using (var cancel = await h.Api.SendAsync(HttpMethod.Post, $"/api/runs/{run.RunId}/cancel"))
        {
            Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        }

        var task = await h.GetTaskAsync(accepted.TaskId);
        Assert.Equal(MediaTaskStatuses.Failed, task.Status);
        Assert.Equal(ErrorCodes.Cancelled, task.Error!.Code);
        Assert.Equal([ScriptedProviders.JobFor(accepted.TaskId)], h.Providers.Cancelled);
        var frames = await SseClient.ReadToEndAsync(h.Api.Http, $"/api/runs/{run.RunId}/events?follow=false");
        Assert.Equal(["media_task", "failed"], [frames[^2].Event, JsonDocument.Parse(frames[^2].Data).RootElement.GetProperty("action").GetString()]);
        Assert.Equal("end", frames[^1].Event);

        var handle = h.Workflow(accepted.TaskId);
        await Assert.ThrowsAsync<WorkflowFailedException>(() => handle.GetResultAsync<string>());
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(handle);
    }

    [Fact]
    public async Task A_tool_token_reads_and_waits_on_its_own_runs_tasks_only()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (_, mine) = await h.EnabledRunAsync();
        var (_, other) = await h.EnabledRunAsync();
        var accepted = await h.GenerateAsync(mine.ToolToken, ScriptedProviders.Finish);

        using (var read = await h.Api.SendAsync(HttpMethod.Get, $"/api/media/tasks/{accepted.TaskId}", other.ToolToken))
        {
            await OdClient.ProblemAsync(read, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        }
        using (var wait = await h.Api.SendAsync(HttpMethod.Post, $"/api/media/tasks/{accepted.TaskId}/wait", other.ToolToken, """{"since":0,"timeoutMs":0}"""))
        {
            await OdClient.ProblemAsync(wait, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        }
        Assert.Equal(accepted.TaskId, (await h.GetTaskAsync(accepted.TaskId, mine.ToolToken)).TaskId);
        Assert.Equal(accepted.TaskId, (await h.WaitAsync(accepted.TaskId, 0, 0, mine.ToolToken)).TaskId);
        // An operator (loopback, no token) reads any task.
        Assert.Equal(mine.RunId, (await h.GetTaskAsync(accepted.TaskId)).RunId);
    }

    [Fact]
    public async Task The_legacy_project_route_judges_a_presented_tool_token_and_serves_loopback_without_one()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, disabled) = await h.EnabledRunAsync("""{"mode":"disabled"}""");
        var otherProject = await h.Api.CreateProjectAsync();
        var route = $"/api/projects/{project.Id}/media/generate";
        var body = $$"""{"surface":"image","prompt":"{{ScriptedProviders.Finish}}","output":"legacy.png"}""";

        using (var refused = await h.Api.PostJsonAsync(route, body, disabled.ToolToken))
        {
            await OdClient.ProblemAsync(refused, HttpStatusCode.Forbidden, ErrorCodes.MediaExecutionDisabled);
        }
        using (var bogus = await h.Api.PostJsonAsync(route, body, "odtt_" + new string('A', 43)))
        {
            await OdClient.ProblemAsync(bogus, HttpStatusCode.Unauthorized, ErrorCodes.ToolTokenInvalid);
        }
        using (var foreign = await h.Api.PostJsonAsync($"/api/projects/{otherProject.Id}/media/generate", body, disabled.ToolToken))
        {
            await OdClient.ProblemAsync(foreign, HttpStatusCode.Forbidden, ErrorCodes.Forbidden);
        }
        Assert.Equal(0, h.App.Count("media_tasks"));

        using var loopback = await h.Api.PostJsonAsync(route, body);
        var accepted = await OdClient.ReadAsync(loopback, HttpStatusCode.Accepted, OdJsonContext.Default.MediaTaskAccepted);
        h.Track(accepted.TaskId);
        var (last, _) = await h.WaitToEndAsync(accepted.TaskId);
        Assert.Equal(MediaTaskStatuses.Done, last.Status);
        Assert.Null((await h.GetTaskAsync(accepted.TaskId)).RunId);
        Assert.Equal(ScriptedProviders.BytesFor(accepted.TaskId), await File.ReadAllBytesAsync(Path.Combine(project.Dir, "legacy.png")));
    }

    [Fact]
    public async Task A_task_pending_at_the_provider_survives_a_restart_of_the_service_and_completes()
    {
        await using var h = new MediaTaskHarness(fixture.Temporal);
        var (project, run) = await h.EnabledRunAsync();
        var accepted = await h.GenerateAsync(run.ToolToken, ScriptedProviders.UntilReleased);
        Assert.Equal(["queued"], (await h.WaitAsync(accepted.TaskId, 0, 25_000)).Progress);

        await h.RestartServiceAsync();
        // Nothing marked it interrupted: its workflow still owns it.
        Assert.Equal(MediaTaskStatuses.Running, (await h.GetTaskAsync(accepted.TaskId)).Status);
        h.Providers.Release();
        var (last, _) = await h.WaitToEndAsync(accepted.TaskId);

        Assert.Equal(MediaTaskStatuses.Done, last.Status);
        Assert.Equal(1, h.Providers.StartsOf(accepted.TaskId));
        Assert.Equal(ScriptedProviders.BytesFor(accepted.TaskId), await File.ReadAllBytesAsync(Path.Combine(project.Dir, "poster.png")));
        await HistoryReplay.AssertReplaysAsync<MediaTaskWorkflow>(h.Workflow(accepted.TaskId));
    }
}
