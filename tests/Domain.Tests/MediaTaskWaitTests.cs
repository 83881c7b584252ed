using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Tests.Support;

namespace OpenDesign.Workflows.Domain.Tests;

/// <summary>
/// Open Design's wait over the task store and the event hub: at once when the task has ended or has progress beyond
/// <c>since</c>, on the next change otherwise, and at the timeout with the task still running. Every change is a
/// <c>media_task</c> event on the run's stream.
/// </summary>
public sealed class MediaTaskWaitTests : IAsyncDisposable
{
    /// <summary>A failure bound only: a wait woken by a change answers at once, one that missed it would take 25 s.</summary>
    private static readonly TimeSpan Missed = TimeSpan.FromSeconds(15);

    private readonly DomainHarness _h = new();

    [Fact]
    public async Task A_wait_on_an_ended_task_answers_without_waiting()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Enabled));
        var task = await _h.NewTaskAsync(project.Id, run.RunId);
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k1", "line one");
        await _h.TaskTransitions.FailOnceAsync(task.TaskId, new MediaTaskError("refused upstream", Code: ErrorCodes.MediaProviderRejected));

        var waiting = _h.TaskWaiter.WaitAsync(task.TaskId, since: 1, MediaTaskWaiter.MaxWait, CancellationToken.None);

        // Answered synchronously: no await inside the wait was reached.
        Assert.True(waiting.IsCompletedSuccessfully);
        var snapshot = await waiting;
        Assert.Equal(MediaTaskStatuses.Failed, snapshot.Status);
        Assert.Empty(snapshot.Progress);
        Assert.Equal(1, snapshot.NextSince);
        Assert.Equal(new MediaTaskError("refused upstream", null, ErrorCodes.MediaProviderRejected), snapshot.Error);
    }

    [Fact]
    public async Task A_wait_answers_at_once_when_progress_beyond_since_exists_and_returns_only_the_new_lines()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Enabled));
        var task = await _h.NewTaskAsync(project.Id, run.RunId);
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k1", "one");
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k2", "two");
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k2", "two again (a retried activity)");

        var waiting = _h.TaskWaiter.WaitAsync(task.TaskId, since: 1, MediaTaskWaiter.MaxWait, CancellationToken.None);

        Assert.True(waiting.IsCompletedSuccessfully);
        var snapshot = await waiting;
        Assert.Equal(MediaTaskStatuses.Running, snapshot.Status);
        Assert.Equal(["two"], snapshot.Progress);
        Assert.Equal(2, snapshot.NextSince);
    }

    [Fact]
    public async Task A_wait_is_woken_by_new_progress_of_a_run_task()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Enabled));
        var task = await _h.NewTaskAsync(project.Id, run.RunId);

        var waiting = _h.TaskWaiter.WaitAsync(task.TaskId, since: 0, MediaTaskWaiter.MaxWait, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k1", "rendering 40%");

        var snapshot = await waiting.WaitAsync(Missed);
        Assert.Equal(["rendering 40%"], snapshot.Progress);
        Assert.Equal(MediaTaskStatuses.Running, snapshot.Status);
    }

    [Fact]
    public async Task A_wait_is_woken_when_a_task_without_a_run_ends()
    {
        var project = await _h.NewProjectAsync();
        var task = await _h.NewTaskAsync(project.Id, runId: null);

        var waiting = _h.TaskWaiter.WaitAsync(task.TaskId, since: 0, MediaTaskWaiter.MaxWait, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        var file = new MediaTaskFile("image-x.png", 3, 0, "image", "image/png", "gpt-image-2", "image", "openai", "abc");
        await _h.TaskTransitions.CompleteAsync(task.TaskId, file);

        var snapshot = await waiting.WaitAsync(Missed);
        Assert.Equal(MediaTaskStatuses.Done, snapshot.Status);
        Assert.Equal(file, snapshot.File);
    }

    [Fact]
    public async Task A_wait_without_a_change_times_out_with_the_task_still_running()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Enabled));
        var task = await _h.NewTaskAsync(project.Id, run.RunId);
        await _h.TaskTransitions.MarkRunningAsync(task.TaskId);

        var snapshot = await _h.TaskWaiter.WaitAsync(task.TaskId, since: 0, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.Equal(MediaTaskStatuses.Running, snapshot.Status);
        Assert.Empty(snapshot.Progress);
        Assert.Null(snapshot.EndedAt);
    }

    [Fact]
    public async Task Every_change_is_one_media_task_event_on_the_run_stream_in_order()
    {
        var (project, run) = await _h.NewRunAsync(new MediaExecutionPolicy(MediaExecutionModes.Enabled));
        var task = await _h.NewTaskAsync(project.Id, run.RunId);
        await _h.TaskTransitions.MarkRunningAsync(task.TaskId);
        await _h.TaskTransitions.MarkRunningAsync(task.TaskId);
        await _h.TaskTransitions.AppendProgressAsync(task.TaskId, "k1", "halfway");
        await _h.TaskTransitions.FailOnceAsync(task.TaskId, new MediaTaskError("no", Code: ErrorCodes.MediaProviderRejected));
        await _h.TaskTransitions.FailOnceAsync(task.TaskId, new MediaTaskError("again", Code: ErrorCodes.MediaProviderRejected));

        var events = _h.Events.ReadRun(run.RunId, 0).Where(e => e.Name == EventNames.MediaTask).ToList();
        var payloads = events.Select(e => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaTaskEvent)!).ToList();
        Assert.Equal(["created", "running", "progress", "failed"], payloads.Select(p => p.Action));
        Assert.All(payloads, p => Assert.Equal("media_task", p.Type));
        Assert.Equal(["halfway"], payloads[^1].Task.Progress);
        Assert.Equal("no", payloads[^1].Task.Error!.Message);
        // The feed carries task events as well as request events.
        Assert.Equal(events.Select(e => e.Id), _h.Events.ReadFeed(0).Where(e => e.Name == EventNames.MediaTask).Select(e => e.Id));
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();
}
