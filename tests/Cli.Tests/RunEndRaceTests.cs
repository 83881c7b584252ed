using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;
using OpenDesign.Workflows.Tests.Shared;
using static OpenDesign.Workflows.Cli.Tests.ServiceCalls;

namespace OpenDesign.Workflows.Cli.Tests;

/// <summary>
/// No request outlives its run, against the real service process: agents' generates race the run's finish or cancel,
/// and every generate is either a request created before the run's end (and ended by it) or refused with nothing stored.
/// </summary>
public sealed class RunEndRaceTests
{
    private const int Rounds = 20;
    private const int Generates = 12;
    private const string Body = """{"surface":"image","prompt":"a launch poster","output":"poster.png"}""";

    [Fact]
    public async Task Generates_racing_the_run_end_are_created_before_it_and_ended_by_it_or_refused_with_nothing_stored()
    {
        await using var service = await ServiceProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(service.Url) };
        var projectId = (await ReadAsync(await PostAsync(http, "/api/projects", """{"name":"race"}"""), HttpStatusCode.Created, OdJsonContext.Default.Project)).Id;
        var violations = new List<string>();
        var (accepted, conflicts, revoked) = (0, 0, 0);

        for (var round = 0; round < Rounds; round++)
        {
            var run = await ReadAsync(await PostAsync(http, "/api/runs", $$$"""{"projectId":"{{{projectId}}}","mediaExecution":{"mode":"request-only"}}"""),
                HttpStatusCode.Created, OdJsonContext.Default.RunCreated);
            // Alternate the two ways a run ends; both revoke the token and end the requests in one unit.
            var endPath = round % 2 == 0 ? $"/api/runs/{run.RunId}/finish" : $"/api/runs/{run.RunId}/cancel";
            var endBody = round % 2 == 0 ? """{"status":"succeeded"}""" : null;

            var race = await GenerateRace.RunAsync(Generates, endAfterAccepted: 1 + round % Generates,
                () => PostAsync(http, "/api/tools/media/generate", Body, run.ToolToken),
                () => PostAsync(http, endPath, endBody));
            Assert.True(race.End.Status == HttpStatusCode.OK, $"round {round}: ending the run answered {race.End.Status}: {race.End.Body}");
            violations.AddRange(race.Unexpected.Select(a => $"round {round}: generate answered {(int)a.Status} {a.Body}"));
            var acceptedIds = race.AcceptedIds;
            accepted += acceptedIds.Count;
            conflicts += race.RefusedRunTerminal;
            revoked += race.RefusedTokenRevoked;

            // What the run holds: exactly the accepted requests, each ended by the run end, each created before `end`.
            var events = await EventsAsync(http, run.RunId);
            var endAt = events.FindIndex(e => e.EventType == "end");
            if (endAt < 0) violations.Add($"round {round}: no end event");
            else if (endAt != events.Count - 1) violations.Add($"round {round}: {events.Count - 1 - endAt} event(s) after end");
            var created = events.Take(endAt < 0 ? events.Count : endAt).Where(e => Action(e) == MediaRequestActions.Created).Select(e => RequestId(e)).ToList();
            var createdLate = events.Skip(endAt + 1).Where(e => e.EventType == MediaRequestEvent.EventName && Action(e) == MediaRequestActions.Created).Count();
            if (createdLate > 0) violations.Add($"round {round}: {createdLate} created event(s) after end");
            if (!created.Order(StringComparer.Ordinal).SequenceEqual(acceptedIds.Order(StringComparer.Ordinal)))
            {
                violations.Add($"round {round}: created before end [{string.Join(',', created)}] but accepted [{string.Join(',', acceptedIds)}]");
            }

            var listed = await ReadAsync(await http.GetAsync($"/api/runs/{run.RunId}/media-requests?limit=100"), HttpStatusCode.OK, OdJsonContext.Default.MediaRequestList);
            if (listed.Requests.Count != acceptedIds.Count) violations.Add($"round {round}: {listed.Requests.Count} stored requests for {acceptedIds.Count} accepted");
            foreach (var request in listed.Requests)
            {
                if (request.Status != MediaRequestStatuses.Cancelled || request.Error?.Code != ErrorCodes.RunEnded)
                {
                    violations.Add($"round {round}: request {request.Id} is {request.Status} ({request.Error?.Code}) after the run ended");
                }
                // A request that outlived its run could still be fulfilled; none may.
                using var fulfil = await SendBytesAsync(http, $"/api/media-requests/{request.Id}/fulfill", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1], "image/png");
                var fulfilAnswer = await HttpAnswer.ReadAsync(fulfil);
                if (fulfilAnswer.Status != HttpStatusCode.Conflict || fulfilAnswer.Code != ErrorCodes.MediaRequestTerminal)
                {
                    violations.Add($"round {round}: fulfilling {request.Id} after the end answered {(int)fulfilAnswer.Status} {fulfilAnswer.Code}");
                }
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{Rounds} rounds: {accepted} accepted, {conflicts} refused 409, {revoked} refused 401");
        Assert.True(violations.Count == 0,
            $"{violations.Count} violation(s) over {Rounds} rounds ({accepted} accepted, {conflicts} refused 409, {revoked} refused 401):\n{string.Join('\n', violations)}");
    }

    private static string? Action(SseItem<string> e) =>
        e.EventType == MediaRequestEvent.EventName ? JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Action : null;

    private static string RequestId(SseItem<string> e) => JsonSerializer.Deserialize(e.Data, OdJsonContext.Default.MediaRequestEvent)!.Request.Id;
}
