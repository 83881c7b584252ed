using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Policy;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Tokens;
using OpenDesign.Workflows.Domain.Storage;

namespace OpenDesign.Workflows.Domain.MediaRequests;

/// <summary>
/// The in-run media call: body checks, then the run's policy in Open Design's order, then what the mode says. A
/// refused call stores nothing at all.
/// </summary>
public sealed class MediaGenerationService(
    RunStore runs,
    ProjectStore projects,
    MediaRequestStore store,
    MediaRequestTransitions transitions,
    IExternalMediaDispatcher dispatcher,
    WorkflowStarts starts,
    CallbackKey callbackKey,
    MediaTaskService tasks,
    TimeProvider clock)
{
    /// <summary>
    /// A body given as a JSON value (bound and checked by <see cref="MediaGenerateParser"/>) in a request-only or external
    /// run: the stored request. The endpoints use <see cref="GenerateAnyAsync"/>, which also starts enabled-mode tasks.
    /// </summary>
    public async Task<MediaRequest> GenerateAsync(ToolTokenGrant grant, JsonElement body) =>
        await GenerateAnyAsync(grant, MediaGenerateParser.Parse(body)) switch
        {
            MediaGenerateOutcome.RequestStored stored => stored.Request,
            _ => throw new InvalidOperationException("an enabled run answers with a media task, not a request"),
        };

    /// <summary>What the run's mode makes of a checked body: a media task (enabled) or a stored media request (request-only, external).</summary>
    public async Task<MediaGenerateOutcome> GenerateAnyAsync(ToolTokenGrant grant, MediaGenerateRequest input)
    {
        var run = runs.Get(grant.RunId);
        // Refused early when the run has visibly ended; the check that counts is made again with the insert.
        if (RunStatuses.IsTerminal(run.Status)) throw RunService.AlreadyEnded(run.Status);
        if (MediaPolicy.Deny(run.MediaExecution, input.Surface, input.Model) is { } denial) throw denial;
        if (run.MediaExecution.Mode == MediaExecutionModes.Enabled)
        {
            return new MediaGenerateOutcome.TaskStarted(await tasks.StartAsync(run.Id, run.ProjectId, input));
        }
        var (request, json) = await CreateRequestAsync(run, input);
        return new MediaGenerateOutcome.RequestStored(request, json);
    }

    private async Task<(MediaRequest Request, byte[] Json)> CreateRequestAsync(Run run, MediaGenerateRequest input)
    {
        CheckInputRefs(input, run);
        var id = Ids.NewMediaRequestId();
        var now = clock.GetUtcNow();
        var request = new MediaRequest
        {
            Id = id,
            RunId = run.Id,
            ProjectId = run.ProjectId,
            ConversationId = run.ConversationId,
            Surface = input.Surface,
            Model = input.Model,
            Prompt = input.Prompt,
            Output = input.Output,
            RequestedOutput = OutputNames.ForRequest(input.Output, input.Surface, id),
            Aspect = input.Aspect,
            Length = input.Length,
            Duration = input.Duration,
            AudioKind = input.AudioKind,
            Voice = input.Voice,
            Language = input.Language,
            InputRefs = input.InputRefs,
            Status = MediaRequestStatuses.Requested,
            PolicyMode = run.MediaExecution.Mode,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (run.MediaExecution.Mode != MediaExecutionModes.External) return await transitions.CreateWithJsonAsync(request);

        // Stored (and announced) first, then handed to its workflow; if the engine cannot take it the request is
        // failed with the reason rather than left waiting for a workflow that does not exist. The start is registered
        // before the request is stored: a run end (or a cancel) that sees the request waits for it to settle, so its
        // cancellation reaches the workflow instead of overtaking the start.
        using var starting = starts.Begin(id);
        request = await transitions.CreateAsync(request with { External = new ExternalRef(run.MediaExecution.ExternalExecutor?.Id) }, callbackKey.TokenFor(id));
        if (runs.Find(run.Id) is { } current && RunStatuses.IsTerminal(current.Status))
        {
            // The run ended after the insert: its end has this request to cancel, and no workflow is started for it, so
            // its executor never hears of it.
            var cancelled = await transitions.EndOnceAsync(id, MediaRequestStatuses.Cancelled,
                new MediaRequestError($"the run ended ({current.Status}) before the request's workflow started", ErrorCodes.RunEnded));
            return (cancelled, MediaRequestStore.SerializeUtf8(cancelled));
        }
        try
        {
            if (!dispatcher.IsAvailable) throw new ExternalDispatchException("the workflow engine (Temporal) is not available");
            await dispatcher.StartAsync(request, CancellationToken.None);
            return (request, MediaRequestStore.SerializeUtf8(request));
        }
        catch (ExternalDispatchException e)
        {
            var failed = await transitions.EndOnceAsync(id, MediaRequestStatuses.Failed, new MediaRequestError(e.Message, ErrorCodes.TemporalUnavailable));
            throw DomainException.EngineUnavailable(e.Message,
                new Dictionary<string, object?> { ["requestId"] = failed.Id, ["status"] = failed.Status });
        }
    }

    /// <summary>References must point inside the run's own project: a file in it, or a request of the same project.</summary>
    private void CheckInputRefs(MediaGenerateRequest input, Run run)
    {
        if (input.InputRefs is null) return;
        for (var i = 0; i < input.InputRefs.Count; i++)
        {
            var r = input.InputRefs[i];
            switch (r.Kind)
            {
                case InputRefKinds.ProjectFile:
                    // Checked the way every project file is opened: beneath the project, no link swapped in, regular files only.
                    ProjectFiles.Open(projects.DirOf(run.ProjectId), r.Ref, DomainErrorKind.Invalid, $"inputRefs[{i}].ref names no file in the project").Dispose();
                    break;
                case InputRefKinds.MediaRequest:
                    if (store.Find(r.Ref) is not { } other || other.ProjectId != run.ProjectId)
                    {
                        throw DomainException.Invalid($"inputRefs[{i}].ref names no media request of this project", ErrorCodes.MediaRequestNotFound);
                    }
                    break;
            }
        }
    }
}

/// <summary>The outcome of a generate: a media task started (enabled mode) or a media request stored (request-only, external).</summary>
public abstract record MediaGenerateOutcome
{
    private MediaGenerateOutcome() { }

    public sealed record TaskStarted(MediaTask Task) : MediaGenerateOutcome;

    /// <summary>The stored request and its JSON as UTF-8, which is the answer.</summary>
    public sealed record RequestStored(MediaRequest Request, byte[] Json) : MediaGenerateOutcome;
}
