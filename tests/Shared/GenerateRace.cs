using System.Net;
using System.Text.Json;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Tests.Shared;

/// <summary>An HTTP answer read to the end, so it can be judged after the race is over.</summary>
public sealed record HttpAnswer(HttpStatusCode Status, string Body)
{
    public static async Task<HttpAnswer> ReadAsync(HttpResponseMessage response)
    {
        using (response) return new HttpAnswer(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A problem's code; null for any other answer (a request, say).</summary>
    public string? Code =>
        Body.StartsWith('{') && JsonDocument.Parse(Body).RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
}

/// <summary>
/// Agents' generates racing their run's end, shared by the real-process and the external-mode tests: each agent
/// generates until refused, and the run is ended once some generates have been accepted, so the end always lands
/// among calls in flight. Every generate must be accepted, refused 409 <c>RUN_TERMINAL</c> (its token check came before
/// the end, its insert after) or 401 <c>TOOL_TOKEN_INVALID</c> (its token check came after the end); anything else is
/// <see cref="Unexpected"/>.
/// </summary>
public sealed class GenerateRace
{
    // Bounded, so a run that never refuses fails the test instead of hanging it.
    private const int MaxPerAgent = 100;

    public required HttpAnswer End { get; init; }
    public List<string> AcceptedIds { get; } = [];
    public int RefusedRunTerminal { get; private set; }
    public int RefusedTokenRevoked { get; private set; }
    public List<HttpAnswer> Unexpected { get; } = [];

    public static async Task<GenerateRace> RunAsync(int agents, int endAfterAccepted,
        Func<Task<HttpResponseMessage>> generate, Func<Task<HttpResponseMessage>> end)
    {
        var accepted = 0;
        var endNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, agents).Select(_ => Task.Run(async () =>
        {
            var answers = new List<HttpAnswer>();
            while (answers.Count < MaxPerAgent)
            {
                var answer = await HttpAnswer.ReadAsync(await generate());
                answers.Add(answer);
                if (answer.Status != HttpStatusCode.Accepted) break;
                if (Interlocked.Increment(ref accepted) == endAfterAccepted) endNow.TrySetResult();
            }
            // An agent that stopped early must not keep the end waiting.
            endNow.TrySetResult();
            return answers;
        })).ToList();
        await endNow.Task;
        var race = new GenerateRace { End = await HttpAnswer.ReadAsync(await end()) };
        foreach (var answer in (await Task.WhenAll(calls)).SelectMany(a => a)) race.Judge(answer);
        return race;
    }

    private void Judge(HttpAnswer answer)
    {
        switch (answer.Status)
        {
            case HttpStatusCode.Accepted:
                AcceptedIds.Add(JsonSerializer.Deserialize(answer.Body, OdJsonContext.Default.MediaRequest)!.Id);
                break;
            case HttpStatusCode.Conflict when answer.Code == ErrorCodes.RunTerminal:
                RefusedRunTerminal++;
                break;
            case HttpStatusCode.Unauthorized when answer.Code == ErrorCodes.ToolTokenInvalid:
                RefusedTokenRevoked++;
                break;
            default:
                Unexpected.Add(answer);
                break;
        }
    }
}
