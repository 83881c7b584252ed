using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Catalog;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Runs;

namespace OpenDesign.Workflows.Domain.MediaTasks;

/// <summary>
/// Enabled-mode generation: the model is resolved in the catalog (refused at once when unknown for the surface, where
/// Open Design fails the task later), the task is stored, and its workflow is started. Without the workflow engine
/// nothing is stored and the call is refused with 503 <c>TEMPORAL_UNAVAILABLE</c>, as external mode is.
/// </summary>
public sealed class MediaTaskService(MediaTaskTransitions transitions, IMediaTaskDispatcher dispatcher, WorkflowStarts starts, RunStore runs, TimeProvider clock)
{
    /// <param name="runId">The run the task belongs to; null for the legacy project route called without a tool token.</param>
    public async Task<MediaTask> StartAsync(string? runId, string projectId, MediaGenerateRequest input)
    {
        var model = MediaCatalog.Find(input.Surface, input.Model) ?? throw UnknownModel(input);
        if (!dispatcher.IsAvailable) throw Unavailable("the workflow engine (Temporal) is not available; see GET /health/ready", null);
        var id = Ids.NewMediaTaskId();
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var task = new MediaTask
        {
            TaskId = id,
            RunId = runId,
            ProjectId = projectId,
            Status = MediaTaskStatuses.Queued,
            Surface = input.Surface,
            Model = model.Id,
            ProviderId = model.Provider,
            Prompt = input.Prompt,
            RequestedOutput = OutputNames.ForRequest(input.Output, input.Surface, id),
            Aspect = input.Aspect,
            Length = input.Length,
            Duration = input.Duration,
            AudioKind = input.AudioKind,
            Voice = input.Voice,
            Language = input.Language,
            StartedAt = now,
            UpdatedAt = now,
        };

        // Registered before the task is stored: a run end that sees the task waits for the start to settle, so its
        // cancellation reaches the workflow instead of overtaking the start.
        using var starting = starts.Begin(id);
        task = await transitions.CreateAsync(task);
        if (runId is not null && runs.Find(runId) is { } current && RunStatuses.IsTerminal(current.Status))
        {
            return await transitions.FailOnceAsync(id, new MediaTaskError($"the run ended ({current.Status}) before the task's workflow started", Code: ErrorCodes.RunEnded));
        }
        try
        {
            await dispatcher.StartAsync(task, CancellationToken.None);
        }
        catch (ExternalDispatchException e)
        {
            await transitions.FailOnceAsync(id, new MediaTaskError(e.Message, Code: ErrorCodes.TemporalUnavailable));
            throw Unavailable(e.Message, id);
        }
        return await transitions.MarkRunningAsync(id);
    }

    private static DomainException UnknownModel(MediaGenerateRequest input) =>
        new(DomainErrorKind.Invalid, ErrorCodes.MediaModelUnknown,
            input.Model is null ? $"no model is registered for surface {input.Surface}" : $"model \"{input.Model}\" is not registered for surface {input.Surface}",
            new Dictionary<string, object?> { ["surface"] = input.Surface, ["model"] = input.Model });

    private static DomainException Unavailable(string message, string? taskId) =>
        DomainException.EngineUnavailable(message,
            taskId is null ? null : new Dictionary<string, object?> { ["taskId"] = taskId, ["status"] = MediaTaskStatuses.Failed });
}
