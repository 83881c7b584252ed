using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenDesign.Workflows.Api.Tests.Support;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Domain;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.Tokens;
using OpenDesign.Workflows.Tests.Shared;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace OpenDesign.Workflows.Api.Tests.External;

/// <summary>
/// No request outlives its run in external mode: generates race the run's finish or cancel, and the executor only
/// ever hears of requests created before the end, each of which the end cancels through its workflow.
/// </summary>
[Collection(ExternalModeCollection.Name)]
public sealed class RunEndRaceTests(ExternalModeFixture fixture)
{
    private const int Rounds = 6;
    private const int Generates = 8;

    [Fact]
    public async Task Generates_racing_the_run_end_never_reach_the_executor_after_it_and_every_accepted_one_is_cancelled()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(
            Response.Create().WithStatusCode(202).WithHeader("Content-Type", "application/json").WithBody("""{"externalRequestId":"ext-1"}"""));
        h.Executor.Given(Request.Create().WithPath("/cancel").UsingPost()).RespondWith(Response.Create().WithStatusCode(202));
        var violations = new List<string>();
        var allAccepted = new HashSet<string>(StringComparer.Ordinal);
        var (conflicts, revoked) = (0, 0);

        for (var round = 0; round < Rounds; round++)
        {
            var (_, run) = await h.CreateExternalRunAsync();
            var endPath = round % 2 == 0 ? $"/api/runs/{run.RunId}/finish" : $"/api/runs/{run.RunId}/cancel";
            var endBody = round % 2 == 0 ? """{"status":"failed"}""" : null;

            var race = await GenerateRace.RunAsync(Generates, endAfterAccepted: 1 + round % Generates,
                () => h.Api.GenerateAsync(run.ToolToken, ExternalHarness.PosterBody),
                () => h.Api.SendAsync(HttpMethod.Post, endPath, json: endBody));
            Assert.True(race.End.Status == HttpStatusCode.OK, $"round {round}: ending the run answered {race.End.Status}: {race.End.Body}");
            violations.AddRange(race.Unexpected.Select(a => $"round {round}: generate answered {(int)a.Status} {a.Body}"));
            var accepted = race.AcceptedIds;
            conflicts += race.RefusedRunTerminal;
            revoked += race.RefusedTokenRevoked;
            foreach (var id in accepted) h.Track(id);
            allAccepted.UnionWith(accepted);

            // Every accepted request is cancelled by the run end: through its workflow, or, when the end came before its
            // workflow could start, without one.
            var listed = await ListAsync(h, run.RunId);
            if (listed.Count != accepted.Count) violations.Add($"round {round}: {listed.Count} stored requests for {accepted.Count} accepted");
            foreach (var request in listed)
            {
                if (request.Status != MediaRequestStatuses.Cancelled || request.Error?.Code is not (ErrorCodes.Cancelled or ErrorCodes.RunEnded))
                {
                    violations.Add($"round {round}: request {request.Id} is {request.Status} ({request.Error?.Code}) after the run ended");
                }
            }

            var events = await SseClient.ReadToEndAsync(h.Api.Http, $"/api/runs/{run.RunId}/events?follow=false");
            var endAt = events.FindIndex(e => e.Event == "end");
            if (endAt != events.Count - 1) violations.Add($"round {round}: end at {endAt} of {events.Count} events");
            var createdBeforeEnd = events.Take(endAt < 0 ? events.Count : endAt).Where(e => Action(e) == MediaRequestActions.Created).Select(RequestId);
            if (!createdBeforeEnd.Order(StringComparer.Ordinal).SequenceEqual(accepted.Order(StringComparer.Ordinal)))
            {
                violations.Add($"round {round}: created before end [{string.Join(',', createdBeforeEnd)}] but accepted [{string.Join(',', accepted)}]");
            }
        }

        // The executor heard only of accepted requests, and a callback token it holds no longer works for anything.
        var submitted = h.Calls("/submit").Select(m => JsonDocument.Parse(m.Body!).RootElement.GetProperty("requestId").GetString()!).Distinct().ToList();
        foreach (var id in submitted.Where(id => !allAccepted.Contains(id))) violations.Add($"the executor received a submit for {id}, never accepted");
        foreach (var id in submitted)
        {
            using var progress = await h.Api.PostJsonAsync($"/api/media-requests/{id}/progress", """{"message":"still rendering"}""", h.CallbackToken(id));
            var answer = await HttpAnswer.ReadAsync(progress);
            if (answer.Status != HttpStatusCode.Unauthorized || answer.Code != ErrorCodes.CallbackTokenInvalid)
            {
                violations.Add($"a callback for {id} after the end answered {(int)answer.Status} {answer.Code}");
            }
        }
        // Callback token hashes exist for stored requests only: none for a refused generate.
        Assert.Equal(allAccepted.Count, h.App.Count("media_requests"));
        Assert.Equal(allAccepted.Count, h.App.Count("callback_tokens"));

        TestContext.Current.TestOutputHelper?.WriteLine($"{Rounds} rounds: {allAccepted.Count} accepted, {conflicts} refused 409, {revoked} refused 401, {submitted.Count} submitted");
        Assert.True(violations.Count == 0,
            $"{violations.Count} violation(s) over {Rounds} rounds ({allAccepted.Count} accepted, {conflicts} refused 409, {revoked} refused 401, {submitted.Count} submitted):\n{string.Join('\n', violations)}");
    }

    [Fact]
    public async Task A_cancel_that_overtakes_a_workflow_start_waits_for_it_and_then_cancels_the_workflow()
    {
        await using var h = new ExternalHarness(fixture.Temporal);
        h.Executor.Given(Request.Create().WithPath("/submit").UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        var (_, run) = await h.CreateExternalRunAsync();
        var services = h.App.Services;
        var starts = services.GetRequiredService<WorkflowStarts>();
        var dispatcher = services.GetRequiredService<IExternalMediaDispatcher>();
        var id = Ids.NewMediaRequestId();
        h.Track(id);

        // What generate does, with the run end's cancellation arriving between the insert and the workflow's start.
        Task cancelling;
        using (starts.Begin(id))
        {
            var now = DateTimeOffset.UtcNow;
            var request = await services.GetRequiredService<MediaRequestTransitions>().CreateAsync(new MediaRequest
            {
                Id = id,
                RunId = run.RunId,
                ProjectId = run.ProjectId,
                Surface = MediaSurfaces.Image,
                Prompt = "a poster",
                RequestedOutput = "poster.png",
                Status = MediaRequestStatuses.Requested,
                PolicyMode = MediaExecutionModes.External,
                External = new ExternalRef("wiremock"),
                CreatedAt = now,
                UpdatedAt = now,
            }, services.GetRequiredService<CallbackKey>().TokenFor(id));
            cancelling = dispatcher.RequestCancelAsync(request, CancellationToken.None);
            Assert.False(cancelling.IsCompleted, "the cancellation went ahead of the start it should wait for");
            await dispatcher.StartAsync(request, CancellationToken.None);
        }
        await cancelling;

        // The workflow received it: the request ends as its workflow cancels it, not as a local fallback.
        var cancelled = await h.WaitForStatusAsync(id, MediaRequestStatuses.Cancelled);
        Assert.Equal(new MediaRequestError("the request was cancelled", ErrorCodes.Cancelled), cancelled.Error);
    }

    private static async Task<IReadOnlyList<MediaRequest>> ListAsync(ExternalHarness h, string runId)
    {
        // The run end waits for the workflows' cancellations; a request created too late to be among them would stay open.
        IReadOnlyList<MediaRequest> listed = [];
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                using var response = await h.Api.Http.GetAsync($"/api/runs/{runId}/media-requests?limit=100");
                listed = (await OdClient.ReadAsync(response, HttpStatusCode.OK, OdJsonContext.Default.MediaRequestList)).Requests;
                return listed.All(r => MediaRequestStatuses.IsTerminal(r.Status));
            }, "every request of the ended run to end", TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // Reported as violations by the caller, request by request.
        }
        return listed;
    }

    private static string? Action(SseFrame e) =>
        e.Event == MediaRequestEvent.EventName ? JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Action : null;

    private static string RequestId(SseFrame e) => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Request.Id;
}
